// Package batch is the group commit of store/sqlite and store/postgres: it gathers the
// writes of concurrent callers into batches for a store's committers, so that one
// transaction (and one fsync) carries many writes, and counts what they did.
//
// A committer takes every write waiting when it is free, up to a maximum, and hands them
// to the store's run function; while it runs (commits, fsyncs), the next batch gathers.
// A lone writer waits for nothing but its own commit.
package batch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Max is the most writes a committer takes at a time.
const Max = 256

// ErrClosed is returned by Do once the queue is closed.
var ErrClosed = errors.New("the store is closed")

// Stats counts what a store's committers did since it was opened.
type Stats struct {
	// Writes is how many writes committed.
	Writes int64
	// Commits is how many transactions committed them: fewer than Writes when
	// concurrent writes shared a commit.
	Commits int64
	// Pending is how many writes are under way now: waiting for a committer, or in the
	// transaction one is running.
	Pending int64
}

// Queue hands writes of type W to committers. It is safe for concurrent use.
type Queue[W any] struct {
	in   chan W
	quit chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	writes, commits, pending atomic.Int64
}

// New starts committers goroutines, each of which takes up to Max waiting writes at a
// time and calls run with them. run must release each write's caller (see Do).
func New[W any](committers int, run func(batch []W)) *Queue[W] {
	q := &Queue[W]{in: make(chan W), quit: make(chan struct{})}
	for range committers {
		q.wg.Go(func() { q.commit(run) })
	}
	return q
}

// commit is one committer.
func (q *Queue[W]) commit(run func([]W)) {
	for {
		var batch []W
		select {
		case w := <-q.in:
			batch = append(batch, w)
		case <-q.quit:
			return
		}
	gather:
		for len(batch) < Max {
			select {
			case w := <-q.in:
				batch = append(batch, w)
			default:
				break gather
			}
		}
		run(batch)
	}
}

// Do hands w to a committer and then returns wait(), which waits for the result the
// committer's run gives w. It returns ctx's error, and w is not written, if ctx is done
// before a committer takes w; once one has taken it, Do waits for the result whatever
// becomes of ctx, so that what it returns is what the database holds. It returns
// ErrClosed after Close.
func (q *Queue[W]) Do(ctx context.Context, w W, wait func() error) error {
	q.pending.Add(1)
	defer q.pending.Add(-1)
	select {
	case q.in <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.quit:
		return ErrClosed
	}
	return wait()
}

// Committed counts one transaction that committed n writes.
func (q *Queue[W]) Committed(n int) {
	if n > 0 {
		q.writes.Add(int64(n))
		q.commits.Add(1)
	}
}

// Stats returns what the committers did so far.
func (q *Queue[W]) Stats() Stats {
	return Stats{Writes: q.writes.Load(), Commits: q.commits.Load(), Pending: q.pending.Load()}
}

// Close stops the committers once the batches they are running are done. Do fails with
// ErrClosed afterwards.
func (q *Queue[W]) Close() {
	q.once.Do(func() { close(q.quit) })
	q.wg.Wait()
}
