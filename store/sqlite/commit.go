package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tgauth/tgauth/store/internal/batch"
)

// MaxBatch is the most writes one transaction of the committer carries.
const MaxBatch = 256

// ErrClosed is returned by a write to a Store that is closed or closing.
var ErrClosed = batch.ErrClosed

// Stats counts what a Store's committer did since Open: writes (Create, Update, a claim
// by Due or Stale, ...) committed, the transactions that committed them, and the writes
// under way.
type Stats = batch.Stats

// Stats returns what the Store's committer did since Open.
func (s *Store) Stats() Stats { return s.writes.Stats() }

// pending is one write waiting for the committer: fn runs in the batch's transaction
// with the committer's context, and done gets its result once the transaction committed
// (or failed).
type pending struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// write runs fn in a write transaction and returns once that transaction is durable
// (synchronous=FULL), or failed. Writes of concurrent callers share a transaction: the
// Store's committer takes every write waiting when it is free, and runs each under a
// savepoint of its own, so that one that fails (a compare-and-swap that lost, a login that
// exists) is rolled back alone and the others commit.
//
// ctx bounds the wait for the committer (see batch.Queue.Do). fn gets the committer's
// context, not ctx: a statement interrupted by a cancelled context would roll back the
// whole transaction, the other callers' writes with it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	w := &pending{ctx: ctx, fn: fn, done: make(chan error, 1)}
	return s.writes.Do(ctx, w, func() error { return <-w.done })
}

// runBatch runs writes in one transaction and hands each its own result: its own error,
// or the transaction's if the transaction failed.
func (s *Store) runBatch(writes []*pending) {
	errs := make([]error, len(writes))
	err := s.transact(writes, errs)
	applied := 0
	for i, w := range writes {
		if errs[i] == nil {
			errs[i] = err
		}
		if errs[i] == nil {
			applied++
		}
		w.done <- errs[i]
	}
	s.writes.Committed(applied)
}

// transact runs each write under a savepoint of one BEGIN IMMEDIATE transaction, records
// each write's own error in errs (a failed write is rolled back to its savepoint), and
// commits. It returns an error when the transaction as a whole failed: then nothing of it
// is in the file.
func (s *Store) transact(writes []*pending, errs []error) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	for i, w := range writes {
		if errs[i] = w.ctx.Err(); errs[i] != nil {
			continue // its caller gave up before its turn: not written
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT write"); err != nil {
			tx.Rollback()
			return fmt.Errorf("savepoint: %w", err)
		}
		if errs[i] = w.fn(ctx, tx); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO write"); err != nil {
				tx.Rollback()
				return fmt.Errorf("roll back a failed write (%v): %w", errs[i], err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE write"); err != nil {
			tx.Rollback()
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
