package e2e_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// The login paths of today, each through the engine, gotd and testdc's rules.

// unavailable sends in and wants it refused before any call: *machine.UnavailableError.
func (e *env) unavailable(eng *machine.Engine, id string, in machine.Input) *machine.UnavailableError {
	e.t.Helper()
	_, err := eng.Send(e.ctx, id, in)
	var un *machine.UnavailableError
	if !errors.As(err, &un) {
		e.t.Fatalf("%s: %v, want UnavailableError", in.Event(), err)
	}
	return un
}

func TestPaidSignIn(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620010"})
	expect(t, snap, states.PaymentRequired)
	p := snap.Prompt.Payment
	if p == nil || p.Price != "1.99 USD" || p.PremiumDays != 7 || p.SupportEmail == "" || !strings.Contains(p.SupportSubject, "9996620010") {
		t.Fatalf("payment prompt %+v", p)
	}
	for _, w := range []string{"1.99 USD", "7 days", p.SupportEmail} {
		if !strings.Contains(snap.Prompt.Message, w) {
			t.Errorf("prompt %q does not say %q", snap.Prompt.Message, w)
		}
	}
	e.unavailable(eng, snap.ID, machine.CheckPaid{}) // no form yet

	snap = e.send(eng, snap.ID, machine.Pay{}, states.PaymentRequired)
	if !strings.HasPrefix(snap.Prompt.Payment.URL, "https://") || !strings.Contains(snap.Prompt.Message, snap.Prompt.Payment.URL) {
		t.Fatalf("after pay: URL %q, message %q", snap.Prompt.Payment.URL, snap.Prompt.Message)
	}

	// Not paid yet: Telegram's FLOOD_WAIT is a wait, not a refusal.
	snap, err := eng.Send(e.ctx, snap.ID, machine.CheckPaid{})
	if err != nil || snap.State != states.PaymentRequired || snap.Prompt.RetryInput != "check_paid" ||
		!snap.Prompt.RetryAt.After(e.clock.Now()) || snap.Prompt.Problem != nil {
		t.Fatalf("check before paying: %v, %s retry %s at %s, problem %+v", err, snap.State, snap.Prompt.RetryInput, snap.Prompt.RetryAt, snap.Prompt.Problem)
	}
	if !strings.Contains(snap.Prompt.Message, "not received the payment yet") {
		t.Errorf("prompt %q does not say the payment has not arrived", snap.Prompt.Message)
	}
	var fw *machine.FloodWaitError
	if _, err := eng.Send(e.ctx, snap.ID, machine.CheckPaid{}); !errors.As(err, &fw) {
		t.Fatalf("check again at once: %v, want a FloodWaitError (Telegram's wait)", err)
	}

	if err := testdc.Pay(e.ctx, e.dc.Config(), "+9996620010"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(testdc.CheckPaidWait * time.Second)
	snap = e.send(eng, snap.ID, machine.CheckPaid{}, states.CodeSent)
	if snap.Prompt.Payment != nil || snap.Prompt.Code.Type != tgapi.CodeApp {
		t.Fatalf("after the payment: %+v", snap.Prompt)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	if n := e.dc.Calls("auth.checkPaidAuth"); n != 2 {
		t.Errorf("auth.checkPaidAuth called %d times, want 2 (the refused one was never sent)", n)
	}
}

func TestLoginEmailResetAfterWaiting(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620011"})
	c := snap.Prompt.Code
	if c.Type != tgapi.CodeEmail || c.EmailReset == nil || c.EmailReset.Wait != 2*time.Minute || !strings.Contains(snap.Prompt.Message, "reset") {
		t.Fatalf("e-mail code %+v, message %q", c, snap.Prompt.Message)
	}
	snap = e.send(eng, snap.ID, machine.ResetEmail{}, states.CodeSent)
	if r := snap.Prompt.Code.EmailReset; snap.Prompt.Code.Type != tgapi.CodeEmail || r == nil || r.PendingAt.Before(e.clock.Now().Add(time.Minute)) {
		t.Fatalf("after asking for the reset: %+v", snap.Prompt.Code)
	}
	if un := e.unavailable(eng, snap.ID, machine.ResetEmail{}); un.Until.IsZero() {
		t.Errorf("a reset before its date: %+v, want the date it becomes possible", un)
	}
	e.clock.Advance(2 * time.Minute)
	snap = e.send(eng, snap.ID, machine.ResetEmail{}, states.CodeSent)
	if snap.Prompt.Code.Type != tgapi.CodeSMS {
		t.Fatalf("after the reset the code goes by %s, want sms", snap.Prompt.Code.Type)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	if n := e.dc.Calls("auth.resetLoginEmail"); n != 2 {
		t.Errorf("auth.resetLoginEmail called %d times, want 2", n)
	}
}

func TestLoginEmailResetAtOnce(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620012"})
	if r := snap.Prompt.Code.EmailReset; r == nil || r.Wait != 0 || !r.PendingAt.IsZero() {
		t.Fatalf("e-mail code %+v", snap.Prompt.Code)
	}
	snap = e.send(eng, snap.ID, machine.ResetEmail{}, states.CodeSent)
	if snap.Prompt.Code.Type != tgapi.CodeSMS {
		t.Fatalf("after the reset the code goes by %s, want sms", snap.Prompt.Code.Type)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}

// Every code type is rendered with what Telegram said of it, a code of the wrong shape is
// refused without an auth.signIn, and the right one signs in.
func TestEveryCodeType(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	for _, c := range []struct {
		phone      string
		typ        tgapi.CodeType
		says       string
		wrongShape string
		right      string
	}{
		{"+9996620013", tgapi.CodeSMSWord, `begins with "b"`, "22222", "Bravo"},
		{"+9996620014", tgapi.CodeSMSPhrase, `begins with "bravo"`, "delta echo", "bravo delta  echo"},
		{"+9996620015", tgapi.CodeFlashCall, "+99966*", "22222", "+999 66 22222"},
		{"+9996620016", tgapi.CodeMissedCall, "last 5 digits", "9996622222", "22222"},
		{"+9996620017", tgapi.CodeFragmentSMS, "https://fragment.com/numbers", "2222", "22222"},
	} {
		t.Run(string(c.typ), func(t *testing.T) {
			snap := e.start(eng, machine.SubmitPhone{Phone: c.phone})
			expect(t, snap, states.CodeSent)
			if snap.Prompt.Code.Type != c.typ || !strings.Contains(snap.Prompt.Message, c.says) {
				t.Fatalf("prompt %q, code %+v; want type %s saying %q", snap.Prompt.Message, snap.Prompt.Code, c.typ, c.says)
			}
			signIns := e.dc.Calls("auth.signIn")
			var ie *machine.InputError
			if _, err := eng.Send(e.ctx, snap.ID, machine.SubmitCode{Code: c.wrongShape}); !errors.As(err, &ie) {
				t.Fatalf("code %q of the wrong shape: %v, want InputError", c.wrongShape, err)
			}
			if e.dc.Calls("auth.signIn") != signIns {
				t.Fatal("a code of the wrong shape reached Telegram")
			}
			e.send(eng, snap.ID, machine.SubmitCode{Code: c.right}, states.Authorized)
		})
	}
}

// A logout's future_auth_token makes the next auth.sendCode of an account without 2FA
// answer auth.sentCodeSuccess: authorized without a code.
func TestSentCodeSuccessAfterLogout(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	e.send(eng, snap.ID, machine.LogOut{}, states.LoggedOut)
	signIns := e.dc.Calls("auth.signIn")
	snap = e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	expect(t, snap, states.Authorized)
	if e.dc.Calls("auth.signIn") != signIns || snap.Prompt.User == nil || snap.Prompt.User.LastName != "1234" {
		t.Fatalf("authorized as %+v after %d more auth.signIn", snap.Prompt.User, e.dc.Calls("auth.signIn")-signIns)
	}
}

// Recovery sets a new password and hint in the same call; the next login asks for them.
func TestRecoveryWithNewPassword(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620018"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	if !snap.Prompt.Password.HasRecovery {
		t.Fatalf("password prompt %+v: no recovery offered", snap.Prompt.Password)
	}
	snap = e.send(eng, snap.ID, machine.RequestRecovery{}, states.RecoveryCodeSent)
	if !strings.Contains(snap.Prompt.Message, "removes") {
		t.Errorf("recovery prompt %q does not say that recovery without a new password removes 2FA", snap.Prompt.Message)
	}
	snap = e.send(eng, snap.ID, machine.SubmitRecoveryCode{Code: "222222", NewPassword: "n3w-pw", Hint: "new"}, states.Authorized)
	e.send(eng, snap.ID, machine.LogOut{}, states.LoggedOut)

	snap = e.start(eng, machine.SubmitPhone{Phone: "+9996620018"})
	expect(t, snap, states.PasswordNeeded) // the logout token skips the code, not the password
	if snap.Prompt.Password.Hint != "new" {
		t.Fatalf("hint %q, want the new one", snap.Prompt.Password.Hint)
	}
	snap = e.send(eng, snap.ID, machine.SubmitPassword{Password: "old-pw"}, states.PasswordNeeded)
	e.send(eng, snap.ID, machine.SubmitPassword{Password: "n3w-pw"}, states.Authorized)
}

// Recovery is not offered to an account without a recovery e-mail.
func TestRecoveryNotOfferedWithoutRecoveryEmail(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620006"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	for _, ev := range snap.Prompt.Accepts {
		if ev == "request_recovery" {
			t.Fatalf("accepts %v: recovery offered without a recovery e-mail", snap.Prompt.Accepts)
		}
	}
	e.unavailable(eng, snap.ID, machine.RequestRecovery{})
	if n := e.dc.Calls("auth.requestPasswordRecovery"); n != 0 {
		t.Fatalf("auth.requestPasswordRecovery called %d times", n)
	}
}

func TestSignUpOnlyInAnOfficialApp(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620019"})
	expect(t, snap, states.Failed)
	if p := snap.Prompt.Problem; p == nil || p.Code != machine.ProblemSignUpInApp || !strings.Contains(snap.Prompt.Reason, "official Telegram app") {
		t.Fatalf("problem %+v, reason %q", p, snap.Prompt.Reason)
	}
}

// except_ids reach Telegram: a user named there cannot accept the QR code; another can.
func TestQRExceptIDs(t *testing.T) {
	e := setup(t, testdc.Options{}, fastQR)
	eng := e.engine()
	e.run(eng)
	snap := e.start(eng, machine.StartQR{ExceptIDs: []int64{9996625555}})
	expect(t, snap, states.QRWaiting)
	err := testdc.Scan(e.ctx, e.dc.Config(), "+9996625555", "", snap.Prompt.QR.URL)
	if err == nil || !strings.Contains(err.Error(), "AUTH_TOKEN_EXCEPTION") {
		t.Fatalf("scan by a user in except_ids: %v, want AUTH_TOKEN_EXCEPTION", err)
	}
	e.scanWhenShown(eng, snap.ID, "+9996625556", "")
	got := e.waitFor(eng, snap.ID, states.Authorized)
	if got.Prompt.User.LastName != "5556" {
		t.Fatalf("authorized as %+v", got.Prompt.User)
	}
}
