package transitions_test

import (
	"errors"
	"testing"

	"github.com/looplab/fsm"

	"github.com/tgauth/tgauth/states"
	tr "github.com/tgauth/tgauth/transitions"
)

func TestTableIsWellFormed(t *testing.T) {
	seen := map[[2]string]bool{}
	leaves := map[states.State]map[tr.Event]bool{}
	for _, row := range tr.Table() {
		if !states.Valid(row.From) || !states.Valid(row.To) {
			t.Errorf("%v: unknown state", row)
		}
		info, ok := tr.LookupEvent(row.Event)
		if !ok {
			t.Errorf("%v: unknown event", row)
		}
		if row.From == row.To {
			t.Errorf("%v: a self-loop (looplab/fsm answers NoTransitionError for those)", row)
		}
		k := [2]string{string(row.From), string(row.Event)}
		if seen[k] {
			t.Errorf("%v: (state, event) twice", row)
		}
		seen[k] = true
		if leaves[row.From] == nil {
			leaves[row.From] = map[tr.Event]bool{}
		}
		leaves[row.From][row.Event] = true
		kind := states.KindOf(row.From)
		switch {
		case kind == states.Final:
			t.Errorf("%v: leaves a final state", row)
		case kind == states.InFlight && info.Kind != tr.Outcome:
			t.Errorf("%v: an in-flight state left by a %s event, not an outcome", row, info.Kind)
		case kind == states.AwaitingInput && info.Kind == tr.Outcome:
			t.Errorf("%v: a state awaiting input left by an outcome", row)
		}
	}
	for _, s := range states.All {
		switch s.Kind {
		case states.InFlight:
			for _, must := range []tr.Event{tr.Interrupted} {
				if !leaves[s.Name][must] {
					t.Errorf("flight state %s has no %s exit: a crash would strand it", s.Name, must)
				}
			}
			if s.Name != states.CancellingCode && !leaves[s.Name][tr.Fatal] {
				t.Errorf("flight state %s has no fatal exit", s.Name)
			}
			if r, ok := tr.RulesOf(s.Name); !ok || r.Recovery.Doc == "" || s.Call == "" {
				t.Errorf("flight state %s lacks its call or recovery rule", s.Name)
			}
		case states.AwaitingInput:
			if len(leaves[s.Name]) == 0 {
				t.Errorf("state %s awaits input but nothing leaves it", s.Name)
			}
			// An authorized login (and its account chart) has no time to live.
			if s.Name != states.Authorized && !tr.AccountTask(s.Name) && !leaves[s.Name][tr.TTL] {
				t.Errorf("state %s awaits input with no TTL exit: an abandoned login would live for ever", s.Name)
			}
		}
	}
}

func TestEveryStateIsReachable(t *testing.T) {
	reached := map[states.State]bool{states.New: true}
	for changed := true; changed; {
		changed = false
		for _, row := range tr.Table() {
			if reached[row.From] && !reached[row.To] {
				reached[row.To], changed = true, true
			}
		}
	}
	for _, s := range states.All {
		if !reached[s.Name] {
			t.Errorf("state %s cannot be reached from New", s.Name)
		}
	}
}

func TestNextAgreesWithTheTableForEveryPair(t *testing.T) {
	for _, s := range states.All {
		for _, e := range tr.Events {
			want, inTable := tr.Lookup(s.Name, e.Name)
			got, err := tr.Next(s.Name, e.Name)
			var na *tr.NotAllowedError
			switch {
			case inTable && (err != nil || got != want):
				t.Errorf("Next(%s, %s) = %s, %v; table says %s", s.Name, e.Name, got, err, want)
			case !inTable && !errors.As(err, &na):
				t.Errorf("Next(%s, %s) = %s, %v; want NotAllowedError", s.Name, e.Name, got, err)
			case !inTable && (na.State != s.Name || na.Event != e.Name || got != s.Name):
				t.Errorf("Next(%s, %s): error %+v, state %s", s.Name, e.Name, na, got)
			}
		}
	}
}

func TestAcceptsListsInputsOnly(t *testing.T) {
	got := tr.Accepts(states.CodeSent, tr.Input)
	want := []tr.Event{tr.Cancel, tr.ResendCode, tr.SubmitCode}
	if len(got) != len(want) {
		t.Fatalf("Accepts(CodeSent) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Accepts(CodeSent) = %v, want %v", got, want)
		}
	}
}

// BenchmarkFSMEvent is a bare looplab/fsm Event on the same table: the floor under one
// engine step (see machine.BenchmarkStep).
func BenchmarkFSMEvent(b *testing.B) {
	f := fsm.NewFSM(string(states.CodeSent), tr.FSMEvents(), nil)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		f.SetState(string(states.CodeSent))
		if err := f.Event(ctx, string(tr.SubmitCode)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewFSM is the cost Next avoids by pooling machines.
func BenchmarkNewFSM(b *testing.B) {
	events := tr.FSMEvents()
	b.ReportAllocs()
	for b.Loop() {
		fsm.NewFSM(string(states.CodeSent), events, nil)
	}
}

// BenchmarkNext is one transition through Next (pooled looplab/fsm).
func BenchmarkNext(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Next(states.CodeSent, tr.SubmitCode); err != nil {
			b.Fatal(err)
		}
	}
}
