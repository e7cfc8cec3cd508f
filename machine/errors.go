package machine

import (
	"errors"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// NotAllowedError says that the login's state does not accept the input; nothing changed.
type NotAllowedError = transitions.NotAllowedError

// BusyError says that a Telegram call for the login is in flight, owned by an engine (this
// one or another process) until a time; nothing changed. Try again after it.
type BusyError struct {
	ID    string
	State State
	Until time.Time
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("login %s is busy: a Telegram call (%s) is in flight; try again after %s",
		e.ID, callOf(e.State), e.Until.UTC().Format(time.RFC3339))
}

// FloodWaitError says that Telegram asked to wait before this input is sent again.
type FloodWaitError struct {
	Until time.Time
}

func (e *FloodWaitError) Error() string {
	return fmt.Sprintf("Telegram asked to wait: try again after %s", e.Until.UTC().Format(time.RFC3339))
}

// ErrRefused is matched (with errors.Is) by the error Send returns when the input was
// taken but did not get through: Telegram refused it (a wrong code or password, a flood
// wait, a banned number) or its call got no answer. The snapshot shows where the login is.
var ErrRefused = errors.New("refused")

// RefusedError is the error Send returns when the input did not get through.
type RefusedError struct {
	// Outcome is the table event the refusal fired (code_invalid, flood_wait...).
	Outcome Event
	// Telegram is Telegram's error; nil when the call got no answer.
	Telegram *tgapi.Error
	// Reason says it in words.
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }
