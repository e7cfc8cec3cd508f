package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrNewerSchema is wrapped by Open's error when the database's schema version is newer
// than this build knows: it was written by a newer tgauth, and an older one must not
// touch it.
var ErrNewerSchema = errors.New("database schema is newer than this tgauth")

// migrations are the schema, one step per version: migrations[i] takes a database from
// version i to i+1. Applied versions are rows of schema_migrations. Never edit a
// released step; append a new one.
var migrations = []string{
	// 1: logins, their journal, their sessions, and the logout-token vault.
	`CREATE TABLE logins (
		id          text COLLATE "C" PRIMARY KEY,
		state       text NOT NULL,
		version     bigint NOT NULL,
		timer_at    timestamptz,
		lease_until timestamptz,
		created_at  timestamptz NOT NULL,
		doc         json NOT NULL
	);
	CREATE INDEX logins_by_created ON logins (created_at, id);
	CREATE INDEX logins_by_state ON logins (state, created_at, id);
	CREATE INDEX logins_by_timer ON logins (timer_at, id) WHERE timer_at IS NOT NULL;
	CREATE INDEX logins_by_lease ON logins (state, lease_until);

	CREATE TABLE journal (
		seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		login_id   text COLLATE "C" NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
		version    bigint NOT NULL,
		at         timestamptz NOT NULL,
		from_state text NOT NULL,
		event      text NOT NULL,
		to_state   text NOT NULL,
		note       text NOT NULL
	);
	CREATE INDEX journal_by_login ON journal (login_id, seq);

	CREATE TABLE sessions (
		login_id text COLLATE "C" PRIMARY KEY REFERENCES logins (id) ON DELETE CASCADE,
		data     bytea NOT NULL
	);

	CREATE TABLE logout_tokens (
		seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		phone    text NOT NULL,
		token    bytea NOT NULL,
		added_at timestamptz NOT NULL DEFAULT now()
	);
	CREATE INDEX logout_tokens_by_phone ON logout_tokens (phone, seq);`,

	// 2: claims, so that replicas polling Due or Stale do not both get one login.
	`ALTER TABLE logins
		ADD COLUMN due_claimed_until timestamptz,
		ADD COLUMN stale_claimed_until timestamptz;`,

	// 3: a journal entry's problem, as JSON (entries written before keep their note text
	// and no problem), and Telegram's flood waits, per phone and method.
	`ALTER TABLE journal ADD COLUMN problem json;

	CREATE TABLE flood_waits (
		phone      text NOT NULL,
		method     text NOT NULL,
		wait_until timestamptz NOT NULL,
		PRIMARY KEY (phone, method)
	);`,

	// 4: the pool of MTProto auth keys made ahead of time, bound to no login (keys.go).
	`CREATE TABLE key_pool (
		id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		dc      integer NOT NULL,
		made_at timestamptz NOT NULL,
		session bytea NOT NULL
	);
	CREATE INDEX key_pool_by_dc ON key_pool (dc, made_at, id);`,
}

// migrate takes the database to schema version target in one transaction, holding an
// advisory lock (per schema) so that replicas opening it at the same time take turns.
func (s *Store) migrate(ctx context.Context, target int) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('tgauth.migrate:' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if have > len(migrations) {
			return fmt.Errorf("%w: the database is at schema version %d, this build knows up to version %d; use a newer tgauth", ErrNewerSchema, have, len(migrations))
		}
		for v := have; v < target; v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("schema version %d: %w", v+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, v+1); err != nil {
				return fmt.Errorf("record schema version %d: %w", v+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}
