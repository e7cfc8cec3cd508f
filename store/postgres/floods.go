package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/tgapi"
)

// FloodWaits implements machine.Store.
func (s *Store) FloodWaits(ctx context.Context, phone string, now time.Time) (map[tgapi.Method]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT method, wait_until FROM flood_waits WHERE phone = $1 AND wait_until > $2`, phone, now)
	if err != nil {
		return nil, wrap("flood waits", err)
	}
	out := map[tgapi.Method]time.Time{}
	var (
		method string
		until  time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&method, &until}, func() error {
		out[tgapi.Method(method)] = until
		return nil
	})
	if err != nil {
		return nil, wrap("flood waits", err)
	}
	return out, nil
}

// AddFloodWait implements machine.Store. A phone keeps one row per method, which a later
// wait replaces; a row whose wait has ended stays until then. A zero until is no wait.
func (s *Store) AddFloodWait(ctx context.Context, phone string, method tgapi.Method, until time.Time) error {
	if until.IsZero() {
		return nil
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO flood_waits (phone, method, wait_until) VALUES ($1, $2, $3)
		ON CONFLICT (phone, method) DO UPDATE SET wait_until = greatest(flood_waits.wait_until, excluded.wait_until)`,
		phone, string(method), until)
	return wrap("add flood wait", err)
}
