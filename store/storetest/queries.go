package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// checkIDs fails the test unless logins are exactly want, in that order.
func checkIDs(t *testing.T, what string, logins []*machine.Login, err error, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := ids(logins); !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func testList(t *testing.T, s machine.Store) {
	ctx := t.Context()
	if got, err := s.List(ctx, machine.ListOptions{}); err != nil || len(got) != 0 {
		t.Fatalf("List of an empty store = %q, %v", ids(got), err)
	}
	// Created out of order; "B" and "a" share a creation time, and "B" sorts first byte-wise
	// (a database collating by locale would put "a" first).
	for _, l := range []*machine.Login{
		newLogin("c", states.CodeSent, at(3*time.Second)),
		newLogin("a", states.New, at(time.Second)),
		newLogin("d", states.Authorized, at(4*time.Second)),
		newLogin("B", states.CodeSent, at(time.Second)),
		newLogin("e", states.CodeSent, at(-time.Hour)),
	} {
		mustCreate(t, s, l)
	}
	got, err := s.List(ctx, machine.ListOptions{})
	checkIDs(t, "List{}", got, err, "e", "B", "a", "c", "d")
	if err == nil && len(got) == 5 && (got[1].State != states.CodeSent || got[1].Version != 1) {
		t.Errorf("List returned a login without its fields: %+v", got[1])
	}
	got, err = s.List(ctx, machine.ListOptions{State: states.CodeSent})
	checkIDs(t, "List{State: CodeSent}", got, err, "e", "B", "c")
	got, err = s.List(ctx, machine.ListOptions{Limit: 2})
	checkIDs(t, "List{Limit: 2}", got, err, "e", "B")
	got, err = s.List(ctx, machine.ListOptions{State: states.CodeSent, Limit: 2})
	checkIDs(t, "List{State: CodeSent, Limit: 2}", got, err, "e", "B")
	got, err = s.List(ctx, machine.ListOptions{State: states.Failed})
	checkIDs(t, "List{State: Failed}", got, err)

	// An update that changes the state moves the login between filters.
	c := mustGet(t, s, "c")
	c.State = states.Authorized
	mustUpdate(t, s, c)
	got, err = s.List(ctx, machine.ListOptions{State: states.Authorized})
	checkIDs(t, "List{State: Authorized} after an update", got, err, "c", "d")
}

// testDue walks a clock forward by hours between calls, so a store that claims what Due
// returns (for less than an hour) sees the same logins again.
func testDue(t *testing.T, s machine.Store) {
	ctx := t.Context()
	timers := []struct {
		id string
		at time.Duration // from base; -1 means no timer
	}{
		{"none", -1},
		{"late", -3 * time.Hour},
		{"tie-b", -2 * time.Hour},
		{"tie-a", -2 * time.Hour},
		{"now", 0},
		{"soon", time.Second},
		{"later", 10 * time.Hour},
	}
	for _, tm := range timers {
		l := newLogin(tm.id, states.QRWaiting, at(0))
		if tm.at != -1 {
			l.TimerAt, l.TimerEvent = at(tm.at), "qr_poll"
		}
		mustCreate(t, s, l)
	}
	got, err := s.Due(ctx, at(0), 0)
	checkIDs(t, "Due(base)", got, err, "late", "tie-a", "tie-b", "now")
	if err == nil && len(got) > 0 && (got[0].TimerEvent != "qr_poll" || got[0].Version != 1) {
		t.Errorf("Due returned a login without its fields: %+v", got[0])
	}
	got, err = s.Due(ctx, at(2*time.Hour), 0)
	checkIDs(t, "Due(base+2h)", got, err, "late", "tie-a", "tie-b", "now", "soon")
	got, err = s.Due(ctx, at(4*time.Hour), 2)
	checkIDs(t, "Due(base+4h, limit 2)", got, err, "late", "tie-a")

	// Clearing a timer or moving it on takes the login off the list.
	late := mustGet(t, s, "late")
	late.TimerAt, late.TimerEvent = time.Time{}, ""
	mustUpdate(t, s, late)
	tieA := mustGet(t, s, "tie-a")
	tieA.TimerAt = at(100 * time.Hour)
	mustUpdate(t, s, tieA)
	got, err = s.Due(ctx, at(6*time.Hour), 0)
	checkIDs(t, "Due(base+6h) after updates", got, err, "tie-b", "now", "soon")
	got, err = s.Due(ctx, at(20*time.Hour), 0)
	checkIDs(t, "Due(base+20h)", got, err, "tie-b", "now", "soon", "later")
}

// testStale: only in-flight logins, only once their lease has lapsed (a zero lease has).
func testStale(t *testing.T, s machine.Store) {
	ctx := t.Context()
	var inFlight, other []machine.State
	for _, info := range states.All {
		if info.Kind == states.InFlight {
			inFlight = append(inFlight, info.Name)
		} else {
			other = append(other, info.Name)
		}
	}
	if len(inFlight) < 2 || len(other) < 2 {
		t.Fatalf("states.All has %d in-flight and %d other states", len(inFlight), len(other))
	}
	leases := []struct {
		id    string
		state machine.State
		lease time.Duration // from base; -1 means none
	}{
		{"flight-none", inFlight[0], -1},
		{"flight-late", inFlight[1], -2 * time.Hour},
		{"flight-now", inFlight[0], 0},
		{"flight-soon", inFlight[len(inFlight)-1], time.Second},
		{"flight-later", inFlight[0], 10 * time.Hour},
		{"input-late", other[0], -3 * time.Hour},
		{"final-late", states.Failed, -3 * time.Hour},
		{"input-none", other[1], -1},
	}
	for _, ls := range leases {
		l := newLogin(ls.id, ls.state, at(0))
		if ls.lease != -1 {
			l.LeaseOwner, l.LeaseUntil = "engine-1", at(ls.lease)
		}
		mustCreate(t, s, l)
	}
	got, err := s.Stale(ctx, at(0), 0)
	checkIDs(t, "Stale(base)", got, err, "flight-none", "flight-late", "flight-now")
	got, err = s.Stale(ctx, at(2*time.Hour), 0)
	checkIDs(t, "Stale(base+2h)", got, err, "flight-none", "flight-late", "flight-now", "flight-soon")
	got, err = s.Stale(ctx, at(4*time.Hour), 2)
	checkIDs(t, "Stale(base+4h, limit 2)", got, err, "flight-none", "flight-late")

	// Renewing the lease, or leaving the in-flight state, takes the login off the list.
	late := mustGet(t, s, "flight-late")
	late.LeaseUntil = at(100 * time.Hour)
	mustUpdate(t, s, late)
	now := mustGet(t, s, "flight-now")
	now.State = other[0]
	mustUpdate(t, s, now)
	got, err = s.Stale(ctx, at(6*time.Hour), 0)
	checkIDs(t, "Stale(base+6h) after updates", got, err, "flight-none", "flight-soon")
	got, err = s.Stale(ctx, at(20*time.Hour), 0)
	checkIDs(t, "Stale(base+20h)", got, err, "flight-none", "flight-soon", "flight-later")
}
