package mtproto

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// keyIDOf returns the auth key ID of a session in gotd's format, or "" without one.
func keyIDOf(t *testing.T, data []byte) string {
	t.Helper()
	d, err := (&session.Loader{Storage: bytesStorage(data)}).Load(context.Background())
	if err != nil {
		t.Fatalf("decode session: %v", err)
	}
	return string(d.AuthKeyID)
}

// loginKey returns the auth key ID of the session a login stored in sessions.
func loginKey(t *testing.T, sessions *memSessions) string {
	t.Helper()
	data, err := sessions.LoadSession(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return keyIDOf(t, data)
}

// poolConnector returns a Connector to d whose pool is keys, with n keys of DC 2 made.
func poolConnector(t *testing.T, d *testdc.DC, keys tgapi.KeyPool, n int, tune func(*Options)) *Connector {
	t.Helper()
	opts := optionsFor(t, d)
	opts.Keys = keys
	if tune != nil {
		tune(&opts)
	}
	c := newConnector(t, opts)
	if err := c.MakeKeys(testCtx(t), 2, n); err != nil {
		t.Fatalf("MakeKeys: %v", err)
	}
	return c
}

// peekKey returns the auth key ID of the oldest key of DC dc in pool, putting it back.
func peekKey(t *testing.T, pool tgapi.KeyPool, dc int) string {
	t.Helper()
	k, err := pool.TakeKey(testCtx(t), dc, time.Time{})
	if err != nil {
		t.Fatalf("TakeKey: %v", err)
	}
	if err := pool.PutKey(testCtx(t), k); err != nil {
		t.Fatal(err)
	}
	return keyIDOf(t, k.Session)
}

func count(t *testing.T, pool tgapi.KeyPool) int {
	t.Helper()
	n, err := pool.CountKeys(testCtx(t), 2, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pooled starts a test DC and a Connector to it whose pool (returned) holds one key of
// DC 2, made with tune applied to the options; it returns the key's ID too.
func pooled(t *testing.T, tune func(*Options)) (*testdc.DC, *memory.Store, *Connector, string) {
	t.Helper()
	d, _ := startDC(t, testdc.Options{})
	pool := memory.New()
	c := poolConnector(t, d, pool, 1, tune)
	return d, pool, c, peekKey(t, pool, 2)
}

// makeKey makes one key of dc in c's pool (holding none of dc) and returns its ID.
func makeKey(t *testing.T, c *Connector, pool tgapi.KeyPool, dc int) string {
	t.Helper()
	if err := c.MakeKeys(testCtx(t), dc, 1); err != nil {
		t.Fatal(err)
	}
	return peekKey(t, pool, dc)
}

// codeOn asks a code for phone through a new login on c and returns the login's auth key ID.
func codeOn(t *testing.T, c *Connector, phone string) string {
	t.Helper()
	sessions := &memSessions{}
	sendCode(t, connect(t, c, "login-"+phone, sessions), phone)
	return loginKey(t, sessions)
}

// A login without a session starts on a key of the pool: the key is gone from the pool,
// the login's session holds it, and Telegram answered on it.
func TestLoginTakesKeyFromPool(t *testing.T) {
	t.Parallel()
	_, pool, c, want := pooled(t, nil)
	if got := codeOn(t, c, "9996621234"); got != want {
		t.Fatalf("the login's auth key is %x, want the pool's %x", got, want)
	}
	if n := count(t, pool); n != 0 {
		t.Fatalf("%d keys left in the pool, want 0", n)
	}
}

// A key of the pool that Telegram no longer knows (it lost its keys: transport error
// -404) is replaced by a fresh exchange, and the login goes on.
func TestLostPoolKeyFallsBackToExchange(t *testing.T) {
	t.Parallel()
	d, _, c, stale := pooled(t, nil)
	d.Restart()
	if codeOn(t, c, "9996621235") == stale {
		t.Fatal("the login's session still holds the key Telegram lost")
	}
}

// A key older than KeyMaxAge is dropped, never handed out: the login makes its own.
func TestTooOldPoolKeyDropped(t *testing.T) {
	t.Parallel()
	_, pool, c, old := pooled(t, func(o *Options) { o.KeyMaxAge = time.Nanosecond })
	if codeOn(t, c, "9996621236") == old {
		t.Fatal("the login took a key older than KeyMaxAge")
	}
	if n := count(t, pool); n != 0 {
		t.Fatalf("%d keys left in the pool, want the old one dropped", n)
	}
}

// Fill keeps KeyPoolSize keys per DC, and makes a new one when a login took one.
func TestFillKeepsThePoolFull(t *testing.T) {
	t.Parallel()
	_, opts := startDC(t, testdc.Options{})
	pool := memory.New()
	opts.Keys, opts.KeyPoolSize, opts.KeyPoolDCs = pool, 2, []int{2}
	c := newConnector(t, opts)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.Fill(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	waitCount(t, pool, 2)
	oldest := peekKey(t, pool, 2)
	sessions := &memSessions{}
	a := connect(t, c, "login-fill", sessions)
	sendCode(t, a, "9996621237")
	if loginKey(t, sessions) != oldest {
		t.Fatal("the login did not take the oldest key of the pool")
	}
	waitCount(t, pool, 2)
	if peekKey(t, pool, 2) == oldest {
		t.Fatal("the key the login took is still in the pool")
	}
}

// waitCount waits until the pool holds n keys of DC 2, and no more.
func waitCount(t *testing.T, pool tgapi.KeyPool, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := count(t, pool)
		if got > n {
			t.Fatalf("the pool holds %d keys, more than %d", got, n)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pool holds %d keys after 2 minutes, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A login that Telegram sends to another DC (PHONE_MIGRATE_3) moves to a key of the pool
// made for that DC, instead of making one there, and the call is answered there.
func TestMigrationTakesKeyOfTargetDC(t *testing.T) {
	t.Parallel()
	_, pool, c, _ := pooled(t, nil)
	want := makeKey(t, c, pool, 3)

	sessions := &memSessions{}
	a := connect(t, c, "login-migrates", sessions)
	code := sendCode(t, a, "9996631234")
	if a.DC() != 3 {
		t.Fatalf("the login is on DC %d, want 3", a.DC())
	}
	if got := loginKey(t, sessions); got != want {
		t.Fatalf("the login's key on DC 3 is %x, want the pool's %x", got, want)
	}
	if n, _ := pool.CountKeys(testCtx(t), 3, time.Time{}); n != 0 {
		t.Fatalf("%d keys of DC 3 left in the pool, want 0", n)
	}
	// The code is bound to that key: signing in works on it.
	if _, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{Phone: "9996631234", PhoneCodeHash: code.PhoneCodeHash, Code: "33333"}); err != nil {
		t.Fatalf("sign-in on the pool's key of DC 3: %v", err)
	}
}

// A login that starts while a key of its DC is being made ('tgauth login' makes one while
// the person types the phone) waits for that key rather than making another.
func TestLoginWaitsForKeyBeingMade(t *testing.T) {
	t.Parallel()
	_, opts := startDC(t, testdc.Options{})
	pool := memory.New()
	opts.Keys = pool
	c := newConnector(t, opts)
	made := make(chan error, 1)
	go func() { made <- c.MakeKeys(t.Context(), 0, 1) }()
	for {
		if making, _ := c.pool.pending(DefaultDC); making {
			break
		}
		select {
		case err := <-made:
			t.Fatalf("MakeKeys returned before the test saw it making: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	a := connect(t, c, "login-waits", &memSessions{})
	sendCode(t, a, "9996621238")
	if err := <-made; err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool); n != 0 {
		t.Fatalf("%d keys left in the pool: the login made a key of its own", n)
	}
}

// A QR login accepted by an account of DC 3 imports its token there on a key of the pool
// made for DC 3.
func TestQRImportTakesKeyOfTargetDC(t *testing.T) {
	t.Parallel()
	d, pool, c, _ := pooled(t, nil)
	want := makeKey(t, c, pool, 3)
	sessions := &memSessions{}
	a := connect(t, c, "login-qr-pool", sessions)
	tok := exportToken(t, a)
	if err := testdc.Scan(testCtx(t), d.Config(), "9996631003", "", loginURL(tok.Token)); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	mig, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{})
	if err != nil || mig.MigrateDC != 3 {
		t.Fatalf("ExportLoginToken after scan = %+v, %v; want migrate to DC 3", mig, err)
	}
	res, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ImportLoginToken{DC: mig.MigrateDC, Token: mig.Token})
	if err != nil || res.Authorized == nil || res.Authorized.Phone != "9996631003" {
		t.Fatalf("ImportLoginToken = %+v, %v", res, err)
	}
	if got := loginKey(t, sessions); got != want {
		t.Fatalf("the login's key on DC 3 is %x, want the pool's %x", got, want)
	}
}
