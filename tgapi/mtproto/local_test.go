package mtproto

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// wantLocal checks that err is a local failure (ErrLocal) of method (or of Connect when
// method is empty) that keeps cause, if any, in its chain.
func wantLocal(t *testing.T, err error, method string, cause error) {
	t.Helper()
	var apiErr *tgapi.Error
	prefix := "mtproto: connect: "
	if method != "" {
		prefix = "mtproto: " + method + ": "
	}
	switch {
	case !errors.Is(err, ErrLocal):
		t.Fatalf("got %v, want an ErrLocal", err)
	case cause != nil && !errors.Is(err, cause):
		t.Fatalf("got %v, want %v in the chain", err, cause)
	case errors.As(err, &apiErr):
		t.Fatalf("local failure %v is a *tgapi.Error", err)
	case !strings.HasPrefix(err.Error(), prefix):
		t.Fatalf("error %q, want prefix %q", err, prefix)
	}
	t.Logf("%v", err)
}

// TestLocalOptions: Options that cannot work fail Connect and every call with ErrLocal,
// without starting a client.
func TestLocalOptions(t *testing.T) {
	app := Options{AppID: testAppID, AppHash: testAppHash}
	with := func(f func(*Options)) Options {
		o := app
		f(&o)
		return o
	}
	local := dcs.List{Options: []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1", Port: 1}}}
	tests := []struct {
		name string
		opts Options
	}{
		{"no credentials", Options{DCList: local}},
		{"test DCs and a DC list", with(func(o *Options) { o.TestDCs, o.DCList = true, local })},
		{"no address for the DC", with(func(o *Options) { o.DCList, o.DC = local, 4 })},
		{"no such production DC", with(func(o *Options) { o.DC = 9 })},
		{"not an IP", with(func(o *Options) {
			o.DCList = dcs.List{Options: []tg.DCOption{{ID: 2, IPAddress: "dc2.example", Port: 443}}}
		})},
		{"no port", with(func(o *Options) {
			o.DCList = dcs.List{Options: []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1"}}}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConnector(t, tt.opts)
			_, err := c.Connect(t.Context(), "login-options", &memSessions{})
			wantLocal(t, err, "", nil)
			a := &api{c: c, loginID: "login-options", sessions: &memSessions{}}
			_, err = a.Invoke(t.Context(), tgapi.GetSelf{})
			wantLocal(t, err, "users.getUsers", nil)
			if c.isRunning("login-options") {
				t.Error("a client was started")
			}
		})
	}

	for name, opts := range map[string]Options{"production": app, "test DCs": with(func(o *Options) { o.TestDCs = true })} {
		if c := NewConnector(opts); c.optsErr != nil {
			t.Errorf("%s: %v", name, c.optsErr)
		}
	}
	got := NewConnector(with(func(o *Options) { o.TestDCs = true })).clientOptions(&conn{loginID: "login"}, sessionStorage{}).DCList
	if !reflect.DeepEqual(got, dcs.Test()) || !got.Test {
		t.Errorf("TestDCs: gotd gets DC list %+v, want dcs.Test()", got)
	}
}

// TestSessionLoadFails: a storage that cannot load the session (a wrong key, a corrupt
// envelope) fails Connect and the call with ErrLocal and the storage's error: gotd loads
// the session in the client's Run, before it dials, and Run's error keeps the chain.
func TestSessionLoadFails(t *testing.T) {
	t.Parallel()
	c := newConnector(t, Options{AppID: testAppID, AppHash: testAppHash, DCList: dcs.List{
		Options: []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1", Port: 1}}, // never dialed
	}})
	boom := errors.New("sealed: open session: wrong key")
	sessions := &memSessions{loadErr: boom}

	_, err := c.Connect(testCtx(t), "login-load-fails", sessions)
	wantLocal(t, err, "", boom)

	// The API of a login whose stored session became unreadable while it was idle.
	a := &api{c: c, loginID: "login-load-fails", sessions: sessions}
	_, err = call[tgapi.User](testCtx(t), a, tgapi.GetSelf{})
	wantLocal(t, err, "users.getUsers", boom)
}

// TestSessionStoreFails: a storage that cannot store the session of a new auth key fails
// Connect (first key) or the call (the key of a DC migration) with ErrLocal and the
// storage's error. gotd only logs that failure; the adapter keeps it for the caller.
func TestSessionStoreFails(t *testing.T) {
	t.Parallel()
	_, opts := sharedDC(t)
	c := newConnector(t, opts)
	boom := errors.New("database is locked")

	_, err := c.Connect(testCtx(t), "login-store-fails", &memSessions{storeErr: boom})
	wantLocal(t, err, "", boom)

	sessions := &memSessions{}
	a := connect(t, c, "login-store-fails-migrate", sessions)
	sessions.fail(nil, boom)
	_, err = call[tgapi.SendCodeResult](testCtx(t), a, tgapi.SendCode{Phone: "9996631011"}) // on DC 3
	wantLocal(t, err, "auth.sendCode", boom)
	if dc := sessions.decoded(t).DC; dc != 2 {
		t.Errorf("stored session on DC %d, want 2", dc)
	}
}
