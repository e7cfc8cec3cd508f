package sqlite

import (
	"context"
	"testing"
	"time"
)

// OpenAtVersion opens path like Open, but migrates it only up to schema version v, to
// make files as an older tgauth left them.
func OpenAtVersion(ctx context.Context, path string, v int) (*Store, error) {
	return open(ctx, path, v)
}

// Migrations is how many schema versions this build knows.
var Migrations = len(migrations)

// OnPause makes f run each time Open, having found the file busy, pauses before trying
// again to switch it to WAL mode, until t ends.
func OnPause(t testing.TB, f func()) {
	orig := pause
	pause = func(ctx context.Context, d time.Duration) error {
		f()
		return orig(ctx, d)
	}
	t.Cleanup(func() { pause = orig })
}
