package mtproto

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

func TestLogOut(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-logout", &memSessions{})
	signInTo2FA(t, a, phone2FALogout, "22222")
	if _, err := call[tgapi.User](testCtx(t), a, tgapi.CheckPassword{Password: password2FA}); err != nil {
		t.Fatalf("CheckPassword: %v", err)
	}

	out, err := call[tgapi.LoggedOut](testCtx(t), a, tgapi.LogOut{})
	if err != nil || len(out.FutureAuthToken) == 0 {
		t.Fatalf("LogOut = %+v, %v; want a future auth token", out, err)
	}
	_, err = call[tgapi.User](testCtx(t), a, tgapi.GetSelf{})
	wantRPCError(t, err, 401, "AUTH_KEY_UNREGISTERED")

	// The future auth token of a 2FA account skips the code.
	_, err = call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: phone2FALogout, LogoutTokens: [][]byte{out.FutureAuthToken}})
	wantRPCError(t, err, 401, "SESSION_PASSWORD_NEEDED")
}

// TestSessionPersists: a second Connector over the same storage (a process restart)
// continues on the same DC and auth key, so a phone_code_hash from the first still works.
func TestSessionPersists(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	sessions := &memSessions{}
	first := NewConnector(opts)
	a := connect(t, first, "login-restart", sessions)
	code := sendCode(t, a, "9996631003") // moves the session to DC 3
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := call[tgapi.User](testCtx(t), a, tgapi.GetSelf{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close = %v, want ErrClosed", err)
	}
	key := sessions.decoded(t).AuthKeyID

	second := newConnector(t, opts)
	b := connect(t, second, "login-restart", sessions)
	if b.DC() != 3 {
		t.Fatalf("restarted login on DC %d, want 3", b.DC())
	}
	auth, err := call[tgapi.Authorization](testCtx(t), b, tgapi.SignIn{
		Phone: "9996631003", PhoneCodeHash: code.PhoneCodeHash, Code: "33333",
	})
	if err != nil || auth.User == nil || auth.User.Phone != "9996631003" {
		t.Fatalf("SignIn after restart = %+v, %v", auth, err)
	}
	if got := sessions.decoded(t).AuthKeyID; !bytes.Equal(got, key) {
		t.Errorf("auth key changed over the restart: %x -> %x", key, got)
	}
}

// TestIdleClose: the client closes after IdleTimeout without calls; the API reconnects on
// its next call, on the same session. A call in flight keeps the client open.
func TestIdleClose(t *testing.T) {
	t.Parallel()
	d, opts := startDC(t, testdcOptions())
	opts.IdleTimeout = 300 * time.Millisecond
	c := newConnector(t, opts)
	sessions := &memSessions{}
	a := connect(t, c, "login-idle", sessions)
	code := sendCode(t, a, "9996621004")

	waitFor(t, "idle client to close", func() bool { return !c.isRunning("login-idle") })
	if a.DC() != 2 {
		t.Errorf("DC() of an idle login = %d, want 2", a.DC())
	}

	// A call that takes longer than IdleTimeout: the client must stay open under it.
	release := d.Hold("auth.signIn")
	type result struct {
		auth tgapi.Authorization
		err  error
	}
	done := make(chan result, 1)
	go func() {
		auth, err := call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
			Phone: "9996621004", PhoneCodeHash: code.PhoneCodeHash, Code: "22222",
		})
		done <- result{auth, err}
	}()
	waitFor(t, "auth.signIn to arrive", func() bool { return d.Calls("auth.signIn") == 1 })
	time.Sleep(3 * opts.IdleTimeout)
	if !c.isRunning("login-idle") {
		t.Fatal("client closed while a call was in flight")
	}
	release()
	r := <-done
	if r.err != nil || r.auth.User == nil {
		t.Fatalf("SignIn after reconnect = %+v, %v", r.auth, r.err)
	}
	waitFor(t, "idle client to close again", func() bool { return !c.isRunning("login-idle") })
}

