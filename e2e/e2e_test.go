// Package e2e_test runs whole logins through the engine over real MTProto (gotd, via
// tgapi/mtproto) against the fake Telegram of package testdc.
package e2e_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

var record = flag.Bool("record", false, "write each test's trace to ../testdata/traces/mtproto_NAME.jsonl (go test ./e2e -args -record)")

func registered(b bool) *bool { return &b }

// world holds the accounts the tests use, beyond the implicit 99966XYYYY ones.
var world = testdc.World{Accounts: []testdc.Account{
	{Phone: "9996620001", Password: "hunter2", Hint: "the usual", RecoveryEmail: "alice@example.org"},
	{Phone: "9996630002", Password: "s3cond"},
	{Phone: "9996620003", Registered: registered(false)},
	{Phone: "9996620004", FloodWait: 30},
	{Phone: "9996620005", CodeType: "app", NextType: "sms", Timeout: 60},
	{Phone: "9996620006", Password: "hunter2"},
	{Phone: "9996620007", CodeType: "setup_email_required"},
	// The login paths of today (paths_test.go).
	{Phone: "9996620010", PaidAuth: &testdc.PaidAuth{Amount: 199, Currency: "USD", PremiumDays: 7}},
	{Phone: "9996620011", CodeType: "email", EmailReset: seconds(120)},
	{Phone: "9996620012", CodeType: "email", EmailReset: seconds(0)},
	{Phone: "9996620013", CodeType: "sms_word"},
	{Phone: "9996620014", CodeType: "sms_phrase"},
	{Phone: "9996620015", CodeType: "flash_call"},
	{Phone: "9996620016", CodeType: "missed_call"},
	{Phone: "9996620017", CodeType: "fragment_sms"},
	{Phone: "9996620018", Password: "old-pw", Hint: "old", RecoveryEmail: "bob@example.org"},
	{Phone: "9996620019", Registered: registered(false), AppSignUpOnly: true},
}}

func seconds(n int) *int { return &n }

// clock is testdc's clock, which tests move to expire codes and tokens.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

type env struct {
	t     *testing.T
	ctx   context.Context
	dc    *testdc.DC
	clock *clock
	store *memory.Store
	opts  machine.Options
	rec   *replay.Recorder
}

func setup(t *testing.T, dcOpts testdc.Options, engineOpts machine.Options) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c := &clock{}
	dcOpts.World, dcOpts.Now = world, c.Now
	dc, err := testdc.Start(ctx, dcOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	if engineOpts.Now == nil {
		engineOpts.Now = c.Now // one clock for Telegram and the engine: resend timeouts, reset dates
	}
	e := &env{t: t, ctx: ctx, dc: dc, clock: c, store: memory.New(), opts: engineOpts}
	return e
}

// engine returns a new engine with a new connector over the env's store: a new one per
// call is what a restarted process has.
func (e *env) engine() *machine.Engine {
	e.t.Helper()
	cfg := e.dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		e.t.Fatal(err)
	}
	// Nothing is wired for updates: machine.New subscribes the engine to the connector's
	// pushes (updateLoginToken) by itself.
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "e2e", DCList: cfg.DCList(), PublicKeys: keys,
		Resolver: cfg.Resolver()})
	e.t.Cleanup(func() { _ = conn.Close() })
	opts := e.opts
	opts.Store, opts.Telegram = e.store, conn
	if *record {
		if e.rec == nil { // one trace per test, across engine restarts
			f, err := os.Create(filepath.Join("..", "testdata", "traces", "mtproto_"+snake(strings.TrimPrefix(e.t.Name(), "Test"))+".jsonl"))
			if err != nil {
				e.t.Fatal(err)
			}
			e.t.Cleanup(func() { f.Close() })
			e.rec = replay.NewRecorder(f, replay.RecorderOptions{Settings: machine.SettingsOf(opts), Now: opts.Now})
		}
		opts.Telegram, opts.Observer = e.rec.Connector(conn), e.rec
	}
	eng, err := machine.New(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return eng
}

