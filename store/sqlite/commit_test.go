package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/store/storetest"
)

// holdWriteLock takes the file's write lock on a connection of its own, as another
// process writing would, and returns a function that lets it go. The Store's writes
// queue behind it meanwhile.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	conn, err := rawDB(t, path).Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(t.Context(), "COMMIT"); err != nil {
			t.Error(err)
		}
		conn.Close()
	}
}

// waitPending waits until n writes of s are under way (queued behind a held lock).
func waitPending(t *testing.T, s *sqlite.Store, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for s.Stats().Pending < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes under way after a minute, want %d", s.Stats().Pending, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGroupCommit: 64 writers, each stepping a login of its own, share commits: the
// Store commits fewer transactions than writes, and every step of every login is there,
// in its record and its journal. One more writer, queued with the first batch, loses a
// compare-and-swap: only its write fails (ErrConflict), the batch commits.
func TestGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group.db")
	s := openPath(t, path)
	const writers, steps = 64, 10
	for g := range writers {
		if err := s.Create(t.Context(), &machine.Login{ID: fmt.Sprintf("g%02d", g), State: states.CodeSent}); err != nil {
			t.Fatal(err)
		}
	}
	stale := &machine.Login{ID: "stale", State: states.CodeSent}
	if err := s.Create(t.Context(), stale); err != nil {
		t.Fatal(err)
	}
	moved := *stale
	if err := s.Update(t.Context(), &moved); err != nil {
		t.Fatal(err)
	}
	before := s.Stats()

	release := holdWriteLock(t, path)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			id := fmt.Sprintf("g%02d", g)
			for k := range steps {
				if _, err := storetest.Step(t.Context(), s, id, fmt.Sprintf("%s.%d", id, k)); err != nil {
					t.Errorf("%s step %d: %v", id, k, err)
					return
				}
			}
		})
	}
	var staleErr error
	wg.Go(func() { staleErr = s.Update(t.Context(), stale) })
	waitPending(t, s, writers+1)
	release()
	wg.Wait()

	if !errors.Is(staleErr, machine.ErrConflict) {
		t.Errorf("Update at a stale version: %v, want ErrConflict", staleErr)
	}
	for g := range writers {
		storetest.CheckSteps(t, s, fmt.Sprintf("g%02d", g), 1, steps)
	}
	after := s.Stats()
	writes, commits := after.Writes-before.Writes, after.Commits-before.Commits
	t.Logf("%d writes in %d commits", writes, commits)
	if writes != writers*steps {
		t.Errorf("%d writes committed, want %d", writes, writers*steps)
	}
	if commits >= writes {
		t.Errorf("%d commits for %d writes: no commit was shared", commits, writes)
	}
	if after.Pending != 0 {
		t.Errorf("%d writes still pending", after.Pending)
	}
}

// TestGroupCommitCancelled: a writer that gives up while its write waits for the
// committer gets its context's error and its write is not made; the writes queued with it
// commit.
func TestGroupCommitCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cancel.db")
	s := openPath(t, path)
	release := holdWriteLock(t, path)
	ctx, cancel := context.WithCancel(t.Context())
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			c := t.Context()
			if i == 1 {
				c = ctx
			}
			errs[i] = s.Create(c, &machine.Login{ID: fmt.Sprint("c", i), State: states.New})
		})
	}
	waitPending(t, s, 3)
	cancel()
	release()
	wg.Wait()
	for i, err := range errs {
		_, getErr := s.Get(t.Context(), fmt.Sprint("c", i))
		switch {
		case i == 1 && (!errors.Is(err, context.Canceled) || !errors.Is(getErr, machine.ErrNotFound)):
			t.Errorf("cancelled Create: %v, then Get: %v; want context.Canceled and ErrNotFound", err, getErr)
		case i != 1 && (err != nil || getErr != nil):
			t.Errorf("Create c%d: %v, then Get: %v; want both to succeed", i, err, getErr)
		}
	}
}

// TestWriteAfterClose: a write to a closed Store fails with ErrClosed.
func TestWriteAfterClose(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(t.Context(), &machine.Login{ID: "late", State: states.New}); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Create after Close: %v, want ErrClosed", err)
	}
}
