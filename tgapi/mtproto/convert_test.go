package mtproto

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

func TestSentCodeTypes(t *testing.T) {
	tests := []struct {
		name string
		in   tg.AuthSentCodeTypeClass
		want tgapi.SentCode
	}{
		{"app", &tg.AuthSentCodeTypeApp{Length: 5}, tgapi.SentCode{Type: tgapi.CodeApp, Length: 5}},
		{"sms", &tg.AuthSentCodeTypeSMS{Length: 6}, tgapi.SentCode{Type: tgapi.CodeSMS, Length: 6}},
		{"call", &tg.AuthSentCodeTypeCall{Length: 5}, tgapi.SentCode{Type: tgapi.CodeCall, Length: 5}},
		{"flash_call", &tg.AuthSentCodeTypeFlashCall{Pattern: "+7*"}, tgapi.SentCode{Type: tgapi.CodeFlashCall, Pattern: "+7*"}},
		{"missed_call", &tg.AuthSentCodeTypeMissedCall{Prefix: "+7999", Length: 4}, tgapi.SentCode{Type: tgapi.CodeMissedCall, Length: 4, Pattern: "+7999"}},
		{"email", &tg.AuthSentCodeTypeEmailCode{EmailPattern: "a***@b.c", Length: 6}, tgapi.SentCode{Type: tgapi.CodeEmail, Length: 6, EmailPattern: "a***@b.c"}},
		{"setup_email_required", &tg.AuthSentCodeTypeSetUpEmailRequired{}, tgapi.SentCode{Type: tgapi.CodeSetUpEmailRequired}},
		{"fragment_sms", &tg.AuthSentCodeTypeFragmentSMS{URL: "https://fragment.com/n", Length: 5}, tgapi.SentCode{Type: tgapi.CodeFragmentSMS, Length: 5, URL: "https://fragment.com/n"}},
		{"firebase_sms", &tg.AuthSentCodeTypeFirebaseSMS{Length: 6}, tgapi.SentCode{Type: tgapi.CodeFirebaseSMS, Length: 6}},
		{"sms_word", &tg.AuthSentCodeTypeSMSWord{Beginning: "b"}, tgapi.SentCode{Type: tgapi.CodeSMSWord, Pattern: "b"}},
		{"sms_phrase", &tg.AuthSentCodeTypeSMSPhrase{Beginning: "be"}, tgapi.SentCode{Type: tgapi.CodeSMSPhrase, Pattern: "be"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got tgapi.SentCode
			setSentCodeType(&got, tt.in)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCodeType(t *testing.T) {
	tests := []struct {
		in   tg.AuthCodeTypeClass
		want tgapi.CodeType
	}{
		{nil, ""},
		{&tg.AuthCodeTypeSMS{}, tgapi.CodeSMS},
		{&tg.AuthCodeTypeCall{}, tgapi.CodeCall},
		{&tg.AuthCodeTypeFlashCall{}, tgapi.CodeFlashCall},
		{&tg.AuthCodeTypeMissedCall{}, tgapi.CodeMissedCall},
		{&tg.AuthCodeTypeFragmentSMS{}, tgapi.CodeFragmentSMS},
	}
	for _, tt := range tests {
		if got := codeType(tt.in); got != tt.want {
			t.Errorf("codeType(%T) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSendCodeResult(t *testing.T) {
	sent := &tg.AuthSentCode{
		Type:          &tg.AuthSentCodeTypeSMS{Length: 5},
		PhoneCodeHash: "hash",
	}
	sent.SetNextType(&tg.AuthCodeTypeCall{})
	sent.SetTimeout(60)

	got, err := sendCodeResult("auth.sendCode", sent)
	if err != nil {
		t.Fatal(err)
	}
	want := tgapi.SendCodeResult{Code: &tgapi.SentCode{
		Type: tgapi.CodeSMS, Length: 5, NextType: tgapi.CodeCall,
		Timeout: time.Minute, PhoneCodeHash: "hash",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sent code: got %+v, want %+v", got.Code, want.Code)
	}

	success := &tg.AuthSentCodeSuccess{Authorization: &tg.AuthAuthorization{
		User: &tg.User{ID: 42, FirstName: "Ann", Phone: "9996621234"},
	}}
	got, err = sendCodeResult("auth.sendCode", success)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != nil || got.Authorized == nil || got.Authorized.User == nil || got.Authorized.User.ID != 42 {
		t.Errorf("sentCodeSuccess: got %+v", got)
	}

	got, err = sendCodeResult("auth.sendCode", &tg.AuthSentCodePaymentRequired{
		StoreProduct: "premium.auth", PhoneCodeHash: "h2", SupportEmailAddress: "sms@example.org",
		SupportEmailSubject: "No SMS", PremiumDays: 7, Currency: "USD", Amount: 199,
	})
	wantPay := tgapi.PaymentRequired{PhoneCodeHash: "h2", StoreProduct: "premium.auth", SupportEmail: "sms@example.org",
		SupportSubject: "No SMS", PremiumDays: 7, Currency: "USD", Amount: 199}
	if err != nil || got.Code != nil || got.PaymentRequired == nil || *got.PaymentRequired != wantPay {
		t.Errorf("payment required: got %+v, %v; want %+v", got.PaymentRequired, err, wantPay)
	}
	if _, err := sentCodeOnly("auth.resendCode", success); !errors.Is(err, ErrUnsupported) {
		t.Errorf("resend answered success: got %v, want ErrUnsupported", err)
	}
}

func TestEmailCodeReset(t *testing.T) {
	for _, c := range []struct {
		name string
		set  func(*tg.AuthSentCodeTypeEmailCode)
		want *tgapi.EmailReset
	}{
		{"no reset", func(*tg.AuthSentCodeTypeEmailCode) {}, nil},
		{"reset at once", func(t *tg.AuthSentCodeTypeEmailCode) { t.SetResetAvailablePeriod(0) }, &tgapi.EmailReset{}},
		{"reset after a week", func(t *tg.AuthSentCodeTypeEmailCode) { t.SetResetAvailablePeriod(7 * 86400) },
			&tgapi.EmailReset{Wait: 7 * 24 * time.Hour}},
		{"reset pending", func(t *tg.AuthSentCodeTypeEmailCode) { t.SetResetPendingDate(1_800_000_000) },
			&tgapi.EmailReset{PendingAt: time.Unix(1_800_000_000, 0)}},
	} {
		typ := &tg.AuthSentCodeTypeEmailCode{EmailPattern: "a***@example.org", Length: 6}
		c.set(typ)
		got, err := sendCodeResult("auth.sendCode", &tg.AuthSentCode{Type: typ, PhoneCodeHash: "h"})
		if err != nil || got.Code == nil {
			t.Fatalf("%s: %+v, %v", c.name, got, err)
		}
		if !reflect.DeepEqual(got.Code.EmailReset, c.want) {
			t.Errorf("%s: EmailReset = %+v, want %+v", c.name, got.Code.EmailReset, c.want)
		}
	}
}

func TestAuthorization(t *testing.T) {
	u := &tg.User{ID: 7, FirstName: "A", LastName: "B", Username: "ab", Phone: "123", Bot: true}
	got, err := authorization("auth.signIn", &tg.AuthAuthorization{User: u})
	if err != nil {
		t.Fatal(err)
	}
	wantUser := tgapi.User{ID: 7, FirstName: "A", LastName: "B", Username: "ab", Phone: "123", Bot: true}
	if got.User == nil || *got.User != wantUser || got.SignUpRequired != nil {
		t.Errorf("user: got %+v", got)
	}

	tos := tg.HelpTermsOfService{ID: tg.DataJSON{Data: `{"id":1}`}, Text: "Be nice.", MinAgeConfirm: 16}
	tos.SetPopup(true)
	got, err = authorization("auth.signIn", &tg.AuthAuthorizationSignUpRequired{TermsOfService: tos})
	if err != nil {
		t.Fatal(err)
	}
	wantToS := tgapi.TermsOfService{ID: `{"id":1}`, Text: "Be nice.", MinAge: 16, Popup: true}
	if got.User != nil || got.SignUpRequired == nil || *got.SignUpRequired != wantToS {
		t.Errorf("sign-up required: got %+v", got)
	}

	if _, err := authorizedUser("auth.signUp", &tg.AuthAuthorizationSignUpRequired{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("authorizedUser(signUpRequired): got %v, want ErrUnsupported", err)
	}
	if _, err := user("users.getUsers", &tg.UserEmpty{ID: 1}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("user(userEmpty): got %v, want ErrUnsupported", err)
	}
}

func TestLoginToken(t *testing.T) {
	got, err := loginToken("auth.exportLoginToken", &tg.AuthLoginToken{Expires: 1700000000, Token: []byte{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tgapi.LoginToken{Token: []byte{1, 2}, Expires: time.Unix(1700000000, 0)}) {
		t.Errorf("token: got %+v", got)
	}

	got, err = loginToken("auth.exportLoginToken", &tg.AuthLoginTokenMigrateTo{DCID: 3, Token: []byte{3}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tgapi.LoginToken{Token: []byte{3}, MigrateDC: 3}) {
		t.Errorf("migrate: got %+v", got)
	}

	got, err = loginToken("auth.importLoginToken", &tg.AuthLoginTokenSuccess{
		Authorization: &tg.AuthAuthorization{User: &tg.User{ID: 9}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Authorized == nil || got.Authorized.ID != 9 || got.Token != nil {
		t.Errorf("success: got %+v", got)
	}
}

func TestPasswordInfoAndEmailCode(t *testing.T) {
	p := &tg.AccountPassword{HasPassword: true, HasRecovery: true, Hint: "pet"}
	if got, want := passwordInfo(p), (tgapi.PasswordInfo{HasPassword: true, Hint: "pet", HasRecovery: true}); got != want {
		t.Errorf("passwordInfo: got %+v, want %+v", got, want)
	}
	if got, want := emailCode(&tg.AccountSentEmailCode{EmailPattern: "x**@y", Length: 6}), (tgapi.EmailCode{EmailPattern: "x**@y", Length: 6}); got != want {
		t.Errorf("emailCode: got %+v, want %+v", got, want)
	}
}

func TestHasLoginToken(t *testing.T) {
	tests := []struct {
		in   tg.UpdatesClass
		want bool
	}{
		{&tg.UpdateShort{Update: &tg.UpdateLoginToken{}}, true},
		{&tg.Updates{Updates: []tg.UpdateClass{&tg.UpdateConfig{}, &tg.UpdateLoginToken{}}}, true},
		{&tg.UpdatesCombined{Updates: []tg.UpdateClass{&tg.UpdateLoginToken{}}}, true},
		{&tg.UpdateShort{Update: &tg.UpdateConfig{}}, false},
		{&tg.UpdatesTooLong{}, false},
	}
	for _, tt := range tests {
		if got := hasLoginToken(tt.in); got != tt.want {
			t.Errorf("hasLoginToken(%T) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
