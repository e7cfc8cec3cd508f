package sqlite

import (
	"context"
	"errors"
	"fmt"
)

// ErrNewerSchema is wrapped by Open's error when the file's schema version is newer than
// this build knows: it was written by a newer tgauth, and an older one must not touch it.
var ErrNewerSchema = errors.New("database schema is newer than this tgauth")

// migrations are the schema, one step per version: migrations[i] takes a file from
// version i to i+1. The version is kept in PRAGMA user_version. Never edit a released
// step; append a new one.
var migrations = []string{
	// 1: logins, their journal, their sessions, and the logout-token vault.
	`CREATE TABLE logins (
		id          TEXT PRIMARY KEY,
		state       TEXT NOT NULL,
		version     INTEGER NOT NULL,
		timer_at    INTEGER,
		lease_until INTEGER,
		created_at  INTEGER,
		doc         TEXT NOT NULL
	) STRICT;
	CREATE INDEX logins_by_created ON logins (created_at, id);
	CREATE INDEX logins_by_state ON logins (state, created_at, id);
	CREATE INDEX logins_by_timer ON logins (timer_at, id) WHERE timer_at IS NOT NULL;
	CREATE INDEX logins_by_lease ON logins (state, lease_until);

	CREATE TABLE journal (
		seq        INTEGER PRIMARY KEY,
		login_id   TEXT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
		version    INTEGER NOT NULL,
		at         INTEGER,
		from_state TEXT NOT NULL,
		event      TEXT NOT NULL,
		to_state   TEXT NOT NULL,
		note       TEXT NOT NULL
	) STRICT;
	CREATE INDEX journal_by_login ON journal (login_id, seq);

	CREATE TABLE sessions (
		login_id TEXT PRIMARY KEY REFERENCES logins (id) ON DELETE CASCADE,
		data     BLOB NOT NULL
	) STRICT;

	CREATE TABLE logout_tokens (
		seq      INTEGER PRIMARY KEY AUTOINCREMENT,
		phone    TEXT NOT NULL,
		token    BLOB NOT NULL,
		added_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX logout_tokens_by_phone ON logout_tokens (phone, seq);`,

	// 2: claims, so that two Stores polling Due or Stale do not both get one login.
	`ALTER TABLE logins ADD COLUMN due_claimed_until INTEGER;
	ALTER TABLE logins ADD COLUMN stale_claimed_until INTEGER;`,

	// 3: a journal entry's problem, as JSON (entries written before keep their note text
	// and no problem), and Telegram's flood waits, per phone and method.
	`ALTER TABLE journal ADD COLUMN problem TEXT;

	CREATE TABLE flood_waits (
		phone      TEXT NOT NULL,
		method     TEXT NOT NULL,
		wait_until INTEGER NOT NULL,
		PRIMARY KEY (phone, method)
	) STRICT, WITHOUT ROWID;`,

	// 4: the pool of MTProto auth keys made ahead of time, bound to no login (keys.go).
	`CREATE TABLE key_pool (
		id      INTEGER PRIMARY KEY,
		dc      INTEGER NOT NULL,
		made_at INTEGER NOT NULL,
		session BLOB NOT NULL
	) STRICT;
	CREATE INDEX key_pool_by_dc ON key_pool (dc, made_at, id);`,
}

// migrate takes the file to schema version target, in one write transaction, so that
// Stores opening the file at the same time migrate it once. The transaction is BEGIN
// IMMEDIATE (see openDB's _txlock): it takes the write lock, waiting under the busy
// timeout, before it reads the schema version, so an opener that waited reads the
// version the one before it left and has nothing more to do.
func (s *Store) migrate(ctx context.Context, target int) error {
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		var have int
		if err := tx.Tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if have > len(migrations) {
			return fmt.Errorf("%w: the file is at schema version %d, this build knows up to version %d; use a newer tgauth", ErrNewerSchema, have, len(migrations))
		}
		for v := have; v < target; v++ {
			if _, err := tx.Tx.ExecContext(ctx, migrations[v]); err != nil {
				return fmt.Errorf("schema version %d: %w", v+1, err)
			}
		}
		if target > have {
			if _, err := tx.Tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", target)); err != nil {
				return fmt.Errorf("set schema version: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}
