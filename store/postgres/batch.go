package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tgauth/tgauth/store/internal/batch"
)

// ErrClosed is returned by a write to a Store that is closed or closing.
var ErrClosed = batch.ErrClosed

// Stats counts what a Store's committers did since Open: batched writes (Create, Update)
// committed, the transactions that committed them, and the writes under way.
type Stats = batch.Stats

// Stats returns what the Store's committers did since Open.
func (s *Store) Stats() Stats { return s.writes.Stats() }

// statement is one write waiting for a committer: a statement that returns one row of
// one bigint, the count its caller reads, and the channel that gets its result.
type statement struct {
	ctx   context.Context
	sql   string
	args  []any
	count int64
	done  chan error
}

// write runs sql (which must return one row holding one bigint) with args and returns
// that number once its transaction committed. Writes of concurrent callers share a
// transaction: a committer takes every write waiting when it is free and sends them as
// one pgx batch, which PostgreSQL runs as one implicit transaction: one round trip and
// one commit. Their statements do not fail in the normal course (a compare-and-swap that
// loses returns 0); if the server refuses one, the batch is rolled back as a whole and
// each of its writes is run again on its own, so that each caller gets its own result.
// ctx bounds the wait for a committer (see batch.Queue.Do).
func (s *Store) write(ctx context.Context, sql string, args ...any) (int64, error) {
	w := &statement{ctx: ctx, sql: sql, args: args, done: make(chan error, 1)}
	err := s.writes.Do(ctx, w, func() error { return <-w.done })
	return w.count, err
}

// runBatch runs writes as one transaction and hands each its result.
func (s *Store) runBatch(writes []*statement) {
	ctx := context.Background()
	live := writes[:0:0]
	for _, w := range writes {
		if err := w.ctx.Err(); err != nil {
			w.done <- err // its caller gave up before its turn: not written
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	refused, err := s.sendBatch(ctx, live)
	if !refused {
		if err == nil {
			s.writes.Committed(len(live))
		}
		for _, w := range live {
			w.done <- err
		}
		return
	}
	// The server refused a statement and the batch rolled back: each write again, alone.
	for _, w := range live {
		err := s.pool.QueryRow(ctx, w.sql, w.args...).Scan(&w.count)
		if err == nil {
			s.writes.Committed(1) // before the caller goes on, so that its Stats count it
		}
		w.done <- err
	}
}

// sendBatch sends the writes as one pgx batch (one implicit transaction) and reads their
// counts. refused tells that the server refused a statement, so that the transaction was
// rolled back; otherwise err is the transaction's error if it did not commit (or may not
// have: a connection lost mid-batch leaves that open, and the writes are not run again).
func (s *Store) sendBatch(ctx context.Context, writes []*statement) (refused bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("acquire a connection: %w", err)
	}
	defer conn.Release()
	b := &pgx.Batch{}
	for _, w := range writes {
		b.Queue(w.sql, w.args...)
	}
	results := conn.SendBatch(ctx, b)
	for _, w := range writes {
		if err := results.QueryRow().Scan(&w.count); err != nil {
			results.Close()
			var pgErr *pgconn.PgError
			return errors.As(err, &pgErr), fmt.Errorf("a batch of %d writes: %w", len(writes), err)
		}
	}
	if err := results.Close(); err != nil {
		return false, fmt.Errorf("commit a batch of %d writes: %w", len(writes), err)
	}
	return false, nil
}
