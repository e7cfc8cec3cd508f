package machine

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// Table tests of the login paths of today: the inputs offered only when Telegram allows
// them, every code type's shape, the paid sign-in, recovery with a new password, sign-up
// only in an app, and QR except_ids.

func TestAvailable(t *testing.T) {
	emailCode := func(r *EmailReset) *CodeInfo { return &CodeInfo{Type: tgapi.CodeEmail, Length: 5, EmailReset: r} }
	for _, c := range []struct {
		name  string
		state State
		ev    Event
		edit  func(*Login)
		until time.Time // zero: available; else the Until of the refusal (coreNow+0 for none)
		why   string    // a word of the reason, when refused
	}{
		{"resend without a next type", states.CodeSent, tr.ResendCode,
			func(l *Login) { l.Code.NextType = "" }, coreNow, "no other way"},
		{"resend before the timeout", states.CodeSent, tr.ResendCode,
			func(l *Login) { l.ResendAt = coreNow.Add(time.Minute) }, coreNow.Add(time.Minute), "by a phone call from"},
		{"resend once the timeout passed", states.CodeSent, tr.ResendCode,
			func(l *Login) { l.ResendAt = coreNow }, time.Time{}, ""},
		{"a new code once the code expired", states.CodeExpired, tr.ResendCode,
			func(l *Login) { l.Code.NextType = "" }, time.Time{}, ""},
		{"reset of an SMS code", states.CodeSent, tr.ResetEmail, nil, coreNow, "no reset"},
		{"reset of an e-mail code Telegram does not offer", states.CodeSent, tr.ResetEmail,
			func(l *Login) { l.Code = emailCode(nil) }, coreNow, "no reset"},
		{"reset offered", states.CodeSent, tr.ResetEmail,
			func(l *Login) { l.Code = emailCode(&EmailReset{Wait: time.Hour}) }, time.Time{}, ""},
		{"reset pending", states.CodeSent, tr.ResetEmail,
			func(l *Login) { l.Code = emailCode(&EmailReset{PendingAt: coreNow.Add(time.Hour)}) }, coreNow.Add(time.Hour), "reset at"},
		{"reset due", states.CodeSent, tr.ResetEmail,
			func(l *Login) { l.Code = emailCode(&EmailReset{PendingAt: coreNow}) }, time.Time{}, ""},
		{"recovery without a recovery e-mail", states.PasswordNeeded, tr.RequestRecovery,
			func(l *Login) { l.HasRecovery = false }, coreNow, "no recovery e-mail"},
		{"recovery with one", states.PasswordNeeded, tr.RequestRecovery, nil, time.Time{}, ""},
		{"check before the form", states.PaymentRequired, tr.CheckPaid,
			func(l *Login) { l.Payment.FormID = 0 }, coreNow, "payment form first"},
		{"pay before the form", states.PaymentRequired, tr.Pay,
			func(l *Login) { l.Payment.FormID = 0 }, time.Time{}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := loginIn(c.state)
			if c.edit != nil {
				c.edit(l)
			}
			_, err := decide(l, c.ev, mustInput(t, c.ev), coreNow, Facts{})
			var un *UnavailableError
			switch {
			case c.until.IsZero() && err != nil:
				t.Fatalf("decide: %v, want it taken", err)
			case c.until.IsZero():
			case !errors.As(err, &un):
				t.Fatalf("decide: %v, want UnavailableError", err)
			case un.State != c.state || un.Event != c.ev || !strings.Contains(un.Reason, c.why):
				t.Errorf("refusal %+v, want %s in %s saying %q", un, c.ev, c.state, c.why)
			case c.until != coreNow && !un.Until.Equal(c.until):
				t.Errorf("available from %s, want %s", un.Until, c.until)
			}
			offered := false
			for _, ev := range (&Engine{opts: Options{Now: func() time.Time { return coreNow }}}).accepts(l) {
				offered = offered || ev == c.ev
			}
			if offered != c.until.IsZero() {
				t.Errorf("prompt offers %s: %v, want %v", c.ev, offered, c.until.IsZero())
			}
		})
	}
}

