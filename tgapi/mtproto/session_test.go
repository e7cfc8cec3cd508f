package mtproto

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/tgapi"
)

// memSessions is a tgapi.SessionStorage in memory that counts its writes, and fails
// with loadErr and storeErr when they are set.
type memSessions struct {
	mu       sync.Mutex
	data     []byte
	writes   int
	loadErr  error
	storeErr error
}

// fail makes LoadSession fail with load and StoreSession with store (nil: work).
func (m *memSessions) fail(load, store error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loadErr, m.storeErr = load, store
}

func (m *memSessions) LoadSession(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loadErr != nil {
		return nil, m.loadErr
	}
	if m.data == nil {
		return nil, tgapi.ErrNoSession
	}
	return append([]byte(nil), m.data...), nil
}

func (m *memSessions) StoreSession(_ context.Context, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.storeErr != nil {
		return m.storeErr
	}
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
	m.fail(boom, nil)
	if _, err := s.LoadSession(ctx); !errors.Is(err, boom) || !errors.Is(err, ErrLocal) {
		t.Errorf("other errors must pass through, marked local; got %v", err)
	}
}

func TestStoredSessionWatch(t *testing.T) {
	ctx := context.Background()
	m := &memSessions{}
	w := newStoredSession()
	s := sessionStorage{s: m, watch: w}
	dc, changed, err := w.get()
	if dc != 0 || err != nil {
		t.Fatalf("initial DC %d, error %v", dc, err)
	}
	if err := (&session.Loader{Storage: s}).Save(ctx, &session.Data{DC: 3}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("store did not signal")
	}
	if dc, _, _ := w.get(); dc != 3 {
		t.Errorf("watched DC %d after store, want 3", dc)
	}

	w2 := newStoredSession()
	if _, err := (sessionStorage{s: m, watch: w2}).LoadSession(ctx); err != nil {
		t.Fatal(err)
	}
	if dc, _, _ := w2.get(); dc != 3 {
		t.Errorf("watched DC %d after load, want 3", dc)
	}

	// A failure of the storage is kept (the first one) until the next success.
	boom, again := errors.New("disk on fire"), errors.New("still on fire")
	f := &memSessions{storeErr: boom}
	w3 := newStoredSession()
	s3 := sessionStorage{s: f, watch: w3}
	_, changed, _ = w3.get()
	if err := s3.StoreSession(ctx, []byte("{}")); !errors.Is(err, boom) || !errors.Is(err, ErrLocal) {
		t.Errorf("store error = %v, want ErrLocal and the storage's", err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("failed store did not signal")
	}
	f.fail(nil, again)
	_ = s3.StoreSession(ctx, []byte("{}"))
	if _, _, err := w3.get(); !errors.Is(err, boom) || !errors.Is(err, ErrLocal) {
		t.Errorf("watched failure = %v, want the first one", err)
	}
	f.fail(nil, nil)
	if err := (&session.Loader{Storage: s3}).Save(ctx, &session.Data{DC: 2}); err != nil {
		t.Fatal(err)
	}
	if dc, _, err := w3.get(); dc != 2 || err != nil {
		t.Errorf("after a good store: DC %d, failure %v; want 2, none", dc, err)
	}
}
