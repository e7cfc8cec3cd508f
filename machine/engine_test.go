package machine_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

func newClock() *clock.Fake { return clock.New(time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)) }

func newEngine(t *testing.T, store machine.Store, api *mock.API, c *clock.Fake) *machine.Engine {
	t.Helper()
	e, err := machine.New(machine.Options{Store: store, Telegram: api.Connector(), Now: c.Now, QRPoll: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var alice = tgapi.User{ID: 42, FirstName: "Alice", Phone: "9996621234"}

func sentCode(hash string) tgapi.SentCode {
	return tgapi.SentCode{Type: tgapi.CodeApp, Length: 5, NextType: tgapi.CodeSMS, Timeout: time.Minute, PhoneCodeHash: hash}
}

// sendsCode is an auth.sendCode handler that sends a code with phone_code_hash hash.
func sendsCode(hash string) func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
	return func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		code := sentCode(hash)
		return tgapi.SendCodeResult{Code: &code}, nil
	}
}

// count returns how many of calls are of method.
func count(calls []tgapi.Method, method tgapi.Method) int {
	n := 0
	for _, c := range calls {
		if c == method {
			n++
		}
	}
	return n
}

func TestPhoneLoginWalksToAuthorized(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	api := &mock.API{DataCenter: 2}
	mock.Handle(api, func(_ context.Context, req tgapi.SendCode) (tgapi.SendCodeResult, error) {
		if req.Phone != "+9996621234" {
			t.Errorf("sendCode phone = %q", req.Phone)
		}
		code := sentCode("h1")
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	mock.Handle(api, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		if req.Code != "22222" || req.PhoneCodeHash != "h1" {
			return tgapi.Authorization{}, tgapi.NewError(400, "PHONE_CODE_INVALID")
		}
		return tgapi.Authorization{User: &alice}, nil
	})
	store := memory.New()
	e := newEngine(t, store, api, c)
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+999 662-1234"}})
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != states.CodeSent || snap.Prompt.Kind != machine.AskCode || snap.Prompt.Code.Length != 5 {
		t.Fatalf("after phone: %+v", snap)
	}
	if want := c.Now().Add(time.Minute); !snap.Prompt.Code.ResendAt.Equal(want) {
		t.Errorf("resend at %v, want %v", snap.Prompt.Code.ResendAt, want)
	}
	snap, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "11111"})
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Problem == nil || refused.Problem.Telegram == nil ||
		refused.Problem.Telegram.Type != "PHONE_CODE_INVALID" || refused.Problem.Code != machine.ProblemCodeInvalid ||
		snap.State != states.CodeSent || snap.Prompt.Attempts != 1 {
		t.Fatalf("wrong code: state %s, attempts %d, err %v", snap.State, snap.Prompt.Attempts, err)
	}
	snap, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	if err != nil || snap.State != states.Authorized || snap.Prompt.User.ID != 42 || snap.DC != 2 {
		t.Fatalf("right code: %+v, %v", snap, err)
	}
	l, _ := store.Get(ctx, snap.ID)
	if l.PhoneCodeHash != "" {
		t.Errorf("phone_code_hash kept after authorization: %q", l.PhoneCodeHash)
	}
	journal, _ := store.Journal(ctx, snap.ID)
	var walked []machine.State
	for _, j := range journal {
		walked = append(walked, j.To)
	}
	want := []machine.State{"SendingCode", "CodeSent", "CheckingCode", "CodeSent", "CheckingCode", "Authorized"}
	if !slices.Equal(walked, want) {
		t.Fatalf("journal %v, want %v", walked, want)
	}
}