func mustInput(t *testing.T, ev Event) Input {
	t.Helper()
	in, err := ParseInput(ev, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestCheckCodeByType(t *testing.T) {
	for _, c := range []struct {
		prompt CodePrompt
		typed  string
		want   string // "" when refused
		why    string
	}{
		{CodePrompt{Type: tgapi.CodeSMS, Length: 5}, " 12-345 ", "12345", ""},
		{CodePrompt{Type: tgapi.CodeSMS, Length: 5}, "1234", "", "5 digits"},
		{CodePrompt{Type: tgapi.CodeApp, Length: 5}, "12a45", "", "digits only"},
		{CodePrompt{Type: tgapi.CodeSMSWord, Pattern: "b"}, " Bravo ", "Bravo", ""},
		{CodePrompt{Type: tgapi.CodeSMSWord, Pattern: "b"}, "alpha", "", `begins with "b"`},
		{CodePrompt{Type: tgapi.CodeSMSWord}, "two words", "", "enter the word"},
		{CodePrompt{Type: tgapi.CodeSMSWord}, "22222", "", "letters only"},
		{CodePrompt{Type: tgapi.CodeSMSPhrase, Pattern: "bravo"}, "bravo   delta  echo", "bravo delta echo", ""},
		{CodePrompt{Type: tgapi.CodeSMSPhrase, Pattern: "bravo"}, "delta echo", "", `begins with "bravo"`},
		{CodePrompt{Type: tgapi.CodeSMSPhrase}, "", "", "enter the phrase"},
		{CodePrompt{Type: tgapi.CodeFlashCall, Pattern: "+99966*"}, "+999 66 22222", "9996622222", ""},
		{CodePrompt{Type: tgapi.CodeFlashCall, Pattern: "+99966*"}, "8886622222", "", "matches +99966*"},
		{CodePrompt{Type: tgapi.CodeMissedCall, Pattern: "+99966", Length: 5}, "22222", "22222", ""},
		{CodePrompt{Type: tgapi.CodeMissedCall, Pattern: "+99966", Length: 5}, "9996622222", "", "5 digits"},
		{CodePrompt{Type: tgapi.CodeFragmentSMS, Length: 5, URL: "https://fragment.com/numbers"}, "22222", "22222", ""},
	} {
		got, err := CheckCode(&c.prompt, c.typed)
		var ie *InputError
		switch {
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("%s %q: %q, %v; want %q", c.prompt.Type, c.typed, got, err, c.want)
		case c.want == "" && (!errors.As(err, &ie) || !strings.Contains(err.Error(), c.why) || !strings.Contains(err.Error(), "nothing was sent")):
			t.Errorf("%s %q: %q, %v; want an InputError saying %q and that nothing was sent", c.prompt.Type, c.typed, got, err, c.why)
		}
	}
}

// Every code type is asked for in its own words, with what Telegram said of it.
func TestCodeMessageByType(t *testing.T) {
	for _, c := range []struct {
		code CodePrompt
		want []string
	}{
		{CodePrompt{Type: tgapi.CodeSMSWord, Pattern: "b"}, []string{"word sent by SMS", `"b"`}},
		{CodePrompt{Type: tgapi.CodeSMSPhrase, Pattern: "bravo"}, []string{"phrase sent by SMS", `"bravo"`}},
		{CodePrompt{Type: tgapi.CodeFlashCall, Pattern: "+99966*"}, []string{"number that called", "+99966*"}},
		{CodePrompt{Type: tgapi.CodeMissedCall, Pattern: "+99966", Length: 5}, []string{"last 5 digits", "+99966"}},
		{CodePrompt{Type: tgapi.CodeFragmentSMS, Length: 5, URL: "https://fragment.com/numbers"}, []string{"https://fragment.com/numbers"}},
		{CodePrompt{Type: tgapi.CodeEmail, Length: 5, EmailPattern: "g***@example.org"}, []string{"g***@example.org"}},
		{CodePrompt{Type: tgapi.CodeEmail, EmailReset: &EmailReset{Wait: time.Hour}}, []string{"reset it", "takes 1h0m0s"}},
		{CodePrompt{Type: tgapi.CodeEmail, EmailReset: &EmailReset{}}, []string{"reset it, at once"}},
		{CodePrompt{Type: tgapi.CodeEmail, EmailReset: &EmailReset{PendingAt: coreNow.Add(time.Hour)}}, []string{"reset at 2026-11-30T13:00:00Z"}},
		{CodePrompt{Type: tgapi.CodeSMS, Length: 5}, []string{"5-digit code sent by SMS"}},
	} {
		got := codeMessage(&c.code, coreNow)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q, want it to say %q", c.code.Type, got, w)
			}
		}
	}
}

