package sealed_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

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

// TestWrapOnDisk: nothing of the session reaches the SQLite file, its WAL included.
func TestWrapOnDisk(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "tgauth.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Create(t.Context(), &machine.Login{ID: "a", State: states.New}); err != nil {
		t.Fatal(err)
	}
	outer := sealed.Wrap(db, mustNew(t, testKey(14)))
	if err := outer.StoreSession(t.Context(), "a", plaintext); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tgauth.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, plaintext[:16]) {
			t.Errorf("%s holds the session in the clear", filepath.Base(f))
		}
	}
	if got, err := outer.LoadSession(t.Context(), "a"); err != nil || !bytes.Equal(got, plaintext) {
		t.Errorf("LoadSession = %q, %v", got, err)
	}
	// The control: without the wrapper the plaintext does reach the file.
	if err := db.StoreSession(t.Context(), "a", plaintext); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range files {
		data, _ := os.ReadFile(f)
		found = found || bytes.Contains(data, plaintext[:16])
	}
	if !found {
		t.Error("control failed: an unsealed session is not visible in the files, so the check above proves nothing")
	}
}
