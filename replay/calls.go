package replay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tgauth/tgauth/tgapi"
)

// The TL names of the calls, one per tgapi.API method, as they appear in a trace's
// "method" field.
const (
	MethodSendCode                = "auth.sendCode"
	MethodResendCode              = "auth.resendCode"
	MethodCancelCode              = "auth.cancelCode"
	MethodSignIn                  = "auth.signIn"
	MethodSignUp                  = "auth.signUp"
	MethodPasswordInfo            = "account.getPassword"
	MethodCheckPassword           = "auth.checkPassword"
	MethodRequestPasswordRecovery = "auth.requestPasswordRecovery"
	MethodRecoverPassword         = "auth.recoverPassword"
	MethodSendVerifyEmailCode     = "account.sendVerifyEmailCode"
	MethodVerifyEmail             = "account.verifyEmail"
	MethodExportLoginToken        = "auth.exportLoginToken"
	MethodImportLoginToken        = "auth.importLoginToken"
	MethodImportBotAuthorization  = "auth.importBotAuthorization"
	MethodLogOut                  = "auth.logOut"
	MethodSelf                    = "users.getUsers"
)

// methods maps each method to a new value of its result type; nil for auth.cancelCode,
// which has none.
var methods = map[string]func() any{
	MethodSendCode:                func() any { return new(tgapi.SendCodeResult) },
	MethodResendCode:              func() any { return new(tgapi.SentCode) },
	MethodCancelCode:              func() any { return nil },
	MethodSignIn:                  func() any { return new(tgapi.Authorization) },
	MethodSignUp:                  func() any { return new(tgapi.User) },
	MethodPasswordInfo:            func() any { return new(tgapi.PasswordInfo) },
	MethodCheckPassword:           func() any { return new(tgapi.User) },
	MethodRequestPasswordRecovery: func() any { return new(tgapi.PasswordRecovery) },
	MethodRecoverPassword:         func() any { return new(tgapi.User) },
	MethodSendVerifyEmailCode:     func() any { return new(tgapi.EmailCode) },
	MethodVerifyEmail:             func() any { return new(tgapi.SendCodeResult) },
	MethodExportLoginToken:        func() any { return new(tgapi.LoginToken) },
	MethodImportLoginToken:        func() any { return new(tgapi.LoginToken) },
	MethodImportBotAuthorization:  func() any { return new(tgapi.User) },
	MethodLogOut:                  func() any { return new([]byte) },
	MethodSelf:                    func() any { return new(tgapi.User) },
}

// The requests as they are written into a trace, before redaction.
type (
	sendCodeRequest struct {
		Phone        string   `json:"phone"`
		LogoutTokens [][]byte `json:"logout_tokens,omitempty"`
	}
	codeRefRequest struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
	}
	signInRequest struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Code          string `json:"code"`
		ViaEmail      bool   `json:"via_email,omitempty"`
	}
	signUpRequest struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name,omitempty"`
	}
	emailRequest struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Email         string `json:"email"`
	}
	verifyEmailRequest struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Code          string `json:"code"`
	}
	passwordRequest struct {
		Password string `json:"password"`
	}
	codeRequest struct {
		Code string `json:"code"`
	}
	loginTokenRequest struct {
		DC    int    `json:"dc"`
		Token []byte `json:"token"`
	}
	botTokenRequest struct {
		Token string `json:"token"`
	}
	noRequest struct{}
)

func codeRef(r tgapi.CodeRef) codeRefRequest {
	return codeRefRequest{Phone: r.Phone, PhoneCodeHash: r.PhoneCodeHash}
}

func signIn(r tgapi.SignInRequest) signInRequest {
	return signInRequest{Phone: r.Phone, PhoneCodeHash: r.PhoneCodeHash, Code: r.Code, ViaEmail: r.ViaEmail}
}

func signUp(r tgapi.SignUpRequest) signUpRequest {
	return signUpRequest{Phone: r.Phone, PhoneCodeHash: r.PhoneCodeHash, FirstName: r.FirstName, LastName: r.LastName}
}

func email(r tgapi.EmailRequest) emailRequest {
	return emailRequest{Phone: r.Phone, PhoneCodeHash: r.PhoneCodeHash, Email: r.Email}
}

func verifyEmail(r tgapi.VerifyEmailRequest) verifyEmailRequest {
	return verifyEmailRequest{Phone: r.Phone, PhoneCodeHash: r.PhoneCodeHash, Code: r.Code}
}

// logOutResult is how auth.logOut's answer is written: the token is always redacted.
type logOutResult struct {
	FutureAuthToken *string `json:"future_auth_token"`
}

// resultJSON renders a successful call's result for a trace, with the future_auth_token
// redacted and, if maskPhones, the users' phones masked. res is the value the API
// returned: a tgapi result type, []byte for auth.logOut, nil for auth.cancelCode. The
// caller's value is not modified.
func resultJSON(res any, maskPhones bool) (json.RawMessage, error) {
	mask := func(u *tgapi.User) *tgapi.User {
		if u == nil || !maskPhones {
			return u
		}
		c := *u
		c.Phone = MaskPhone(c.Phone)
		return &c
	}
	switch v := res.(type) {
	case nil:
		return json.RawMessage("null"), nil
	case []byte:
		var r logOutResult
		if v != nil {
			s := Redacted
			r.FutureAuthToken = &s
		}
		return marshal(r)
	case tgapi.SendCodeResult:
		if v.Authorized != nil {
			a := *v.Authorized
			a.User = mask(a.User)
			v.Authorized = &a
		}
		return marshal(v)
	case tgapi.Authorization:
		v.User = mask(v.User)
		return marshal(v)
	case tgapi.User:
		return marshal(*mask(&v))
	case tgapi.LoginToken:
		v.Authorized = mask(v.Authorized)
		return marshal(v)
	default:
		return marshal(v)
	}
}

// decodeResult decodes a recorded result into out, a pointer from methods[method]. An
// absent or null result leaves out at its zero value. strict refuses unknown fields.
// auth.logOut's token decodes from null (no token), Redacted (a placeholder token) or
// base64 (hand-written traces).
func decodeResult(method string, raw json.RawMessage, out any, strict bool) error {
	if raw == nil || isNull(raw) {
		return nil
	}
	decode := json.Unmarshal
	if strict {
		decode = decodeStrict
	}
	switch out := out.(type) {
	case nil:
		return fmt.Errorf("%s has no result, want null", method)
	case *[]byte:
		var r logOutResult
		if err := decode(raw, &r); err != nil {
			return err
		}
		switch {
		case r.FutureAuthToken == nil:
			*out = nil
		case *r.FutureAuthToken == Redacted:
			*out = []byte(Redacted)
		default:
			b, err := base64.StdEncoding.DecodeString(*r.FutureAuthToken)
			if err != nil {
				return errors.New("future_auth_token is neither null, " + Redacted + " nor base64")
			}
			*out = b
		}
		return nil
	default:
		return decode(raw, out)
	}
}
