package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

var _ tgapi.KeyPool = (*Store)(nil)

// PutKey implements tgapi.KeyPool.
func (s *Store) PutKey(ctx context.Context, k tgapi.PoolKey) error {
	if k.Session == nil {
		k.Session = []byte{}
	}
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO key_pool (dc, made_at, session) VALUES (?, ?, ?)`,
			k.DC, k.Made.UnixNano(), k.Session)
		return err
	})
	return wrap("put pool key", err)
}

// TakeKey implements tgapi.KeyPool. The key is deleted as it is read, in one write
// transaction: two Stores on the file never both get it. Keys made before notBefore are
// deleted in the same write, found or not.
func (s *Store) TakeKey(ctx context.Context, dc int, notBefore time.Time) (tgapi.PoolKey, error) {
	k := tgapi.PoolKey{DC: dc}
	found := false
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM key_pool WHERE dc = ? AND made_at < ?`, dc, notBefore.UnixNano()); err != nil {
			return err
		}
		var made int64
		err := tx.QueryRowContext(ctx, `DELETE FROM key_pool WHERE id = (
			SELECT id FROM key_pool WHERE dc = ? ORDER BY made_at, id LIMIT 1)
			RETURNING made_at, session`, dc).Scan(&made, &k.Session)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // none: the stale keys' deletion still commits
		}
		k.Made, found = time.Unix(0, made).UTC(), err == nil
		return err
	})
	if err != nil {
		return tgapi.PoolKey{}, wrap("take pool key", err)
	}
	if !found {
		return tgapi.PoolKey{}, tgapi.ErrNoKey
	}
	return k, nil
}

// CountKeys implements tgapi.KeyPool.
func (s *Store) CountKeys(ctx context.Context, dc int, notBefore time.Time) (int, error) {
	var n int
	err := s.stmts.QueryRowContext(ctx, `SELECT count(*) FROM key_pool WHERE dc = ? AND made_at >= ?`,
		dc, notBefore.UnixNano()).Scan(&n)
	return n, wrap("count pool keys", err)
}
