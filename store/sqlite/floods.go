package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// FloodWaits implements machine.Store.
func (s *Store) FloodWaits(ctx context.Context, phone string, now time.Time) (map[tgapi.Method]time.Time, error) {
	rows, err := s.stmts.QueryContext(ctx, `SELECT method, wait_until FROM flood_waits WHERE phone = ? AND wait_until > ?`,
		phone, nanos(now))
	if err != nil {
		return nil, wrap("flood waits", err)
	}
	defer rows.Close()
	out := map[tgapi.Method]time.Time{}
	for rows.Next() {
		var (
			method string
			until  sql.NullInt64
		)
		if err := rows.Scan(&method, &until); err != nil {
			return nil, wrap("flood waits", err)
		}
		out[tgapi.Method(method)] = fromNanos(until)
	}
	return out, wrap("flood waits", rows.Err())
}

// AddFloodWait implements machine.Store. A phone keeps one row per method, which a later
// wait replaces; a row whose wait has ended stays until then. A zero until is no wait.
func (s *Store) AddFloodWait(ctx context.Context, phone string, method tgapi.Method, until time.Time) error {
	if until.IsZero() {
		return nil
	}
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO flood_waits (phone, method, wait_until) VALUES (?, ?, ?)
			ON CONFLICT (phone, method) DO UPDATE SET wait_until = max(wait_until, excluded.wait_until)`,
			phone, string(method), nanos(until))
		return err
	})
	return wrap("add flood wait", err)
}