// snake turns a test name into snake_case: "QRScannedOnSameDC" -> "qr_scanned_on_same_dc".
func snake(name string) string {
	var b strings.Builder
	r := []rune(name)
	for i, c := range r {
		upper := unicode.IsUpper(c)
		if i > 0 && upper && (!unicode.IsUpper(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

func (e *env) start(eng *machine.Engine, in machine.Input) machine.Snapshot {
	e.t.Helper()
	snap, err := eng.Start(e.ctx, machine.StartOptions{Input: in})
	if err != nil && !errors.Is(err, machine.ErrRefused) {
		e.t.Fatalf("start: %v", err)
	}
	return snap
}

func (e *env) send(eng *machine.Engine, id string, in machine.Input, want machine.State) machine.Snapshot {
	e.t.Helper()
	snap, err := eng.Send(e.ctx, id, in)
	if err != nil && !errors.Is(err, machine.ErrRefused) {
		e.t.Fatalf("send %s: %v", in.Event(), err)
	}
	if snap.State != want {
		e.t.Fatalf("after %s: %s (%s), want %s", in.Event(), snap.State, snap.Prompt.Problem.Text(), want)
	}
	return snap
}

func expect(t *testing.T, snap machine.Snapshot, want machine.State) {
	t.Helper()
	if snap.State != want {
		t.Fatalf("state %s (%s), want %s", snap.State, snap.Prompt.Problem.Text(), want)
	}
}

func TestPhoneCode(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	expect(t, snap, states.CodeSent)
	if snap.Prompt.Code.Length != 5 || snap.Prompt.Code.Type != tgapi.CodeApp {
		t.Fatalf("code prompt %+v", snap.Prompt.Code)
	}
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	if u := snap.Prompt.User; u == nil || u.FirstName != "Test" || u.LastName != "1234" || snap.DC != 2 {
		t.Fatalf("authorized as %+v on DC %d", u, snap.DC)
	}
}

func TestWrongCodeThenRight(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "12345"}, states.CodeSent)
	if p := snap.Prompt.Problem; snap.Prompt.Attempts != 1 || p == nil || p.Code != machine.ProblemCodeInvalid ||
		p.Attempt != 1 || p.MaxAttempts != 5 || p.Telegram == nil || p.Telegram.Type != "PHONE_CODE_INVALID" {
		t.Fatalf("after a wrong code: %+v, problem %+v", snap.Prompt, snap.Prompt.Problem)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}

func TestCodeExpiredThenResend(t *testing.T) {
	e := setup(t, testdc.Options{CodeTTL: time.Minute}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	e.clock.Advance(2 * time.Minute)
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.CodeExpired)
	snap = e.send(eng, snap.ID, machine.Resend{}, states.CodeSent)
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	if n := e.dc.Calls("auth.sendCode"); n != 2 {
		t.Fatalf("auth.sendCode called %d times, want 2 (a new code after expiry)", n)
	}
}

func TestResendByNextType(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620005"})
	if c := snap.Prompt.Code; c.Type != tgapi.CodeApp || c.NextType != tgapi.CodeSMS || c.ResendAt.IsZero() {
		t.Fatalf("first code %+v", c)
	}
	e.clock.Advance(time.Minute) // the code's timeout: resend is offered from then
	snap = e.send(eng, snap.ID, machine.Resend{}, states.CodeSent)
	if c := snap.Prompt.Code; c.Type != tgapi.CodeSMS {
		t.Fatalf("resent code %+v, want type sms", c)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}

func TestCancelKillsTheCode(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	e.send(eng, snap.ID, machine.Cancel{}, states.Cancelled)
	if n := e.dc.Calls("auth.cancelCode"); n != 1 {
		t.Fatalf("auth.cancelCode called %d times", n)
	}
}

func TestSignUpWithTermsOfService(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620003"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.SignUpRequired)
	if snap.Prompt.Terms == nil || snap.Prompt.Terms.Text == "" {
		t.Fatalf("no terms of service in %+v", snap.Prompt)
	}
	if _, err := eng.Send(e.ctx, snap.ID, machine.SubmitSignUp{FirstName: "Ada"}); err == nil {
		t.Fatal("sign-up without accepting the terms was taken")
	}
	snap = e.send(eng, snap.ID, machine.SubmitSignUp{FirstName: "Ada", LastName: "Lovelace", AcceptTerms: true}, states.Authorized)
	if snap.Prompt.User.FirstName != "Ada" {
		t.Fatalf("signed up as %+v", snap.Prompt.User)
	}
}

func TestLoginEmailSetup(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620007"})
	expect(t, snap, states.EmailRequired)
	snap = e.send(eng, snap.ID, machine.SubmitEmail{Email: "ada@example.org"}, states.EmailCodeSent)
	if snap.Prompt.EmailPattern == "" || strings.Contains(snap.Prompt.EmailPattern, "ada@example.org") {
		t.Fatalf("e-mail pattern %q", snap.Prompt.EmailPattern)
	}
	snap = e.send(eng, snap.ID, machine.SubmitEmailCode{Code: "111111"}, states.EmailCodeSent)
	snap = e.send(eng, snap.ID, machine.SubmitEmailCode{Code: "222222"}, states.CodeSent)
	if snap.Prompt.Code.Type != tgapi.CodeEmail {
		t.Fatalf("after the e-mail setup the code goes by %s, want email", snap.Prompt.Code.Type)
	}
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}

func TestTwoFactorWrongThenRight(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620001"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	if snap.Prompt.Password.Hint != "the usual" || !snap.Prompt.Password.HasRecovery {
		t.Fatalf("password prompt %+v", snap.Prompt.Password)
	}
	snap = e.send(eng, snap.ID, machine.SubmitPassword{Password: "nope"}, states.PasswordNeeded)
	if p := snap.Prompt.Problem; p == nil || p.Code != machine.ProblemPasswordInvalid || p.Attempt != 1 ||
		p.Telegram == nil || p.Telegram.Type != "PASSWORD_HASH_INVALID" {
		t.Fatalf("after a wrong password: %+v", p)
	}
	e.send(eng, snap.ID, machine.SubmitPassword{Password: "hunter2"}, states.Authorized)
}

func TestPasswordRecovery(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620001"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	snap = e.send(eng, snap.ID, machine.RequestRecovery{}, states.RecoveryCodeSent)
	if snap.Prompt.RecoveryEmail == "" || strings.Contains(snap.Prompt.RecoveryEmail, "alice@example.org") {
		t.Fatalf("recovery e-mail pattern %q", snap.Prompt.RecoveryEmail)
	}
	snap = e.send(eng, snap.ID, machine.SubmitRecoveryCode{Code: "111111"}, states.RecoveryCodeSent)
	e.send(eng, snap.ID, machine.SubmitRecoveryCode{Code: "222222"}, states.Authorized)
}

func TestLogOutThenLogInWithLogoutToken(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996620006"})
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	snap = e.send(eng, snap.ID, machine.SubmitPassword{Password: "hunter2"}, states.Authorized)
	e.send(eng, snap.ID, machine.LogOut{}, states.LoggedOut)
	tokens, _ := e.store.LogoutTokens(e.ctx, "+9996620006")
	if len(tokens) != 1 {
		t.Fatalf("%d logout tokens kept, want 1", len(tokens))
	}
	// The next login of that account goes straight to the password: no code is sent.
	codes := e.dc.Calls("auth.signIn")
	snap = e.start(eng, machine.SubmitPhone{Phone: "+9996620006"})
	expect(t, snap, states.PasswordNeeded)
	e.send(eng, snap.ID, machine.SubmitPassword{Password: "hunter2"}, states.Authorized)
	if e.dc.Calls("auth.signIn") != codes {
		t.Fatal("a code was entered although the logout token should have skipped it")
	}
}

// scanWhenShown accepts the login's QR code with a second client, as soon as it is shown.
func (e *env) scanWhenShown(eng *machine.Engine, id, phone, password string) {
	e.t.Helper()
	for snap := range eng.Watch(e.ctx, id) {
		if snap.Prompt.QR != nil {
			if err := testdc.Scan(e.ctx, e.dc.Config(), phone, password, snap.Prompt.QR.URL); err != nil {
				e.t.Fatalf("scan: %v", err)
			}
			return
		}
	}
	e.t.Fatal("the QR code was never shown")
}

func (e *env) waitFor(eng *machine.Engine, id string, want machine.State) machine.Snapshot {
	e.t.Helper()
	var last machine.Snapshot
	for snap := range eng.Watch(e.ctx, id) {
		last = snap
		if snap.State == want {
			return snap
		}
	}
	e.t.Fatalf("never reached %s; last %s (%s)", want, last.State, last.Prompt.Problem.Text())
	return last
}

func (e *env) run(eng *machine.Engine) {
	ctx, cancel := context.WithCancel(e.ctx)
	e.t.Cleanup(cancel)
	go func() { _ = eng.Run(ctx) }()
}

var fastQR = machine.Options{QRPoll: 300 * time.Millisecond, Tick: 50 * time.Millisecond}

func TestQRScannedOnSameDC(t *testing.T) {
	e := setup(t, testdc.Options{}, fastQR)
	eng := e.engine()
	e.run(eng)
	snap := e.start(eng, machine.StartQR{})
	expect(t, snap, states.QRWaiting)
	if !strings.HasPrefix(snap.Prompt.QR.URL, "tg://login?token=") {
		t.Fatalf("QR URL %q", snap.Prompt.QR.URL)
	}
	e.scanWhenShown(eng, snap.ID, "+9996625555", "")
	got := e.waitFor(eng, snap.ID, states.Authorized)
	if got.Prompt.User.LastName != "5555" || got.DC != 2 {
		t.Fatalf("authorized as %+v on DC %d", got.Prompt.User, got.DC)
	}
}

func TestQRMigratesToAnotherDCThenTwoFactor(t *testing.T) {
	e := setup(t, testdc.Options{}, fastQR)
	eng := e.engine()
	e.run(eng)
	snap := e.start(eng, machine.StartQR{})
	e.scanWhenShown(eng, snap.ID, "+9996630002", "s3cond")
	got := e.waitFor(eng, snap.ID, states.PasswordNeeded)
	got = e.send(eng, got.ID, machine.SubmitPassword{Password: "s3cond"}, states.Authorized)
	if got.DC != 3 {
		t.Fatalf("authorized on DC %d, want 3 (the scanning account's)", got.DC)
	}
	journal, _ := eng.Journal(e.ctx, got.ID)
	var walked []string
	for _, j := range journal {
		walked = append(walked, string(j.To))
	}
	if !strings.Contains(strings.Join(walked, " "), "ImportingQR PasswordNeeded") {
		t.Fatalf("walk %v: no import on the other DC before the password", walked)
	}
}

func TestQRTokenRefreshedAfterExpiry(t *testing.T) {
	e := setup(t, testdc.Options{QRTokenTTL: 2 * time.Second}, machine.Options{QRPoll: time.Hour, Tick: 50 * time.Millisecond})
	eng := e.engine()
	e.run(eng)
	snap := e.start(eng, machine.StartQR{})
	first := snap.Prompt.QR.URL
	for got := range eng.Watch(e.ctx, snap.ID) {
		if got.Prompt.QR != nil && got.Prompt.QR.URL != first {
			return // a new token, exported when the first expired (the poll is an hour away)
		}
	}
	t.Fatal("the QR code was never refreshed")
}

func TestBotToken(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitBotToken{Token: "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"})
	expect(t, snap, states.Authorized)
	if !snap.Prompt.User.Bot || snap.Prompt.User.ID != 777000 {
		t.Fatalf("bot user %+v", snap.Prompt.User)
	}
	snap = e.start(eng, machine.SubmitBotToken{Token: "0:AAAAAAAAAAAAAAAA"})
	expect(t, snap, states.New)
	if p := snap.Prompt.Problem; p == nil || p.Code != machine.ProblemRejected || p.Telegram == nil ||
		p.Telegram.Type != "ACCESS_TOKEN_INVALID" || p.Call != "auth.importBotAuthorization" {
		t.Fatalf("invalid token problem %+v", p)
	}
}

func TestPhoneMigrate(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996631234"})
	expect(t, snap, states.CodeSent)
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "33333"}, states.Authorized)
	if snap.DC != 3 {
		t.Fatalf("login on DC %d, want 3", snap.DC)
	}
}