func TestConnectorClose(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	c := NewConnector(opts)
	a := connect(t, c, "login-close", &memSessions{})
	if !c.isRunning("login-close") {
		t.Fatal("client not running after Connect")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if c.isRunning("login-close") {
		t.Fatal("client running after Close")
	}
	if _, err := call[tgapi.LoginToken](testCtx(t), a, tgapi.ExportLoginToken{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close = %v, want ErrClosed", err)
	}
	if _, err := c.Connect(testCtx(t), "other", &memSessions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Connect after Close = %v, want ErrClosed", err)
	}
}

// TestManyLogins: logins run side by side, each on its own auth key.
func TestManyLogins(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	c := newConnector(t, opts)
	const n = 4
	sessions := make([]*memSessions, n)
	errs := make(chan error, n)
	for i := range n {
		sessions[i] = &memSessions{}
		go func() {
			a, err := c.Connect(testCtx(t), "many-"+string(rune('a'+i)), sessions[i])
			if err != nil {
				errs <- err
				return
			}
			phone := "999662200" + string(rune('0'+i))
			res, err := call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: phone})
			if err != nil {
				errs <- err
				return
			}
			_, err = call[tgapi.Authorization](testCtx(t), a, tgapi.SignIn{
				Phone: phone, PhoneCodeHash: res.Code.PhoneCodeHash, Code: "22222",
			})
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	keys := map[string]bool{}
	for _, s := range sessions {
		keys[string(s.decoded(t).AuthKeyID)] = true
	}
	if len(keys) != n {
		t.Fatalf("%d logins share %d auth keys", n, len(keys))
	}
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isRunning reports whether the login has a client in c's pool.
func (c *Connector) isRunning(loginID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.conns[loginID]
	return ok
}

// testdcOptions are the options of a test DC of its own: no world accounts.
func testdcOptions() testdc.Options { return testdc.Options{} }

// TestTransportErrors: failures that are not Telegram's answer stay plain errors, wrapped
// with the method, and keep their cause.
func TestTransportErrors(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	a := connect(t, newConnector(t, opts), "login-transport", &memSessions{})
	ctx, cancel := context.WithCancel(testCtx(t))
	cancel()
	_, err := call[tgapi.SendCodeResult](ctx, a, tgapi.SendCode{Phone: "9996621005"})
	var apiErr *tgapi.Error
	if errors.As(err, &apiErr) || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "mtproto: auth.sendCode: ") {
		t.Fatalf("cancelled call = %v", err)
	}
}

// TestConnectUnreachable: Connect gives up with its context when no DC answers, and the
// client it started is closed after IdleTimeout.
func TestConnectUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	_ = l.Close() // nobody listens there now
	c := newConnector(t, Options{
		AppID: testAppID, AppHash: testAppHash,
		DCList: dcs.List{Options: []tg.DCOption{
			{ID: 2, IPAddress: addr.IP.String(), Port: addr.Port, Static: true},
		}},
		IdleTimeout: 100 * time.Millisecond,
	})
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err = c.Connect(ctx, "login-unreachable", &memSessions{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Connect = %v, want context.DeadlineExceeded", err)
	}
	waitFor(t, "idle client to close", func() bool { return !c.isRunning("login-unreachable") })
}

// TestConnectWrongKeys: a DC whose RSA key the client does not know is a permanent
// failure, reported by Connect.
func TestConnectWrongKeys(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	opts.PublicKeys = []telegram.PublicKey{{RSA: &key.PublicKey}}
	c := newConnector(t, opts)
	_, err = c.Connect(testCtx(t), "login-wrong-keys", &memSessions{})
	if err == nil || !strings.HasPrefix(err.Error(), "mtproto: connect: ") {
		t.Fatalf("Connect with wrong keys = %v", err)
	}
	t.Logf("Connect: %v", err)
}
