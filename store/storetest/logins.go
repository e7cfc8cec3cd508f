package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// mustCreate creates l or fails the test.
func mustCreate(t *testing.T, s machine.Store, l *machine.Login) {
	t.Helper()
	if err := s.Create(t.Context(), l); err != nil {
		t.Fatalf("Create(%s): %v", l.ID, err)
	}
}

// mustGet loads id or fails the test.
func mustGet(t *testing.T, s machine.Store, id string) *machine.Login {
	t.Helper()
	l, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return l
}

// mustUpdate updates l or fails the test.
func mustUpdate(t *testing.T, s machine.Store, l *machine.Login, journal ...machine.JournalEntry) {
	t.Helper()
	if err := s.Update(t.Context(), l, journal...); err != nil {
		t.Fatalf("Update(%s at version %d): %v", l.ID, l.Version, err)
	}
}

func testCreateGet(t *testing.T, s machine.Store) {
	if err := checkFull(); err != nil {
		t.Fatal(err)
	}
	l := FullLogin("login-full")
	mustCreate(t, s, l)
	if l.Version != 1 {
		t.Errorf("after Create, Version = %d, want 1", l.Version)
	}
	want := FullLogin("login-full")
	want.Version = 1
	if d := Diff(mustGet(t, s, l.ID), want); d != "" {
		t.Errorf("Get after Create differs from what was created:\n%s", d)
	}
}

func testCreateGetMinimal(t *testing.T, s machine.Store) {
	l := &machine.Login{ID: "login-minimal", State: states.New}
	mustCreate(t, s, l)
	got := mustGet(t, s, l.ID)
	want := &machine.Login{ID: "login-minimal", State: states.New, Version: 1}
	if d := Diff(got, want); d != "" {
		t.Errorf("Get of a login with only ID and State differs:\n%s", d)
	}
	if got.Code != nil || got.Terms != nil || got.User != nil || got.Problem != nil {
		t.Errorf("nil pointers came back set: Code=%v Terms=%v User=%v Problem=%v", got.Code, got.Terms, got.User, got.Problem)
	}
	for name, tm := range map[string]time.Time{"TimerAt": got.TimerAt, "LeaseUntil": got.LeaseUntil, "CreatedAt": got.CreatedAt} {
		if !tm.IsZero() {
			t.Errorf("zero %s came back as %v", name, tm)
		}
	}
}

func testCreateExists(t *testing.T, s machine.Store) {
	first := newLogin("login-dup", states.New, at(0))
	first.Phone = "+1"
	mustCreate(t, s, first)
	second := newLogin("login-dup", states.CodeSent, at(time.Hour))
	second.Phone = "+2"
	second.Version = 7
	if err := s.Create(t.Context(), second); !errors.Is(err, machine.ErrExists) {
		t.Fatalf("second Create with the same ID: err = %v, want ErrExists", err)
	}
	if second.Version != 7 {
		t.Errorf("refused Create changed Version to %d", second.Version)
	}
	got := mustGet(t, s, "login-dup")
	if got.Phone != "+1" || got.State != states.New || got.Version != 1 {
		t.Errorf("refused Create overwrote the login: phone %q state %s version %d", got.Phone, got.State, got.Version)
	}
}

func testGetNotFound(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("login-a", states.New, at(0)))
	if _, err := s.Get(t.Context(), "login-b"); !errors.Is(err, machine.ErrNotFound) {
		t.Errorf("Get of an unknown ID: err = %v, want ErrNotFound", err)
	}
}

// testReturnedCopy proves that the store keeps its own copy: changing what Create or
// Update were given, or what Get returned, changes nothing stored.
func testReturnedCopy(t *testing.T, s machine.Store) {
	l := FullLogin("login-copy")
	mustCreate(t, s, l)
	l.Phone, l.Code.Length, l.QRToken[0] = "changed after create", 99, 'X'

	got := mustGet(t, s, "login-copy")
	got.Phone, got.User.FirstName, got.QRToken[1] = "changed after get", "changed", 'Y'

	want := FullLogin("login-copy")
	want.Version = 1
	if d := Diff(mustGet(t, s, "login-copy"), want); d != "" {
		t.Fatalf("changing the login given to Create, or returned by Get, changed the store:\n%s", d)
	}

	u := mustGet(t, s, "login-copy")
	u.Problem.Detail = "updated"
	mustUpdate(t, s, u)
	u.Terms.Text, u.QRToken[2], u.Problem.Detail = "changed after update", 'Z', "changed after update"

	want.Version, want.Problem.Detail = 2, "updated"
	if d := Diff(mustGet(t, s, "login-copy"), want); d != "" {
		t.Errorf("changing the login given to Update changed the store:\n%s", d)
	}
}

