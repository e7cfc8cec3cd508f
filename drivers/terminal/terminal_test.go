package terminal_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/terminal"
	"github.com/tgauth/tgauth/internal/syncbuf"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

func phoneAPI() *mock.API {
	m := &mock.API{}
	mock.Handle(m, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeApp, Length: 5, NextType: tgapi.CodeSMS, Timeout: time.Minute, PhoneCodeHash: "h"}}, nil
	})
	mock.Handle(m, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		if req.Code != "22222" {
			return tgapi.Authorization{}, tgapi.NewError(400, "PHONE_CODE_INVALID")
		}
		return tgapi.Authorization{}, tgapi.NewError(401, "SESSION_PASSWORD_NEEDED")
	})
	mock.Handle(m, func(context.Context, tgapi.GetPassword) (tgapi.PasswordInfo, error) {
		return tgapi.PasswordInfo{HasPassword: true, Hint: "feline", HasRecovery: true}, nil
	})
	mock.Handle(m, func(_ context.Context, req tgapi.CheckPassword) (tgapi.User, error) {
		if req.Password != "hunter2" {
			return tgapi.User{}, tgapi.NewError(400, "PASSWORD_HASH_INVALID")
		}
		return tgapi.User{ID: 7, FirstName: "Ada", Username: "ada"}, nil
	})
	mock.Handle(m, func(context.Context, tgapi.CancelCode) (any, error) { return nil, nil })
	return m
}

func run(t *testing.T, api *mock.API, input string, start machine.Input) (machine.Snapshot, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := machine.New(machine.Options{Store: memory.New(), Telegram: api.Connector()})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.Start(ctx, machine.StartOptions{Input: start})
	if err != nil && !errors.Is(err, machine.ErrRefused) {
		t.Fatal(err)
	}
	out := &syncbuf.Buffer{}
	s := terminal.New(e, terminal.Options{In: strings.NewReader(input), Out: out})
	snap, err = s.Login(ctx, snap.ID)
	return snap, out.String(), err
}