func TestInputRefusedInWrongStateChangesNothing(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	api := &mock.API{}
	e := newEngine(t, store, api, newClock())
	snap, err := e.Start(ctx, machine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := store.Get(ctx, snap.ID)
	_, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "12345"})
	var na *machine.NotAllowedError
	if !errors.As(err, &na) || na.State != states.New || na.Event != "submit_code" {
		t.Fatalf("err = %v, want NotAllowedError for submit_code in New", err)
	}
	if got := err.Error(); got != "submit_code not allowed in state New" {
		t.Errorf("message %q", got)
	}
	after, _ := store.Get(ctx, snap.ID)
	journal, _ := store.Journal(ctx, snap.ID)
	if after.Version != before.Version || after.State != states.New || len(journal) != 0 || len(api.Calls()) != 0 {
		t.Fatalf("refused input changed the login: v%d -> v%d, %d journal entries, calls %v", before.Version, after.Version, len(journal), api.Calls())
	}
}

func TestBadInputIsRefusedBeforeAnyCall(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	api := &mock.API{}
	e := newEngine(t, store, api, newClock())
	snap, _ := e.Start(ctx, machine.StartOptions{})
	for _, in := range []machine.Input{
		machine.SubmitPhone{Phone: "call me"},
		machine.SubmitBotToken{Token: "not-a-token"},
	} {
		_, err := e.Send(ctx, snap.ID, in)
		var ie *machine.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%T: err = %v, want InputError", in, err)
		}
	}
	if calls := api.Calls(); len(calls) != 0 {
		t.Errorf("calls made for bad input: %v", calls)
	}
	l, _ := store.Get(ctx, snap.ID)
	if l.Version != 1 {
		t.Errorf("version %d after bad input, want 1", l.Version)
	}
}

// dies makes m's calls of Req's method stop the calling goroutine, as a process killed
// during the call would: the write-ahead is on disk, no outcome ever is.
func dies[Req tgapi.Request, Res any](m *mock.API) {
	mock.Handle(m, func(context.Context, Req) (Res, error) {
		runtime.Goexit()
		var zero Res
		return zero, nil
	})
}

// crashing returns a mock whose every call of an in-flight state dies; with exportMigrates,
// auth.exportLoginToken answers a migration instead, so that ImportingQR is reached.
func crashing(exportMigrates bool) *mock.API {
	m := &mock.API{}
	dies[tgapi.SendCode, tgapi.SendCodeResult](m)
	dies[tgapi.ResendCode, tgapi.SentCode](m)
	dies[tgapi.CancelCode, any](m)
	dies[tgapi.SignIn, tgapi.Authorization](m)
	dies[tgapi.SignUp, tgapi.User](m)
	dies[tgapi.CheckPassword, tgapi.User](m)
	dies[tgapi.RequestPasswordRecovery, tgapi.PasswordRecovery](m)
	dies[tgapi.RecoverPassword, tgapi.User](m)
	dies[tgapi.SendVerifyEmailCode, tgapi.EmailCode](m)
	dies[tgapi.VerifyEmail, tgapi.SendCodeResult](m)
	dies[tgapi.ExportLoginToken, tgapi.LoginToken](m)
	dies[tgapi.ImportLoginToken, tgapi.LoginToken](m)
	dies[tgapi.ImportBotAuthorization, tgapi.User](m)
	dies[tgapi.LogOut, tgapi.LoggedOut](m)
	dies[tgapi.UpdatePasswordSettings, any](m)
	dies[tgapi.ConfirmPasswordEmail, any](m)
	dies[tgapi.ResendPasswordEmail, any](m)
	dies[tgapi.CancelPasswordEmail, any](m)
	dies[tgapi.GetAuthorizations, tgapi.Authorizations](m)
	dies[tgapi.ResetAuthorization, any](m)
	dies[tgapi.ResetAuthorizations, any](m)
	dies[tgapi.ChangeAuthorizationSettings, any](m)
	dies[tgapi.InvalidateSignInCodes, any](m)
	if exportMigrates {
		mock.Handle(m, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
			return tgapi.LoginToken{MigrateDC: 3, Token: []byte("tok")}, nil
		})
	}
	return m
}

