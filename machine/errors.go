package machine

import (
	"errors"
	"fmt"
	"time"

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
	// Problem says why, as data; its Text says it in words.
	Problem *Problem
}

func (e *RefusedError) Error() string {
	if e.Problem == nil {
		return string(e.Outcome)
	}
	return e.Problem.Text()
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// WrongTelegramError says that a login was started on another Telegram than the one the
// engine reaches: its session and its codes belong to that one. Nothing was changed.
type WrongTelegramError struct {
	ID string
	// Login is the Telegram the login was started on; Engine the one the engine reaches.
	Login, Engine string
}

func (e *WrongTelegramError) Error() string {
	return fmt.Sprintf("login %s was started on Telegram %s, but this engine reaches Telegram %s; reach it through the Telegram it was started on",
		e.ID, telegramName(e.Login), telegramName(e.Engine))
}

func telegramName(id string) string {
	if id == "" {
		return `"" (unnamed)`
	}
	return fmt.Sprintf("%q", id)
}

// UnavailableError says that the login's state takes the input, but not now: Telegram
// named no other way to resend the code, the resend timeout or the e-mail reset date has
// not come (Until), the account has no recovery e-mail, or the payment form was not asked
// for. Nothing was sent and nothing changed.
type UnavailableError struct {
	State State
	Event Event
	// Reason says why, and what to do instead.
	Reason string
	// Until, when set, is when the input becomes available.
	Until time.Time
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s not available now in state %s: %s", e.Event, e.State, e.Reason)
}
