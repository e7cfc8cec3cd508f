package memory

import (
	"context"
	"slices"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

var _ tgapi.KeyPool = (*Store)(nil)

// PutKey implements tgapi.KeyPool.
func (s *Store) PutKey(_ context.Context, k tgapi.PoolKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys = map[int][]tgapi.PoolKey{}
	}
	k.Session = slices.Clone(k.Session)
	keys := append(s.keys[k.DC], k)
	slices.SortStableFunc(keys, func(a, b tgapi.PoolKey) int { return a.Made.Compare(b.Made) })
	s.keys[k.DC] = keys
	return nil
}

// TakeKey implements tgapi.KeyPool.
func (s *Store) TakeKey(_ context.Context, dc int, notBefore time.Time) (tgapi.PoolKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.keys[dc]
	for len(keys) > 0 && keys[0].Made.Before(notBefore) {
		keys = keys[1:]
	}
	if len(keys) == 0 {
		delete(s.keys, dc)
		return tgapi.PoolKey{}, tgapi.ErrNoKey
	}
	k := keys[0]
	s.keys[dc] = keys[1:]
	return k, nil
}

// CountKeys implements tgapi.KeyPool.
func (s *Store) CountKeys(_ context.Context, dc int, notBefore time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.keys[dc] {
		if !k.Made.Before(notBefore) {
			n++
		}
	}
	return n, nil
}
