package mautrix_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/database"
	"maunium.net/go/mautrix/id"

	"github.com/tgauth/tgauth/contrib/mautrix"
	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

func registered(b bool) *bool { return &b }

// world holds the accounts the tests use, beyond the implicit 99966XYYYY ones (code: the
// DC digit five times).
var world = testdc.World{Accounts: []testdc.Account{
	{Phone: "9996620001", Password: "hunter2", Hint: "the usual", RecoveryEmail: "alice@example.org"},
	{Phone: "9996630002", Password: "s3cond"},
	{Phone: "9996620003", Registered: registered(false)},
	{Phone: "9996620004", FloodWait: 30},
	{Phone: "9996620005", NextType: "sms", Timeout: 60},
	{Phone: "9996620007", CodeType: "setup_email_required"},
}}

// clock is the test DC's and the engines' clock: the real time, moved on by the tests
// (to expire QR tokens and codes).
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Advance(d time.Duration) { c.off.Add(int64(d)) }

// qrTTL is the test DC's QR token lifetime: long enough for a scan under -race on a
// loaded machine (the scanning client logs in first, SRP and all); tests that want a new
// token move the clock past it.
const qrTTL = 10 * time.Minute

// bridge is what a bridge has: a test DC as its Telegram, a SQLite store of logins, its
// own database (for Pending) and a running engine; restart gives it a new engine and new
// Logins over the same databases, as a restarted process has.
type bridge struct {
	t      *testing.T
	ctx    context.Context
	dc     *testdc.DC
	clock  *clock
	store  string // the login store's path
	kv     *database.Database
	engine *machine.Engine
	logins *mautrix.Logins
	user   *bridgev2.User

	mu   sync.Mutex
	done []mautrix.Done // what Options.Complete got
	fail error          // what Options.Complete answers next, once; nil: a UserLogin
	stop func()         // stops the running engine
}