func TestFloodWaitReportedWithSeconds(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	before := time.Now()
	snap, err := eng.Start(e.ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996620004"}})
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Problem == nil || refused.Problem.Code != machine.ProblemFloodWait ||
		refused.Problem.Telegram == nil || refused.Problem.Telegram.Type != "FLOOD_WAIT" || refused.Problem.Telegram.Argument != 30 {
		t.Fatalf("err = %v, want FLOOD_WAIT_30", err)
	}
	if !refused.Problem.RetryAt.Equal(snap.Prompt.RetryAt) {
		t.Fatalf("the problem says retry at %v, the prompt %v", refused.Problem.RetryAt, snap.Prompt.RetryAt)
	}
	after := time.Now()
	// The wait is reported, not slept: the call returned before the 30 s were over, and
	// retry_at is 30 s after Telegram answered.
	if after.Sub(before) >= 30*time.Second {
		t.Fatalf("the call took %v: the flood wait was slept out instead of reported", after.Sub(before))
	}
	if r := snap.Prompt.RetryAt; r.Before(before.Add(29*time.Second)) || r.After(after.Add(31*time.Second)) {
		t.Fatalf("retry at %v, want 30s after the answer (between %v and %v)", r, before, after)
	}
	var fw *machine.FloodWaitError
	if _, err := eng.Send(e.ctx, snap.ID, machine.SubmitPhone{Phone: "+9996620004"}); !errors.As(err, &fw) {
		t.Fatalf("sending again during the wait: %v", err)
	}
}

func TestRestartBetweenCodeSentAndCodeEntered(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	first := e.engine()
	snap := e.start(first, machine.SubmitPhone{Phone: "+9996621234"})
	expect(t, snap, states.CodeSent)
	session, err := e.store.LoadSession(e.ctx, snap.ID)
	if err != nil || len(session) == 0 {
		t.Fatalf("no MTProto session stored: %v", err)
	}
	// A new engine and connector, as after a process restart: the code is tied to the
	// auth key, so signing in works only if the stored session is reused.
	second := e.engine()
	e.send(second, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}
