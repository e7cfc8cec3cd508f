package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenAtVersion opens dsn like Open, but migrates it only up to schema version v, to
// make databases as an older tgauth left them.
func OpenAtVersion(ctx context.Context, dsn string, v int) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx, v); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Migrations is how many schema versions this build knows.
var Migrations = len(migrations)