func newBridge(t *testing.T) *bridge {
	t.Helper()
	// Generous: under -race on a loaded machine an MTProto key exchange takes seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	c := &clock{}
	dc, err := testdc.Start(ctx, testdc.Options{World: world, Now: c.Now, QRTokenTTL: qrTTL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	dir := t.TempDir()
	raw, err := dbutil.NewWithDialect("file:"+filepath.Join(dir, "bridge.db")+"?_pragma=busy_timeout(5000)", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	kv := database.New("telegram", database.MetaTypes{}, raw)
	if err := kv.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	b := &bridge{t: t, ctx: ctx, dc: dc, clock: c, store: filepath.Join(dir, "logins.db"), kv: kv,
		user: &bridgev2.User{User: &database.User{MXID: id.UserID("@alice:example.org")}, Log: zerolog.Nop()}}
	b.restart()
	t.Cleanup(func() { b.stop() })
	return b
}

// restart stops the bridge's engine and starts a new one, with a new connector and new
// Logins, over the same store and bridge database.
func (b *bridge) restart() {
	b.t.Helper()
	b.restartAs("")
}

// restartAs is restart with an engine whose Options.TelegramID is telegram.
func (b *bridge) restartAs(telegram string) {
	b.t.Helper()
	if b.stop != nil {
		b.stop()
	}
	store, err := sqlite.Open(b.ctx, b.store)
	if err != nil {
		b.t.Fatal(err)
	}
	cfg := b.dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		b.t.Fatal(err)
	}
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "mautrix", DCList: cfg.DCList(), PublicKeys: keys,
		Resolver: cfg.Resolver()})
	eng, err := machine.New(machine.Options{Store: store, Telegram: conn, Now: b.clock.Now, Tick: 20 * time.Millisecond,
		CallTimeout: 3 * time.Minute, TelegramID: telegram})
	if err != nil {
		b.t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(b.ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = eng.Run(runCtx) }()
	b.stop = func() {
		cancel()
		<-ran
		_ = conn.Close()
		_ = store.Close()
	}
	b.engine = eng
	b.logins, err = mautrix.New(mautrix.Options{Engine: eng, Pending: mautrix.KV{Store: b.kv.KV}, Complete: b.complete})
	if err != nil {
		b.t.Fatal(err)
	}
}

// complete is the bridge's Options.Complete: it makes the UserLogin bridgev2's NewLogin
// would (without a homeserver) and records what it got.
func (b *bridge) complete(_ context.Context, done mautrix.Done) (*bridgev2.UserLogin, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = append(b.done, done)
	if err := b.fail; err != nil {
		b.fail = nil
		return nil, err
	}
	return &bridgev2.UserLogin{UserLogin: &database.UserLogin{ID: done.UserLoginID, UserMXID: done.User.MXID}, User: done.User}, nil
}

// failNext makes Options.Complete fail once with err.
func (b *bridge) failNext(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

func (b *bridge) completed() []mautrix.Done {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mautrix.Done(nil), b.done...)
}

// process is what the bridge's CreateLogin returns for flow.
func (b *bridge) process(flow string) *mautrix.Process {
	b.t.Helper()
	p, err := b.logins.Create(b.ctx, b.user, flow)
	if err != nil {
		b.t.Fatal(err)
	}
	return p.(*mautrix.Process)
}

// phone starts a phone login, sends the phone number and expects step want.
func (b *bridge) phone(number, want string) (*mautrix.Process, *bridgev2.LoginStep) {
	b.t.Helper()
	p := b.process(loginstep.FlowPhone)
	st := b.start(p, loginstep.StepIDPhone)
	return p, b.submit(p, st, map[string]string{"phone": number}, want)
}

// start starts p and expects step want.
func (b *bridge) start(p *mautrix.Process, want string) *bridgev2.LoginStep {
	b.t.Helper()
	st, err := p.Start(b.ctx)
	return b.expect("Start", st, err, want)
}

// submit submits the fields as bridgev2 does: each field validated (and cleaned) by its
// Validate, as the login command and provisioning clients do, then SubmitUserInput.
func (b *bridge) submit(p *mautrix.Process, st *bridgev2.LoginStep, values map[string]string, want string) *bridgev2.LoginStep {
	b.t.Helper()
	if st.Type != bridgev2.LoginStepTypeUserInput {
		b.t.Fatalf("submit to a %s step", st.Type)
	}
	input := map[string]string{}
	for _, f := range st.UserInputParams.Fields {
		v, ok := values[f.ID]
		if !ok {
			continue
		}
		f.FillDefaultValidate()
		clean, err := f.Validate(v)
		if err != nil {
			b.t.Fatalf("field %s refuses %q: %v", f.ID, v, err)
		}
		input[f.ID] = clean
	}
	next, err := p.SubmitUserInput(b.ctx, input)
	return b.expect("SubmitUserInput", next, err, want)
}

// wait calls Wait until the step is want (a QR code may be refreshed on the way).
func (b *bridge) wait(p *mautrix.Process, want string) *bridgev2.LoginStep {
	b.t.Helper()
	st, err := p.Wait(b.ctx)
	return b.expect("Wait", st, err, want)
}

func (b *bridge) expect(what string, st *bridgev2.LoginStep, err error, want string) *bridgev2.LoginStep {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %v (want step %s)", what, err, want)
	}
	if st.StepID != want {
		b.t.Fatalf("%s: step %s (%s), want %s", what, st.StepID, st.Instructions, want)
	}
	return st
}

// field returns the step's field id.
func field(t *testing.T, st *bridgev2.LoginStep, id string) bridgev2.LoginInputDataField {
	t.Helper()
	for _, f := range st.UserInputParams.Fields {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("step %s has no field %s", st.StepID, id)
	return bridgev2.LoginInputDataField{}
}

// qr waits until p shows a QR code and returns its URL.
func (b *bridge) qr(p *mautrix.Process, st *bridgev2.LoginStep) (*bridgev2.LoginStep, string) {
	b.t.Helper()
	for st.DisplayAndWaitParams.Type != bridgev2.LoginDisplayTypeQR {
		st = b.wait(p, loginstep.StepIDQR)
	}
	return st, st.DisplayAndWaitParams.Data
}
