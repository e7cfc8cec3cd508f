package batch

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// item is a write of the tests; done gets its result.
type item struct {
	id   int
	done chan error
}

// holdFirst returns a run function that signals started and waits for release in its
// first batch, records the size of every batch, and releases each write's caller.
func holdFirst() (run func([]item), started, release chan struct{}, sizes func() []int) {
	started, release = make(chan struct{}), make(chan struct{})
	var (
		mu    sync.Mutex
		got   []int
		first = true
	)
	run = func(batch []item) {
		mu.Lock()
		got = append(got, len(batch))
		wait := first
		first = false
		mu.Unlock()
		if wait {
			close(started)
			<-release
		}
		for _, w := range batch {
			w.done <- nil
		}
	}
	return run, started, release, func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), got...)
	}
}

// do hands one item to q and waits for its result.
func do(ctx context.Context, q *Queue[item], id int) error {
	w := item{id: id, done: make(chan error, 1)}
	return q.Do(ctx, w, func() error { return <-w.done })
}

// waitPending waits until q has n writes under way, for a minute at most.
func waitPending(t *testing.T, q *Queue[item], n int64) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); q.Stats().Pending < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes under way after a minute, want %d", q.Stats().Pending, n)
		}
	}
}

// TestWritesThatWaitShareABatch: while the committer runs one batch, the writes that come
// meanwhile wait, and it takes them together afterwards.
func TestWritesThatWaitShareABatch(t *testing.T) {
	run, started, release, sizes := holdFirst()
	q := New(1, run)
	defer q.Close()
	var wg sync.WaitGroup
	wg.Go(func() { _ = do(t.Context(), q, 0) })
	<-started
	for i := range 10 {
		wg.Go(func() {
			if err := do(t.Context(), q, i+1); err != nil {
				t.Error(err)
			}
		})
	}
	waitPending(t, q, 11)
	close(release)
	wg.Wait()
	got, total := sizes(), 0
	for _, n := range got {
		total += n
	}
	if total != 11 || got[0] != 1 || len(got) >= 11 {
		t.Errorf("batches of %v: want the first of 1, then the other 10 writes in fewer than 10 batches", got)
	}
	if p := q.Stats().Pending; p != 0 {
		t.Errorf("%d writes still under way", p)
	}
}

// TestCancelledBeforeTaken: a write whose context ends while the committer is busy is
// never handed to run, and its caller gets the context's error.
func TestCancelledBeforeTaken(t *testing.T) {
	run, started, release, sizes := holdFirst()
	q := New(1, run)
	defer q.Close()
	go func() { _ = do(t.Context(), q, 0) }()
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := do(ctx, q, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a cancelled context: %v, want context.Canceled", err)
	}
	close(release)
	if err := do(t.Context(), q, 2); err != nil {
		t.Fatal(err)
	}
	if got := sizes(); len(got) != 2 || got[0] != 1 || got[1] != 1 {
		t.Errorf("batches of %v, want [1 1]: the cancelled write was run", got)
	}
}

// TestClosed: Do fails with ErrClosed after Close, and Committed counts commits.
func TestClosed(t *testing.T) {
	q := New(2, func(batch []item) {
		for _, w := range batch {
			w.done <- nil
		}
	})
	if err := do(t.Context(), q, 0); err != nil {
		t.Fatal(err)
	}
	q.Committed(3)
	q.Committed(0)
	q.Close()
	if err := do(t.Context(), q, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Do after Close: %v, want ErrClosed", err)
	}
	if st := q.Stats(); st.Writes != 3 || st.Commits != 1 {
		t.Errorf("Stats %+v, want 3 writes in 1 commit", st)
	}
}
