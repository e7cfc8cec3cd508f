package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

// loadSession loads id's session or fails the test.
func loadSession(t *testing.T, s machine.Store, id string) []byte {
	t.Helper()
	data, err := s.LoadSession(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadSession(%s): %v", id, err)
	}
	return data
}

func testSessions(t *testing.T, s machine.Store) {
	ctx := t.Context()
	mustCreate(t, s, newLogin("s1", states.New, at(0)))
	mustCreate(t, s, newLogin("s2", states.New, at(0)))
	if _, err := s.LoadSession(ctx, "s1"); !errors.Is(err, tgapi.ErrNoSession) {
		t.Fatalf("LoadSession before any StoreSession: err = %v, want tgapi.ErrNoSession", err)
	}
	if _, err := s.LoadSession(ctx, "nobody"); !errors.Is(err, tgapi.ErrNoSession) {
		t.Errorf("LoadSession of an unknown login: err = %v, want tgapi.ErrNoSession", err)
	}

	first := []byte("\x00\x01session one\xff\xfe")
	if err := s.StoreSession(ctx, "s1", first); err != nil {
		t.Fatalf("StoreSession: %v", err)
	}
	first[0] = 'X' // the store must have copied it
	if got := loadSession(t, s, "s1"); !bytes.Equal(got, []byte("\x00\x01session one\xff\xfe")) {
		t.Errorf("LoadSession = %q, want what was stored", got)
	} else {
		got[1] = 'Y' // nor may it hand out its own copy
	}
	if got := loadSession(t, s, "s1"); !bytes.Equal(got, []byte("\x00\x01session one\xff\xfe")) {
		t.Errorf("LoadSession after the caller changed a returned slice = %q", got)
	}
	if _, err := s.LoadSession(ctx, "s2"); !errors.Is(err, tgapi.ErrNoSession) {
		t.Errorf("another login's session leaked: LoadSession(s2) err = %v", err)
	}

	big := bytes.Repeat([]byte{0xAB, 0x00, 0x7F}, 100_000)
	if err := s.StoreSession(ctx, "s1", big); err != nil {
		t.Fatalf("StoreSession (replace, 300 kB): %v", err)
	}
	if got := loadSession(t, s, "s1"); !bytes.Equal(got, big) {
		t.Errorf("LoadSession after replace returned %d bytes, want the %d stored", len(got), len(big))
	}
	if err := s.StoreSession(ctx, "s2", []byte{}); err != nil {
		t.Fatalf("StoreSession (empty): %v", err)
	}
	if got := loadSession(t, s, "s2"); len(got) != 0 {
		t.Errorf("LoadSession of an empty session = %q, want empty and no error", got)
	}
	// Sessions are apart from the login record: updating it keeps the session.
	l := mustGet(t, s, "s1")
	l.State = states.SendingCode
	mustUpdate(t, s, l)
	if got := loadSession(t, s, "s1"); !bytes.Equal(got, big) {
		t.Errorf("an Update changed the session")
	}
}

func testSessionUnknownLogin(t *testing.T, s machine.Store) {
	if err := s.StoreSession(t.Context(), "nobody", []byte("data")); !errors.Is(err, machine.ErrNotFound) {
		t.Errorf("StoreSession for an unknown login: err = %v, want ErrNotFound", err)
	}
	if _, err := s.LoadSession(t.Context(), "nobody"); !errors.Is(err, tgapi.ErrNoSession) {
		t.Errorf("LoadSession after a refused StoreSession: err = %v, want tgapi.ErrNoSession", err)
	}
}