// flightCase says how to get a login into an in-flight state, and where recovery must
// bring it (DESIGN.md §3 and package transitions' rules), with the session unauthorized
// and authorized.
var flightCases = []struct {
	flight         machine.State
	from           machine.State
	input          machine.Input
	unauthorized   machine.State
	authorized     machine.State // "" when the rule does not ask Telegram
	qrPollsAtOnce  bool
	retypeRequired bool
}{
	{states.SendingCode, states.New, machine.SubmitPhone{Phone: "+9996621234"}, states.New, "", false, true},
	{states.ResendingCode, states.CodeSent, machine.Resend{}, states.CodeSent, "", false, false},
	{states.CheckingCode, states.CodeSent, machine.SubmitCode{Code: "22222"}, states.CodeSent, states.Authorized, false, true},
	{states.SigningUp, states.SignUpRequired, machine.SubmitSignUp{FirstName: "A", AcceptTerms: true}, states.SignUpRequired, states.Authorized, false, true},
	{states.CheckingPassword, states.PasswordNeeded, machine.SubmitPassword{Password: "pw"}, states.PasswordNeeded, states.Authorized, false, true},
	{states.RequestingRecovery, states.PasswordNeeded, machine.RequestRecovery{}, states.PasswordNeeded, "", false, false},
	{states.CheckingRecovery, states.RecoveryCodeSent, machine.SubmitRecoveryCode{Code: "222222"}, states.RecoveryCodeSent, states.Authorized, false, true},
	{states.SendingEmailCode, states.EmailRequired, machine.SubmitEmail{Email: "a@example.org"}, states.EmailRequired, "", false, true},
	{states.CheckingEmailCode, states.EmailCodeSent, machine.SubmitEmailCode{Code: "222222"}, states.EmailCodeSent, "", false, true},
	{states.ExportingQR, states.QRWaiting, machine.LoginTokenScanned{}, states.QRWaiting, states.Authorized, true, false},
	{states.ImportingQR, states.New, machine.StartQR{}, states.QRWaiting, states.Authorized, true, false},
	{states.CheckingBotToken, states.New, machine.SubmitBotToken{Token: "123:ABCDEFGHIJ"}, states.New, states.Authorized, false, true},
	{states.CancellingCode, states.CodeSent, machine.Cancel{}, states.Cancelled, "", false, false},
	{states.LoggingOut, states.Authorized, machine.LogOut{}, states.LoggedOut, states.Authorized, false, false},
	// The account chart: every task goes back to the state that took its input.
	{states.UpdatingPassword, states.Authorized, machine.SetPassword{New: "pw2"}, states.Authorized, "", false, true},
	{states.ConfirmingPasswordEmail, states.PasswordEmailCodeSent, machine.SubmitPasswordEmailCode{Code: "222222"}, states.PasswordEmailCodeSent, "", false, true},
	{states.ResendingPasswordEmail, states.PasswordEmailCodeSent, machine.ResendPasswordEmail{}, states.PasswordEmailCodeSent, "", false, true},
	{states.CancellingPasswordEmail, states.PasswordEmailCodeSent, machine.CancelPasswordEmail{}, states.PasswordEmailCodeSent, "", false, true},
	{states.ListingSessions, states.Authorized, machine.ListSessions{}, states.Authorized, "", false, true},
	{states.TerminatingSession, states.Authorized, machine.TerminateSession{Hash: 7}, states.Authorized, "", false, true},
	{states.TerminatingOtherSessions, states.Authorized, machine.TerminateOtherSessions{}, states.Authorized, "", false, true},
	{states.ConfirmingSession, states.Authorized, machine.ConfirmSession{Hash: 7}, states.Authorized, "", false, true},
	{states.InvalidatingCodes, states.Authorized, machine.InvalidateCodes{Codes: []string{"22222"}}, states.Authorized, "", false, true},
}

