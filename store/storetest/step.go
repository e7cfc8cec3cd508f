package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/tgauth/tgauth/machine"
)

// maxRetries bounds Step's retries on ErrConflict: a store that never lets a writer
// through fails instead of spinning for ever.
const maxRetries = 10_000

// Step makes one durable step on login id, the way the engine does: Get, change, Update
// with a journal entry, and again from Get on ErrConflict. The change adds one to
// Attempts and appends mark and ";" to LastError; the journal entry notes mark. It
// returns how many conflicts it retried.
func Step(ctx context.Context, s machine.Store, id, mark string) (conflicts int, err error) {
	for conflicts = 0; conflicts < maxRetries; conflicts++ {
		l, err := s.Get(ctx, id)
		if err != nil {
			return conflicts, fmt.Errorf("get: %w", err)
		}
		runtime.Gosched() // let other writers in between the read and the write
		l.Attempts++
		l.LastError += mark + ";"
		e := machine.JournalEntry{Version: l.Version + 1, At: l.UpdatedAt, From: l.State, Event: "step", To: l.State, Note: mark}
		err = s.Update(ctx, l, e)
		if err == nil {
			return conflicts, nil
		}
		if !errors.Is(err, machine.ErrConflict) {
			return conflicts, fmt.Errorf("update: %w", err)
		}
	}
	return conflicts, fmt.Errorf("update: still conflicting after %d retries", maxRetries)
}