func testUpdate(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("login-u", states.New, at(0)))
	l := mustGet(t, s, "login-u")
	l.State, l.Phone, l.UpdatedAt = states.SendingCode, "+999661234567", at(time.Second)
	l.TimerAt, l.TimerEvent = at(time.Minute), "ttl"
	l.LeaseOwner, l.LeaseUntil = "me", at(30*time.Second)
	journal := []machine.JournalEntry{
		{Version: 2, At: at(time.Second), From: states.New, Event: "submit_phone", To: states.SendingCode},
		{Version: 2, At: at(time.Second), From: states.SendingCode, Event: "note", To: states.SendingCode,
			Problem: &machine.Problem{Code: machine.ProblemNoAnswer, Call: "auth.sendCode", Detail: "second entry of one step"}},
	}
	mustUpdate(t, s, l, journal...)
	if l.Version != 2 {
		t.Errorf("after Update, Version = %d, want 2", l.Version)
	}
	want := l.Clone()
	if d := Diff(mustGet(t, s, "login-u"), want); d != "" {
		t.Errorf("Get after Update differs from what was written:\n%s", d)
	}
	got, err := s.Journal(t.Context(), "login-u")
	if err != nil {
		t.Fatalf("Journal: %v", err)
	}
	if d := Diff(got, journal); d != "" {
		t.Errorf("journal after Update:\n%s", d)
	}

	// A second step from the returned login (now at version 2) goes through too.
	l.State = states.CodeSent
	mustUpdate(t, s, l, machine.JournalEntry{Version: 3, At: at(2 * time.Second), From: states.SendingCode, Event: "code_sent", To: states.CodeSent})
	if got := mustGet(t, s, "login-u"); got.Version != 3 || got.State != states.CodeSent {
		t.Errorf("after a second Update: version %d state %s, want 3 CodeSent", got.Version, got.State)
	}
}

func testUpdateWithoutJournal(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("login-nj", states.New, at(0)))
	l := mustGet(t, s, "login-nj")
	l.Problem = &machine.Problem{Code: machine.ProblemLocal, Detail: "nothing journaled"}
	mustUpdate(t, s, l)
	if got := mustGet(t, s, "login-nj"); got.Version != 2 || got.Problem == nil || got.Problem.Detail != "nothing journaled" {
		t.Errorf("after Update without journal: version %d problem %+v", got.Version, got.Problem)
	}
	if j, err := s.Journal(t.Context(), "login-nj"); err != nil || len(j) != 0 {
		t.Errorf("Journal = %v, %v; want empty", j, err)
	}
}

// testUpdateConflict: a writer holding an old version changes nothing at all.
func testUpdateConflict(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("login-c", states.CodeSent, at(0)))
	a, b := mustGet(t, s, "login-c"), mustGet(t, s, "login-c")

	a.State = states.CheckingCode
	mustUpdate(t, s, a, machine.JournalEntry{Version: 2, At: at(time.Second), From: states.CodeSent, Event: "submit_code", To: states.CheckingCode})

	b.State, b.Problem, b.TimerAt = states.CancellingCode, &machine.Problem{Code: machine.ProblemLocal, Detail: "stale writer"}, at(time.Hour)
	err := s.Update(t.Context(), b, machine.JournalEntry{Version: 2, At: at(time.Second), From: states.CodeSent, Event: "cancel", To: states.CancellingCode})
	if !errors.Is(err, machine.ErrConflict) {
		t.Fatalf("Update at a stale version: err = %v, want ErrConflict", err)
	}
	if b.Version != 1 {
		t.Errorf("a refused Update changed the caller's Version to %d", b.Version)
	}
	if d := Diff(mustGet(t, s, "login-c"), a); d != "" {
		t.Errorf("a refused Update changed the stored login:\n%s", d)
	}
	j, err := s.Journal(t.Context(), "login-c")
	if err != nil {
		t.Fatalf("Journal: %v", err)
	}
	if len(j) != 1 || j[0].Event != "submit_code" {
		t.Errorf("a refused Update touched the journal: %+v", j)
	}
	// The stale version may not be re-used either, even after a retry of the same writer.
	if err := s.Update(t.Context(), b); !errors.Is(err, machine.ErrConflict) {
		t.Errorf("second Update at the stale version: err = %v, want ErrConflict", err)
	}
}

func testUpdateNotFound(t *testing.T, s machine.Store) {
	l := newLogin("login-ghost", states.New, at(0))
	l.Version = 1
	err := s.Update(t.Context(), l, machine.JournalEntry{Version: 2, At: at(0), From: states.New, Event: "cancel", To: states.Cancelled})
	if !errors.Is(err, machine.ErrNotFound) {
		t.Errorf("Update of an unknown login: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Journal(t.Context(), "login-ghost"); !errors.Is(err, machine.ErrNotFound) {
		t.Errorf("Journal after a refused Update of an unknown login: err = %v, want ErrNotFound", err)
	}
}
