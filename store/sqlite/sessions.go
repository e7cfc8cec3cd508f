package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

// LoadSession implements machine.Store.
func (s *Store) LoadSession(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.stmts.QueryRowContext(ctx, `SELECT data FROM sessions WHERE login_id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
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
		data = []byte{}
	}
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (login_id, data)
			SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM logins WHERE id = ?1)
			ON CONFLICT (login_id) DO UPDATE SET data = excluded.data`, id, data)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return machine.ErrNotFound
		}
		return nil
	})
	return wrap("store session", err)
}

// LogoutTokens implements machine.Store.
func (s *Store) LogoutTokens(ctx context.Context, phone string) ([][]byte, error) {
	rows, err := s.stmts.QueryContext(ctx, `SELECT token FROM logout_tokens WHERE phone = ? ORDER BY seq DESC`, phone)
	if err != nil {
		return nil, wrap("logout tokens", err)
	}
	defer rows.Close()
	out := [][]byte{}
	for rows.Next() {
		var token []byte
		if err := rows.Scan(&token); err != nil {
			return nil, wrap("logout tokens", err)
		}
		out = append(out, token)
	}
	return out, wrap("logout tokens", rows.Err())
}

// AddLogoutToken implements machine.Store. The token is added and the oldest beyond max
// evicted in one transaction.
func (s *Store) AddLogoutToken(ctx context.Context, phone string, token []byte, max int) error {
	if token == nil {
		token = []byte{}
	}
	keep := max
	if keep < 0 {
		keep = 0
	}
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO logout_tokens (phone, token, added_at) VALUES (?, ?, ?)`,
			phone, token, time.Now().UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM logout_tokens WHERE phone = ?1 AND seq NOT IN (
			SELECT seq FROM logout_tokens WHERE phone = ?1 ORDER BY seq DESC LIMIT ?2)`, phone, keep)
		return err
	})
	return wrap("add logout token", err)
}
