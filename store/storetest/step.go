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

// stepProblem is the Code of the problems Step writes its marks in.
const stepProblem machine.ProblemCode = "storetest_step"

// Step makes one durable step on login id, the way the engine does: Get, change, Update
// with a journal entry, and again from Get on ErrConflict. The change adds one to
// Attempts and appends mark and ";" to the Detail of the login's Problem; the journal
// entry's Problem has mark as its Detail. It returns how many conflicts it retried.
func Step(ctx context.Context, s machine.Store, id, mark string) (conflicts int, err error) {
	for conflicts = 0; conflicts < maxRetries; conflicts++ {
		l, err := s.Get(ctx, id)
		if err != nil {
			return conflicts, fmt.Errorf("get: %w", err)
		}
		runtime.Gosched() // let other writers in between the read and the write
		l.Attempts++
		if l.Problem == nil {
			l.Problem = &machine.Problem{Code: stepProblem}
		}
		l.Problem.Detail += mark + ";"
		e := machine.JournalEntry{Version: l.Version + 1, At: l.UpdatedAt, From: l.State, Event: "step", To: l.State,
			Problem: &machine.Problem{Code: stepProblem, Detail: mark}}
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
