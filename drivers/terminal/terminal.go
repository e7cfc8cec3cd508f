// Package terminal is the interactive front-end of tgauth: it renders each prompt of a
// login on a terminal and turns what the user types into engine inputs. It holds no login
// logic: every rule lives in package machine, and the driver only shows machine.Prompt and
// sends machine.Input.
//
// On a terminal it hides the password as it is typed, draws the QR code and redraws it when
// the token is refreshed, counts down to when the code can be resent, and shows a spinner
// while a Telegram call is in flight. With stdin not a terminal it reads plain lines and
// writes no escape codes, so scripts and tests can drive it.
package terminal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Options configure a terminal session.
type Options struct {
	In  io.Reader
	Out io.Writer
	// TTY says In and Out are a terminal: escape codes, hidden password, live QR.
	TTY bool
	// ReadPassword reads a line without echo; used on a TTY. Nil reads a plain line.
	ReadPassword func() (string, error)
}

// ErrInputClosed is returned when the input ended before the login finished.
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
	lines  chan line
	reqs   chan bool // a read request: true for a hidden (password) read
	asked  bool      // a read request is outstanding
	shown  string    // the last prompt rendered, to redraw only on change
}

type line struct {
	text string
	err  error
}

// New returns a session over engine.
func New(engine *machine.Engine, opts Options) *Session {
	return &Session{engine: engine, opts: opts, lines: make(chan line), reqs: make(chan bool)}
}

// Login runs the login with the given ID until it is authorized (returning its snapshot),
// ends otherwise (*Closed), the input ends (ErrInputClosed), or ctx is cancelled. On
// cancellation a login awaiting a code is cancelled with auth.cancelCode before returning.
func (s *Session) Login(ctx context.Context, id string) (machine.Snapshot, error) {
	go s.read()
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
		return s.cancel(snap)
	}
	countdown := time.NewTicker(time.Second)
	defer countdown.Stop()
	for {
		s.render(snap)
		switch snap.Prompt.Kind {
		case machine.ShowDone:
			return snap, nil
		case machine.ShowClosed:
			return snap, &Closed{Snapshot: snap}
		}
		s.ask(snap.Prompt)
		select {
		case <-ctx.Done():
			return s.cancel(snap)
		case <-countdown.C:
			s.countdown(snap)
		case next, ok := <-watch:
			if !ok {
				if ctx.Err() != nil {
					return s.cancel(snap)
				}
				next, err = s.engine.Get(ctx, id)
				if err != nil {
					return snap, err
				}
			}
			if next.Version > snap.Version {
				snap = next
			}
		case l := <-s.lines:
			s.asked = false
			if l.err != nil {
				if errors.Is(l.err, io.EOF) {
					l.err = ErrInputClosed
				}
				_, _ = s.cancel(snap)
				return snap, l.err
			}
			in, err := Parse(snap.Prompt, l.text)
			if err != nil {
				fmt.Fprintf(s.opts.Out, "%v\n", err)
				s.shown = "" // show the prompt again
				continue
			}
			if in == nil {
				continue // an empty line
			}
			snap = s.send(ctx, snap, in)
		}
	}
}

// send sends one input, with a spinner on a TTY while the call is in flight.
func (s *Session) send(ctx context.Context, snap machine.Snapshot, in machine.Input) machine.Snapshot {
	stop := s.spin()
	next, err := s.engine.Send(ctx, snap.ID, in)
	stop()
	if err != nil {
		fmt.Fprintf(s.opts.Out, "%s\n", err)
		s.shown = ""
	}
	if next.ID == "" {
		return snap
	}
	return next
}

// cancel gives up on the login when the user interrupts: a login that accepts cancel is
// cancelled (auth.cancelCode where a code is outstanding), with a fresh context since the
// session's own is done.
func (s *Session) cancel(snap machine.Snapshot) (machine.Snapshot, error) {
	for _, ev := range snap.Prompt.Accepts {
		if ev == (machine.Cancel{}).Event() {
			ctx, done := context.WithTimeout(context.Background(), 30*time.Second)
			defer done()
			if next, err := s.engine.Send(ctx, snap.ID, machine.Cancel{}); err == nil {
				fmt.Fprintln(s.opts.Out, next.Prompt.Message)
				return next, context.Canceled
			}
		}
	}
	return snap, context.Canceled
}

// ask requests a line from the reader if the prompt wants one and none is outstanding.
// On a TTY a QR prompt reads nothing (Ctrl-C cancels), so that a password prompt that
// follows a scan can read with echo off.
func (s *Session) ask(p machine.Prompt) {
	if s.asked || p.Kind == machine.Wait || (s.opts.TTY && p.Kind == machine.ShowQR) {
		return
	}
	s.asked = true
	hidden := p.Kind == machine.AskPassword
	go func() { s.reqs <- hidden }()
}

// read serves read requests: one line each, hidden when asked on a TTY.
func (s *Session) read() {
	r := bufio.NewReader(s.opts.In)
	for hidden := range s.reqs {
		var l line
		if hidden && s.opts.TTY && s.opts.ReadPassword != nil {
			l.text, l.err = s.opts.ReadPassword()
			fmt.Fprintln(s.opts.Out)
		} else {
			l.text, l.err = r.ReadString('\n')
			if l.err != nil && l.text != "" {
				l.err = nil // a last line without a newline
			}
			if !s.opts.TTY && l.err == nil {
				fmt.Fprintln(s.opts.Out) // end the question's line; what was typed is not echoed
			}
		}
		l.text = strings.TrimRight(l.text, "\r\n")
		s.lines <- l
		if l.err != nil {
			return
		}
	}
}

// countdown rewrites, on a TTY, the line above the code question with the time left until
// the code can be resent, leaving the cursor where the user is typing.
func (s *Session) countdown(snap machine.Snapshot) {
	c := snap.Prompt.Code
	if !s.opts.TTY || snap.Prompt.Kind != machine.AskCode || c == nil || c.NextType == "" || c.ResendAt.IsZero() {
		return
	}
	fmt.Fprintf(s.opts.Out, "\0337\033[1A\r\033[2K%s\0338", resendLine(c, time.Now()))
}

// spin shows a spinner on a TTY until the returned stop is called.
func (s *Session) spin() (stop func()) {
	if !s.opts.TTY {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		frames := `|/-\`
		t := time.NewTicker(120 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(s.opts.Out, "\r%c waiting for Telegram", frames[i%len(frames)])
			select {
			case <-done:
				fmt.Fprint(s.opts.Out, "\r\033[2K")
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
