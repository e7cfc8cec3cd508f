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

// plain runs the login on plain lines: each prompt is printed once when it changes, each
// question when an answer is wanted, and no escape code is written. It returns the login
// once it rests in a final prompt.
func (s *Session) plain(ctx context.Context, snap machine.Snapshot, watch <-chan machine.Snapshot) (machine.Snapshot, error) {
	lines := make(chan line)
	want := make(chan struct{})
	go readLines(s.opts.In, want, lines)
	var (
		f        = form{prompt: snap.Prompt}
		shown    string // the body last printed
		problems once
		asked    bool // a line is wanted and not read yet
	)
	for !finished(snap.Prompt) {
		if p := snap.Prompt.Problem; p != nil && problems.next(p.Text()) != "" {
			fmt.Fprintln(s.opts.Out, p.Text())
		}
		if p := snap.Prompt; p.Kind != machine.Wait && body(p) != shown {
			shown = body(p)
			fmt.Fprint(s.opts.Out, shown)
			if st := status(p, time.Now()); st != "" {
				fmt.Fprintln(s.opts.Out, st)
			}
		}
		if q, ok := f.question(); ok && !asked {
			fmt.Fprint(s.opts.Out, q.label)
			asked = true
			go func() { want <- struct{}{} }()
		}
		select {
		case <-ctx.Done():
			return snap, context.Canceled
		case next, ok := <-watch:
			if !ok {
				return snap, watchEnded(ctx)
			}
			snap = s.update(&f, snap, next)
		case l := <-lines:
			asked = false
			if l.err != nil {
				return snap, l.err
			}
			fmt.Fprintln(s.opts.Out) // end the question's line: what was typed is not echoed
			in, err := f.answer(l.text)
			if err != nil {
				fmt.Fprintln(s.opts.Out, err)
				continue
			}
			if in == nil {
				continue // an empty line, or the next question of the form
			}
			next, err := s.engine.Send(ctx, snap.ID, in)
			if err != nil {
				fmt.Fprintln(s.opts.Out, problems.next(err.Error()))
			}
			snap = newer(snap, next)
			f = form{prompt: snap.Prompt}
		}
	}
	return snap, nil
}

// update returns the later of snap and next, and starts the form over when the prompt
// changed kind.
func (s *Session) update(f *form, snap, next machine.Snapshot) machine.Snapshot {
	next = newer(snap, next)
	if next.Prompt.Kind != f.prompt.Kind {
		*f = form{prompt: next.Prompt}
	}
	return next
}

// watchEnded is the error of a login whose watch ended: the session was cancelled, or the
// engine stopped watching.
func watchEnded(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Canceled
	}
	return errors.New("the engine stopped watching the login")
}

// line is one line read, or why none could be.
type line struct {
	text string
	err  error
}

// readLines reads one line for each value on want and sends it on lines, until a read
// fails (ErrInputClosed at the end of input).
func readLines(in io.Reader, want <-chan struct{}, lines chan<- line) {
	r := bufio.NewReader(in)
	for range want {
		var l line
		l.text, l.err = r.ReadString('\n')
		switch {
		case l.err != nil && l.text != "":
			l.err = nil // a last line without a newline
		case errors.Is(l.err, io.EOF):
			l.err = ErrInputClosed
		}
		l.text = strings.TrimRight(l.text, "\r\n")
		lines <- l
		if l.err != nil {
			return
		}
	}
}