func TestCrashBetweenWriteAheadAndOutcomeRecoversEveryFlightState(t *testing.T) {
	covered := map[machine.State]bool{}
	for _, fc := range flightCases {
		covered[fc.flight] = true
		for _, authorized := range []bool{false, true} {
			if authorized && fc.authorized == "" {
				continue
			}
			name := string(fc.flight)
			if authorized {
				name += "/authorized"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				c := newClock()
				store := memory.New()
				l := &machine.Login{ID: "L", State: fc.from, Phone: "+9996621234", PhoneCodeHash: "h", CreatedAt: c.Now(),
					User: &alice, Code: &machine.CodeInfo{Type: tgapi.CodeApp, Length: 5}}
				if err := store.Create(ctx, l); err != nil {
					t.Fatal(err)
				}

				// The first engine dies inside the call.
				dying := newEngine(t, store, crashing(fc.flight == states.ImportingQR), c)
				done := make(chan struct{})
				go func() { defer close(done); _, _ = dying.Send(ctx, "L", fc.input) }()
				<-done
				l, _ = store.Get(ctx, "L")
				if l.State != fc.flight {
					t.Fatalf("after the crash the store holds %s, want the write-ahead %s", l.State, fc.flight)
				}

				// A second engine over the same store: busy while the lease holds.
				api := &mock.API{}
				mock.Handle(api, func(context.Context, tgapi.GetSelf) (tgapi.User, error) {
					if authorized {
						return alice, nil
					}
					return tgapi.User{}, tgapi.NewError(401, "AUTH_KEY_UNREGISTERED")
				})
				next := newEngine(t, store, api, c)
				var busy *machine.BusyError
				if _, err := next.Send(ctx, "L", machine.Cancel{}); !errors.As(err, &busy) {
					t.Fatalf("Send during a live lease: %v, want BusyError", err)
				}
				c.Advance(3 * time.Minute)
				if err := next.Tick(ctx); err != nil {
					t.Fatal(err)
				}
				l, _ = store.Get(ctx, "L")
				want := fc.unauthorized
				if authorized {
					want = fc.authorized
				}
				if l.State != want {
					t.Fatalf("recovered to %s, want %s", l.State, want)
				}
				if fc.retypeRequired && !authorized {
					info, _ := states.Lookup(fc.flight)
					if p := l.Problem; p == nil || p.Code != machine.ProblemAnswerLost || p.Call != tgapi.Method(info.Call) {
						t.Errorf("recovered to %s with problem %+v, want answer_lost of %s", l.State, p, info.Call)
					}
				}
				if fc.qrPollsAtOnce && !authorized && !slices.Contains(api.Calls(), "auth.exportLoginToken") {
					t.Errorf("QR login recovered without polling at once: calls %v", api.Calls())
				}
				if l.LeaseOwner != "" {
					t.Errorf("lease still held by %q", l.LeaseOwner)
				}
			})
		}
	}
	for _, s := range states.All {
		if s.Kind == states.InFlight && !covered[s.Name] {
			t.Errorf("no crash case for flight state %s", s.Name)
		}
	}
}

