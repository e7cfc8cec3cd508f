package sqlite

import "context"

// OpenAtVersion opens path like Open, but migrates it only up to schema version v, to
// make files as an older tgauth left them.
func OpenAtVersion(ctx context.Context, path string, v int) (*Store, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, writer: make(chan struct{}, 1)}
	if err := s.migrate(ctx, v); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Migrations is how many schema versions this build knows.
var Migrations = len(migrations)
