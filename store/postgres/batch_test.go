package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/store/storetest"
)

// TestGroupCommit: concurrent writers share commits, each write with its own result; see
// storetest.GroupCommit. The store's committer's first batch waits for a lock on the
// logins table held by another connection, while the next writes queue behind it.
func TestGroupCommit(t *testing.T) {
	dsn := freshDSN(t)
	s := openDSN(t, dsn)
	counts := func() storetest.Counts {
		st := s.Stats()
		return storetest.Counts{Writes: st.Writes, Commits: st.Commits, Pending: st.Pending}
	}
	storetest.GroupCommit(t, s, counts, func() func() {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		// Writes wait for this lock; reads do not.
		if _, err := tx.Exec(t.Context(), "LOCK TABLE logins IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := tx.Commit(t.Context()); err != nil {
				t.Error(err)
			}
			conn.Close(t.Context())
		}
	})
}
