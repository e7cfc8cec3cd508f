package mtproto

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/tgapi"
)

// memSessions is a tgapi.SessionStorage in memory that counts its writes.
type memSessions struct {
	mu     sync.Mutex
	data   []byte
	writes int
}

func (m *memSessions) LoadSession(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		return nil, tgapi.ErrNoSession
	}
	return append([]byte(nil), m.data...), nil
}

func (m *memSessions) StoreSession(_ context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = append([]byte(nil), data...)
	m.writes++
	return nil
}

// data decodes the stored session as gotd wrote it.
func (m *memSessions) decoded(t *testing.T) *session.Data {
	t.Helper()
	d, err := (&session.Loader{Storage: sessionStorage{s: m}}).Load(context.Background())
	if err != nil {
		t.Fatalf("load stored session: %v", err)
	}
	return d
}

func TestSessionStorageAdapter(t *testing.T) {
	ctx := context.Background()
	m := &memSessions{}
	s := sessionStorage{s: m}
	if _, err := s.LoadSession(ctx); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("empty storage: got %v, want session.ErrNotFound", err)
	}
	if dc := storedDC(ctx, m); dc != 0 {
		t.Errorf("storedDC of nothing = %d", dc)
	}

	loader := session.Loader{Storage: s}
	if err := loader.Save(ctx, &session.Data{DC: 3, AuthKey: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if m.writes != 1 {
		t.Errorf("writes = %d, want 1", m.writes)
	}
	if dc := storedDC(ctx, m); dc != 3 {
		t.Errorf("storedDC = %d, want 3", dc)
	}

	boom := errors.New("disk on fire")
	if _, err := (sessionStorage{s: failing{boom}}).LoadSession(ctx); !errors.Is(err, boom) {
		t.Errorf("other errors must pass through, got %v", err)
	}
}

func TestStoredSessionWatch(t *testing.T) {
	ctx := context.Background()
	m := &memSessions{}
	w := newStoredSession()
	s := sessionStorage{s: m, watch: w}
	dc, changed := w.get()
	if dc != 0 {
		t.Fatalf("initial DC %d", dc)
	}
	if err := (&session.Loader{Storage: s}).Save(ctx, &session.Data{DC: 3}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("store did not signal")
	}
	if dc, _ := w.get(); dc != 3 {
		t.Errorf("watched DC %d after store, want 3", dc)
	}

	w2 := newStoredSession()
	if _, err := (sessionStorage{s: m, watch: w2}).LoadSession(ctx); err != nil {
		t.Fatal(err)
	}
	if dc, _ := w2.get(); dc != 3 {
		t.Errorf("watched DC %d after load, want 3", dc)
	}

	boom := errors.New("disk on fire")
	w3 := newStoredSession()
	if err := (sessionStorage{s: failing{boom}, watch: w3}).StoreSession(ctx, []byte("{}")); !errors.Is(err, boom) {
		t.Errorf("store error lost: %v", err)
	}
	if _, ch := w3.get(); ch == nil {
		t.Fatal("nil channel")
	}
}

type failing struct{ err error }

func (f failing) LoadSession(context.Context) ([]byte, error) { return nil, f.err }
func (f failing) StoreSession(context.Context, []byte) error  { return f.err }
