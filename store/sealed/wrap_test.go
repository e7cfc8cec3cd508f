package sealed_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/store/storetest"
)

// The wrapped store is still a conforming store.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) machine.Store {
		return sealed.Wrap(memory.New(), mustNew(t, testKey(9)))
	})
}

// TestTwoEngines: engines drive logins through the wrapper as through any store (they
// rely on Create and Update setting the caller's Version).
func TestTwoEngines(t *testing.T) {
	s := sealed.Wrap(memory.New(), mustNew(t, testKey(9)))
	storetest.TwoEngines(t, s, s, storetest.EnginesConfig{Logins: 200})
}

// The secrets of the login tests, each recognisable in any store's bytes.
var (
	hash   = "PHONE-CODE-HASH-SECRET"
	qr     = []byte("QR-LOGIN-TOKEN-SECRET")
	logout = []byte("LOGOUT-TOKEN-SECRET")
)

// secretLogin returns a login holding hash and qr.
func secretLogin(id string) *machine.Login {
	return &machine.Login{ID: id, State: states.QRWaiting, Phone: "+1000", PhoneCodeHash: hash,
		QRToken: bytes.Clone(qr), TimerAt: time.Unix(1, 0), TimerEvent: "qr_expired"}
}

// checkSecrets fails the test unless l holds hash and qr.
func checkSecrets(t *testing.T, what string, l *machine.Login) {
	t.Helper()
	if l.PhoneCodeHash != hash || !bytes.Equal(l.QRToken, qr) {
		t.Errorf("%s: phone_code_hash %q, QR token %q; want %q, %q", what, l.PhoneCodeHash, l.QRToken, hash, qr)
	}
}

// TestWrapSealsLoginSecrets: the inner store holds neither secret of a login, nor a logout
// token; the wrapper hands them back from every query; the caller's login is left as it
// was, but for its Version.
func TestWrapSealsLoginSecrets(t *testing.T) {
	ctx := t.Context()
	inner := memory.New()
	outer := sealed.Wrap(inner, mustNew(t, testKey(15)))
	l := secretLogin("a")
	if err := outer.Create(ctx, l); err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, "the login given to Create", l)
	if l.Version != 1 {
		t.Errorf("after Create, Version = %d, want 1", l.Version)
	}
	l.State = states.ExportingQR
	if err := outer.Update(ctx, l); err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, "the login given to Update", l)
	if l.Version != 2 {
		t.Errorf("after Update, Version = %d, want 2", l.Version)
	}
	if err := outer.AddLogoutToken(ctx, "+1000", logout, machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}

	held, err := inner.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(held.PhoneCodeHash, hash) || bytes.Contains(held.QRToken, qr) {
		t.Errorf("the inner store holds a secret of the login: phone_code_hash %q, QR token %q", held.PhoneCodeHash, held.QRToken)
	}
	heldTokens, err := inner.LogoutTokens(ctx, "+1000")
	if err != nil || len(heldTokens) != 1 || bytes.Contains(heldTokens[0], logout) {
		t.Errorf("the inner store's logout tokens = %q, %v; want one, sealed", heldTokens, err)
	}

	got, err := outer.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, "Get", got)
	if got.Version != 2 || got.State != states.ExportingQR {
		t.Errorf("Get = version %d state %s, want 2 ExportingQR", got.Version, got.State)
	}
	for name, query := range map[string]func() ([]*machine.Login, error){
		"List":  func() ([]*machine.Login, error) { return outer.List(ctx, machine.ListOptions{}) },
		"Due":   func() ([]*machine.Login, error) { return outer.Due(ctx, time.Unix(2, 0), 0) },
		"Stale": func() ([]*machine.Login, error) { return outer.Stale(ctx, time.Unix(2, 0), 0) },
	} {
		ls, err := query()
		if err != nil || len(ls) != 1 {
			t.Errorf("%s = %v, %v; want the login", name, ls, err)
			continue
		}
		checkSecrets(t, name, ls[0])
	}
	tokens, err := outer.LogoutTokens(ctx, "+1000")
	if err != nil || len(tokens) != 1 || !bytes.Equal(tokens[0], logout) {
		t.Errorf("LogoutTokens = %q, %v; want %q", tokens, err, logout)
	}
}

