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
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO key_pool (dc, made_at, session) VALUES (?, ?, ?)`,
			k.DC, k.Made.UnixNano(), k.Session)
		return err
	})
	return wrap("put pool key", err)
}

// TakeKey implements tgapi.KeyPool. The key is deleted as it is read, in one write
// transaction: two Stores on the file never both get it.
func (s *Store) TakeKey(ctx context.Context, dc int, notBefore time.Time) (tgapi.PoolKey, error) {
	k := tgapi.PoolKey{DC: dc}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM key_pool WHERE dc = ? AND made_at < ?`, dc, notBefore.UnixNano()); err != nil {
			return err
		}
		var made int64
		err := tx.QueryRowContext(ctx, `DELETE FROM key_pool WHERE id = (
			SELECT id FROM key_pool WHERE dc = ? ORDER BY made_at, id LIMIT 1)
			RETURNING made_at, session`, dc).Scan(&made, &k.Session)
		k.Made = time.Unix(0, made).UTC()
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
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
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM key_pool WHERE dc = ? AND made_at >= ?`,
		dc, notBefore.UnixNano()).Scan(&n)
	return n, wrap("count pool keys", err)
}