// The paid sign-in: what Telegram asks is kept, the form is asked for with it, a FLOOD_WAIT
// of auth.checkPaidAuth is no refusal but a wait, and the paid login goes on to its code.
func TestPaidSignIn(t *testing.T) {
	l := loginIn(states.SendingCode)
	l.Payment, l.Code = nil, nil
	asked := tgapi.PaymentRequired{PhoneCodeHash: "paid", StoreProduct: "premium.auth", SupportEmail: "sms@example.org",
		SupportSubject: "No SMS", PremiumDays: 7, Currency: "USD", Amount: 199}
	o := settleFully(t, l, Result{Call: tgapi.SendCode{}, Value: tgapi.SendCodeResult{PaymentRequired: &asked}})
	want := &Payment{Amount: 199, Currency: "USD", PremiumDays: 7, StoreProduct: "premium.auth",
		SupportEmail: "sms@example.org", SupportSubject: "No SMS"}
	if o.Login.State != states.PaymentRequired || o.Login.PhoneCodeHash != "paid" || !reflect.DeepEqual(o.Login.Payment, want) {
		t.Fatalf("-> %s hash %q payment %+v", o.Login.State, o.Login.PhoneCodeHash, o.Login.Payment)
	}

	st, err := decide(o.Login, tr.Pay, Pay{}, coreNow, Facts{})
	wantForm := tgapi.GetPaymentForm{Phone: "+9996621234", PhoneCodeHash: "paid", PremiumDays: 7, Currency: "USD", Amount: 199}
	if err != nil || !reflect.DeepEqual(st.Call, wantForm) {
		t.Fatalf("pay: %#v, %v; want %#v", st.Call, err, wantForm)
	}
	o = settleFully(t, st.Login, Result{Call: st.Call, Value: tgapi.PaymentForm{FormID: 42, URL: "https://pay.example.org/42"}})
	if o.Login.State != states.PaymentRequired || o.Login.Payment.FormID != 42 || o.Login.Payment.URL != "https://pay.example.org/42" {
		t.Fatalf("form: %s %+v", o.Login.State, o.Login.Payment)
	}

	st, err = decide(o.Login, tr.CheckPaid, CheckPaid{}, coreNow, Facts{})
	if err != nil || !reflect.DeepEqual(st.Call, tgapi.CheckPaidAuth{Phone: "+9996621234", PhoneCodeHash: "paid", FormID: 42}) {
		t.Fatalf("check_paid: %#v, %v", st.Call, err)
	}
	o = settleFully(t, st.Login, Result{Call: st.Call, Err: tgapi.NewError(420, "FLOOD_WAIT_30")})
	if o.Entry.Event != tr.PaymentPending || !tr.Success(o.Entry.Event) || o.Login.Problem != nil || o.Flood != nil {
		t.Fatalf("not paid yet: %s problem %+v flood %+v; want payment_pending, no refusal, no phone-wide wait", o.Entry.Event, o.Login.Problem, o.Flood)
	}
	if o.Login.State != states.PaymentRequired || o.Login.RetryInput != tr.CheckPaid || !o.Login.RetryAt.Equal(coreNow.Add(30*time.Second)) {
		t.Fatalf("not paid yet: %s, retry %s at %s", o.Login.State, o.Login.RetryInput, o.Login.RetryAt)
	}
	var fw *FloodWaitError
	if _, err := decide(o.Login, tr.CheckPaid, CheckPaid{}, coreNow.Add(10*time.Second), Facts{}); !errors.As(err, &fw) {
		t.Fatalf("check again during the wait: %v, want FloodWaitError", err)
	}
	if _, err := decide(o.Login, tr.Cancel, Cancel{}, coreNow.Add(10*time.Second), Facts{}); err != nil {
		t.Fatalf("cancel during the wait: %v", err)
	}

	st, err = decide(o.Login, tr.CheckPaid, CheckPaid{}, coreNow.Add(30*time.Second), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	sent := tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, PhoneCodeHash: "paid"}
	o = settleFully(t, st.Login, Result{Call: st.Call, Value: tgapi.SendCodeResult{Code: &sent}})
	if o.Login.State != states.CodeSent || o.Login.Payment != nil || o.Login.RetryInput != "" || o.Login.Code.Type != tgapi.CodeSMS {
		t.Fatalf("paid: %s payment %+v retry %q", o.Login.State, o.Login.Payment, o.Login.RetryInput)
	}
}

