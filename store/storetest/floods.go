package storetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

const (
	sendCode tgapi.Method = "auth.sendCode"
	signIn   tgapi.Method = "auth.signIn"
)

// addFloodWait records a wait or fails the test.
func addFloodWait(t *testing.T, s machine.Store, phone string, method tgapi.Method, until time.Time) {
	t.Helper()
	if err := s.AddFloodWait(t.Context(), phone, method, until); err != nil {
		t.Fatalf("AddFloodWait(%s, %s, %v): %v", phone, method, until, err)
	}
}

// checkFloodWaits fails the test unless FloodWaits(phone, now) is want, times compared at
// Precision.
func checkFloodWaits(t *testing.T, s machine.Store, what, phone string, now time.Time, want map[tgapi.Method]time.Time) {
	t.Helper()
	got, err := s.FloodWaits(t.Context(), phone, now)
	if err != nil {
		t.Fatalf("%s: FloodWaits(%s): %v", what, phone, err)
	}
	same := len(got) == len(want)
	for m, w := range want {
		same = same && got[m].Truncate(Precision).Equal(w.Truncate(Precision))
	}
	if !same {
		t.Errorf("%s: FloodWaits(%s, %v) = %s, want %s", what, phone, now, showWaits(got), showWaits(want))
	}
}

func showWaits(w map[tgapi.Method]time.Time) string {
	out := "{"
	for _, m := range slices.Sorted(maps.Keys(w)) {
		out += fmt.Sprintf(" %s until %v", m, w[m])
	}
	return out + " }"
}

// testFloodWaits: waits are kept per phone and per method (no login needs to exist), only
// those lasting beyond now come back, and a later wait replaces an earlier one, never the
// reverse.
func testFloodWaits(t *testing.T, s machine.Store) {
	checkFloodWaits(t, s, "unknown phone", "+1000", at(0), nil)
	addFloodWait(t, s, "+1000", sendCode, at(time.Minute))
	addFloodWait(t, s, "+1000", signIn, at(2*time.Minute))
	addFloodWait(t, s, "+2000", sendCode, at(5*time.Minute))
	addFloodWait(t, s, "+3000", signIn, time.Time{}) // no wait at all
	checkFloodWaits(t, s, "per phone and method", "+1000", at(0),
		map[tgapi.Method]time.Time{sendCode: at(time.Minute), signIn: at(2 * time.Minute)})
	checkFloodWaits(t, s, "another phone", "+2000", at(0), map[tgapi.Method]time.Time{sendCode: at(5 * time.Minute)})
	checkFloodWaits(t, s, "a zero until", "+3000", at(0), nil)

	// A wait that ends at now is over.
	checkFloodWaits(t, s, "one wait ended", "+1000", at(time.Minute), map[tgapi.Method]time.Time{signIn: at(2 * time.Minute)})
	checkFloodWaits(t, s, "every wait ended", "+1000", at(3*time.Minute), nil)

	addFloodWait(t, s, "+2000", sendCode, at(10*time.Minute))
	addFloodWait(t, s, "+2000", sendCode, at(7*time.Minute))
	checkFloodWaits(t, s, "a later wait wins, an earlier one does not shorten it", "+2000", at(0),
		map[tgapi.Method]time.Time{sendCode: at(10 * time.Minute)})

	// A new wait after an old one ended.
	addFloodWait(t, s, "+1000", sendCode, at(20*time.Minute))
	checkFloodWaits(t, s, "a new wait after one ended", "+1000", at(4*time.Minute),
		map[tgapi.Method]time.Time{sendCode: at(20 * time.Minute)})

	// The map returned is the caller's.
	got, err := s.FloodWaits(t.Context(), "+2000", at(0))
	if err != nil {
		t.Fatal(err)
	}
	got[signIn] = at(time.Hour)
	checkFloodWaits(t, s, "after the caller changed a returned map", "+2000", at(0),
		map[tgapi.Method]time.Time{sendCode: at(10 * time.Minute)})
}