func TestConcurrentInputsExactlyOneApplies(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	release := make(chan struct{})
	var mu sync.Mutex
	signIns := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		mu.Lock()
		signIns++
		mu.Unlock()
		<-release
		return tgapi.Authorization{User: &alice}, nil
	})
	c := newClock()
	if err := store.Create(ctx, &machine.Login{ID: "L", State: states.CodeSent, Phone: "+9996621234", PhoneCodeHash: "h"}); err != nil {
		t.Fatal(err)
	}
	// Two engines, as two processes sharing the store would be.
	engines := []*machine.Engine{newEngine(t, store, api, c), newEngine(t, store, api, c)}
	const n = 8
	errs := make(chan error, n)
	var start sync.WaitGroup
	start.Add(1)
	for i := 0; i < n; i++ {
		go func(e *machine.Engine) {
			start.Wait()
			_, err := e.Send(ctx, "L", machine.SubmitCode{Code: "22222"})
			errs <- err
		}(engines[i%2])
	}
	start.Done()
	// Let the losers fail while the winner's call is held, then release it.
	var failures []error
	for len(failures) < n-1 {
		failures = append(failures, <-errs)
	}
	close(release)
	if err := <-errs; err != nil {
		t.Fatalf("the winning input failed: %v", err)
	}
	for _, err := range failures {
		var busy *machine.BusyError
		if !errors.Is(err, machine.ErrConflict) && !errors.As(err, &busy) {
			t.Errorf("losing input: %v, want ErrConflict or BusyError", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if signIns != 1 {
		t.Errorf("auth.signIn called %d times, want 1", signIns)
	}
	l, _ := store.Get(ctx, "L")
	if l.State != states.Authorized || l.Version != 3 {
		t.Errorf("login ended %s at version %d, want Authorized at 3", l.State, l.Version)
	}
}

func TestDeadlinesFireAfterRestart(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	exports := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
		exports++
		return tgapi.LoginToken{Token: []byte{byte(exports)}, Expires: c.Now().Add(30 * time.Second)}, nil
	})
	first := newEngine(t, store, api, c)
	snap, err := first.Start(ctx, machine.StartOptions{Input: machine.StartQR{}})
	if err != nil || snap.State != states.QRWaiting || snap.Prompt.QR == nil {
		t.Fatalf("start qr: %+v %v", snap, err)
	}
	url := snap.Prompt.QR.URL
	// The first engine goes away; its timers live on the record, not in it.
	c.Advance(5 * time.Second)
	second := newEngine(t, store, api, c)
	if err := second.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := second.Get(ctx, snap.ID)
	if exports != 2 || got.State != states.QRWaiting || got.Prompt.QR.URL == url {
		t.Fatalf("after the poll deadline: %d exports, state %s, same url %v", exports, got.State, got.Prompt.QR.URL == url)
	}
	// The login TTL fires too, with no engine having waited for it.
	c.Advance(time.Hour)
	third := newEngine(t, store, api, c)
	if err := third.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = third.Get(ctx, snap.ID)
	if got.State != states.Expired || got.Prompt.Kind != machine.ShowClosed {
		t.Fatalf("after the TTL: %s", got.State)
	}
}

func TestFloodWaitRefusesTheSameInputUntilRetryAt(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	calls := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		calls++
		if calls == 1 {
			return tgapi.SendCodeResult{}, tgapi.NewError(420, "FLOOD_WAIT_30")
		}
		code := sentCode("h")
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	e := newEngine(t, memory.New(), api, c)
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if !errors.Is(err, machine.ErrRefused) || snap.State != states.New || !snap.Prompt.RetryAt.Equal(c.Now().Add(30*time.Second)) {
		t.Fatalf("flood: %s retry %v err %v", snap.State, snap.Prompt.RetryAt, err)
	}
	if p := snap.Prompt.Problem; p == nil || p.Code != machine.ProblemFloodWait || !p.RetryAt.Equal(snap.Prompt.RetryAt) {
		t.Errorf("flood problem %+v, want flood_wait until %v", p, snap.Prompt.RetryAt)
	}
	var fw *machine.FloodWaitError
	if _, err := e.Send(ctx, snap.ID, machine.SubmitPhone{Phone: "+9996621234"}); !errors.As(err, &fw) {
		t.Fatalf("resend during flood wait: %v", err)
	}
	if calls != 1 {
		t.Fatalf("input sent to Telegram during the flood wait")
	}
	c.Advance(31 * time.Second)
	if snap, err = e.Send(ctx, snap.ID, machine.SubmitPhone{Phone: "+9996621234"}); err != nil || snap.State != states.CodeSent {
		t.Fatalf("after the wait: %s %v", snap.State, err)
	}
}