// The e-mail reset follows Telegram's answer: a code sent another way, or the e-mail code
// again with the date the reset happens.
func TestResetLoginEmail(t *testing.T) {
	l := loginIn(states.CodeSent)
	l.Code = &CodeInfo{Type: tgapi.CodeEmail, Length: 5, EmailPattern: "g***@example.org", EmailReset: &EmailReset{Wait: time.Hour}}
	st, err := decide(l, tr.ResetEmail, ResetEmail{}, coreNow, Facts{})
	if err != nil || !reflect.DeepEqual(st.Call, tgapi.ResetLoginEmail{Phone: "+9996621234", PhoneCodeHash: "hash"}) {
		t.Fatalf("reset_email: %#v, %v", st.Call, err)
	}
	pending := tgapi.SentCode{Type: tgapi.CodeEmail, Length: 5, PhoneCodeHash: "hash", EmailPattern: "g***@example.org",
		EmailReset: &tgapi.EmailReset{PendingAt: coreNow.Add(time.Hour)}}
	o := settleFully(t, st.Login, Result{Call: st.Call, Value: pending})
	if o.Login.State != states.CodeSent || o.Login.Code.EmailReset == nil || !o.Login.Code.EmailReset.PendingAt.Equal(coreNow.Add(time.Hour)) {
		t.Fatalf("pending: %s %+v", o.Login.State, o.Login.Code)
	}
	var un *UnavailableError
	if _, err := decide(o.Login, tr.ResetEmail, ResetEmail{}, coreNow.Add(time.Minute), Facts{}); !errors.As(err, &un) {
		t.Fatalf("reset before its date: %v, want UnavailableError", err)
	}
	st, err = decide(o.Login, tr.ResetEmail, ResetEmail{}, coreNow.Add(time.Hour), Facts{})
	if err != nil {
		t.Fatal(err)
	}
	o = settleFully(t, st.Login, Result{Call: st.Call, Value: tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, PhoneCodeHash: "hash"}})
	if o.Login.State != states.CodeSent || o.Login.Code.Type != tgapi.CodeSMS || o.Login.Code.EmailReset != nil {
		t.Fatalf("reset: %s %+v", o.Login.State, o.Login.Code)
	}
	o = settleFully(t, st.Login, Result{Call: st.Call, Err: tgapi.NewError(400, "TASK_ALREADY_EXISTS")})
	if o.Login.State != states.CodeSent || o.Entry.Event != tr.Rejected || o.Login.Problem == nil {
		t.Fatalf("TASK_ALREADY_EXISTS: %s via %s, problem %+v", o.Login.State, o.Entry.Event, o.Login.Problem)
	}
}

