// Package scale drives logins through machine.Engine over a durable store, with the mock
// Telegram of the store conformance suite (storetest.Telegram). The store packages'
// benchmarks and the report command (bench/report) share it:
//
//   - Stepper and BenchmarkEngineStep: one durable engine step (a wrong code: the
//     write-ahead of CheckingCode and the outcome, two writes), as a benchmark or a
//     loop the report times;
//   - PendingLogin: a login waiting for its code, as the engine writes it, to fill a
//     store with.
//
// Whether engines drive logins correctly over a store is the conformance suite's
// storetest.TwoEngines. The package imports testing for BenchmarkEngineStep; it is meant
// for tests, benchmarks and tools, not for programs that log people in.
package scale

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/storetest"
	tr "github.com/tgauth/tgauth/transitions"
)

// StepWrites is how many durable writes one Stepper step makes: the write-ahead of
// CheckingCode, and the outcome (back to CodeSent).
const StepWrites = 2

// Stepper makes durable engine steps on one login of a store.
type Stepper struct {
	e  *machine.Engine
	id string
}

// NewStepper starts a phone login on s (through an engine with the real clock and a
// mock Telegram) and walks it to CodeSent, ready for steps. id must be new to s.
func NewStepper(ctx context.Context, s machine.Store, id string) (*Stepper, error) {
	tg := storetest.NewTelegram(clock.New(time.Now()))
	e, err := machine.New(machine.Options{Store: s, Telegram: tg.Connector(), MaxAttempts: math.MaxInt})
	if err != nil {
		return nil, err
	}
	snap, err := e.Start(ctx, machine.StartOptions{ID: id, Input: machine.SubmitPhone{Phone: "+9996620000"}})
	if err != nil {
		return nil, fmt.Errorf("start login %s: %w", id, err)
	}
	if snap.State != states.CodeSent {
		return nil, fmt.Errorf("start login %s: state %s, want CodeSent", id, snap.State)
	}
	return &Stepper{e: e, id: id}, nil
}

// Step sends a wrong code: load, the write-ahead of CheckingCode, auth.signIn (mock:
// PHONE_CODE_INVALID), the outcome back in CodeSent. That is StepWrites durable writes.
func (st *Stepper) Step(ctx context.Context) error {
	snap, err := st.e.Send(ctx, st.id, machine.SubmitCode{Code: storetest.WrongCode})
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Outcome != tr.CodeInvalid || snap.State != states.CodeSent {
		return fmt.Errorf("step: state %s, err %v; want CodeSent after code_invalid", snap.State, err)
	}
	return nil
}

// BenchmarkEngineStep measures one durable engine step on s per op (see Stepper.Step)
// and reports steps/s and writes/s. Set it against the fsync rate of the disk the store
// writes to (store/sqlite's BenchmarkFsync), in the same run.
func BenchmarkEngineStep(b *testing.B, s machine.Store) {
	st, err := NewStepper(b.Context(), s, "bench-step")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Step(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(b.N)/sec, "steps/s")
		b.ReportMetric(float64(StepWrites*b.N)/sec, "writes/s")
	}
}

// PendingLogin returns the record of a phone login waiting for its code, exactly as an
// engine (at now, with Options.LoginTTL ttl) leaves it after SubmitPhone: state
// CodeSent, its only timer the TTL at now+ttl. Give each copy its own ID and phone.
func PendingLogin(ctx context.Context, now time.Time, ttl time.Duration) (*machine.Login, error) {
	store := memory.New()
	tg := storetest.NewTelegram(clock.New(now))
	e, err := machine.New(machine.Options{Store: store, Telegram: tg.Connector(), LoginTTL: ttl,
		Now: func() time.Time { return now }})
	if err != nil {
		return nil, err
	}
	snap, err := e.Start(ctx, machine.StartOptions{ID: "template", Input: machine.SubmitPhone{Phone: "+9996620000"}})
	if err != nil {
		return nil, err
	}
	l, err := store.Get(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	if l.State != states.CodeSent || l.TimerEvent != tr.TTL {
		return nil, fmt.Errorf("pending login: state %s, timer %s; want CodeSent with a ttl timer", l.State, l.TimerEvent)
	}
	l.Version = 0
	return l, nil
}
