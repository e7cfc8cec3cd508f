package mtproto

import (
	"time"

	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file maps gotd's tg types to tgapi's domain types. Every function is pure.

// sendCodeResult maps auth.SentCode: a code was sent, or (auth.sentCodeSuccess) the session
// is authorized already.
func sendCodeResult(method string, c tg.AuthSentCodeClass) (tgapi.SendCodeResult, error) {
	switch c := c.(type) {
	case *tg.AuthSentCode:
		sc := sentCode(c)
		return tgapi.SendCodeResult{Code: &sc}, nil
	case *tg.AuthSentCodeSuccess:
		a, err := authorization(method, c.Authorization)
		if err != nil {
			return tgapi.SendCodeResult{}, err
		}
		return tgapi.SendCodeResult{Authorized: &a}, nil
	case *tg.AuthSentCodePaymentRequired:
		return tgapi.SendCodeResult{PaymentRequired: &tgapi.PaymentRequired{
			PhoneCodeHash: c.PhoneCodeHash, StoreProduct: c.StoreProduct,
			SupportEmail: c.SupportEmailAddress, SupportSubject: c.SupportEmailSubject,
			PremiumDays: c.PremiumDays, Currency: c.Currency, Amount: c.Amount,
		}}, nil
	default:
		return tgapi.SendCodeResult{}, unsupported(method, c)
	}
}

// sentCodeOnly maps an answer that must be auth.sentCode (auth.resendCode).
func sentCodeOnly(method string, c tg.AuthSentCodeClass) (tgapi.SentCode, error) {
	sc, ok := c.(*tg.AuthSentCode)
	if !ok {
		return tgapi.SentCode{}, unsupported(method, c)
	}
	return sentCode(sc), nil
}

// sentCode maps auth.sentCode.
func sentCode(c *tg.AuthSentCode) tgapi.SentCode {
	out := tgapi.SentCode{
		PhoneCodeHash: c.PhoneCodeHash,
		Timeout:       time.Duration(c.Timeout) * time.Second,
	}
	if next, ok := c.GetNextType(); ok {
		out.NextType = codeType(next)
	}
	setSentCodeType(&out, c.Type)
	return out
}

// setSentCodeType fills Type, Length, Pattern, EmailPattern and URL from an
// auth.SentCodeType. Pattern carries whatever hint a type gives about the code: the
// flash-call pattern, the missed-call number prefix, or the beginning of an SMS word or
// phrase.
func setSentCodeType(out *tgapi.SentCode, t tg.AuthSentCodeTypeClass) {
	switch t := t.(type) {
	case *tg.AuthSentCodeTypeApp:
		out.Type, out.Length = tgapi.CodeApp, t.Length
	case *tg.AuthSentCodeTypeSMS:
		out.Type, out.Length = tgapi.CodeSMS, t.Length
	case *tg.AuthSentCodeTypeCall:
		out.Type, out.Length = tgapi.CodeCall, t.Length
	case *tg.AuthSentCodeTypeFlashCall:
		out.Type, out.Pattern = tgapi.CodeFlashCall, t.Pattern
	case *tg.AuthSentCodeTypeMissedCall:
		out.Type, out.Length, out.Pattern = tgapi.CodeMissedCall, t.Length, t.Prefix
	case *tg.AuthSentCodeTypeEmailCode:
		out.Type, out.Length, out.EmailPattern = tgapi.CodeEmail, t.Length, t.EmailPattern
		out.EmailReset = emailReset(t)
	case *tg.AuthSentCodeTypeSetUpEmailRequired:
		out.Type = tgapi.CodeSetUpEmailRequired
	case *tg.AuthSentCodeTypeFragmentSMS:
		out.Type, out.Length, out.URL = tgapi.CodeFragmentSMS, t.Length, t.URL
	case *tg.AuthSentCodeTypeFirebaseSMS:
		out.Type, out.Length = tgapi.CodeFirebaseSMS, t.Length
	case *tg.AuthSentCodeTypeSMSWord:
		out.Type, out.Pattern = tgapi.CodeSMSWord, t.Beginning
	case *tg.AuthSentCodeTypeSMSPhrase:
		out.Type, out.Pattern = tgapi.CodeSMSPhrase, t.Beginning
	case nil:
	default:
		// A type from a newer layer: keep its TL name rather than lose the hash.
		out.Type = tgapi.CodeType(t.TypeName())
	}
}

// codeType maps auth.CodeType, the type the next code (auth.resendCode) will have.
func codeType(t tg.AuthCodeTypeClass) tgapi.CodeType {
	switch t := t.(type) {
	case *tg.AuthCodeTypeSMS:
		return tgapi.CodeSMS
	case *tg.AuthCodeTypeCall:
		return tgapi.CodeCall
	case *tg.AuthCodeTypeFlashCall:
		return tgapi.CodeFlashCall
	case *tg.AuthCodeTypeMissedCall:
		return tgapi.CodeMissedCall
	case *tg.AuthCodeTypeFragmentSMS:
		return tgapi.CodeFragmentSMS
	case nil:
		return ""
	default:
		return tgapi.CodeType(t.TypeName())
	}
}

// authorization maps auth.Authorization: a user, or that the number must sign up.
func authorization(method string, a tg.AuthAuthorizationClass) (tgapi.Authorization, error) {
	switch a := a.(type) {
	case *tg.AuthAuthorization:
		u, err := user(method, a.User)
		if err != nil {
			return tgapi.Authorization{}, err
		}
		return tgapi.Authorization{User: &u}, nil
	case *tg.AuthAuthorizationSignUpRequired:
		tos := termsOfService(a.TermsOfService)
		return tgapi.Authorization{SignUpRequired: &tos}, nil
	default:
		return tgapi.Authorization{}, unsupported(method, a)
	}
}

// authorizedUser maps an auth.Authorization that must carry a user (auth.signUp,
// auth.checkPassword, auth.recoverPassword, auth.importBotAuthorization).
func authorizedUser(method string, a tg.AuthAuthorizationClass) (tgapi.User, error) {
	auth, ok := a.(*tg.AuthAuthorization)
	if !ok {
		return tgapi.User{}, unsupported(method, a)
	}
	return user(method, auth.User)
}

// user maps a tg.User.
func user(method string, u tg.UserClass) (tgapi.User, error) {
	tu, ok := u.(*tg.User)
	if !ok {
		return tgapi.User{}, unsupported(method, u)
	}
	return tgapi.User{
		ID:        tu.ID,
		FirstName: tu.FirstName,
		LastName:  tu.LastName,
		Username:  tu.Username,
		Phone:     tu.Phone,
		Bot:       tu.Bot,
	}, nil
}

// termsOfService maps help.termsOfService.
func termsOfService(t tg.HelpTermsOfService) tgapi.TermsOfService {
	return tgapi.TermsOfService{
		ID:     t.ID.Data,
		Text:   t.Text,
		MinAge: t.MinAgeConfirm,
		Popup:  t.Popup,
	}
}

// loginToken maps auth.LoginToken: a token to show, a DC to import it on, or the user.
func loginToken(method string, t tg.AuthLoginTokenClass) (tgapi.LoginToken, error) {
	switch t := t.(type) {
	case *tg.AuthLoginToken:
		return tgapi.LoginToken{Token: t.Token, Expires: time.Unix(int64(t.Expires), 0)}, nil
	case *tg.AuthLoginTokenMigrateTo:
		return tgapi.LoginToken{Token: t.Token, MigrateDC: t.DCID}, nil
	case *tg.AuthLoginTokenSuccess:
		u, err := authorizedUser(method, t.Authorization)
		if err != nil {
			return tgapi.LoginToken{}, err
		}
		return tgapi.LoginToken{Authorized: &u}, nil
	default:
		return tgapi.LoginToken{}, unsupported(method, t)
	}
}

// passwordInfo maps the part of account.password a login shows.
func passwordInfo(p *tg.AccountPassword) tgapi.PasswordInfo {
	return tgapi.PasswordInfo{
		HasPassword: p.HasPassword,
		Hint:        p.Hint,
		HasRecovery: p.HasRecovery,
	}
}

// emailCode maps account.sentEmailCode.
func emailCode(c *tg.AccountSentEmailCode) tgapi.EmailCode {
	return tgapi.EmailCode{EmailPattern: c.EmailPattern, Length: c.Length}
}

// emailReset maps what an e-mail code says of resetting the login e-mail: a reset asked
// for (reset_pending_date) or one that can be asked for (reset_available_period); nil when
// neither is set.
func emailReset(t *tg.AuthSentCodeTypeEmailCode) *tgapi.EmailReset {
	if date, ok := t.GetResetPendingDate(); ok && date > 0 {
		return &tgapi.EmailReset{PendingAt: time.Unix(int64(date), 0)}
	}
	if period, ok := t.GetResetAvailablePeriod(); ok {
		return &tgapi.EmailReset{Wait: time.Duration(period) * time.Second}
	}
	return nil
}
