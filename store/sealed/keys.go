package sealed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// poolKey is the name of an auth key of the pool, as errors give it and as its associated
// data begins; the rest is the key's DC.
const poolKey = "pool_key"

// errNoPool is what the key-pool methods of a wrapper over a store without a pool say.
var errNoPool = errors.New("sealed: the wrapped store keeps no auth-key pool (tgapi.KeyPool)")

var _ tgapi.KeyPool = (*store)(nil)

// pool returns the wrapped store's key pool.
func (s *store) pool() (tgapi.KeyPool, error) {
	p, ok := s.Store.(tgapi.KeyPool)
	if !ok {
		return nil, errNoPool
	}
	return p, nil
}

// PutKey implements tgapi.KeyPool: the key's session is sealed, bound to its DC.
func (s *store) PutKey(ctx context.Context, k tgapi.PoolKey) error {
	p, err := s.pool()
	if err != nil {
		return err
	}
	k.Session = s.sealer.Seal(k.Session, ad(poolKey, strconv.Itoa(k.DC)))
	return p.PutKey(ctx, k)
}

// TakeKey implements tgapi.KeyPool: the key's session is opened; one that does not open
// (another key, damaged) is an error naming it, and is gone from the pool.
func (s *store) TakeKey(ctx context.Context, dc int, notBefore time.Time) (tgapi.PoolKey, error) {
	p, err := s.pool()
	if err != nil {
		return tgapi.PoolKey{}, err
	}
	k, err := p.TakeKey(ctx, dc, notBefore)
	if err != nil {
		return tgapi.PoolKey{}, err
	}
	if k.Session, err = s.sealer.Open(k.Session, ad(poolKey, strconv.Itoa(k.DC))); err != nil {
		return tgapi.PoolKey{}, fmt.Errorf("%s of DC %d: %w", poolKey, dc, err)
	}
	return k, nil
}

// CountKeys implements tgapi.KeyPool with the wrapped store's.
func (s *store) CountKeys(ctx context.Context, dc int, notBefore time.Time) (int, error) {
	p, err := s.pool()
	if err != nil {
		return 0, err
	}
	return p.CountKeys(ctx, dc, notBefore)
}
