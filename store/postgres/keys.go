package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/tgapi"
)

var _ tgapi.KeyPool = (*Store)(nil)

// PutKey implements tgapi.KeyPool.
func (s *Store) PutKey(ctx context.Context, k tgapi.PoolKey) error {
	if k.Session == nil {
		k.Session = []byte{} // nil would be NULL
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO key_pool (dc, made_at, session) VALUES ($1, $2, $3)`, k.DC, k.Made, k.Session)
	return wrap("put pool key", err)
}

// TakeKey implements tgapi.KeyPool. The oldest key is locked with SKIP LOCKED and
// deleted as it is read: replicas taking keys at once each get another one.
func (s *Store) TakeKey(ctx context.Context, dc int, notBefore time.Time) (tgapi.PoolKey, error) {
	k := tgapi.PoolKey{DC: dc}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM key_pool WHERE dc = $1 AND made_at < $2`, dc, notBefore); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `DELETE FROM key_pool WHERE id = (
			SELECT id FROM key_pool WHERE dc = $1 ORDER BY made_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING made_at, session`, dc).Scan(&k.Made, &k.Session)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return tgapi.PoolKey{}, tgapi.ErrNoKey
	}
	if err != nil {
		return tgapi.PoolKey{}, wrap("take pool key", err)
	}
	return k, nil
}

// CountKeys implements tgapi.KeyPool.
func (s *Store) CountKeys(ctx context.Context, dc int, notBefore time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM key_pool WHERE dc = $1 AND made_at >= $2`, dc, notBefore).Scan(&n)
	return n, wrap("count pool keys", err)
}
