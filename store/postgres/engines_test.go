package postgres_test

import (
	"testing"

	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/store/storetest"
)

// TestTwoEngines: two engines, each on a pool of its own on one schema, as two replicas
// would be, drive 1000 logins at once (phone logins authorized, cancelled or expired by
// their TTL, QR logins whose tokens expire round after round) while both schedulers run.
// Every login must end as its inputs imply, with no lost update and every timer fired
// exactly once; see storetest.TwoEngines.
func TestTwoEngines(t *testing.T) {
	dsn := freshDSN(t)
	storetest.TwoEngines(t, openDSN(t, dsn), openDSN(t, dsn), storetest.EnginesConfig{Logins: 1000})
}

// BenchmarkEngineStep is one durable engine step per op: a wrong code, so the write-ahead
// of CheckingCode and the outcome back in CodeSent, two commits. It reports steps/s.
func BenchmarkEngineStep(b *testing.B) {
	scale.BenchmarkEngineStep(b, openDSN(b, freshDSN(b)))
}
