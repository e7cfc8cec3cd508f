package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/logindoc"
)

// Create implements machine.Store.
func (s *Store) Create(ctx context.Context, l *machine.Login) error {
	doc, err := logindoc.Encode(l)
	if err != nil {
		return wrap("create login", err)
	}
	created, err := s.write(ctx, `WITH created AS (
			INSERT INTO logins (id, state, version, timer_at, lease_until, created_at, doc)
			VALUES ($1, $2, 1, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING
			RETURNING id)
		SELECT count(*) FROM created`,
		l.ID, string(l.State), optTime(l.TimerAt), optTime(l.LeaseUntil), l.CreatedAt, doc)
	if err != nil {
		return wrap("create login", err)
	}
	if created == 0 {
		return machine.ErrExists
	}
	l.Version = 1
	return nil
}

// Get implements machine.Store.
func (s *Store) Get(ctx context.Context, id string) (*machine.Login, error) {
	l, err := scanLogin(s.pool.QueryRow(ctx, `SELECT version, doc FROM logins WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, machine.ErrNotFound
	}
	if err != nil {
		return nil, wrap("get login", err)
	}
	return l, nil
}

// updateSQL swaps the login at its expected version and appends the journal entries,
// given as arrays, in one statement; it returns how many logins it swapped, 0 or 1, and
// notifies notifyChannel of a swap (delivered at commit).
const updateSQL = `WITH swapped AS (
	UPDATE logins
	SET state = $3, version = version + 1, timer_at = $4, lease_until = $5, created_at = $6, doc = $7,
		due_claimed_until = NULL, stale_claimed_until = NULL
	WHERE id = $1 AND version = $2
	RETURNING id
), appended AS (
	INSERT INTO journal (login_id, version, at, from_state, event, to_state, note, problem)
	SELECT swapped.id, e.version, e.at, e.from_state, e.event, e.to_state, '', e.problem::json
	FROM swapped, unnest($8::bigint[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::text[])
		WITH ORDINALITY AS e (version, at, from_state, event, to_state, problem, n)
	ORDER BY e.n
)
SELECT count(*) FROM (SELECT pg_notify('` + notifyChannel + `', id) FROM swapped) AS notified`

// Update implements machine.Store. It also lifts the claims Due and Stale hold on the
// login: its timer and lease are new.
func (s *Store) Update(ctx context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	doc, err := logindoc.Encode(l)
	if err != nil {
		return wrap("update login", err)
	}
	var (
		versions           = make([]int64, len(journal))
		ats                = make([]time.Time, len(journal))
		froms, events, tos = make([]string, len(journal)), make([]string, len(journal)), make([]string, len(journal))
		problems           = make([]*string, len(journal))
	)
	for i, e := range journal {
		versions[i], ats[i] = e.Version, e.At
		froms[i], events[i], tos[i] = string(e.From), string(e.Event), string(e.To)
		if problems[i], err = logindoc.EncodeProblem(e.Problem); err != nil {
			return wrap("update login", err)
		}
	}
	swapped, err := s.write(ctx, updateSQL,
		l.ID, l.Version, string(l.State), optTime(l.TimerAt), optTime(l.LeaseUntil), l.CreatedAt, doc,
		versions, ats, froms, events, tos, problems)
	if err != nil {
		return wrap("update login", err)
	}
	if swapped == 0 {
		return wrap("update login", s.missing(ctx, l.ID))
	}
	l.Version++
	return nil
}

// missing tells why a compare-and-swap on id matched no row: ErrNotFound or ErrConflict.
// Logins are never deleted, so a login seen now was there at the swap.
func (s *Store) missing(ctx context.Context, id string) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM logins WHERE id = $1)`, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return machine.ErrNotFound
	}
	return machine.ErrConflict
}

// List implements machine.Store.
func (s *Store) List(ctx context.Context, opts machine.ListOptions) ([]*machine.Login, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if opts.State == "" {
		rows, err = s.pool.Query(ctx, `SELECT version, doc FROM logins
			ORDER BY created_at, id LIMIT $1`, optLimit(opts.Limit))
	} else {
		rows, err = s.pool.Query(ctx, `SELECT version, doc FROM logins WHERE state = $1
			ORDER BY created_at, id LIMIT $2`, string(opts.State), optLimit(opts.Limit))
	}
	out, err := collectLogins(rows, err)
	return out, wrap("list logins", err)
}

// Journal implements machine.Store. An entry written before the problem column has its
// note read as a Problem instead; see logindoc.DecodeProblem.
func (s *Store) Journal(ctx context.Context, id string) ([]machine.JournalEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT j.version, j.at, j.from_state, j.event, j.to_state, j.note, j.problem::text
		FROM logins l LEFT JOIN journal j ON j.login_id = l.id
		WHERE l.id = $1 ORDER BY j.seq`, id)
	if err != nil {
		return nil, wrap("read journal", err)
	}
	found := false
	var out []machine.JournalEntry
	for rows.Next() {
		found = true
		var (
			version                        *int64
			at                             *time.Time
			from, event, to, note, problem *string
		)
		if err := rows.Scan(&version, &at, &from, &event, &to, &note, &problem); err != nil {
			rows.Close()
			return nil, wrap("read journal", err)
		}
		if version == nil { // the login, without a journal entry
			continue
		}
		p, err := logindoc.DecodeProblem(problem, *note)
		if err != nil {
			rows.Close()
			return nil, wrap("read journal", err)
		}
		out = append(out, machine.JournalEntry{
			Version: *version,
			At:      *at,
			From:    machine.State(*from),
			Event:   machine.Event(*event),
			To:      machine.State(*to),
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
