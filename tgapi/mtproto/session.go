package mtproto

import (
	"context"
	"errors"
	"sync"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/tgapi"
)

// sessionStorage adapts a tgapi.SessionStorage to gotd's session.Storage: the method sets
// are the same, only "nothing stored yet" is spelled differently, and the storage's
// failures are marked local (ErrLocal). It also tells watch, if set, which DC the stored
// session is on, or that the storage failed: gotd drops a failure to store (and the load
// before it) after a new auth key, so the adapter keeps it for the call waiting on it.
type sessionStorage struct {
	s     tgapi.SessionStorage
	watch *storedSession
}

var _ session.Storage = sessionStorage{}

// LoadSession implements session.Storage.
func (s sessionStorage) LoadSession(ctx context.Context) ([]byte, error) {
	data, err := s.s.LoadSession(ctx)
	if errors.Is(err, tgapi.ErrNoSession) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, s.fail(localError("load session", err))
	}
	if s.watch != nil {
		s.watch.set(decodeDC(ctx, data))
	}
	return data, nil
}

// StoreSession implements session.Storage.
func (s sessionStorage) StoreSession(ctx context.Context, data []byte) error {
	if err := s.s.StoreSession(ctx, data); err != nil {
		return s.fail(localError("store session", err))
	}
	if s.watch != nil {
		s.watch.set(decodeDC(ctx, data))
	}
	return nil
}

// fail tells watch, if set, that the storage failed with err, and returns err.
func (s sessionStorage) fail(err error) error {
	if s.watch != nil {
		s.watch.fail(err)
	}
	return err
}

// storedSession is what one client last read from or wrote to its session storage: the
// DC of the session, or the storage's failure. gotd signals a connection ready before it
// stores the session of a new auth key; the adapter waits on this so that a call never
// returns before the session it ran on is stored (the phone_code_hash Telegram answered
// is bound to that key), and fails with the storage's error when it cannot be.
type storedSession struct {
	mu      sync.Mutex
	dc      int
	err     error         // the first failure since the last success
	changed chan struct{} // closed and replaced on every set and fail
}

func newStoredSession() *storedSession {
	return &storedSession{changed: make(chan struct{})}
}

// set records a session of DC dc loaded or stored.
func (w *storedSession) set(dc int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dc, w.err = dc, nil
	w.signal()
}

// fail records a failure of the storage; the first one since the last success is kept.
func (w *storedSession) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
	w.signal()
}

// signal wakes the waiters of get. Called with w.mu held.
func (w *storedSession) signal() {
	close(w.changed)
	w.changed = make(chan struct{})
}

// get returns the stored DC, a channel closed at the next change, and the storage's
// failure since the last success.
func (w *storedSession) get() (int, <-chan struct{}, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dc, w.changed, w.err
}

// bytesStorage is a read-only session.Storage over bytes already loaded.
type bytesStorage []byte

func (b bytesStorage) LoadSession(context.Context) ([]byte, error) { return b, nil }
func (b bytesStorage) StoreSession(context.Context, []byte) error {
	return errors.New("read only")
}

// decodeDC returns the DC of a session gotd encoded, or 0 when it cannot be read.
func decodeDC(ctx context.Context, data []byte) int {
	d, err := (&session.Loader{Storage: bytesStorage(data)}).Load(ctx)
	if err != nil {
		return 0
	}
	if d.DC != 0 {
		return d.DC
	}
	return d.Config.ThisDC
}

// storedDC returns the DC of the session stored in s, or 0 when there is none or it cannot
// be read.
func storedDC(ctx context.Context, s tgapi.SessionStorage) int {
	data, err := s.LoadSession(ctx)
	if err != nil {
		return 0
	}
	return decodeDC(ctx, data)
}
