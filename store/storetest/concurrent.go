package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// Concurrency of the writer tests: Writers goroutines each make Steps read-modify-write steps.
const (
	Writers = 8
	Steps   = 10
)

// testConcurrentCreate: of many creators of one ID exactly one wins.
func testConcurrentCreate(t *testing.T, s machine.Store) {
	errs := make([]error, Writers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range Writers {
		wg.Go(func() {
			l := newLogin("contested", states.New, at(0))
			l.Phone = fmt.Sprintf("+%d", g)
			<-start
			errs[g] = s.Create(t.Context(), l)
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for g, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both created the login", winner, g)
		case err == nil:
			winner = g
		case !errors.Is(err, machine.ErrExists):
			t.Errorf("writer %d: err = %v, want nil or ErrExists", g, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer created the login")
	}
	if got := mustGet(t, s, "contested"); got.Phone != fmt.Sprintf("+%d", winner) {
		t.Errorf("stored login is from %s, but writer +%d won", got.Phone, winner)
	}
}

// testConcurrentUpdate: writers racing on one login, each retrying on ErrConflict, lose
// no step: every mark lands exactly once, in the record and in the journal, in the same
// order, and the version counts every step.
func testConcurrentUpdate(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("hot", states.CodeSent, at(0)))
	conflicts := ConcurrentSteps(t, s, "hot", "w", Writers, Steps)
	t.Logf("%d writers x %d steps: %d conflicts retried", Writers, Steps, conflicts)
	CheckSteps(t, s, "hot", 1, Writers*Steps)
}

// ConcurrentSteps runs writers goroutines that each make steps read-modify-write steps on
// login id: Get, Attempts+1, a mark appended to the Detail of its Problem, Update with one
// journal entry whose Problem holds the mark (see Step), again from Get on ErrConflict. The marks start with prefix, which must
// differ between calls racing on one login. It fails the test on any other error and
// returns how many conflicts were retried. Backend tests use it with several handles on
// one database; CheckSteps verifies the outcome.
func ConcurrentSteps(t testing.TB, s machine.Store, id, prefix string, writers, steps int) (conflicts int) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		start = make(chan struct{})
	)
	for g := range writers {
		wg.Go(func() {
			<-start
			for k := range steps {
				n, err := Step(t.Context(), s, id, fmt.Sprintf("%s.%d.%d", prefix, g, k))
				mu.Lock()
				conflicts += n
				mu.Unlock()
				if err != nil {
					t.Errorf("writer %d step %d: %v", g, k, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	return conflicts
}

// CheckSteps fails the test unless login id went through exactly n steps of
// ConcurrentSteps (or Step) since it was at version from with no attempts and no journal:
// Version, Attempts, the marks in the login's Problem and the journal all agree.
func CheckSteps(t testing.TB, s machine.Store, id string, from int64, n int) {
	t.Helper()
	l, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	if l.Version != from+int64(n) {
		t.Errorf("Version = %d after %d steps from %d, want %d", l.Version, n, from, from+int64(n))
	}
	if l.Attempts != n {
		t.Errorf("Attempts = %d after %d steps: %d lost updates", l.Attempts, n, n-l.Attempts)
	}
	var marks []string
	if l.Problem != nil && l.Problem.Detail != "" {
		marks = strings.Split(strings.TrimSuffix(l.Problem.Detail, ";"), ";")
	}
	distinct := slices.Clone(marks)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(marks) != n || len(distinct) != n {
		t.Errorf("the login's Problem holds %d marks (%d distinct) after %d steps", len(marks), len(distinct), n)
	}
	journal, err := s.Journal(t.Context(), id)
	if err != nil {
		t.Fatalf("Journal(%s): %v", id, err)
	}
	if len(journal) != n {
		t.Fatalf("journal has %d entries after %d steps", len(journal), n)
	}
	for i, e := range journal {
		if e.Version != from+int64(i)+1 {
			t.Errorf("journal[%d].Version = %d, want %d", i, e.Version, from+int64(i)+1)
		}
		if i < len(marks) && (e.Problem == nil || e.Problem.Detail != marks[i]) {
			t.Errorf("journal[%d] has problem %+v but the record's step %d is %q: journal and record disagree", i, e.Problem, i, marks[i])
		}
	}
}
