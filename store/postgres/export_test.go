package postgres

import "context"

// OpenAtVersion opens dsn like Open, but migrates it only up to schema version v, to
// make databases as an older tgauth left them.
func OpenAtVersion(ctx context.Context, dsn string, v int) (*Store, error) {
	return open(ctx, dsn, v)
}

// Migrations is how many schema versions this build knows.
var Migrations = len(migrations)
