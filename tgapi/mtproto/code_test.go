package mtproto

import (
	"testing"
	"time"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

func TestPhoneCodeOnHomeDC(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	c := newConnector(t, opts)
	sessions := &memSessions{}
	a := connect(t, c, "login-1", sessions)
	if a.DC() != 2 {
		t.Fatalf("fresh login on DC %d, want the default 2", a.DC())
	}

	code := sendCode(t, a, "+9996621234")
	if code.Type != tgapi.CodeApp || code.Length != 5 || code.PhoneCodeHash == "" {
		t.Fatalf("sent code = %+v", code)
	}
	auth, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
		Phone: "+9996621234", PhoneCodeHash: code.PhoneCodeHash, Code: "22222",
	})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	want := tgapi.User{ID: 9996621234, FirstName: "Test", LastName: "1234", Phone: "9996621234"}
	if auth.User == nil || *auth.User != want {
		t.Fatalf("SignIn = %+v, want user %+v", auth, want)
	}
	self, err := call[tgapi.User](testCtx(t), a, tgapi.GetSelf{})
	if err != nil || self != want {
		t.Fatalf("GetSelf = %+v, %v; want %+v", self, err, want)
	}
	if a.DC() != 2 || sessions.decoded(t).DC != 2 {
		t.Fatalf("DC() = %d, stored DC %d; want 2", a.DC(), sessions.decoded(t).DC)
	}
}

// TestSendCodeMigrates: a phone of DC 3 asked on DC 2 answers PHONE_MIGRATE_3; gotd moves
// the session to DC 3 and sends again; the hash is bound to the DC 3 key.
func TestSendCodeMigrates(t *testing.T) {
	t.Parallel()
	d, opts := startDC(t, testdc.Options{})
	c := newConnector(t, opts)
	sessions := &memSessions{}
	a := connect(t, c, "login-migrate", sessions)
	keyOnDC2 := sessions.decoded(t).AuthKeyID

	code := sendCode(t, a, "9996631234")
	if got := a.DC(); got != 3 {
		t.Fatalf("DC() after PHONE_MIGRATE_3 = %d, want 3", got)
	}
	stored := sessions.decoded(t)
	if stored.DC != 3 {
		t.Fatalf("stored session on DC %d, want 3", stored.DC)
	}
	if string(stored.AuthKeyID) == string(keyOnDC2) {
		t.Fatal("stored session kept the DC 2 auth key")
	}
	if n := d.Calls("auth.sendCode"); n != 2 {
		t.Errorf("auth.sendCode calls = %d, want 2 (DC 2 answered PHONE_MIGRATE_3, DC 3 sent the code)", n)
	}
	t.Logf("auth.sendCode: %d calls; session moved DC 2 -> %d, auth key %x -> %x", d.Calls("auth.sendCode"), stored.DC, keyOnDC2, stored.AuthKeyID)

	auth, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
		Phone: "9996631234", PhoneCodeHash: code.PhoneCodeHash, Code: "33333",
	})
	if err != nil || auth.User == nil || auth.User.ID != 9996631234 {
		t.Fatalf("SignIn on DC 3 = %+v, %v", auth, err)
	}
}

func TestWrongCode(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-wrong", &memSessions{})
	code := sendCode(t, a, "9996621111")
	_, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
		Phone: "9996621111", PhoneCodeHash: code.PhoneCodeHash, Code: "12345",
	})
	wantRPCError(t, err, 400, "PHONE_CODE_INVALID")
	if msg := err.Error(); msg != "telegram: 400 PHONE_CODE_INVALID" {
		t.Errorf("error text %q", msg)
	}
}

func TestSignUpRequired(t *testing.T) {
	t.Parallel()
	const phone = phoneUnregistered
	_, opts := oneAccount(t, testdc.Account{Phone: phone, Registered: ptr(false)})
	a := connect(t, newConnector(t, opts), "login-signup", &memSessions{})
	code := sendCode(t, a, phone)
	hash := code.PhoneCodeHash

	auth, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: phone, PhoneCodeHash: hash, Code: "22222"})
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if auth.User != nil || auth.SignUpRequired == nil || auth.SignUpRequired.Text == "" {
		t.Fatalf("SignIn = %+v, want sign-up required with terms of service", auth)
	}
	t.Logf("terms of service: %+v", *auth.SignUpRequired)

	_, err = call[tgapi.User](testCtx(t), a, tgapi.SignUp{Phone: phone, PhoneCodeHash: hash, FirstName: " "})
	wantRPCError(t, err, 400, "FIRSTNAME_INVALID")

	u, err := call[tgapi.User](testCtx(t), a, tgapi.SignUp{Phone: phone, PhoneCodeHash: hash, FirstName: "Ada", LastName: "L"})
	if err != nil || u.FirstName != "Ada" || u.LastName != "L" || u.Phone != phone {
		t.Fatalf("SignUp = %+v, %v", u, err)
	}
}

