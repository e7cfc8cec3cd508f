package machine_test

import (
	"context"
	"math"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// BenchmarkStep is one input through the engine on the memory store: load, the table on
// looplab/fsm, the write-ahead, a (mock) Telegram call, the outcome through the table,
// persist, notify. The input is a wrong code, so every iteration is the same two
// transitions: CodeSent -> CheckingCode -> CodeSent. Compare with
// transitions.BenchmarkFSMEvent, a bare looplab/fsm Event on the same table.
func BenchmarkStep(b *testing.B) {
	ctx := context.Background()
	store := memory.New()
	wrong := tgapi.NewError(400, "PHONE_CODE_INVALID")
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{}, wrong
	})
	e, err := machine.New(machine.Options{Store: store, Telegram: api.Connector(), MaxAttempts: math.MaxInt})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Create(ctx, &machine.Login{ID: "L", State: states.CodeSent, Phone: "+9996621234", PhoneCodeHash: "h"}); err != nil {
		b.Fatal(err)
	}
	in := machine.SubmitCode{Code: "11111"}
	b.ReportAllocs()
	for b.Loop() {
		snap, _ := e.Send(ctx, "L", in)
		if snap.State != states.CodeSent {
			b.Fatalf("state %s", snap.State)
		}
	}
}
