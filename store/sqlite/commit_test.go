package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

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

// counts reads s's Stats for storetest.
func counts(s *sqlite.Store) func() storetest.Counts {
	return func() storetest.Counts {
		st := s.Stats()
		return storetest.Counts{Writes: st.Writes, Commits: st.Commits, Pending: st.Pending}
	}
}

// TestGroupCommit: concurrent writers share commits, each write with its own result; see
// storetest.GroupCommit. The first writes queue behind the file's write lock, held by
// another connection.
func TestGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group.db")
	s := openPath(t, path)
	storetest.GroupCommit(t, s, counts(s), func() func() { return holdWriteLock(t, path) })
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
	storetest.WaitPending(t, counts(s), 3)
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
