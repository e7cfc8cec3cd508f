package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/logindoc"
)

// Create implements machine.Store.
func (s *Store) Create(ctx context.Context, l *machine.Login) error {
	doc, err := logindoc.Encode(l)
	if err != nil {
		return wrap("create login", err)
	}
	err = s.write(ctx, func(ctx context.Context, tx txn) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO logins (id, state, version, timer_at, lease_until, created_at, doc)
			VALUES (?, ?, 1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			l.ID, string(l.State), nanos(l.TimerAt), nanos(l.LeaseUntil), nanos(l.CreatedAt), doc)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return machine.ErrExists
		}
		return nil
	})
	if err != nil {
		return wrap("create login", err)
	}
	l.Version = 1
	return nil
}

// Get implements machine.Store.
func (s *Store) Get(ctx context.Context, id string) (*machine.Login, error) {
	l, err := scanLogin(s.stmts.QueryRowContext(ctx, `SELECT version, doc FROM logins WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, machine.ErrNotFound
	}
	if err != nil {
		return nil, wrap("get login", err)
	}
	return l, nil
}

// Update implements machine.Store. It also lifts the claims Due and Stale hold on the
// login: its timer and lease are new.
func (s *Store) Update(ctx context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	doc, err := logindoc.Encode(l)
	if err != nil {
		return wrap("update login", err)
	}
	problems := make([]*string, len(journal))
	for i, e := range journal {
		if problems[i], err = logindoc.EncodeProblem(e.Problem); err != nil {
			return wrap("update login", err)
		}
	}
	err = s.write(ctx, func(ctx context.Context, tx txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE logins
			SET state = ?, version = version + 1, timer_at = ?, lease_until = ?, created_at = ?, doc = ?,
				due_claimed_until = NULL, stale_claimed_until = NULL
			WHERE id = ? AND version = ?`,
			string(l.State), nanos(l.TimerAt), nanos(l.LeaseUntil), nanos(l.CreatedAt), doc, l.ID, l.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return missing(ctx, tx, l.ID)
		}
		for i, e := range journal {
			_, err := tx.ExecContext(ctx, `INSERT INTO journal (login_id, version, at, from_state, event, to_state, note, problem)
				VALUES (?, ?, ?, ?, ?, ?, '', ?)`,
				l.ID, e.Version, nanos(e.At), string(e.From), string(e.Event), string(e.To), problems[i])
			if err != nil {
				return fmt.Errorf("append journal: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return wrap("update login", err)
	}
	l.Version++
	return nil
}

// missing tells why a compare-and-swap on id matched no row: ErrNotFound or ErrConflict.
func missing(ctx context.Context, tx txn, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM logins WHERE id = ?`, id).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return machine.ErrNotFound
	case err != nil:
		return err
	}
	return machine.ErrConflict
}

// List implements machine.Store.
func (s *Store) List(ctx context.Context, opts machine.ListOptions) ([]*machine.Login, error) {
	var (
		rows *sql.Rows
		err  error
	)
	if opts.State == "" {
		rows, err = s.stmts.QueryContext(ctx, `SELECT version, doc FROM logins
			ORDER BY created_at, id LIMIT ?`, limitArg(opts.Limit))
	} else {
		rows, err = s.stmts.QueryContext(ctx, `SELECT version, doc FROM logins WHERE state = ?
			ORDER BY created_at, id LIMIT ?`, string(opts.State), limitArg(opts.Limit))
	}
	if err != nil {
		return nil, wrap("list logins", err)
	}
	out, err := scanLogins(rows)
	return out, wrap("list logins", err)
}

// Journal implements machine.Store. An entry written before the problem column has its
// note read as a Problem instead; see logindoc.DecodeProblem.
func (s *Store) Journal(ctx context.Context, id string) ([]machine.JournalEntry, error) {
	rows, err := s.stmts.QueryContext(ctx, `SELECT j.version, j.at, j.from_state, j.event, j.to_state, j.note, j.problem
		FROM logins l LEFT JOIN journal j ON j.login_id = l.id
		WHERE l.id = ? ORDER BY j.seq`, id)
	if err != nil {
		return nil, wrap("read journal", err)
	}
	defer rows.Close()
	found := false
	var out []machine.JournalEntry
	for rows.Next() {
		found = true
		var (
			version               sql.NullInt64
			at                    sql.NullInt64
			from, event, to, note sql.NullString
			problem               *string
		)
		if err := rows.Scan(&version, &at, &from, &event, &to, &note, &problem); err != nil {
			return nil, wrap("read journal", err)
		}
		if !version.Valid { // the login, without a journal entry
			continue
		}
		p, err := logindoc.DecodeProblem(problem, note.String)
		if err != nil {
			return nil, wrap("read journal", err)
		}
		out = append(out, machine.JournalEntry{
			Version: version.Int64,
			At:      fromNanos(at),
			From:    machine.State(from.String),
			Event:   machine.Event(event.String),
			To:      machine.State(to.String),
			Problem: p,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read journal", err)
	}
	if !found {
		return nil, machine.ErrNotFound
	}
	return out, nil
}
