// Package terminal is the interactive front-end of tgauth: it renders each prompt of a
// login on a terminal and turns what the user types into engine inputs. It holds no login
// logic: every rule lives in package machine, and the driver only shows machine.Prompt and
// sends machine.Input.
//
// On a terminal (Options.TTY) it is a Bubble Tea program drawing in place: the prompt, the
// line being typed (hidden for a password) and one status line under it for countdowns
// and the spinner, which change without reprinting the rest; the QR code is redrawn over
// the old one when the token is refreshed. Bubble Tea restores the terminal however the
// program ends (done, Ctrl-C, Ctrl-D, an error, a panic). With stdin not a terminal it
// reads plain lines and writes no escape codes, so scripts and tests can drive it.
//
// Either way a code's shape is checked before it is sent, sign-up asks the first name,
// the last name and then whether the terms shown are accepted, and each refusal is
// printed once, saying what to do next.
package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Options configure a terminal session.
type Options struct {
	// In and Out are what the session reads and writes. With TTY set they are the
	// terminal itself (an *os.File each), put in raw mode while the login runs.
	In  io.Reader
	Out io.Writer
	// TTY says In and Out are a terminal: drawing in place, hidden password, QR code.
	TTY bool
}

// ErrInputClosed is returned when the input ended (Ctrl-D) before the login finished.
var ErrInputClosed = errors.New("input ended before the login finished")

// Closed is returned when a login ends in a final state other than logged in; it carries
// the reason the prompt gave.
type Closed struct{ Snapshot machine.Snapshot }

func (c *Closed) Error() string {
	return fmt.Sprintf("login %s ended in %s: %s", c.Snapshot.ID, c.Snapshot.State, c.Snapshot.Prompt.Reason)
}

// Session drives one login on a terminal.
type Session struct {
	engine *machine.Engine
	opts   Options
}

// New returns a session over engine.
func New(engine *machine.Engine, opts Options) *Session {
	return &Session{engine: engine, opts: opts}
}

// Login runs the login with the given ID until it is authorized (returning its snapshot),
// ends otherwise (*Closed), the input ends (ErrInputClosed), or it is interrupted
// (context.Canceled: ctx was cancelled, or Ctrl-C was typed). On an interrupt or the end
// of input, a call in flight is let finish and a login that can be cancelled is (with
// auth.cancelCode where a code is outstanding) before Login returns.
func (s *Session) Login(ctx context.Context, id string) (machine.Snapshot, error) {
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	watch := s.engine.Watch(wctx, id)
	// Read without the caller's cancellation: a Ctrl-C that came before this point must
	// still cancel the login below.
	snap, err := s.engine.Get(context.WithoutCancel(ctx), id)
	if err != nil {
		return snap, err
	}
	if ctx.Err() != nil {
		return s.cancel(snap, context.Canceled)
	}
	run := s.plain
	if s.opts.TTY {
		run = s.tui
	}
	snap, err = run(ctx, snap, watch)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, ErrInputClosed):
		return s.cancel(snap, err)
	case err != nil:
		return snap, err
	}
	fmt.Fprintln(s.opts.Out, snap.Prompt.Message)
	if snap.Prompt.Kind == machine.ShowClosed {
		return snap, &Closed{Snapshot: snap}
	}
	return snap, nil
}

// cancel gives up on the login after an interrupt or the end of input (err, which it
// returns): a login that accepts cancel is cancelled, with a fresh context since the
// session's own may be done.
func (s *Session) cancel(snap machine.Snapshot, err error) (machine.Snapshot, error) {
	if !slices.Contains(snap.Prompt.Accepts, machine.Cancel{}.Event()) {
		return snap, err
	}
	ctx, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	if next, cerr := s.engine.Send(ctx, snap.ID, machine.Cancel{}); cerr == nil {
		fmt.Fprintln(s.opts.Out, next.Prompt.Message)
		return next, err
	}
	return snap, err
}

// newer returns next if it is a later version of the login than snap, else snap.
func newer(snap, next machine.Snapshot) machine.Snapshot {
	if next.ID != "" && next.Version > snap.Version {
		return next
	}
	return snap
}

// finished reports whether a login rests in a final prompt.
func finished(p machine.Prompt) bool {
	return p.Kind == machine.ShowDone || p.Kind == machine.ShowClosed
}