func TestResendAndCancel(t *testing.T) {
	t.Parallel()
	const phone = phoneSMSThenCall
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-resend", &memSessions{})
	code := sendCode(t, a, phone)
	if code.Type != tgapi.CodeSMS || code.NextType != tgapi.CodeCall || code.Timeout != time.Minute {
		t.Fatalf("sent code = %+v", code)
	}
	ref := tgapi.CodeRef{Phone: phone, PhoneCodeHash: code.PhoneCodeHash}
	again, err := call[tgapi.SentCode](testCtx(t), a, tgapi.ResendCode(ref))
	if err != nil {
		t.Fatalf("ResendCode: %v", err)
	}
	if again.Type != tgapi.CodeCall || again.PhoneCodeHash != code.PhoneCodeHash {
		t.Fatalf("resent code = %+v", again)
	}
	if _, err := call[any](testCtx(t), a, tgapi.CancelCode(ref)); err != nil {
		t.Fatalf("CancelCode: %v", err)
	}
	_, err = call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: phone, PhoneCodeHash: ref.PhoneCodeHash, Code: "22222"})
	wantRPCError(t, err, 400, "PHONE_CODE_EXPIRED")
}

func TestLoginEmailSetup(t *testing.T) {
	t.Parallel()
	const phone = phoneSetupEmail
	_, opts := oneAccount(t, testdc.Account{Phone: phone, CodeType: "setup_email_required"})
	a := connect(t, newConnector(t, opts), "login-email", &memSessions{})
	code := sendCode(t, a, phone)
	if code.Type != tgapi.CodeSetUpEmailRequired {
		t.Fatalf("sent code = %+v", code)
	}
	hash := code.PhoneCodeHash
	mail, err := call[tgapi.EmailCode](testCtx(t), a, tgapi.SendVerifyEmailCode{Phone: phone, PhoneCodeHash: hash, Email: "ada@example.com"})
	if err != nil || mail.Length != 6 || mail.EmailPattern == "" {
		t.Fatalf("SendVerifyEmailCode = %+v, %v", mail, err)
	}
	_, err = call[tgapi.SendCodeResult](testCtx(t), a, tgapi.VerifyEmail{Phone: phone, PhoneCodeHash: hash, Code: "000000"})
	wantRPCError(t, err, 400, "CODE_INVALID")
	res, err := call[tgapi.SendCodeResult](testCtx(t), a, tgapi.VerifyEmail{Phone: phone, PhoneCodeHash: hash, Code: "222222"})
	if err != nil || res.Code == nil || res.Code.Type != tgapi.CodeEmail || res.Code.EmailPattern == "" {
		t.Fatalf("VerifyEmail = %+v, %v", res, err)
	}
	auth, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
		Phone: phone, PhoneCodeHash: res.Code.PhoneCodeHash, Code: "22222", ViaEmail: true,
	})
	if err != nil || auth.User == nil || auth.User.Phone != phone {
		t.Fatalf("SignIn via e-mail = %+v, %v", auth, err)
	}
}

// TestFloodWait: FLOOD_WAIT_X reaches the caller as a *tgapi.Error with its seconds,
// from the one call the DC saw: the client neither slept on the wait nor sent the
// request again after it (the DC would then have seen a second auth.sendCode, which
// after the 30 s would have sent a code).
func TestFloodWait(t *testing.T) {
	t.Parallel()
	const phone = phoneFlood
	d, opts := oneAccount(t, testdc.Account{Phone: phone, FloodWait: 30})
	a := connect(t, newConnector(t, opts), "login-flood", &memSessions{})
	_, err := call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: phone})
	e := wantRPCError(t, err, 420, "FLOOD_WAIT")
	if e.Argument != 30 {
		t.Errorf("FLOOD_WAIT argument = %d, want 30", e.Argument)
	}
	if wait, ok := tgapi.FloodWait(err); !ok || wait != 30*time.Second {
		t.Errorf("tgapi.FloodWait = %v, %v", wait, ok)
	}
	if n := d.Calls("auth.sendCode"); n != 1 {
		t.Errorf("auth.sendCode calls = %d, want 1: the request was sent again after FLOOD_WAIT", n)
	}
}

func TestInvalidPhone(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-invalid", &memSessions{})
	_, err := call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: "12345"})
	wantRPCError(t, err, 400, "PHONE_NUMBER_INVALID")
}
