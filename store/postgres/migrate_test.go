package postgres_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/postgres"
)

// schemaVersions returns the versions recorded in schema_migrations, in order.
func schemaVersions(t *testing.T, dsn string) []int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, _ := conn.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	v, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return v
}

// TestMigrateFromVersion1 opens a database an older tgauth wrote, at schema version 1 (no
// claim columns), with a login in it, and checks that Open brings it up to date.
func TestMigrateFromVersion1(t *testing.T) {
	dsn := freshDSN(t)
	old, err := postgres.OpenAtVersion(t.Context(), dsn, 1)
	if err != nil {
		t.Fatalf("OpenAtVersion(1): %v", err)
	}
	now := time.Now()
	l := &machine.Login{ID: "old", State: states.QRWaiting, TimerAt: now.Add(-time.Second), TimerEvent: "qr_poll", CreatedAt: now}
	if err := old.Create(t.Context(), l); err != nil {
		t.Fatalf("Create at version 1: %v", err)
	}
	old.Close()
	if got := schemaVersions(t, dsn); fmt.Sprint(got) != "[1]" {
		t.Fatalf("old database at versions %v, want [1]", got)
	}

	s := openDSN(t, dsn)
	if got, want := schemaVersions(t, dsn), postgres.Migrations; len(got) != want || got[len(got)-1] != want {
		t.Errorf("versions after Open = %v, want 1..%d", got, want)
	}
	due, err := s.Due(t.Context(), now, 0)
	if err != nil || len(due) != 1 || due[0].ID != "old" {
		t.Fatalf("Due after migration = %v, %v; want the old login", due, err)
	}
	due[0].State = states.ExportingQR
	if err := s.Update(t.Context(), due[0]); err != nil {
		t.Errorf("Update after migration: %v", err)
	}
}

// TestMigrateFromVersion2 opens a database tgauth 70832bc wrote, at schema version 2: a
// login document of format v0 (with its last_error) and journal entries with notes. Open
// must bring it up to date and read them back, the notes as note problems.
func TestMigrateFromVersion2(t *testing.T) {
	dsn := freshDSN(t)
	old, err := postgres.OpenAtVersion(t.Context(), dsn, 2)
	if err != nil {
		t.Fatalf("OpenAtVersion(2): %v", err)
	}
	old.Close()
	doc, err := os.ReadFile("../internal/logindoc/testdata/v0-engine.json")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	const note = "wrong code (PHONE_CODE_INVALID), attempt 1 of 5"
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO logins (id, state, version, created_at, doc) VALUES ('engine', 'CodeSent', 5, now(), $1)`, string(doc))
	b.Queue(`INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
		VALUES ('engine', 4, now(), 'CodeSent', 'submit_code', 'CheckingCode', '')`)
	b.Queue(`INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
		VALUES ('engine', 5, now(), 'CheckingCode', 'code_invalid', 'CodeSent', $1)`, note)
	if err := conn.SendBatch(t.Context(), b).Close(); err != nil {
		t.Fatal(err)
	}

	s := openDSN(t, dsn)
	l, err := s.Get(t.Context(), "engine")
	if err != nil || l.Version != 5 || l.Attempts != 1 || l.Problem == nil || *l.Problem != (machine.Problem{Code: "note", Detail: note}) {
		t.Fatalf("Get after migration = %+v (problem %+v), %v", l, l.Problem, err)
	}
	j, err := s.Journal(t.Context(), "engine")
	if err != nil || len(j) != 2 || j[0].Problem != nil || j[1].Problem == nil || *j[1].Problem != (machine.Problem{Code: "note", Detail: note}) {
		t.Fatalf("Journal after migration = %+v, %v; want no problem, then the note as a problem", j, err)
	}
	p := &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 2, MaxAttempts: 5}
	if err := s.Update(t.Context(), l, machine.JournalEntry{Version: 6, At: time.Now(), From: states.CodeSent, Event: "code_invalid", To: states.CodeSent, Problem: p}); err != nil {
		t.Fatalf("Update after migration: %v", err)
	}
	if j, err := s.Journal(t.Context(), "engine"); err != nil || len(j) != 3 || j[2].Problem == nil || *j[2].Problem != *p {
		t.Errorf("Journal after an Update = %+v, %v", j, err)
	}
	if err := s.AddFloodWait(t.Context(), l.Phone, "auth.signIn", time.Now().Add(time.Hour)); err != nil {
		t.Errorf("AddFloodWait after migration: %v", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dsn := freshDSN(t)
	openDSN(t, dsn).Close()
	future := postgres.Migrations + 7
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `INSERT INTO schema_migrations (version) VALUES ($1)`, future); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(t.Context(), dsn)
	if !errors.Is(err, postgres.ErrNewerSchema) {
		t.Fatalf("Open of a database from a newer schema: err = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{fmt.Sprint(future), fmt.Sprint(postgres.Migrations)} {
		if !strings.Contains(err.Error(), "version "+want) {
			t.Errorf("error %q does not name version %s", err, want)
		}
	}
}

// TestReplicasMigrateTogether: replicas opening a new database at the same moment take
// turns on the advisory lock; each schema step runs once, and every Open succeeds.
func TestReplicasMigrateTogether(t *testing.T) {
	dsn := freshDSN(t)
	const replicas = 6
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(t.Context(), dsn)
			if err != nil {
				t.Errorf("replica %d: Open: %v", i, err)
				return
			}
			s.Close()
		})
	}
	close(start)
	wg.Wait()
	if got, want := schemaVersions(t, dsn), postgres.Migrations; len(got) != want {
		t.Errorf("versions after concurrent Opens = %v, want 1..%d once each", got, want)
	}
}