func TestPhoneCodeAndPasswordFromPlainLines(t *testing.T) {
	api := phoneAPI()
	snap, out, err := run(t, api, "+9996621234\n11111\n22222\nwrong\nhunter2\n", nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if snap.State != machine.State("Authorized") {
		t.Fatalf("ended in %s", snap.State)
	}
	for _, want := range []string{
		"Phone number (international format), bot token, or 'qr': ",
		"Enter the 5-digit code sent in your Telegram app.",
		"Type 'resend' to get it by SMS in 1m0s.",
		"Wrong code (PHONE_CODE_INVALID), attempt 1 of 5; enter it again.",
		"Enter your 2FA password (hint: feline).",
		"Forgot it? Type 'recover' for a code by e-mail.",
		"Wrong password (PASSWORD_HASH_INVALID), attempt 1 of 5; enter it again.",
		"Logged in as Ada (@ada), id 7.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, once := range []string{"Wrong code (PHONE_CODE_INVALID), attempt 1 of 5", "Enter the 5-digit code"} {
		if n := strings.Count(out, once); n != 1 {
			t.Errorf("%q printed %d times; want once:\n%s", once, n, out)
		}
	}
	if strings.Contains(out, "\033") {
		t.Errorf("escape codes written to a non-terminal:\n%q", out)
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("the password was echoed")
	}
}

func TestInputEndingCancelsTheCode(t *testing.T) {
	api := phoneAPI()
	snap, out, err := run(t, api, "", machine.SubmitPhone{Phone: "+9996621234"})
	if !errors.Is(err, terminal.ErrInputClosed) {
		t.Fatalf("err = %v\n%s", err, out)
	}
	calls := api.Calls()
	if calls[len(calls)-1] != "auth.cancelCode" {
		t.Fatalf("calls %v: the code was not cancelled", calls)
	}
	if snap.ID == "" {
		t.Fatal("no snapshot returned")
	}
}

func TestInterruptCancelsTheCode(t *testing.T) {
	api := phoneAPI()
	e, _ := machine.New(machine.Options{Store: memory.New(), Telegram: api.Connector()})
	snap, err := e.Start(context.Background(), machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe() // input that never comes
	defer pw.Close()
	out := &syncbuf.Buffer{}
	done := make(chan error)
	go func() {
		_, err := terminal.New(e, terminal.Options{In: pr, Out: out}).Login(ctx, snap.ID)
		done <- err
	}()
	for !strings.Contains(out.String(), "Code: ") {
		time.Sleep(5 * time.Millisecond)
	}
	cancel() // Ctrl-C
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	got, _ := e.Get(context.Background(), snap.ID)
	if got.State != "Cancelled" || !strings.Contains(out.String(), "The login was cancelled.") {
		t.Fatalf("after Ctrl-C: %s\n%s", got.State, out.String())
	}
}

// Sign-up asks the first name, the last name (optional), shows the terms and asks to
// accept them: a first name of two words stays one first name.
func TestSignUpAsksNamesThenTheTerms(t *testing.T) {
	api := phoneAPI()
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{SignUpRequired: &tgapi.TermsOfService{Text: "Be nice."}}, nil
	})
	var first, last string
	mock.Handle(api, func(_ context.Context, req tgapi.SignUp) (tgapi.User, error) {
		first, last = req.FirstName, req.LastName
		return tgapi.User{ID: 9, FirstName: req.FirstName}, nil
	})
	snap, out, err := run(t, api, "22222\n\nMary Ann\n\nmaybe\ny\n", machine.SubmitPhone{Phone: "+9996621234"})
	if err != nil || snap.State != "Authorized" {
		t.Fatalf("%s %v\n%s", snap.State, err, out)
	}
	for _, want := range []string{"Terms of service:\nBe nice.", "First name: ", "a first name is required",
		"Last name (optional): ", "Accept the terms of service? [y/N]: ", "answer y to accept"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if first != "Mary Ann" || last != "" {
		t.Errorf("signed up as %q %q", first, last)
	}
}

// Declining the terms cancels the login.
func TestSignUpDeclinedCancels(t *testing.T) {
	api := phoneAPI()
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{SignUpRequired: &tgapi.TermsOfService{Text: "Be nice."}}, nil
	})
	snap, out, err := run(t, api, "22222\nAda\nLovelace\n\n", machine.SubmitPhone{Phone: "+9996621234"})
	var closed *terminal.Closed
	if !errors.As(err, &closed) || snap.State != "Cancelled" {
		t.Fatalf("%s %v\n%s", snap.State, err, out)
	}
}

// A code of the wrong shape is not sent: no attempt is spent on it. A refusal is printed
// once.
func TestCodeShapeCheckedBeforeSending(t *testing.T) {
	api := phoneAPI()
	snap, out, err := run(t, api, "1234\nabcde\n2-2-2-2-2\nhunter2\n", machine.SubmitPhone{Phone: "+9996621234"})
	if err != nil || snap.State != "Authorized" {
		t.Fatalf("%s %v\n%s", snap.State, err, out)
	}
	if n := strings.Count(fmt.Sprint(api.Calls()), "auth.signIn"); n != 1 {
		t.Errorf("auth.signIn made %d times; want once, with the code of the right shape", n)
	}
	for _, want := range []string{"the code has 5 digits, not 4", "a code is digits only"} {
		if strings.Count(out, want) != 1 {
			t.Errorf("output has %q %d times; want once:\n%s", want, strings.Count(out, want), out)
		}
	}
}

func TestQRShowsURLAndFinishesWhenScanned(t *testing.T) {
	exports := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
		exports++
		if exports == 1 {
			return tgapi.LoginToken{Token: []byte("tok"), Expires: time.Now().Add(30 * time.Second)}, nil
		}
		return tgapi.LoginToken{Authorized: &tgapi.User{ID: 5, FirstName: "Q"}}, nil
	})
	e, _ := machine.New(machine.Options{Store: memory.New(), Telegram: api.Connector(), QRPoll: 10 * time.Millisecond, Tick: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { _ = e.Run(ctx) }()
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.StartQR{}})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &syncbuf.Buffer{}
	snap, err = terminal.New(e, terminal.Options{In: pr, Out: out}).Login(ctx, snap.ID)
	if err != nil || snap.State != "Authorized" {
		t.Fatalf("%s %v\n%s", snap.State, err, out)
	}
	if !strings.Contains(out.String(), "QR: tg://login?token=dG9r") {
		t.Errorf("no QR URL in:\n%s", out)
	}
}