// Cancel is taken during a flood wait: the user can always give up.
func TestCancelDuringFloodWait(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	cancels := 0
	api := &mock.API{}
	mock.Handle(api, sendsCode("h1"))
	mock.Handle(api, func(context.Context, tgapi.ResendCode) (tgapi.SentCode, error) {
		return tgapi.SentCode{}, tgapi.NewError(420, "FLOOD_WAIT_600")
	})
	mock.Handle(api, func(context.Context, tgapi.CancelCode) (any, error) { cancels++; return nil, nil })
	e := newEngine(t, memory.New(), api, c)
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	if snap, err = e.Send(ctx, snap.ID, machine.Resend{}); !errors.Is(err, machine.ErrRefused) || snap.Prompt.RetryAt.IsZero() {
		t.Fatalf("resend: %s %v", snap.State, err)
	}
	var fw *machine.FloodWaitError
	if _, err := e.Send(ctx, snap.ID, machine.Resend{}); !errors.As(err, &fw) {
		t.Fatalf("second resend during the flood wait: %v", err)
	}
	if snap, err = e.Send(ctx, snap.ID, machine.Cancel{}); err != nil || snap.State != states.Cancelled || cancels != 1 {
		t.Fatalf("cancel during a flood wait: %s %v (%d auth.cancelCode calls)", snap.State, err, cancels)
	}
}

// Wrong recovery codes do not count against the password once the recovery code expired
// and the password prompt is back.
func TestExpiredRecoveryCodeResetsAttempts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	recovers := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{}, tgapi.NewError(401, "SESSION_PASSWORD_NEEDED")
	})
	mock.Handle(api, func(context.Context, tgapi.GetPassword) (tgapi.PasswordInfo, error) {
		return tgapi.PasswordInfo{HasPassword: true, HasRecovery: true}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.RequestPasswordRecovery) (tgapi.PasswordRecovery, error) {
		return tgapi.PasswordRecovery{EmailPattern: "a***@example.org"}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.RecoverPassword) (tgapi.User, error) {
		if recovers++; recovers < 4 {
			return tgapi.User{}, tgapi.NewError(400, "CODE_INVALID")
		}
		return tgapi.User{}, tgapi.NewError(400, "PASSWORD_RECOVERY_EXPIRED")
	})
	mock.Handle(api, func(context.Context, tgapi.CheckPassword) (tgapi.User, error) {
		return tgapi.User{}, tgapi.NewError(400, "PASSWORD_HASH_INVALID")
	})
	e := newEngine(t, memory.New(), api, c)
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil || snap.State != states.PasswordNeeded {
		t.Fatalf("phone: %s %v", snap.State, err)
	}
	if _, err = e.Send(ctx, snap.ID, machine.RequestRecovery{}); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		snap, _ = e.Send(ctx, snap.ID, machine.SubmitRecoveryCode{Code: "111111"})
	}
	if snap.State != states.PasswordNeeded || snap.Prompt.Attempts != 0 {
		t.Fatalf("after the recovery code expired: %s, %d attempts", snap.State, snap.Prompt.Attempts)
	}
	if snap, _ = e.Send(ctx, snap.ID, machine.SubmitPassword{Password: "wrong"}); snap.State != states.PasswordNeeded || snap.Prompt.Attempts != 1 {
		t.Fatalf("first wrong password: %s, %d attempts", snap.State, snap.Prompt.Attempts)
	}
}

// A cancel whose auth.cancelCode gets no answer still cancels, and is not reported as
// refused: the login is over either way.
func TestCancelWithoutAnswerIsNotRefused(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	api := &mock.API{}
	mock.Handle(api, sendsCode("h1"))
	mock.Handle(api, func(context.Context, tgapi.CancelCode) (any, error) { return nil, errors.New("connection reset") })
	e := newEngine(t, memory.New(), api, c)
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err = e.Send(ctx, snap.ID, machine.Cancel{})
	if err != nil || snap.State != states.Cancelled {
		t.Fatalf("cancel: %s %v", snap.State, err)
	}
	if p := snap.Prompt.Problem; p != nil {
		t.Fatalf("cancel: prompt problem %+v (%q)", p, p.Text())
	}
}

