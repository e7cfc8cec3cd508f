package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/drivers/steps"
	"github.com/tgauth/tgauth/machine"
)

func init() {
	for _, s := range allSteps() {
		register(s.name, command{summary: s.summary, usage: s.usage + " [--json] [--store SPEC] " + telegramUsage,
			run: func(ctx context.Context, env Env, args []string) error { return runStep(ctx, env, s, args) }})
	}
	register("start", command{
		summary: "Start a login and send its first input: a phone number, a bot token, or a QR request.\n" +
			"Prints 'login: ID' before the first Telegram call (on stderr with --json).",
		usage: "start --phone P | --bot-token T | --qr [--json] [--store SPEC] " + telegramUsage,
		run:   runStart,
	})
	register("status", command{
		summary: "Print a login's state and prompt (recovering it first if a crashed process left it in flight).",
		usage:   "status [ID] [--json] [--store SPEC] " + telegramUsage,
		run:     runStatus,
	})
}

// telegramUsage is how step commands name the Telegram their logins were started on.
const telegramUsage = "--telegram testdc:FILE | --api-id N --api-hash H [--test-dc]"

// stepFlags returns the flag set every step command shares.
func stepFlags(env Env, name string) (*flag.FlagSet, *engineFlags, *bool) {
	fs := flags(env, name)
	ef := &engineFlags{}
	ef.register(fs)
	asJSON := fs.Bool("json", false, "print the login's snapshot as one JSON object")
	return fs, ef, asJSON
}

func runStep(ctx context.Context, env Env, s step, args []string) error {
	fs, ef, asJSON := stepFlags(env, s.name)
	acceptTOS := new(bool)
	if s.name == "signup" {
		acceptTOS = fs.Bool("accept-tos", false, "accept Telegram's terms of service (required to sign up)")
	}
	opts := map[string]*string{}
	for name, doc := range s.flags {
		opts[name] = fs.String(name, "", doc)
	}
	pos, err := parseArgs(fs, args)
	id, rest := loginArg(pos, s.min, s.max)
	if err != nil || len(rest) < s.min || len(rest) > s.max {
		return usageErr(fs, err)
	}
	in, err := s.input(stepArgs{env: env, args: rest, acceptTOS: *acceptTOS, opts: opts})
	if err != nil {
		return err
	}
	r, err := ef.start(ctx, env, engineUse{store: stepping})
	if err != nil {
		return noTelegram(err, ef.store, env, id)
	}
	defer r.close()
	if id == "" {
		if id, err = latest(ctx, env, r.engine); err != nil {
			return err
		}
	}
	if s.check != nil {
		now, err := r.engine.Get(ctx, id)
		if err != nil {
			return err
		}
		if in, err = s.check(now.Prompt, in); err != nil {
			return err
		}
	}
	// Send returns once the login rests: a call it made had its answer persisted under
	// the engine's own context, even if ctx was cancelled (Ctrl-C) meanwhile.
	snap, err := r.engine.Send(ctx, id, in)
	return output{env: env, json: *asJSON, next: ef.reach()}.finish(ctx, snap, err, steps.Sent)
}

func runStatus(ctx context.Context, env Env, args []string) error {
	fs, ef, asJSON := stepFlags(env, "status")
	pos, err := parseArgs(fs, args)
	id, rest := loginArg(pos, 0, 0)
	if err != nil || len(rest) != 0 {
		return usageErr(fs, err)
	}
	r, err := ef.start(ctx, env, engineUse{store: stepping})
	if err != nil {
		return noTelegram(err, ef.store, env, id)
	}
	defer r.close()
	if id == "" {
		if id, err = latest(ctx, env, r.engine); err != nil {
			return err
		}
	}
	snap, err := r.engine.Resolve(ctx, id)
	return output{env: env, json: *asJSON, next: ef.reach()}.finish(ctx, snap, err, steps.Status)
}

