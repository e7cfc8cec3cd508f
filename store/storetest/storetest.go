// Package storetest is the conformance suite every machine.Store passes: the memory,
// SQLite and PostgreSQL stores each run it from their own tests. Run checks one store at a
// time; TwoEngines drives logins through two engines on two handles of one database (one
// store twice, for a store of one process), and Claims checks the claims of a store whose
// Due and Stale make them.
//
// A store under test must return a new, empty store from every call of open; the suite
// calls open once per subtest and leaves closing to cleanups open registers with t.Cleanup.
//
// What the suite pins down beyond the doc comments of machine.Store:
//
//   - Times round-trip to at least microsecond precision (PostgreSQL keeps microseconds);
//     the suite compares them with time.Equal after truncating to the microsecond, so a
//     store may hand them back in UTC or in the zone offset they were stored with.
//   - Every field of a Login, a nil pointer and a zero time among them, survives Create/Get
//     and Update/Get unchanged but for Version.
//   - Due and Stale may claim what they return for a short while (see the sqlite and
//     postgres stores): a claimed login is left out of the next calls until the claim
//     lapses or the login is updated. The suite therefore moves its clock forward by more
//     than an hour between two calls that expect to see the same logins again; a claim
//     window must be shorter than that.
//   - A flood wait that ends at now is over: FloodWaits returns those ending after now.
//     AddFloodWait with a zero until records no wait.
//   - The semantic errors come back as the bare sentinels (machine.ErrNotFound,
//     machine.ErrExists, machine.ErrConflict, tgapi.ErrNoSession), checked with errors.Is.
package storetest

import (
	"testing"

	"github.com/tgauth/tgauth/machine"
)

// Run runs the whole conformance suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) machine.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s machine.Store)
	}{
		{"CreateGet", testCreateGet},
		{"CreateGetMinimal", testCreateGetMinimal},
		{"CreateExists", testCreateExists},
		{"GetNotFound", testGetNotFound},
		{"ReturnedLoginIsACopy", testReturnedCopy},
		{"Update", testUpdate},
		{"UpdateWithoutJournal", testUpdateWithoutJournal},
		{"UpdateConflict", testUpdateConflict},
		{"UpdateNotFound", testUpdateNotFound},
		{"List", testList},
		{"Due", testDue},
		{"Stale", testStale},
		{"Journal", testJournal},
		{"JournalNotFound", testJournalNotFound},
		{"Sessions", testSessions},
		{"SessionUnknownLogin", testSessionUnknownLogin},
		{"LogoutTokens", testLogoutTokens},
		{"LogoutTokensCap", testLogoutTokensCap},
		{"FloodWaits", testFloodWaits},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentUpdate", testConcurrentUpdate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, open(t))
		})
	}
}
