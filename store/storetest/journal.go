package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
)

// testJournal: entries come back oldest first, per login, across steps of two logins
// that interleave.
func testJournal(t *testing.T, s machine.Store) {
	ctx := t.Context()
	mustCreate(t, s, newLogin("j1", states.New, at(0)))
	mustCreate(t, s, newLogin("j2", states.New, at(0)))
	if j, err := s.Journal(ctx, "j1"); err != nil || len(j) != 0 {
		t.Fatalf("Journal of a new login = %+v, %v; want empty", j, err)
	}
	want := map[string][]machine.JournalEntry{}
	path := []machine.State{states.New, states.SendingCode, states.CodeSent, states.CheckingCode, states.PasswordNeeded}
	for i := 1; i < len(path); i++ {
		for _, id := range []string{"j1", "j2"} {
			l := mustGet(t, s, id)
			e := machine.JournalEntry{
				Version: l.Version + 1,
				// Going backwards in time on purpose: the journal keeps write order, not At order.
				At:    at(-time.Duration(i) * time.Minute),
				From:  path[i-1],
				Event: machine.Event("step-" + id),
				To:    path[i],
				Problem: &machine.Problem{Code: machine.ProblemCodeInvalid, Call: "auth.signIn", Attempt: i, MaxAttempts: 5,
					Telegram: tgapi.NewError(400, "PHONE_CODE_INVALID"), Detail: "problem of " + id},
			}
			l.State = path[i]
			mustUpdate(t, s, l, e)
			want[id] = append(want[id], e)
		}
	}
	for id, w := range want {
		got, err := s.Journal(ctx, id)
		if err != nil {
			t.Fatalf("Journal(%s): %v", id, err)
		}
		if d := Diff(got, w); d != "" {
			t.Errorf("Journal(%s):\n%s", id, d)
		}
	}
}

func testJournalNotFound(t *testing.T, s machine.Store) {
	mustCreate(t, s, newLogin("known", states.New, at(0)))
	if _, err := s.Journal(t.Context(), "unknown"); !errors.Is(err, machine.ErrNotFound) {
		t.Errorf("Journal of an unknown login: err = %v, want ErrNotFound", err)
	}
}
