package mtproto

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// The app credentials the tests use (the test DC accepts any).
const (
	testAppID   = 94575
	testAppHash = "a3406de8d171bb422bb6ddf3bbd800e2"
)

// The accounts of the shared test DC, beyond the implicit 99966XYYYY ones. Every test
// uses its own phones, so tests run in parallel on one DC.
const (
	phoneUnregistered = "9996620001"
	phoneSMSThenCall  = "9996620002"
	phoneSetupEmail   = "9996620003"
	phoneFlood        = "9996620004"
	phone2FA          = "9996620005"
	phone2FALogout    = "9996620006"
	phone2FAOnDC3     = "9996630007"
	phone2FARecovery  = "9996620008"
	password2FA       = "correct horse"
)

// world holds the accounts whose state the tests do not change for good, so that the
// tests also pass with -count=N on the shared DC. A test that registers, sets up an
// e-mail, removes a password or depends on the clock starts a DC of its own (oneAccount).
var world = testdc.World{Accounts: []testdc.Account{
	{Phone: phoneSMSThenCall, CodeType: "sms", NextType: "call", Timeout: 60},
	{Phone: phone2FA, Password: password2FA, Hint: "battery staple", RecoveryEmail: "ada@example.com"},
	{Phone: phone2FALogout, Password: password2FA},
	{Phone: phone2FAOnDC3, Password: password2FA},
}}

// oneAccount starts a test DC of its own whose world is acc.
func oneAccount(t *testing.T, acc testdc.Account) (*testdc.DC, Options) {
	t.Helper()
	return startDC(t, testdc.Options{World: testdc.World{Accounts: []testdc.Account{acc}}})
}

// heavy limits how many tests talk to a test DC at once. Every new auth key costs a
// Diffie-Hellman exchange whose prime checks take seconds under -race; with all tests at
// once on a small machine, a DC migration would outlast gotd's 15 s migration timeout.
var heavy = make(chan struct{}, 2)

// limit takes a slot of heavy until the test ends.
func limit(t *testing.T) {
	t.Helper()
	select {
	case heavy <- struct{}{}:
	case <-t.Context().Done():
		t.Fatal("test ended while waiting for a slot")
	}
	t.Cleanup(func() { <-heavy })
}

// shared is the test DC most tests share (starting one costs an RSA key); tests that
// count calls start their own.
var shared struct {
	once sync.Once
	dc   *testdc.DC
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dc != nil {
		_ = shared.dc.Close()
	}
	os.Exit(code)
}

// sharedDC returns the shared test DC (with world) and Options that reach it.
func sharedDC(t *testing.T) (*testdc.DC, Options) {
	t.Helper()
	limit(t)
	shared.once.Do(func() {
		shared.dc, shared.err = testdc.Start(context.Background(), testdc.Options{World: world})
	})
	if shared.err != nil {
		t.Fatalf("start test DC: %v", shared.err)
	}
	return shared.dc, optionsFor(t, shared.dc)
}

// optionsFor returns the Options that reach d: the same Options production uses, with
// the test DC's addresses, keys and resolver.
func optionsFor(t *testing.T, d *testdc.DC) Options {
	t.Helper()
	cfg := d.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		t.Fatalf("test DC keys: %v", err)
	}
	return Options{
		AppID:      testAppID,
		AppHash:    testAppHash,
		DCList:     cfg.DCList(),
		PublicKeys: keys,
		Resolver:   cfg.Resolver(),
		// A new auth key takes seconds under -race on a busy machine; gotd's 15 s
		// default for a DC migration is too tight there.
		MigrationTimeout: 2 * time.Minute,
	}
}

// startDC runs a test DC for the test and returns it with Options that reach it: the
// same Options production uses, with the test DC's addresses, keys and resolver.
func startDC(t *testing.T, opts testdc.Options) (*testdc.DC, Options) {
	t.Helper()
	limit(t)
	d, err := testdc.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("start test DC: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, optionsFor(t, d)
}

// newConnector returns a Connector closed when the test ends.
func newConnector(t *testing.T, opts Options) *Connector {
	t.Helper()
	c := NewConnector(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// connect connects loginID over sessions, failing the test on error.
func connect(t *testing.T, c *Connector, loginID string, sessions tgapi.SessionStorage) tgapi.API {
	t.Helper()
	a, err := c.Connect(testCtx(t), loginID, sessions)
	if err != nil {
		t.Fatalf("connect %s: %v", loginID, err)
	}
	return a
}

// testCtx bounds one step of a test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// call makes req's call on a and checks what Invoke answered: no result with an error,
// else a value of the result type the call table names for req, which must be R (any
// mismatch is the error returned).
func call[R any](ctx context.Context, a tgapi.API, req tgapi.Request) (R, error) {
	var zero R
	res, err := a.Invoke(ctx, req)
	if err != nil {
		if res != nil {
			return zero, fmt.Errorf("%s failed with a result %T: %w", req.Method(), res, err)
		}
		return zero, err
	}
	if err := tgapi.CheckResult(req, res); err != nil {
		return zero, err
	}
	if res == nil {
		return zero, nil
	}
	r, ok := res.(R)
	if !ok {
		return zero, fmt.Errorf("%s answered %T, the test wants %T", req.Method(), res, zero)
	}
	return r, nil
}

// sendCode calls auth.sendCode and wants a sent code.
func sendCode(t *testing.T, a tgapi.API, phone string) *tgapi.SentCode {
	t.Helper()
	res, err := call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: phone})
	if err != nil {
		t.Fatalf("SendCode(%s): %v", phone, err)
	}
	if res.Code == nil {
		t.Fatalf("SendCode(%s): no code sent: %+v", phone, res)
	}
	return res.Code
}

// wantRPCError checks that err is the *tgapi.Error of the given code and type.
func wantRPCError(t *testing.T, err error, code int, typ string) *tgapi.Error {
	t.Helper()
	var e *tgapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want *tgapi.Error %d %s", err, err, code, typ)
	}
	if e.Code != code || e.Type != typ {
		t.Fatalf("got %d %s, want %d %s", e.Code, e.Message(), code, typ)
	}
	return e
}

// loginURL is the tg://login URL of a QR login token.
func loginURL(token []byte) string {
	return "tg://login?token=" + base64.URLEncoding.EncodeToString(token)
}

func ptr[T any](v T) *T { return &v }
