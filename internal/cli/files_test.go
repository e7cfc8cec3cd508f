package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/sqlite"
)

// A trace is created readable by its owner only, also over a file that was there.
func TestTraceFileIsOwnerOnly(t *testing.T) {
	t.Parallel()
	_, telegram := startTestDC(t)
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	if err := os.WriteFile(trace, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := tgauth("start", "--phone", "+1234567", telegram, "--store", "memory:", "--trace", trace)
	if r.code != 1 || !strings.Contains(r.stderr, "PHONE_NUMBER_INVALID") {
		t.Fatalf("start: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fi, err := os.Stat(trace)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() <= int64(len("old")) {
		t.Fatalf("trace: mode %04o, %d bytes; want 0600 and a trace", fi.Mode().Perm(), fi.Size())
	}
}

// A database holding sealed sessions whose key file is gone is an error naming the key
// file, for commands that read sessions and for those that write them; no key is made.
func TestMissingKeyFileIsAnErrorNotANewKey(t *testing.T) {
	t.Parallel()
	_, telegram := startTestDC(t)
	store, path := sqliteStore(t)
	keyFile := path + ".key"
	sealSession(t, path, keyFile, "login-1")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", "login-1", "--format", "gotd", store},
		{"status", "login-1", telegram, store},
		{"code", "login-1", "22222", telegram, store},
	} {
		r := tgauth(args...)
		if r.code != 1 || !strings.Contains(r.stderr, keyFile) {
			t.Errorf("%s: exit %d, want 1 and an error naming %s\n%s%s", args[0], r.code, keyFile, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatalf("a new key file %s was made", keyFile)
	}
}

// sealSession stores a login with a session sealed under a new key file.
func sealSession(t *testing.T, path, keyFile, id string) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, err := sealed.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := sealed.New(key)
	if err != nil {
		t.Fatal(err)
	}
	st := sealed.Wrap(s, sealer)
	if err := st.Create(ctx, &machine.Login{ID: id, State: states.CodeSent}); err != nil {
		t.Fatal(err)
	}
	if err := st.StoreSession(ctx, id, []byte("session")); err != nil {
		t.Fatal(err)
	}
}

// An over-long line on stdin is refused, naming the limit, before anything is opened.
func TestOverlongStdinLineIsRefused(t *testing.T) {
	t.Parallel()
	_, telegram := startTestDC(t)
	long := strings.Repeat("x", maxLine+1) + "\n"
	store, path := sqliteStore(t)
	for _, args := range [][]string{
		{"password", "login-1", "-", telegram, store},
		{"login", telegram, "--store", "memory:"},
	} {
		r := runIn(context.Background(), strings.NewReader(long), nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "longer than 4096 bytes") {
			t.Errorf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatalf("password - with an over-long line created %s", path)
	}
}
