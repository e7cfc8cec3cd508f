package sqlite_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sqlite"
)

// rawDB opens path with the bare driver, for looking under the store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pragma reads an integer or text PRAGMA.
func pragma[T any](t *testing.T, db *sql.DB, name string) T {
	t.Helper()
	var v T
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenSetsUpTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s := openPath(t, path)
	db := rawDB(t, path)
	if got := pragma[string](t, db, "journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %q, want wal", got)
	}
	if got := pragma[int](t, db, "user_version"); got != sqlite.Migrations {
		t.Errorf("user_version = %d, want %d", got, sqlite.Migrations)
	}
	// A second Open of a current file migrates nothing and keeps the data.
	l := &machine.Login{ID: "kept", State: states.New}
	if err := s.Create(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	again := openPath(t, path)
	if _, err := again.Get(t.Context(), "kept"); err != nil {
		t.Errorf("Get after a second Open: %v", err)
	}
}

// TestMigrateFromVersion1 opens a file an older tgauth wrote, at schema version 1 (no
// claim columns), with a login in it, and checks that Open brings it up to date.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlite.OpenAtVersion(t.Context(), path, 1)
	if err != nil {
		t.Fatalf("OpenAtVersion(1): %v", err)
	}
	now := time.Now()
	l := &machine.Login{ID: "old", State: states.QRWaiting, TimerAt: now.Add(-time.Second), TimerEvent: "qr_poll", CreatedAt: now}
	if err := old.Create(t.Context(), l); err != nil {
		t.Fatalf("Create at version 1: %v", err)
	}
	if err := old.StoreSession(t.Context(), "old", []byte("session")); err != nil {
		t.Fatalf("StoreSession at version 1: %v", err)
	}
	old.Close()
	db := rawDB(t, path)
	if got := pragma[int](t, db, "user_version"); got != 1 {
		t.Fatalf("user_version of the old file = %d, want 1", got)
	}

	s := openPath(t, path)
	if got := pragma[int](t, db, "user_version"); got != sqlite.Migrations {
		t.Errorf("user_version after Open = %d, want %d", got, sqlite.Migrations)
	}
	got, err := s.Get(t.Context(), "old")
	if err != nil || got.TimerEvent != "qr_poll" || got.Version != 1 {
		t.Fatalf("Get after migration = %+v, %v", got, err)
	}
	due, err := s.Due(t.Context(), now, 0)
	if err != nil || len(due) != 1 || due[0].ID != "old" {
		t.Errorf("Due after migration = %v, %v; want the old login", due, err)
	}
	got.State = states.ExportingQR
	if err := s.Update(t.Context(), got); err != nil {
		t.Errorf("Update after migration: %v", err)
	}
	if data, err := s.LoadSession(t.Context(), "old"); err != nil || string(data) != "session" {
		t.Errorf("LoadSession after migration = %q, %v", data, err)
	}
}

// TestMigrateFromVersion2 opens a file tgauth 70832bc wrote, at schema version 2: a login
// document of format v0 (with its last_error) and journal entries with notes. Open must
// bring it up to date and read them back, the notes as note problems.
func TestMigrateFromVersion2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlite.OpenAtVersion(t.Context(), path, 2)
	if err != nil {
		t.Fatalf("OpenAtVersion(2): %v", err)
	}
	old.Close()
	doc, err := os.ReadFile("../internal/logindoc/testdata/v0-engine.json")
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	const note = "wrong code (PHONE_CODE_INVALID), attempt 1 of 5"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO logins (id, state, version, created_at, doc) VALUES ('engine', 'CodeSent', 5, 0, ?)`, []any{string(doc)}},
		{`INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
			VALUES ('engine', 4, 1, 'CodeSent', 'submit_code', 'CheckingCode', '')`, nil},
		{`INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
			VALUES ('engine', 5, 2, 'CheckingCode', 'code_invalid', 'CodeSent', ?)`, []any{note}},
	} {
		if _, err := db.ExecContext(t.Context(), q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}

	s := openPath(t, path)
	l, err := s.Get(t.Context(), "engine")
	if err != nil || l.Version != 5 || l.Attempts != 1 || l.Problem == nil || *l.Problem != (machine.Problem{Code: "note", Detail: note}) {
		t.Fatalf("Get after migration = %+v (problem %+v), %v", l, l.Problem, err)
	}
	j, err := s.Journal(t.Context(), "engine")
	if err != nil || len(j) != 2 || j[0].Problem != nil || j[1].Problem == nil || *j[1].Problem != (machine.Problem{Code: "note", Detail: note}) {
		t.Fatalf("Journal after migration = %+v, %v; want no problem, then the note as a problem", j, err)
	}
	p := &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 2, MaxAttempts: 5}
	if err := s.Update(t.Context(), l, machine.JournalEntry{Version: 6, From: states.CodeSent, Event: "code_invalid", To: states.CodeSent, Problem: p}); err != nil {
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
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	future := sqlite.Migrations + 7
	if _, err := rawDB(t, path).ExecContext(t.Context(), fmt.Sprintf("PRAGMA user_version = %d", future)); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(t.Context(), path)
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Fatalf("Open of a file from a newer schema: err = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{fmt.Sprint(future), fmt.Sprint(sqlite.Migrations)} {
		if !strings.Contains(err.Error(), "version "+want) {
			t.Errorf("error %q does not name version %s", err, want)
		}
	}
	if got := pragma[int](t, rawDB(t, path), "user_version"); got != future {
		t.Errorf("a refused Open changed user_version to %d", got)
	}
}

// TestFileIsPrivate: the database holds sessions, so it and its WAL are the owner's only.
func TestFileIsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	path := filepath.Join(t.TempDir(), "private.db")
	s := openPath(t, path)
	if err := s.Create(t.Context(), &machine.Login{ID: "a", State: states.New}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Errorf("stat: %v", err)
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(name), fi.Mode().Perm())
		}
	}
}
