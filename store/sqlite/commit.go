package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
)

// MaxBatch is the most writes one transaction of the committer carries.
const MaxBatch = 256

// ErrClosed is returned by a write to a Store that is closed or closing.
var ErrClosed = errors.New("sqlite: store is closed")

// Stats counts what a Store's committer did since Open.
type Stats struct {
	// Writes is how many writes (Create, Update, a claim by Due or Stale, ...) committed.
	Writes int64
	// Commits is how many transactions committed them: fewer than Writes when concurrent
	// writes shared a commit (and its fsync).
	Commits int64
	// Pending is how many writes are under way now: waiting for the committer, or in the
	// transaction it is running.
	Pending int64
}

// Stats returns what the Store's committer did since Open.
func (s *Store) Stats() Stats {
	return Stats{Writes: s.stats.writes.Load(), Commits: s.stats.commits.Load(), Pending: s.stats.pending.Load()}
}

// counters are the atomic fields behind Stats.
type counters struct{ writes, commits, pending atomic.Int64 }

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
// ctx bounds the wait for the committer; once the committer has taken the write, write
// waits for the commit whatever becomes of ctx, so that what it returns is what the file
// holds. fn gets the committer's context, not ctx: a statement interrupted by a
// cancelled context would roll back the whole transaction, the other callers' writes with
// it.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	s.stats.pending.Add(1)
	defer s.stats.pending.Add(-1)
	w := &pending{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return ErrClosed
	}
	return <-w.done
}

// commit is the Store's committer: it takes the writes waiting, up to MaxBatch, runs them
// in one BEGIN IMMEDIATE transaction, releases their callers, and starts again, until the
// Store is closed. While one transaction commits, the next batch gathers: the more
// callers write at once, the more writes share each fsync, with no wait added for a lone
// writer.
func (s *Store) commit() {
	defer close(s.stopped)
	for {
		var batch []*pending
		select {
		case w := <-s.writes:
			batch = append(batch, w)
		case <-s.quit:
			return
		}
	gather:
		for len(batch) < MaxBatch {
			select {
			case w := <-s.writes:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs batch in one transaction and hands each write its own result: its own
// error, or the transaction's if the transaction failed.
func (s *Store) runBatch(batch []*pending) {
	errs := make([]error, len(batch))
	err := s.transact(batch, errs)
	applied := int64(0)
	for i, w := range batch {
		if errs[i] == nil {
			errs[i] = err
		}
		if errs[i] == nil {
			applied++
		}
		w.done <- errs[i]
	}
	if applied > 0 {
		s.stats.writes.Add(applied)
		s.stats.commits.Add(1)
	}
}

// transact runs each write of batch under a savepoint of one transaction, records each
// write's own error in errs (a failed write is rolled back to its savepoint), and commits.
// It returns an error when the transaction as a whole failed: then nothing of it is in the
// file.
func (s *Store) transact(batch []*pending, errs []error) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	for i, w := range batch {
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
