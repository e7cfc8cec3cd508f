package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

// LoadSession implements machine.Store.
func (s *Store) LoadSession(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE login_id = $1`, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, tgapi.ErrNoSession
	}
	if err != nil {
		return nil, wrap("load session", err)
	}
	return data, nil
}

// StoreSession implements machine.Store.
func (s *Store) StoreSession(ctx context.Context, id string, data []byte) error {
	if data == nil {
		data = []byte{} // nil would be NULL
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO sessions (login_id, data)
		SELECT $1::text, $2::bytea WHERE EXISTS (SELECT 1 FROM logins WHERE id = $1::text)
		ON CONFLICT (login_id) DO UPDATE SET data = excluded.data`, id, data)
	if err != nil {
		return wrap("store session", err)
	}
	if tag.RowsAffected() == 0 {
		return machine.ErrNotFound
	}
	return nil
}

// LogoutTokens implements machine.Store.
func (s *Store) LogoutTokens(ctx context.Context, phone string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT token FROM logout_tokens WHERE phone = $1 ORDER BY seq DESC`, phone)
	if err != nil {
		return nil, wrap("logout tokens", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, wrap("logout tokens", err)
	}
	if out == nil {
		out = [][]byte{}
	}
	return out, nil
}

// AddLogoutToken implements machine.Store. The token is added and the oldest beyond max
// evicted in one transaction, under an advisory lock on the phone, so that concurrent
// adds for one phone never leave more than max.
func (s *Store) AddLogoutToken(ctx context.Context, phone string, token []byte, max int) error {
	if token == nil {
		token = []byte{}
	}
	keep := int64(max)
	if keep < 0 {
		keep = 0
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended('tgauth.logout_tokens:' || $1::text, 0))`, phone)
		b.Queue(`INSERT INTO logout_tokens (phone, token) VALUES ($1, $2)`, phone, token)
		b.Queue(`DELETE FROM logout_tokens WHERE phone = $1 AND seq NOT IN (
			SELECT seq FROM logout_tokens WHERE phone = $1 ORDER BY seq DESC LIMIT $2)`, phone, keep)
		return tx.SendBatch(ctx, b).Close()
	})
	return wrap("add logout token", err)
}
