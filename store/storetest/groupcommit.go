package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// Counts are what a group-committing store reports of its writes (see store/sqlite's
// and store/postgres's Stats).
type Counts struct {
	// Writes committed and the Commits that carried them, since the store was opened.
	Writes, Commits int64
	// Pending is how many writes are under way now.
	Pending int64
}

// GroupCommit checks a store that commits concurrent writes together: 64 writers, each
// stepping a login of its own 10 times (Step), share commits, so the store counts fewer
// commits than writes, and every step of every login is there, in its record and its
// journal (CheckSteps). The first steps queue behind hold, which keeps the store from
// committing until the function it returns is called, so that they surely meet; one more
// write queued with them, an Update at a stale version, fails alone with ErrConflict.
func GroupCommit(t *testing.T, s machine.Store, counts func() Counts, hold func() (release func())) {
	t.Helper()
	const writers, steps = 64, 10
	for g := range writers {
		mustCreate(t, s, newLogin(fmt.Sprintf("g%02d", g), states.CodeSent, at(0)))
	}
	stale := newLogin("stale", states.CodeSent, at(0))
	mustCreate(t, s, stale)
	moved := *stale
	if err := s.Update(t.Context(), &moved); err != nil {
		t.Fatal(err)
	}
	before := counts()

	release := hold()
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			id := fmt.Sprintf("g%02d", g)
			for k := range steps {
				if _, err := Step(t.Context(), s, id, fmt.Sprintf("%s.%d", id, k)); err != nil {
					t.Errorf("%s step %d: %v", id, k, err)
					return
				}
			}
		})
	}
	var staleErr error
	wg.Go(func() { staleErr = s.Update(t.Context(), stale) })
	WaitPending(t, counts, before.Pending+writers+1)
	release()
	wg.Wait()

	if !errors.Is(staleErr, machine.ErrConflict) {
		t.Errorf("Update at a stale version: %v, want ErrConflict", staleErr)
	}
	for g := range writers {
		CheckSteps(t, s, fmt.Sprintf("g%02d", g), 1, steps)
	}
	after := counts()
	writes, commits := after.Writes-before.Writes, after.Commits-before.Commits
	t.Logf("%d writes in %d commits", writes, commits)
	if writes != writers*steps && writes != writers*steps+1 { // a store may count the stale Update, which changed nothing
		t.Errorf("%d writes committed, want %d", writes, writers*steps)
	}
	if commits >= writes {
		t.Errorf("%d commits for %d writes: no commit was shared", commits, writes)
	}
	if after.Pending != before.Pending {
		t.Errorf("%d writes still pending", after.Pending-before.Pending)
	}
}

// WaitPending waits until counts reports at least n writes under way, for a minute at
// most: writes queued behind a held commit.
func WaitPending(t *testing.T, counts func() Counts, n int64) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for counts().Pending < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes under way after a minute, want %d", counts().Pending, n)
		}
		time.Sleep(time.Millisecond)
	}
}