func runStart(ctx context.Context, env Env, args []string) error {
	fs, ef, asJSON := stepFlags(env, "start")
	phone := fs.String("phone", "", "log in with this phone number")
	botToken := fs.String("bot-token", "", "log in as the bot with this token")
	qr := fs.Bool("qr", false, "log in with a QR code")
	pos, err := parseArgs(fs, args)
	if err != nil || len(pos) != 0 {
		return usageErr(fs, err)
	}
	first, err := firstInput(*phone, *botToken, *qr)
	if err != nil {
		return err
	}
	if first == nil {
		fs.Usage()
		return errUsage
	}
	spec := storeSpec(env, ef.store)
	r, err := ef.start(ctx, env, engineUse{store: starting, embedded: isMemory(spec)})
	if errors.Is(err, errNoTelegram) {
		return fmt.Errorf("store %s keeps the login after this process, but an embedded test DC would end with it: %w (or use --store memory:)", spec, err)
	}
	if err != nil {
		return err
	}
	defer r.close()
	snap, err := r.engine.Start(ctx, machine.StartOptions{})
	if err != nil {
		return err
	}
	o := output{env: env, json: *asJSON, headed: true, next: ef.reach()}
	if o.json {
		fmt.Fprint(env.Stderr, steps.Heading(snap.ID))
	} else {
		fmt.Fprint(env.Stdout, steps.Heading(snap.ID))
	}
	snap, err = r.engine.Send(ctx, snap.ID, first)
	return o.finish(ctx, snap, err, steps.Sent)
}

// noTelegram words errNoTelegram for a command on login id ("" when left out).
func noTelegram(err error, flag string, env Env, id string) error {
	login := "login " + id
	if id == "" {
		login = "the login"
	}
	switch spec := storeSpec(env, flag); {
	case !errors.Is(err, errNoTelegram):
		return err
	case isMemory(spec):
		return fmt.Errorf("%s: %w", login, err)
	default:
		return fmt.Errorf("%s lives on a persistent store (%s): %w", login, spec, err)
	}
}

// output prints a step command's result.
type output struct {
	env  Env
	json bool
	// headed: the Heading was printed already.
	headed bool
	// next reaches the store and Telegram of the commands printed next (nextCommands).
	next reach
}

// finish prints where the login is after a step (snap and err as the engine returned
// them, made a Result by result) and returns the command's error: exit status 1 when the
// input was refused, with the reason on stderr, and 130 when the command was interrupted.
func (o output) finish(ctx context.Context, snap machine.Snapshot, err error, result func(machine.Snapshot, error) steps.Result) error {
	err = wrongTelegram(err)
	if snap.ID != "" {
		if perr := o.print(result(snap, err)); perr != nil {
			return perr
		}
	}
	if ctx.Err() != nil {
		return o.interrupted(snap, err)
	}
	if snap.ID != "" && !o.json {
		printNext(o.env, nextCommands(snap, o.next))
	}
	if err == nil {
		return nil
	}
	if snap.ID == "" {
		return err
	}
	fmt.Fprintf(o.env.Stderr, "tgauth: %v\n", err)
	var refused *machine.RefusedError
	if errors.As(err, &refused) && refused.Problem != nil && refused.Problem.Code == machine.ProblemNoAnswer {
		return exitError{exitUnreachable}
	}
	return exitError{exitRefused}
}

func (o output) print(r steps.Result) error {
	if o.json {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		fmt.Fprintf(o.env.Stdout, "%s\n", b)
		return nil
	}
	text := r.Text(time.Now())
	if o.headed {
		text = r.Body(time.Now())
	}
	fmt.Fprint(o.env.Stdout, text)
	return nil
}

// interrupted says what an interrupt left: nothing changed when it came before the
// input's write-ahead; else the call was finished and its answer kept.
func (o output) interrupted(snap machine.Snapshot, err error) error {
	switch {
	case errors.Is(err, context.Canceled) || snap.ID == "":
		fmt.Fprintln(o.env.Stderr, "tgauth: interrupted before the input was sent; nothing changed")
	default:
		if err != nil {
			fmt.Fprintf(o.env.Stderr, "tgauth: %v\n", err)
		}
		fmt.Fprintf(o.env.Stderr, "tgauth: interrupted; the Telegram call was finished and its answer kept: login %s is in %s\n", snap.ID, snap.State)
	}
	return exitError{exitInterrupted}
}
