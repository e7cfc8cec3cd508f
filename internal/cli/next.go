package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// loginArg splits the positional arguments of a step command that takes min to max
// arguments after the login ID into the ID, "" when it was left out, and the rest. Where
// the count leaves it open (signup ID FIRST, or FIRST LAST), a first argument shaped
// like a login ID (a UUID) is one.
func loginArg(pos []string, min, max int) (id string, rest []string) {
	switch {
	case len(pos) == 0 || len(pos) <= min:
		return "", pos
	case len(pos) > max || uuid.Validate(pos[0]) == nil:
		return pos[0], pos[1:]
	}
	return "", pos
}

// latest returns the ID of the most recently started login that is not finished (not in
// a final state), and says on stderr which one it took.
func latest(ctx context.Context, env Env, e *machine.Engine) (string, error) {
	logins, err := e.List(ctx, machine.ListOptions{})
	if err != nil {
		return "", err
	}
	for i := len(logins) - 1; i >= 0; i-- {
		if l := logins[i]; states.KindOf(l.State) != states.Final {
			fmt.Fprintf(env.Stderr, "tgauth: no login ID given: using login %s (%s), the most recent unfinished one\n", l.ID, l.State)
			return l.ID, nil
		}
	}
	return "", errors.New("no login ID given, and no unfinished login in the store: start one with 'tgauth start' or 'tgauth login'")
}

// loginOrLatest returns the login ID among the positional arguments, if there is one;
// else the most recent unfinished login's (latest).
func loginOrLatest(ctx context.Context, env Env, e *machine.Engine, pos []string) (string, error) {
	if len(pos) > 0 {
		return pos[0], nil
	}
	return latest(ctx, env, e)
}

// nextCommands are the commands that can be run next on a login, with the flags that
// reach its store and Telegram (r): the step commands its prompt accepts, and export
// once it is authorized. A login whose Telegram ended with the process (an embedded test
// DC: r.telegram is nil) is offered only what needs no Telegram.
func nextCommands(snap machine.Snapshot, r reach) []string {
	var next []string
	add := func(usage string, flags ...string) {
		words := append([]string{"tgauth", strings.Replace(usage, "[ID]", snap.ID, 1)}, flags...)
		next = append(next, strings.Join(append(words, r.store...), " "))
	}
	if snap.Prompt.Kind == machine.ShowDone {
		add("export [ID] --format telethon|pyrogram|gotd")
	}
	if r.telegram == nil {
		return next
	}
	for _, ev := range snap.Prompt.Accepts {
		for _, s := range allSteps() {
			if s.event() == ev {
				add(s.usage, r.telegram...)
			}
		}
	}
	return next
}

// printNext prints the commands that can be run next, one a line.
func printNext(env Env, next []string) {
	for _, n := range next {
		fmt.Fprintf(env.Stdout, "next: %s\n", n)
	}
}

// event is the event of the step's input.
func (s step) event() machine.Event {
	if s.ev != "" {
		return s.ev
	}
	in, _ := s.input(stepArgs{args: make([]string, s.max)}) // placeholders: nothing is read
	return in.Event()
}

// reach are the flags that reach the Telegram and the store a command was given, for
// the commands printed next.
type reach struct {
	telegram []string // nil: no Telegram outlives the command
	store    []string
}

// reach returns the flags that reach the command's Telegram and store. API credentials
// are left out: they are secret, and TG_API_ID and TG_API_HASH give them.
func (f *engineFlags) reach() reach {
	var r reach
	if f.given() {
		r.telegram = []string{}
	}
	if f.telegram != "" {
		r.telegram = append(r.telegram, "--telegram", f.telegram)
	}
	if f.testDC {
		r.telegram = append(r.telegram, "--test-dc")
	}
	if f.store != "" {
		r.store = []string{"--store", f.store}
	}
	return r
}
