package testdc

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gotd/log"
	"github.com/gotd/log/logslog"
	"github.com/stretchr/testify/require"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
)

// A gotd client's key exchange costs seconds under -race (it factors pq and
// checks the DH prime with 64 Miller-Rabin rounds), so most tests share one
// DC, the shared world's, and reuse its auth keys: see run.
var sharedWorld = World{Accounts: []Account{
	{Phone: "+1 555 000 1234", FirstName: "Grace", LastName: "Hopper", Username: "grace"},
	{Phone: "9996620001", Banned: true},
	{Phone: "9996620002", FloodWait: 30},
	{Phone: "9996629999", Registered: registered(false)},
	{Phone: "9996625555", NextType: "sms", Timeout: 60},
	{Phone: "9996614444", CodeType: "email", Password: "pw", RecoveryEmail: "mail@example.com"},
	{Phone: "9996614445", CodeType: "setup_email_required"},
	{Phone: "9996627777", Password: "hunter2", Hint: "the usual"},
	{Phone: "9996638888", Password: "forgotten", RecoveryEmail: "rescue@example.com"},
	{Phone: "9996638889", Password: "old", RecoveryEmail: "rescue@example.com"},
	{Phone: "9996626666", Password: "pw"},
	{Phone: "9996626667", Password: "pw"},
	{Phone: "9996623131", Password: "qr-secret"},
}}

var shared struct {
	once  sync.Once
	dc    *DC
	clock *fakeClock
	err   error

	mu   sync.Mutex
	keys []*session.StorageMemory // idle sessions with an auth key of dc
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dc != nil {
		_ = shared.dc.Close()
	}
	os.Exit(code)
}

func registered(b bool) *bool { return &b }

const sharedQRTTL = 5 * time.Minute

// sharedDC is the DC of sharedWorld, default options but a movable clock
// (shared.clock) and sharedQRTTL. Parallel tests using it must not Hold, count Calls, move
// the clock or use a phone another test uses; sequential tests (run before
// all parallel ones) may.
func sharedDC(t *testing.T) *DC {
	t.Helper()
	shared.once.Do(func() {
		shared.clock = &fakeClock{}
		shared.dc, shared.err = Start(context.Background(), Options{
			World: sharedWorld,
			Now:   shared.clock.Now,
			// Long enough for a Scan (a key exchange) on a loaded machine.
			QRTokenTTL: sharedQRTTL,
			Logger:     testLogger("testdc"),
		})
	})
	require.NoError(t, shared.err)
	return shared.dc
}

// freshAccount makes the shared DC forget what earlier tests (or runs, with
// -count) did to the account of phone.
func freshAccount(t *testing.T, phone string) {
	t.Helper()
	st := sharedDC(t).st
	st.mu.Lock()
	defer st.mu.Unlock()
	p, _ := normalizePhone(phone)
	if acc, ok := st.accounts[p]; ok {
		delete(st.accounts, p)
		delete(st.users, acc.id)
	}
	for _, a := range sharedWorld.Accounts {
		if q, _ := normalizePhone(a.Phone); q == p {
			st.addWorldAccount(a)
		}
	}
}

// leaseKey takes an idle session of the shared DC whose key lives on DC dc,
// or a new empty session.
func leaseKey(dc int) *session.StorageMemory {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	for i, s := range shared.keys {
		if data, err := load(s); err == nil && data.DC == dc {
			shared.keys = append(shared.keys[:i], shared.keys[i+1:]...)
			return s
		}
	}
	return &session.StorageMemory{}
}

// returnKey forgets all the shared DC knows about the session's key (as if
// it was new) and makes it available to other tests.
func returnKey(s *session.StorageMemory) {
	data, err := load(s)
	if err != nil {
		return
	}
	st := shared.dc.st
	st.mu.Lock()
	delete(st.keys, [8]byte(data.AuthKeyID))
	st.mu.Unlock()

	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.keys = append(shared.keys, s)
}

// keyID is the auth key ID of a session, if any.
func keyID(s *session.StorageMemory) string {
	data, err := load(s)
	if err != nil {
		return ""
	}
	return string(data.AuthKeyID)
}

func load(s *session.StorageMemory) (*session.Data, error) {
	return (&session.Loader{Storage: s}).Load(context.Background())
}

// testLogger logs to stderr when TESTDC_LOG is set (debug level).
func testLogger(name string) log.Logger {
	if os.Getenv("TESTDC_LOG") == "" {
		return nil
	}
	h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	return logslog.New(slog.New(h).With("who", name))
}

// start runs a DC of the test's own.
func start(t *testing.T, opts Options) *DC {
	t.Helper()
	opts.Logger = testLogger("testdc")
	d, err := Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// fakeClock is a clock for Options.Now that tests move forward.
type fakeClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the real time plus the advances: gotd's QR login compares token
// expiry dates with the real time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// client is a gotd client of the test DC.
type client struct {
	*telegram.Client
	updates *tg.UpdateDispatcher
}

// clientOptions tune a test client.
type clientOptions struct {
	dc      int                     // initial DC, default 2
	storage telegram.SessionStorage // default: in memory (a reused key on the shared DC)
}

// run connects a real gotd client, configured by Config.ClientOptions, to d
// and runs f with it; the client is disconnected when f returns. On the
// shared DC the client gets an unused auth key of a previous test, if any.
func run(t *testing.T, d *DC, o clientOptions, f func(ctx context.Context, c client)) {
	t.Helper()
	opts, err := d.Config().ClientOptions()
	require.NoError(t, err)
	if o.dc != 0 {
		opts.DC = o.dc
	}
	if o.storage == nil {
		if d == shared.dc {
			s := leaseKey(opts.DC)
			o.storage = s
			// A migration replaces the stored key: keep both.
			before := s.Clone()
			defer func() {
				returnKey(s)
				if keyID(before) != keyID(s) {
					returnKey(before)
				}
			}()
		} else {
			o.storage = &session.StorageMemory{}
		}
	}
	opts.SessionStorage = o.storage
	// A migration makes a key exchange with the target DC; on a loaded machine under
	// -race that can take longer than gotd's default 15 s.
	opts.MigrationTimeout = time.Minute
	opts.Logger = testLogger("client")
	updates := tg.NewUpdateDispatcher()
	opts.UpdateHandler = updates
	c := client{Client: telegram.NewClient(1, "test-hash", opts), updates: &updates}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	require.NoError(t, c.Run(ctx, func(ctx context.Context) error {
		// f runs on a goroutine of the client: a failed require ends it
		// with runtime.Goexit, which must stop the client too.
		returned := false
		defer func() {
			if !returned {
				cancel()
			}
		}()
		f(ctx, c)
		returned = true
		return nil
	}))
}
