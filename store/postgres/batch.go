package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// MaxBatch is the most writes one batch carries.
const MaxBatch = 256

// ErrClosed is returned by a write to a Store that is closed or closing.
var ErrClosed = errors.New("postgres: store is closed")

// Stats counts what a Store's committers did since Open.
type Stats struct {
	// Writes is how many batched writes (Create, Update) committed.
	Writes int64
	// Commits is how many transactions committed them: fewer than Writes when concurrent
	// writes shared a batch.
	Commits int64
}

// Stats returns what the Store's committers did since Open.
func (s *Store) Stats() Stats {
	return Stats{Writes: s.stats.writes.Load(), Commits: s.stats.commits.Load()}
}

// counters are the atomic fields behind Stats.
type counters struct{ writes, commits atomic.Int64 }

// statement is one write waiting for a committer: a statement that returns one row of
// one bigint, a count its caller reads, and the channel that gets its result.
type statement struct {
	ctx   context.Context
	sql   string
	args  []any
	count int64
	done  chan error
}

// batcher hands the writes of concurrent callers to committers, which send each batch in
// one round trip as one transaction.
type batcher struct {
	writes chan *statement
	quit   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// startCommitters starts n committers.
func (s *Store) startCommitters(n int) {
	s.batch.writes, s.batch.quit = make(chan *statement), make(chan struct{})
	for range n {
		s.batch.wg.Go(s.commit)
	}
}

// stopCommitters stops the committers once the batches they are sending have committed.
func (s *Store) stopCommitters() {
	s.batch.once.Do(func() { close(s.batch.quit) })
	s.batch.wg.Wait()
}

// write runs sql (which must return one row holding one bigint) with args and returns
// that number once its transaction committed. Writes of concurrent callers share a
// transaction: a committer takes every write waiting when it is free and sends them as
// one pgx batch, which PostgreSQL runs as one implicit transaction, one round trip and
// one commit. Their statements do not fail in the normal course (a compare-and-swap that
// loses returns 0); if one does fail, the batch is rolled back as a whole and each of its
// writes is run again on its own, so that each caller gets its own result.
//
// ctx bounds the wait for a committer; once a committer has taken the write, write waits
// for the commit whatever becomes of ctx, so that what it returns is what the database
// holds.
func (s *Store) write(ctx context.Context, sql string, args ...any) (int64, error) {
	w := &statement{ctx: ctx, sql: sql, args: args, done: make(chan error, 1)}
	select {
	case s.batch.writes <- w:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-s.batch.quit:
		return 0, ErrClosed
	}
	err := <-w.done
	return w.count, err
}

// commit is one committer: it takes the writes waiting, up to MaxBatch, sends them as
// one batch and releases their callers, until the Store is closed.
func (s *Store) commit() {
	for {
		var batch []*statement
		select {
		case w := <-s.batch.writes:
			batch = append(batch, w)
		case <-s.batch.quit:
			return
		}
	gather:
		for len(batch) < MaxBatch {
			select {
			case w := <-s.batch.writes:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		s.send(batch)
	}
}

// send runs batch as one transaction and hands each write its result.
func (s *Store) send(batch []*statement) {
	ctx := context.Background()
	live := batch[:0:0]
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.done <- err // its caller gave up before its turn: not written
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	failed, err := s.sendBatch(ctx, live)
	if failed {
		// A statement failed and the batch rolled back: each write again, on its own.
		for _, w := range live {
			err := s.pool.QueryRow(ctx, w.sql, w.args...).Scan(&w.count)
			if err == nil {
				s.stats.writes.Add(1)
				s.stats.commits.Add(1)
			}
			w.done <- err
		}
		return
	}
	if err == nil {
		s.stats.writes.Add(int64(len(live)))
		s.stats.commits.Add(1)
	}
	for _, w := range live {
		w.done <- err
	}
}

// sendBatch sends the writes as one pgx batch (one implicit transaction) and reads their
// counts. failed tells that the server refused a statement, so that the transaction was
// rolled back; otherwise err is the transaction's error, if it did not commit (or may
// not have: a connection lost mid-batch leaves that open, and the writes are not run
// again).
func (s *Store) sendBatch(ctx context.Context, writes []*statement) (failed bool, err error) {
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
			var refused *pgconn.PgError
			return errors.As(err, &refused), fmt.Errorf("a batch of %d writes: %w", len(writes), err)
		}
	}
	if err := results.Close(); err != nil {
		return false, fmt.Errorf("commit a batch of %d writes: %w", len(writes), err)
	}
	return false, nil
}
