package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/store/storetest"
)

// TestTwoEngines: two engines, each on a Store of its own on one file, drive 200 logins
// at once (phone logins authorized, cancelled or expired by their TTL, QR logins whose
// tokens expire round after round) while both schedulers run. Every login must end as its
// inputs imply, with no lost update and every timer fired exactly once; see
// storetest.TwoEngines.
func TestTwoEngines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "engines.db")
	storetest.TwoEngines(t, openPath(t, path), openPath(t, path), storetest.EnginesConfig{Logins: 200, Workers: 16})
}

// BenchmarkEngineStep is one durable engine step per op: a wrong code, so the write-ahead
// of CheckingCode and the outcome back in CodeSent, two commits with synchronous=FULL. It
// reports steps/s; run it with BenchmarkFsync (-bench 'EngineStep|Fsync') to set them
// against the disk's fsync rate.
func BenchmarkEngineStep(b *testing.B) {
	scale.BenchmarkEngineStep(b, openPath(b, filepath.Join(benchDir(b), "step.db")))
}