// TestWrapReadsSecretsStoredBefore: secrets an inner store got before the wrapper sealed
// them are returned as they are, and sealed at the login's next Update.
func TestWrapReadsSecretsStoredBefore(t *testing.T) {
	ctx := t.Context()
	inner := memory.New()
	if err := inner.Create(ctx, secretLogin("old")); err != nil {
		t.Fatal(err)
	}
	if err := inner.AddLogoutToken(ctx, "+1000", logout, machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}
	outer := sealed.Wrap(inner, mustNew(t, testKey(16)))
	l, err := outer.Get(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	checkSecrets(t, "Get of a login stored unsealed", l)
	if tokens, err := outer.LogoutTokens(ctx, "+1000"); err != nil || len(tokens) != 1 || !bytes.Equal(tokens[0], logout) {
		t.Errorf("LogoutTokens of a token stored unsealed = %q, %v", tokens, err)
	}
	if err := outer.Update(ctx, l); err != nil {
		t.Fatal(err)
	}
	if held, _ := inner.Get(ctx, "old"); held.PhoneCodeHash == hash || bytes.Equal(held.QRToken, qr) {
		t.Errorf("an Update through the wrapper left the secrets unsealed")
	}
}

// TestWrapRefusesBadSecrets: a secret sealed under another key, damaged, or moved to
// another login or phone fails every query that returns it, with an error that names it.
func TestWrapRefusesBadSecrets(t *testing.T) {
	ctx := t.Context()
	inner := memory.New()
	outer := sealed.Wrap(inner, mustNew(t, testKey(17)))
	for _, id := range []string{"a", "b"} {
		if err := outer.Create(ctx, secretLogin(id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.AddLogoutToken(ctx, "+1000", logout, machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}
	check := func(what string, err, want error, names string) {
		t.Helper()
		if !errors.Is(err, want) || !strings.Contains(err.Error(), names) {
			t.Errorf("%s: err = %v; want %v, naming %q", what, err, want, names)
		}
	}
	other := sealed.Wrap(inner, mustNew(t, testKey(18)))
	_, err := other.Get(ctx, "a")
	check("Get under another key", err, sealed.ErrWrongKey, "phone_code_hash of login a")
	_, err = other.List(ctx, machine.ListOptions{})
	check("List under another key", err, sealed.ErrWrongKey, "phone_code_hash of login a")
	_, err = other.Due(ctx, time.Unix(2, 0), 0)
	check("Due under another key", err, sealed.ErrWrongKey, "of login a")
	_, err = other.LogoutTokens(ctx, "+1000")
	check("LogoutTokens under another key", err, sealed.ErrWrongKey, "logout token 1 of 1")

	// Damage what the inner store holds: a's phone_code_hash, b's QR token.
	a, _ := inner.Get(ctx, "a")
	a.PhoneCodeHash = a.PhoneCodeHash[:len(a.PhoneCodeHash)-4] + "AAAA"
	b, _ := inner.Get(ctx, "b")
	b.QRToken[len(b.QRToken)-1] ^= 1
	for _, l := range []*machine.Login{a, b} {
		if err := inner.Update(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	_, err = outer.Get(ctx, "a")
	check("Get of a damaged phone_code_hash", err, sealed.ErrCorrupt, "phone_code_hash of login a")
	_, err = outer.Get(ctx, "b")
	check("Get of a damaged QR token", err, sealed.ErrCorrupt, "qr_token of login b")
	_, err = outer.Stale(ctx, time.Unix(2, 0), 0)
	if err != nil {
		t.Errorf("Stale, which returns neither login: %v", err)
	}
	a.PhoneCodeHash = "sealed:not base64!"
	if err := inner.Update(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err = outer.Get(ctx, "a")
	check("Get of a phone_code_hash that is not base64", err, sealed.ErrCorrupt, "phone_code_hash of login a")

	// A secret moved to another login, or a token to another phone, does not open.
	c := secretLogin("c")
	if err := outer.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	d, _ := inner.Get(ctx, "c")
	d.ID = "d"
	if err := inner.Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	_, err = outer.Get(ctx, "d")
	check("Get of secrets moved to another login", err, sealed.ErrCorrupt, "of login d")
	tokens, _ := inner.LogoutTokens(ctx, "+1000")
	if err := inner.AddLogoutToken(ctx, "+2000", tokens[0], machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}
	_, err = outer.LogoutTokens(ctx, "+2000")
	check("LogoutTokens of a token moved to another phone", err, sealed.ErrCorrupt, "logout token 1 of 1")
}

// wrapped creates logins a and b in a new memory store and returns it with its wrapper.
func wrapped(t *testing.T, key []byte) (inner *memory.Store, outer machine.Store) {
	t.Helper()
	inner = memory.New()
	for _, id := range []string{"a", "b"} {
		if err := inner.Create(t.Context(), &machine.Login{ID: id, State: states.New}); err != nil {
			t.Fatal(err)
		}
	}
	return inner, sealed.Wrap(inner, mustNew(t, key))
}

func TestWrapSealsWhatTheInnerStoreHolds(t *testing.T) {
	inner, outer := wrapped(t, testKey(10))
	if err := outer.StoreSession(t.Context(), "a", plaintext); err != nil {
		t.Fatal(err)
	}
	held, err := inner.LoadSession(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(held, plaintext) || bytes.Contains(held, plaintext[:16]) {
		t.Errorf("the inner store holds the plaintext: %q", held)
	}
	got, err := outer.LoadSession(t.Context(), "a")
	if err != nil || !bytes.Equal(got, plaintext) {
		t.Errorf("LoadSession through the wrapper = %q, %v", got, err)
	}
}

// TestWrapBindsSessionToLogin: a sealed session copied to another login does not open.
func TestWrapBindsSessionToLogin(t *testing.T) {
	inner, outer := wrapped(t, testKey(11))
	if err := outer.StoreSession(t.Context(), "a", plaintext); err != nil {
		t.Fatal(err)
	}
	held, _ := inner.LoadSession(t.Context(), "a")
	if err := inner.StoreSession(t.Context(), "b", held); err != nil {
		t.Fatal(err)
	}
	if got, err := outer.LoadSession(t.Context(), "b"); !errors.Is(err, sealed.ErrCorrupt) || got != nil {
		t.Errorf("a session moved to another login: LoadSession = %q, %v; want ErrCorrupt", got, err)
	}
}

func TestWrapWrongKey(t *testing.T) {
	inner, outer := wrapped(t, testKey(12))
	if err := outer.StoreSession(t.Context(), "a", plaintext); err != nil {
		t.Fatal(err)
	}
	other := sealed.Wrap(inner, mustNew(t, testKey(13)))
	if _, err := other.LoadSession(t.Context(), "a"); !errors.Is(err, sealed.ErrWrongKey) {
		t.Errorf("LoadSession under another key: err = %v, want ErrWrongKey", err)
	}
}

// TestWrapOnDisk: no secret reaches the SQLite file, its WAL included: neither the
// session, the phone_code_hash, the QR token (in the clear or in base64, as the login
// document would hold it) nor the logout token. Read through the wrapper, they come back.
func TestWrapOnDisk(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "tgauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	outer := sealed.Wrap(db, mustNew(t, testKey(14)))
	if err := outer.Create(ctx, secretLogin("a")); err != nil {
		t.Fatal(err)
	}
	if err := outer.StoreSession(ctx, "a", plaintext); err != nil {
		t.Fatal(err)
	}
	if err := outer.AddLogoutToken(ctx, "+1000", logout, machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"the session":            plaintext[:16],
		"the phone_code_hash":    []byte(hash),
		"the QR token":           qr,
		"the QR token in base64": []byte(base64.StdEncoding.EncodeToString(qr)[:20]),
		"the logout token":       logout,
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tgauth.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	found := func() map[string]bool {
		out := map[string]bool{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for what, secret := range secrets {
				out[what] = out[what] || bytes.Contains(data, secret)
			}
		}
		return out
	}
	for what, in := range found() {
		if in {
			t.Errorf("the database files hold %s in the clear", what)
		}
	}
	if got, err := outer.LoadSession(ctx, "a"); err != nil || !bytes.Equal(got, plaintext) {
		t.Errorf("LoadSession = %q, %v", got, err)
	}
	if got, err := outer.Get(ctx, "a"); err != nil {
		t.Errorf("Get: %v", err)
	} else {
		checkSecrets(t, "Get", got)
	}
	if got, err := outer.LogoutTokens(ctx, "+1000"); err != nil || len(got) != 1 || !bytes.Equal(got[0], logout) {
		t.Errorf("LogoutTokens = %q, %v", got, err)
	}

	// The control: without the wrapper every secret does reach the files.
	l, err := db.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	l.PhoneCodeHash, l.QRToken = hash, qr
	if err := db.Update(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := db.StoreSession(ctx, "a", plaintext); err != nil {
		t.Fatal(err)
	}
	if err := db.AddLogoutToken(ctx, "+1000", logout, machine.MaxLogoutTokens); err != nil {
		t.Fatal(err)
	}
	for what, in := range found() {
		if !in && what != "the QR token" { // the document holds it in base64
			t.Errorf("control failed: %s written unsealed is not visible in the files, so the check above proves nothing", what)
		}
	}
}

// feedStore is a memory store that is a machine.ChangeFeed, as store/postgres is.
type feedStore struct {
	*memory.Store
	ids chan string
}

func (f feedStore) Changed(_ context.Context, id string, poke func()) {
	f.ids <- id
	poke()
}

// The wrapper of a change feed is a change feed that reaches the wrapped one; the wrapper
// of any other store is none.
func TestWrapPassesTheChangeFeedOn(t *testing.T) {
	inner := feedStore{Store: memory.New(), ids: make(chan string, 1)}
	feed, ok := sealed.Wrap(inner, mustNew(t, testKey(9))).(machine.ChangeFeed)
	if !ok {
		t.Fatal("the wrapper of a ChangeFeed is not one: watchers would only poll")
	}
	poked := false
	feed.Changed(context.Background(), "L", func() { poked = true })
	if id := <-inner.ids; id != "L" || !poked {
		t.Fatalf("Changed reached the wrapped feed with %q, poked %v", id, poked)
	}
	if _, ok := sealed.Wrap(memory.New(), mustNew(t, testKey(9))).(machine.ChangeFeed); ok {
		t.Fatal("the wrapper of a store without a change feed claims one")
	}
}
