package machine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// racingStore runs other before the first Update, as another process whose input wins the
// race between this engine's read and its write.
type racingStore struct {
	machine.Store
	other func()
}

func (s *racingStore) Update(ctx context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	if f := s.other; f != nil {
		s.other = nil
		f()
	}
	return s.Store.Update(ctx, l, journal...)
}

// An input that loses the write race returns ErrConflict with the login as the store has
// it, not with the state it failed to write.
func TestConflictSnapshotShowsStoredLogin(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	mem := memory.New()
	if err := mem.Create(ctx, &machine.Login{ID: "L", State: states.CodeSent, Phone: "+9996621234", PhoneCodeHash: "h"}); err != nil {
		t.Fatal(err)
	}
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{User: &alice}, nil
	})
	winner := newEngine(t, mem, api, c)
	racing := &racingStore{Store: mem}
	racing.other = func() {
		if snap, err := winner.Send(ctx, "L", machine.SubmitCode{Code: "22222"}); err != nil || snap.State != states.Authorized {
			t.Errorf("the winning input: %s, %v", snap.State, err)
		}
	}
	loser := newEngine(t, racing, api, c)
	snap, err := loser.Send(ctx, "L", machine.SubmitCode{Code: "22222"})
	if !errors.Is(err, machine.ErrConflict) {
		t.Fatalf("the losing input: %v, want ErrConflict", err)
	}
	if snap.State != states.Authorized || snap.Version != 3 {
		t.Fatalf("the losing input's snapshot shows %s v%d; want the stored login, Authorized v3", snap.State, snap.Version)
	}
}
