package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// Claims checks the claim semantics of a store whose Due and Stale claim what they return
// for window (the sqlite and postgres stores do; the memory store does not). open must
// return two handles on one new, empty database, as two replicas would hold them.
//
//   - A claimed login is left out of the next calls, through either handle, until the
//     claim lapses at now+window, or until the login is updated.
//   - Handles racing Due (or Stale) get each due login exactly once.
func Claims(t *testing.T, open func(t *testing.T) (a, b machine.Store), window time.Duration) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, a, b machine.Store)
	}{
		{"Due", func(t *testing.T, a, b machine.Store) { claimsDue(t, a, b, window) }},
		{"Stale", func(t *testing.T, a, b machine.Store) { claimsStale(t, a, b, window) }},
		{"RaceDue", func(t *testing.T, a, b machine.Store) {
			raceClaims(t, a, b, "due", func(l *machine.Login) { l.TimerAt, l.TimerEvent = at(-time.Minute), "ttl" }, machine.Store.Due)
		}},
		{"RaceStale", func(t *testing.T, a, b machine.Store) {
			raceClaims(t, a, b, "stale", func(l *machine.Login) { l.State, l.LeaseUntil = states.CheckingCode, at(-time.Minute) }, machine.Store.Stale)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.run(t, a, b)
		})
	}
}

func claimsDue(t *testing.T, a, b machine.Store, window time.Duration) {
	ctx := t.Context()
	l := newLogin("claim-due", states.QRWaiting, at(0))
	l.TimerAt, l.TimerEvent = at(-time.Second), "qr_poll"
	mustCreate(t, a, l)
	got, err := a.Due(ctx, at(0), 0)
	checkIDs(t, "first Due", got, err, "claim-due")
	got, err = a.Due(ctx, at(0), 0)
	checkIDs(t, "Due again through the same handle", got, err)
	got, err = b.Due(ctx, at(window-time.Millisecond), 0)
	checkIDs(t, "Due through the other handle within the window", got, err)
	got, err = b.Due(ctx, at(window), 0)
	checkIDs(t, "Due through the other handle once the window has passed", got, err, "claim-due")

	// An update lifts the claim: the new timer is due at once if it is in the past.
	l = mustGet(t, a, "claim-due")
	l.TimerAt = at(time.Second)
	mustUpdate(t, a, l)
	got, err = a.Due(ctx, at(2*time.Second), 0)
	checkIDs(t, "Due right after an update", got, err, "claim-due")
}

func claimsStale(t *testing.T, a, b machine.Store, window time.Duration) {
	ctx := t.Context()
	l := newLogin("claim-stale", states.CheckingCode, at(0))
	l.LeaseOwner, l.LeaseUntil = "dead-engine", at(-time.Second)
	mustCreate(t, a, l)
	got, err := a.Stale(ctx, at(0), 0)
	checkIDs(t, "first Stale", got, err, "claim-stale")
	got, err = b.Stale(ctx, at(0), 0)
	checkIDs(t, "Stale through the other handle", got, err)
	got, err = b.Stale(ctx, at(window), 0)
	checkIDs(t, "Stale once the window has passed", got, err, "claim-stale")

	// A claim by Due is not a claim by Stale, and the other way round.
	l = mustGet(t, a, "claim-stale")
	l.TimerAt, l.TimerEvent = at(-time.Second), "ttl"
	mustUpdate(t, a, l)
	got, err = a.Stale(ctx, at(time.Hour), 0)
	checkIDs(t, "Stale after an update", got, err, "claim-stale")
	got, err = b.Due(ctx, at(time.Hour), 0)
	checkIDs(t, "Due of a login Stale claimed", got, err, "claim-stale")
}

// raceClaims creates logins that query returns, and has goroutines on both handles take
// them in small batches until none is left: each must come out exactly once.
func raceClaims(t *testing.T, a, b machine.Store, name string, setup func(*machine.Login),
	query func(machine.Store, context.Context, time.Time, int) ([]*machine.Login, error)) {
	const logins, perHandle, batch = 60, 4, 3
	want := make([]string, logins)
	for i := range logins {
		l := newLogin(fmt.Sprintf("%s-%02d", name, i), states.New, at(0))
		setup(l)
		mustCreate(t, a, l)
		want[i] = l.ID
	}
	var (
		mu  sync.Mutex
		got []string
		wg  sync.WaitGroup
	)
	start := make(chan struct{})
	for _, s := range []machine.Store{a, b} {
		for range perHandle {
			wg.Go(func() {
				<-start
				for {
					ls, err := query(s, t.Context(), at(0), batch)
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					if len(ls) == 0 {
						return
					}
					if len(ls) > batch {
						t.Errorf("%s with limit %d returned %d logins", name, batch, len(ls))
					}
					mu.Lock()
					got = append(got, ids(ls)...)
					runaway := len(got) > 2*logins // a store that does not claim would go on for ever
					mu.Unlock()
					if runaway {
						return
					}
				}
			})
		}
	}
	close(start)
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("racing %s returned %d logins for %d due (%d distinct): each must come out exactly once",
			name, len(got), logins, len(slices.Compact(slices.Clone(got))))
	}
}