func TestLogoutTokensKeptAndSentNewestFirst(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	var sent [][]byte
	token := 0
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.LogOut) (tgapi.LoggedOut, error) {
		token++
		return tgapi.LoggedOut{FutureAuthToken: []byte{byte(token)}}, nil
	})
	mock.Handle(api, func(_ context.Context, req tgapi.SendCode) (tgapi.SendCodeResult, error) {
		sent = req.LogoutTokens
		return tgapi.SendCodeResult{}, tgapi.NewError(401, "SESSION_PASSWORD_NEEDED")
	})
	mock.Handle(api, func(context.Context, tgapi.GetPassword) (tgapi.PasswordInfo, error) {
		return tgapi.PasswordInfo{Hint: "cat"}, nil
	})
	e := newEngine(t, store, api, c)
	for i := 0; i < machine.MaxLogoutTokens+3; i++ {
		id := string(rune('a' + i))
		if err := store.Create(ctx, &machine.Login{ID: id, State: states.Authorized, Phone: "+9996621234", User: &alice}); err != nil {
			t.Fatal(err)
		}
		if snap, err := e.Send(ctx, id, machine.LogOut{}); err != nil || snap.State != states.LoggedOut {
			t.Fatalf("log out: %s %v", snap.State, err)
		}
	}
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil || snap.State != states.PasswordNeeded || snap.Prompt.Password.Hint != "cat" {
		t.Fatalf("login with logout tokens: %s %+v %v", snap.State, snap.Prompt.Password, err)
	}
	if len(sent) != machine.MaxLogoutTokens || sent[0][0] != byte(token) || sent[len(sent)-1][0] != byte(token-machine.MaxLogoutTokens+1) {
		t.Fatalf("sent %d tokens, first %v last %v; want %d newest first", len(sent), sent[0], sent[len(sent)-1], machine.MaxLogoutTokens)
	}
}

func TestTooManyWrongPasswordsFail(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.CheckPassword) (tgapi.User, error) {
		return tgapi.User{}, tgapi.NewError(400, "PASSWORD_HASH_INVALID")
	})
	e := newEngine(t, store, api, newClock())
	if err := store.Create(ctx, &machine.Login{ID: "L", State: states.PasswordNeeded}); err != nil {
		t.Fatal(err)
	}
	var snap machine.Snapshot
	var err error
	for i := 1; i <= 5; i++ {
		snap, err = e.Send(ctx, "L", machine.SubmitPassword{Password: "wrong"})
		if i < 5 && (snap.State != states.PasswordNeeded || snap.Prompt.Attempts != i) {
			t.Fatalf("attempt %d: %s attempts %d", i, snap.State, snap.Prompt.Attempts)
		}
	}
	if snap.State != states.Failed {
		t.Fatalf("after 5 wrong passwords: %s", snap.State)
	}
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Outcome != "too_many_attempts" || refused.Problem == nil ||
		refused.Problem.Code != machine.ProblemTooManyAttempts || refused.Problem.Attempt != 5 {
		t.Fatalf("the fifth wrong password: %v, want too_many_attempts at attempt 5", err)
	}
}

