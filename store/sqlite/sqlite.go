// Package sqlite is a machine.Store in one SQLite file, on the pure-Go driver
// modernc.org/sqlite: no cgo, no server. It suits one host: a CLI, a bot, a bridge.
//
// A new file is created with mode 0600 (it holds sessions), and opened in WAL mode with
// synchronous=FULL (a step is on disk when Update returns), foreign keys on and a busy
// timeout of BusyTimeout. Writes run in BEGIN IMMEDIATE transactions, one at a time per
// Store, so several Stores on one file, in one process or in several, take turns instead
// of failing with SQLITE_BUSY.
//
// Writes are group-committed: each Store has one committer goroutine, which runs every
// write waiting for it in one transaction (a write that fails, such as an Update that
// lost its compare-and-swap, fails alone; see write), and releases each caller with its
// own result once the transaction is durable. A write
// never returns before its commit is on disk, so the engine's write-ahead rule holds; but
// concurrent logins share an fsync instead of queueing for one each. Stats counts writes
// and commits.
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
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/batch"
	"github.com/tgauth/tgauth/tgapi"

	msqlite "modernc.org/sqlite" // the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// BusyTimeout is how long a write waits for another connection's write to finish
// before it fails with SQLITE_BUSY.
const BusyTimeout = 10 * time.Second

// ClaimWindow is how long Due and Stale keep a login they returned from being returned
// again, unless it is updated first.
const ClaimWindow = 30 * time.Second

// Store is a machine.Store in a SQLite file. It is safe for concurrent use.
type Store struct {
	db    *sql.DB
	stmts stmts // the queries, prepared once
	// writes hands writes to the committer, which runs them with runBatch.
	writes *batch.Queue[*pending]
}

var _ machine.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file if it does not exist, and
// migrates its schema to the newest version. It fails with an error wrapping
// ErrNewerSchema when the file was written by a newer tgauth. Any number of Stores, in
// this process or others, may open one file, new or not, at the same time.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, len(migrations))
}

// open opens path like Open, but migrates it only up to schema version target.
func open(ctx context.Context, path string, target int) (*Store, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	if err := useWAL(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{db: db, stmts: stmts{db: db}}
	s.writes = batch.New(1, s.runBatch)
	if err := s.migrate(ctx, target); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens path with the pragmas every connection needs. A new file is created with
// mode 0600 (SQLite gives its -wal and -shm files the same mode): it holds sessions;
// see create.
//
// The busy timeout comes first (the driver sets it before any other pragma), so that
// whatever a connection does afterwards waits for other connections' locks. None of the
// pragmas here takes a lock: the journal mode, which does, is set once per Open by
// useWAL.
func openDB(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := create(abs); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
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

// createMu is held by create from making a file to closing it.
var createMu sync.Mutex

// create makes an empty file at path with mode 0600, unless there is a file there.
//
// It must never open a file that exists. SQLite locks the file with POSIX record locks,
// which belong to a process and a file, not to a descriptor: closing any descriptor of
// the file drops every lock the process holds on it, its SQLite connections' included,
// and they do not know. Another process could then take the write lock while one of
// ours writes, or delete our rollback journal as a leftover (which showed up as
// SQLITE_IOERR_DELETE_NOENT and SQLITE_IOERR_RDLOCK when several processes, each with
// several Stores, opened a new file together): the file could be corrupted. A file
// that create makes (O_EXCL) is new, so no connection holds locks on it yet, and
// createMu keeps the other Opens in this process from reaching it before it is closed.
func create(path string) error {
	createMu.Lock()
	defer createMu.Unlock()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// useWAL puts the file in WAL mode. The mode is kept in the file's header, so every
// connection opened on the file afterwards, by this Store or any other, uses it.
//
// Switching a file to WAL can fail with SQLITE_BUSY however long the busy timeout:
// SQLite reads the header in a read transaction and then, still in it, asks for the
// write lock to rewrite the header. If another connection holds or is taking the write
// lock meanwhile (typically one switching the same new file, in another Store or
// process), SQLite fails the switch at once rather than wait, as a reader waiting for a
// writer that waits for the reader would deadlock; the busy handler is never called.
// When the switch was a pragma in the DSN, run as each pooled connection was made, that
// error failed whatever first needed a connection, usually the migration's BEGIN, and
// so Open. Here the switch is tried again, after a growing pause, until it succeeds or
// BusyTimeout has passed. Once the file is in WAL mode the switch finds the header
// already right and takes no write lock, so the openers that lost the race succeed on
// their next try.
func useWAL(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("set journal mode: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(BusyTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		var mode string
		err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		switch {
		case err == nil && mode != "wal":
			return fmt.Errorf("set journal mode: the file is in %s mode, not wal", mode)
		case err == nil:
			return nil
		case !isBusy(err) || time.Now().Add(wait).After(deadline):
			return fmt.Errorf("set journal mode: %w", err)
		}
		if err := pause(ctx, wait); err != nil {
			return fmt.Errorf("set journal mode: %w", err)
		}
	}
}

// isBusy tells whether err is SQLite's SQLITE_BUSY, or one of its extended codes.
func isBusy(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// pause waits for d, or until ctx is done. Tests wrap it to learn that Open waits.
var pause = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the committer, once the write it is running has committed, and closes the
// database. Writes after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.writes.Close()
	if err := errors.Join(s.stmts.close(), s.db.Close()); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
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