// The new password of a recovery goes to the call, never to the record or the journal.
func TestRecoveryWithNewPassword(t *testing.T) {
	in := SubmitRecoveryCode{Code: "222222", NewPassword: "n3w-secret", Hint: "new hint"}
	st, err := decide(loginIn(states.RecoveryCodeSent), in.Event(), in, coreNow, Facts{})
	want := tgapi.RecoverPassword{Code: "222222", NewPassword: "n3w-secret", Hint: "new hint"}
	if err != nil || !reflect.DeepEqual(st.Call, want) {
		t.Fatalf("call %#v, %v; want %#v", st.Call, err, want)
	}
	if doc := strings.Join([]string{st.Login.PasswordHint, st.Login.Email, st.Login.RecoveryEmail}, " "); strings.Contains(doc, "n3w-secret") {
		t.Errorf("the new password reached the record: %s", doc)
	}
	if args := in.Args(); args["new_password"] != Redacted || args["code"] != Redacted || args["hint"] != "new hint" {
		t.Errorf("args %v: the password and code must be redacted, the hint kept", args)
	}
	for _, bad := range []SubmitRecoveryCode{{Code: "1", Hint: "no password"}, {Code: "1", NewPassword: "same", Hint: "same"}} {
		var ie *InputError
		if err := bad.validate(); !errors.As(err, &ie) {
			t.Errorf("%+v: %v, want InputError", bad, err)
		}
	}
	p := (&Engine{opts: Options{Now: func() time.Time { return coreNow }}}).prompt(loginIn(states.RecoveryCodeSent))
	if !strings.Contains(p.Message, "without a new password removes") {
		t.Errorf("recovery prompt %q does not say that recovery without a new password removes 2FA", p.Message)
	}
}

func TestSignUpOnlyInAnApp(t *testing.T) {
	forbidden := tgapi.NewError(400, "PHONE_NUMBER_APP_SIGNUP_FORBIDDEN")
	o := settleFully(t, loginIn(states.SendingCode), Result{Call: tgapi.SendCode{}, Err: forbidden})
	if o.Login.State != states.Failed || o.Login.Problem == nil || o.Login.Problem.Code != ProblemSignUpInApp {
		t.Fatalf("-> %s %+v, want Failed with signup_in_app", o.Login.State, o.Login.Problem)
	}
	if text := o.Login.Problem.Text(); !strings.Contains(text, "official Telegram app") || !strings.Contains(text, "then log in here") {
		t.Errorf("problem text %q", text)
	}
}

func TestQRExceptIDs(t *testing.T) {
	in, err := ParseInput(tr.StartQR, map[string]string{"except_ids": "1001, 1002"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := decide(loginIn(states.New), tr.StartQR, in, coreNow, Facts{})
	if err != nil || !reflect.DeepEqual(st.Call, tgapi.ExportLoginToken{ExceptIDs: []int64{1001, 1002}}) {
		t.Fatalf("call %#v, %v", st.Call, err)
	}
	// A later export (a refresh, a scan) passes them again.
	st.Login.State = states.ExportingQR
	if call := request(st.Login, nil, Facts{}); !reflect.DeepEqual(call, tgapi.ExportLoginToken{ExceptIDs: []int64{1001, 1002}}) {
		t.Errorf("refresh call %#v", call)
	}
	if got := in.Args()["except_ids"]; got != "1001,1002" {
		t.Errorf("args except_ids %q", got)
	}
	for _, bad := range []string{"x", "-1", "1,,y"} {
		if _, err := ParseIDs(bad); err == nil {
			t.Errorf("ParseIDs(%q) took it", bad)
		}
	}
}

func TestPrice(t *testing.T) {
	for amount, want := range map[int64]string{199: "1.99 USD", 5: "0.05 USD", 100000: "1000.00 USD"} {
		if got := Price(amount, "USD"); got != want {
			t.Errorf("Price(%d, USD) = %q, want %q", amount, got, want)
		}
	}
	if got := Price(500, "JPY"); got != "500 JPY" {
		t.Errorf("JPY: %q", got)
	}
	if got := Price(1234, "KWD"); got != "1.234 KWD" {
		t.Errorf("KWD: %q", got)
	}
}
