// Package sqlite is a machine.Store in one SQLite file, on the pure-Go driver
// modernc.org/sqlite: no cgo, no server. It suits one host: a CLI, a bot, a bridge.
//
// A new file is created with mode 0600 (it holds sessions), and opened in WAL mode with
// synchronous=FULL (a step is on disk when Update returns), foreign keys on and a busy
// timeout of BusyTimeout. Writes run in BEGIN IMMEDIATE transactions, one at a time per
// Store, so several Stores on one file, in one process or in several, take turns instead
// of failing with SQLITE_BUSY.
//
// A login is kept as a JSON document (the doc column, in the versioned format of
// store/internal/logindoc) next to the columns the queries use: id, state, version,
// timer_at, lease_until and created_at, with times as Unix nanoseconds and NULL for a zero
// time. Update is a compare-and-swap on version. Journal entries (their problem as JSON),
// sessions, logout tokens and flood waits have tables of their own. The schema
// version is kept in PRAGMA user_version and the schema migrated on Open; a file from a
// newer tgauth is refused (ErrNewerSchema) rather than touched.
//
// Due and Stale claim what they return for ClaimWindow, as the postgres store does: a
// claimed login is left out of further calls, from this or any other Store on the file,
// until the claim lapses or the login is updated. A timer whose claimer dies before
// firing it is therefore due again ClaimWindow later. Exactly-once firing does not rest
// on the claim but on Update's compare-and-swap; the claim only spares the wasted work.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// BusyTimeout is how long a write waits for another connection's write to finish
// before it fails with SQLITE_BUSY.
const BusyTimeout = 10 * time.Second

// ClaimWindow is how long Due and Stale keep a login they returned from being returned
// again, unless it is updated first.
const ClaimWindow = 30 * time.Second

// Store is a machine.Store in a SQLite file. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	// writer lets one write transaction of this Store at a time at the file, so that
	// writers in one process queue here rather than poll in SQLite's busy handler.
	writer chan struct{}
}

var _ machine.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file if it does not exist, and
// migrates its schema to the newest version. It fails with an error wrapping
// ErrNewerSchema when the file was written by a newer tgauth.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, writer: make(chan struct{}, 1)}
	if err := s.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens path with the pragmas every connection needs. A new file is created with
// mode 0600 (SQLite gives its -wal and -shm files the same mode): it holds sessions.
func openDB(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// write runs fn in a BEGIN IMMEDIATE transaction, committed when fn returns nil.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	select {
	case s.writer <- struct{}{}:
		defer func() { <-s.writer }()
	case <-ctx.Done():
		return ctx.Err()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// wrap adds context to err, except to the store's sentinel errors, which callers match
// and show as they are.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, machine.ErrNotFound), errors.Is(err, machine.ErrExists),
		errors.Is(err, machine.ErrConflict), errors.Is(err, tgapi.ErrNoSession):
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
