// Package memory is a machine.Store that keeps everything in process memory: for tests,
// scenarios and short-lived tools. Nothing survives the process.
package memory

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

// Store is an in-memory machine.Store. The zero value is not usable; call New.
type Store struct {
	mu       sync.Mutex
	logins   map[string]*machine.Login
	journals map[string][]machine.JournalEntry
	sessions map[string][]byte
	tokens   map[string][][]byte
	floods   map[string]map[tgapi.Method]time.Time
	keys     map[int][]tgapi.PoolKey // the auth-key pool by DC, oldest first (keys.go)
}

// New returns an empty store.
func New() *Store {
	return &Store{
		logins:   map[string]*machine.Login{},
		journals: map[string][]machine.JournalEntry{},
		sessions: map[string][]byte{},
		tokens:   map[string][][]byte{},
		floods:   map[string]map[tgapi.Method]time.Time{},
	}
}

var _ machine.Store = (*Store)(nil)

// Create implements machine.Store.
func (s *Store) Create(_ context.Context, l *machine.Login) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.logins[l.ID]; ok {
		return machine.ErrExists
	}
	l.Version = 1
	s.logins[l.ID] = l.Clone()
	return nil
}

// Get implements machine.Store.
func (s *Store) Get(_ context.Context, id string) (*machine.Login, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.logins[id]
	if !ok {
		return nil, machine.ErrNotFound
	}
	return l.Clone(), nil
}

// Update implements machine.Store.
func (s *Store) Update(_ context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.logins[l.ID]
	if !ok {
		return machine.ErrNotFound
	}
	if cur.Version != l.Version {
		return machine.ErrConflict
	}
	l.Version++
	s.logins[l.ID] = l.Clone()
	s.journals[l.ID] = append(s.journals[l.ID], journal...)
	return nil
}

// List implements machine.Store.
func (s *Store) List(_ context.Context, opts machine.ListOptions) ([]*machine.Login, error) {
	return s.filter(func(l *machine.Login) bool {
		return opts.State == "" || l.State == opts.State
	}, func(a, b *machine.Login) bool {
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	}, opts.Limit), nil
}

// Due implements machine.Store.
func (s *Store) Due(_ context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	return s.filter(func(l *machine.Login) bool {
		return !l.TimerAt.IsZero() && !l.TimerAt.After(now)
	}, func(a, b *machine.Login) bool { return a.TimerAt.Before(b.TimerAt) }, limit), nil
}

// Stale implements machine.Store.
func (s *Store) Stale(_ context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	return s.filter(func(l *machine.Login) bool {
		return states.KindOf(l.State) == states.InFlight && !l.LeaseUntil.After(now)
	}, func(a, b *machine.Login) bool { return a.LeaseUntil.Before(b.LeaseUntil) }, limit), nil
}

func (s *Store) filter(keep func(*machine.Login) bool, less func(a, b *machine.Login) bool, limit int) []*machine.Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*machine.Login
	for _, l := range s.logins {
		if keep(l) {
			out = append(out, l.Clone())
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if less(out[i], out[j]) {
			return true
		}
		if less(out[j], out[i]) {
			return false
		}
		return out[i].ID < out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Journal implements machine.Store.
func (s *Store) Journal(_ context.Context, id string) ([]machine.JournalEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.logins[id]; !ok {
		return nil, machine.ErrNotFound
	}
	return append([]machine.JournalEntry(nil), s.journals[id]...), nil
}

// LoadSession implements machine.Store.
func (s *Store) LoadSession(_ context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.sessions[id]
	if !ok {
		return nil, tgapi.ErrNoSession
	}
	return append([]byte(nil), data...), nil
}

// StoreSession implements machine.Store.
func (s *Store) StoreSession(_ context.Context, id string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.logins[id]; !ok {
		return machine.ErrNotFound
	}
	s.sessions[id] = append([]byte(nil), data...)
	return nil
}

// LogoutTokens implements machine.Store.
func (s *Store) LogoutTokens(_ context.Context, phone string) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.tokens[phone]))
	for _, t := range s.tokens[phone] {
		out = append(out, append([]byte(nil), t...))
	}
	return out, nil
}

// AddLogoutToken implements machine.Store.
func (s *Store) AddLogoutToken(_ context.Context, phone string, token []byte, max int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := append([][]byte{append([]byte(nil), token...)}, s.tokens[phone]...)
	if len(list) > max {
		list = list[:max]
	}
	s.tokens[phone] = list
	return nil
}

// FloodWaits implements machine.Store. It forgets the phone's waits that ended by now, so
// that a later call with an earlier now does not see them again.
func (s *Store) FloodWaits(_ context.Context, phone string, now time.Time) (map[tgapi.Method]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[tgapi.Method]time.Time{}
	for m, until := range s.floods[phone] {
		if until.After(now) {
			out[m] = until
		} else {
			delete(s.floods[phone], m)
		}
	}
	if len(out) == 0 {
		delete(s.floods, phone)
	}
	return out, nil
}

// AddFloodWait implements machine.Store.
func (s *Store) AddFloodWait(_ context.Context, phone string, method tgapi.Method, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.floods[phone] == nil {
		s.floods[phone] = map[tgapi.Method]time.Time{}
	}
	if until.After(s.floods[phone][method]) {
		s.floods[phone][method] = until
	}
	return nil
}
