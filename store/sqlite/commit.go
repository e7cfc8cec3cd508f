package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/internal/batch"
)

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
	fn   func(ctx context.Context, tx txn) error
	done chan error
}

// write runs fn in a write transaction and returns once that transaction is durable
// (synchronous=FULL), or failed. Writes of concurrent callers share a transaction: the
// Store's committer takes every write waiting when it is free and runs them one after the
// other. One that fails cleanly (a compare-and-swap that lost, a login that exists: it
// wrote nothing) fails alone; one that fails otherwise makes the committer run the batch
// again with a savepoint around each write, so that it is rolled back alone and the
// others commit.
//
// ctx bounds the wait for the committer (see batch.Queue.Do). fn gets the committer's
// context, not ctx: a statement interrupted by a cancelled context would roll back the
// whole transaction, the other callers' writes with it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx txn) error) error {
	w := &pending{ctx: ctx, fn: fn, done: make(chan error, 1)}
	return s.writes.Do(ctx, w, func() error { return <-w.done })
}

// runBatch runs writes in one transaction and hands each its own result: its own error,
// or the transaction's if the transaction failed.
func (s *Store) runBatch(writes []*pending) {
	errs := make([]error, len(writes))
	err := s.transact(writes, errs, false)
	if errors.Is(err, errUnclean) {
		// A write failed after it may have written part of itself: the whole batch was
		// rolled back, and runs again with a savepoint around each write.
		clear(errs)
		err = s.transact(writes, errs, true)
	}
	applied := 0
	for i := range writes {
		if errs[i] == nil {
			errs[i] = err
		}
		if errs[i] == nil {
			applied++
		}
	}
	s.writes.Committed(applied) // before the callers go on, so that their Stats count it
	for i, w := range writes {
		w.done <- errs[i]
	}
}

// errUnclean says a write of a batch run without savepoints failed in a way that may
// have left part of it written.
var errUnclean = errors.New("a write failed part way")

// clean tells whether a write that failed with err wrote nothing: the store's writes fail
// with these before they change a row (a compare-and-swap or an insert that matched
// nothing), so no rollback is needed.
func clean(err error) bool {
	return errors.Is(err, machine.ErrConflict) || errors.Is(err, machine.ErrExists) || errors.Is(err, machine.ErrNotFound)
}

// transact runs the writes in one BEGIN IMMEDIATE transaction, records each write's own
// error in errs, and commits. Without savepoints, a write that fails otherwise than
// cleanly rolls the whole transaction back and transact returns errUnclean; with them,
// each write runs under a savepoint of its own, and a failed one is rolled back to it.
// transact returns an error when the transaction as a whole failed: then nothing of it is
// in the file.
func (s *Store) transact(writes []*pending, errs []error, savepoints bool) error {
	ctx := context.Background()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := txn{Tx: sqlTx, c: &s.stmts}
	exec := func(query string) error {
		_, err := tx.ExecContext(ctx, query)
		return err
	}
	for i, w := range writes {
		if errs[i] = w.ctx.Err(); errs[i] != nil {
			continue // its caller gave up before its turn: not written
		}
		if !savepoints {
			if errs[i] = w.fn(ctx, tx); errs[i] != nil && !clean(errs[i]) {
				tx.Rollback()
				return errUnclean
			}
			continue
		}
		if err := exec("SAVEPOINT write"); err != nil {
			tx.Rollback()
			return fmt.Errorf("savepoint: %w", err)
		}
		if errs[i] = w.fn(ctx, tx); errs[i] != nil {
			if err := exec("ROLLBACK TO write"); err != nil {
				tx.Rollback()
				return fmt.Errorf("roll back a failed write (%v): %w", errs[i], err)
			}
		}
		if err := exec("RELEASE write"); err != nil {
			tx.Rollback()
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
