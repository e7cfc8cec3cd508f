// Package postgres is a machine.Store in PostgreSQL, on github.com/jackc/pgx/v5, for
// several replicas of one service sharing their logins.
//
// A login is kept as a JSON document (the doc column, type json, so that any string
// Go can encode survives, in the versioned format of store/internal/logindoc) next to the
// columns the queries use: id (collated "C", so IDs sort byte-wise as in Go), state,
// version, timer_at, lease_until and created_at (timestamptz, microsecond precision; NULL
// for a zero timer or lease). Update is a compare-and-swap on version and writes the login
// and its journal entries (their problem as JSON) in one statement. Sessions, logout
// tokens and flood waits have tables of their own. The schema is migrated on Open, under
// a transaction-scoped advisory lock, so replicas starting together migrate it once; the
// applied versions are recorded in the schema_migrations table. Everything lives in the
// first schema of the connection's search_path.
//
// Due and Stale claim what they return, so that replicas polling at the same time do not
// do the same work twice: in one statement they lock the matching rows with FOR UPDATE
// SKIP LOCKED, skipping rows another replica is claiming right now, and set a claim
// (due_claimed_until or stale_claimed_until) to now+ClaimWindow; rows under a claim are
// left out until it lapses or the login is updated, which lifts both claims. A timer
// whose claimer dies before firing it is therefore due again ClaimWindow later. The claim
// only spares wasted work: exactly-once firing rests on Update's compare-and-swap, which
// refuses the second of two replicas that fire the same timer.
//
// Create and Update are batched: one committer takes every write waiting and sends them in
// one round trip as one transaction, so concurrent logins share a commit; each caller
// returns once its write committed. Stats counts writes and commits. One committer, not
// several: an Update notifies (see Changed), and PostgreSQL serializes the commits of
// transactions that notify, holding a global lock through the WAL flush, so that
// concurrent transactions of single writes would each wait for an fsync of their own.
//
// Times handed to Due and Stale are compared at microsecond precision, PostgreSQL's: a
// timer less than a microsecond after now may count as due.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/batch"
	"github.com/tgauth/tgauth/tgapi"
)

// ClaimWindow is how long Due and Stale keep a login they returned from being returned
// again, to this replica or any other, unless it is updated first.
const ClaimWindow = 30 * time.Second

// Store is a machine.Store in PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	feed feed // Changed's listener
	// writes hands Create and Update to the committers, which run them with runBatch.
	writes *batch.Queue[*statement]
}

var (
	_ machine.Store      = (*Store)(nil)
	_ machine.ChangeFeed = (*Store)(nil)
)

// Open connects to the database named by dsn (a URL or key=value string, as pgx takes
// it; see pgxpool.ParseConfig) and migrates its schema to the newest version. It fails
// with an error wrapping ErrNewerSchema when the database was written by a newer tgauth.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, len(migrations))
}

// open opens dsn like Open, but migrates it only up to schema version target.
func open(ctx context.Context, dsn string, target int) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool}
	s.writes = batch.New(1, s.runBatch)
	if err := s.migrate(ctx, target); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the committers, once the batches they are sending have committed, and
// closes the store's connections, waiting for those in use to be released. Writes after
// Close fail with ErrClosed.
func (s *Store) Close() error {
	s.writes.Close()
	s.feed.close()
	s.pool.Close()
	return nil
}

// tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
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
	return fmt.Errorf("postgres: %s: %w", op, err)
}
