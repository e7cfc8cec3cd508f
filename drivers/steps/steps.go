// Package steps renders what tgauth's step commands print: a login's snapshot after one
// input (or as it is, for status), in words one fact a line, or as one JSON object. It
// holds no login logic: the engine (package machine) decides, and this package only says
// what the snapshot and the refusal say.
//
// A refused input shows the refusal's own problem, never one an earlier input left on the
// login: the engine clears a login's problem on each input it takes, but a refusal that
// takes no input (not allowed in this state, busy, a flood wait still running) leaves the
// stored one in place.
package steps

import (
	"encoding/json"
	"errors"

	"github.com/tgauth/tgauth/machine"
)

// Result is what a step command prints: the login as the input left it and, when the
// input was refused, why. Its JSON is the snapshot's, with "error" added on a refusal.
type Result struct {
	machine.Snapshot
	// Error says why the input was refused, in words; empty when it was taken.
	Error string `json:"error,omitempty"`
}

// Sent is the result of sending an input: snap and err as machine.Engine.Send (or Start)
// returned them. The prompt's Problem is the refusal's: the problem Telegram's answer
// gave (*machine.RefusedError), a flood wait still running (*machine.FloodWaitError), or
// none for a refusal that involved no call.
func Sent(snap machine.Snapshot, err error) Result {
	r := Result{Snapshot: snap}
	if err == nil {
		return r
	}
	r.Error = err.Error()
	var (
		refused *machine.RefusedError
		flood   *machine.FloodWaitError
	)
	switch {
	case errors.As(err, &refused):
		r.Prompt.Problem = refused.Problem
	case errors.As(err, &flood):
		r.Prompt.Problem = &machine.Problem{Code: machine.ProblemFloodWait, RetryAt: flood.Until}
	default:
		r.Prompt.Problem = nil
	}
	return r
}

// Status is the result of reading a login (machine.Engine.Get or Resolve) without an
// input: its prompt's Problem is the one the last input got, and err, if any, why the
// login could not be brought to rest.
func Status(snap machine.Snapshot, err error) Result {
	r := Result{Snapshot: snap}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// JSON renders r as one JSON object: the snapshot's fields, and "error" on a refusal.
func (r Result) JSON() ([]byte, error) {
	return json.Marshal(r)
}