func TestWatchSeesEveryStateUntilFinal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := memory.New()
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.ImportBotAuthorization) (tgapi.User, error) {
		return tgapi.User{ID: 7, Bot: true}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.LogOut) (tgapi.LoggedOut, error) { return tgapi.LoggedOut{}, nil })
	e := newEngine(t, store, api, newClock())
	snap, _ := e.Start(ctx, machine.StartOptions{})
	w := e.Watch(ctx, snap.ID)
	if first := <-w; first.State != states.New {
		t.Fatalf("first snapshot %s", first.State)
	}
	if _, err := e.Send(ctx, snap.ID, machine.SubmitBotToken{Token: "7:ABCDEFGHIJK"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, states.Authorized)
	if _, err := e.Send(ctx, snap.ID, machine.LogOut{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, states.LoggedOut)
	if _, open := <-w; open {
		t.Fatal("watch channel still open after a final state")
	}
}

// waitFor reads snapshots until one in state want, failing on a version going backwards or
// on the channel closing first.
func waitFor(t *testing.T, w <-chan machine.Snapshot, want machine.State) machine.Snapshot {
	t.Helper()
	var last int64
	for snap := range w {
		if snap.Version <= last {
			t.Fatalf("watch went from version %d to %d", last, snap.Version)
		}
		last = snap.Version
		if snap.State == want {
			return snap
		}
	}
	t.Fatalf("watch closed before %s", want)
	return machine.Snapshot{}
}

func TestFloodWaitHoldsBackOnlyTheFloodedInput(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	api := &mock.API{}
	mock.Handle(api, sendsCode("h1"))
	mock.Handle(api, func(context.Context, tgapi.ResendCode) (tgapi.SentCode, error) {
		return tgapi.SentCode{}, tgapi.NewError(420, "FLOOD_WAIT_600")
	})
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{User: &alice}, nil
	})
	e := newEngine(t, memory.New(), api, c)
	snap, _ := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	snap, _ = e.Send(ctx, snap.ID, machine.Resend{})
	if snap.Prompt.RetryInput != "resend_code" {
		t.Fatalf("retry input %q, want resend_code", snap.Prompt.RetryInput)
	}
	var fw *machine.FloodWaitError
	if _, err := e.Send(ctx, snap.ID, machine.Resend{}); !errors.As(err, &fw) {
		t.Fatalf("resend again: %v", err)
	}
	if snap, err := e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"}); err != nil || snap.State != states.Authorized {
		t.Fatalf("the code after a flooded resend: %s %v", snap.State, err)
	}
}

// A 5xx is Telegram's trouble: the same input may be tried again. The problem says so
// (telegram_error, with Telegram's error), where the old engine had a sentence.
func TestServerErrorIsTryAgainNotRefusal(t *testing.T) {
	ctx := context.Background()
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{}, tgapi.NewError(500, "INTERNAL_SERVER_ERROR")
	})
	e := newEngine(t, memory.New(), api, newClock())
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Outcome != "interrupted" || snap.State != states.New {
		t.Fatalf("500: %s %v", snap.State, err)
	}
	p := snap.Prompt.Problem
	if p == nil || p.Code != machine.ProblemTelegramError || p.Telegram == nil || p.Telegram.Type != "INTERNAL_SERVER_ERROR" ||
		!strings.Contains(p.Text(), "(INTERNAL_SERVER_ERROR); try again") {
		t.Fatalf("500: problem %+v (%q)", p, p.Text())
	}
}

func TestInputAfterTTLFindsTheLoginExpired(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	api := &mock.API{}
	e := newEngine(t, memory.New(), api, c)
	snap, _ := e.Start(ctx, machine.StartOptions{})
	c.Advance(31 * time.Minute) // no scheduler ran
	snap, err := e.Send(ctx, snap.ID, machine.SubmitPhone{Phone: "+9996621234"})
	if snap.State != states.Expired || len(api.Calls()) != 0 {
		t.Fatalf("input after the TTL: %s %v, calls %v", snap.State, err, api.Calls())
	}
	if journal, _ := e.Journal(ctx, snap.ID); len(journal) != 1 || journal[0].Event != "ttl" {
		t.Fatalf("input after the TTL: journal %+v, want the one ttl entry", journal)
	}
	var na *machine.NotAllowedError
	if !errors.As(err, &na) {
		t.Fatalf("input after the TTL: %v, want NotAllowedError", err)
	}
}
