package storetest

import (
	"fmt"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// BenchmarkUpdate measures one durable step on s: Get, then Update with one journal entry,
// the way the engine persists a transition. Each iteration is one step on one of 64
// full logins in turn, by one goroutine.
func BenchmarkUpdate(b *testing.B, s machine.Store) {
	const n = 64
	for i := range n {
		l := FullLogin(fmt.Sprintf("bench-%02d", i))
		l.State = states.CodeSent
		if err := s.Create(b.Context(), l); err != nil {
			b.Fatalf("create: %v", err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("bench-%02d", i%n)
		i++
		l, err := s.Get(b.Context(), id)
		if err != nil {
			b.Fatalf("get: %v", err)
		}
		l.Attempts++
		e := machine.JournalEntry{Version: l.Version + 1, At: l.UpdatedAt, From: l.State, Event: "submit_code", To: l.State}
		if err := s.Update(b.Context(), l, e); err != nil {
			b.Fatalf("update: %v", err)
		}
	}
}
