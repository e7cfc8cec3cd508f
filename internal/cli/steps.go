package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// The step commands drive a login one input at a time, each in its own process, over a
// shared store: any program or script can run a login. Each prints the login's ID, its
// state and the prompt in words (or, with --json, the snapshot as one JSON object), and
// exits 0 when the input was taken, 1 (with the state still printed and the reason on
// stderr) when the table or Telegram refused it.

// step describes a step command: its arguments and the input they make.
type step struct {
	name, usage, summary string
	// args is the number of positional arguments after the login ID: min and max.
	min, max int
	input    func(a stepArgs) (machine.Input, error)
}

// stepArgs is what a step's input is made from: the positional arguments after the login
// ID, the streams, and the --accept-tos flag (signup only).
type stepArgs struct {
	env       Env
	args      []string
	acceptTOS bool
}

var steps = []step{
	{name: "phone", usage: "phone ID PHONE", summary: "Enter a phone number for a login in state New (after a rejected number, a flood wait or a crash).", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitPhone{Phone: a.args[0]}, nil
		}},
	{name: "bot-token", usage: "bot-token ID TOKEN", summary: "Enter a bot token for a login in state New.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitBotToken{Token: a.args[0]}, nil
		}},
	{name: "qr", usage: "qr ID", summary: "Ask for a QR code for a login in state New.",
		input: func(stepArgs) (machine.Input, error) { return machine.StartQR{}, nil }},
	{name: "code", usage: "code ID CODE", summary: "Enter the login code.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitCode{Code: a.args[0]}, nil
		}},
	{name: "password", usage: "password ID PASSWORD|-", summary: "Enter the 2FA password; '-' reads it from stdin (keeps it out of ps and shell history).", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			pw := a.args[0]
			if pw == "-" {
				line, err := bufio.NewReader(a.env.Stdin).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return nil, fmt.Errorf("read the password from stdin: %w", err)
				}
				pw = strings.TrimRight(line, "\r\n")
			}
			return machine.SubmitPassword{Password: pw}, nil
		}},
	{name: "signup", usage: "signup ID FIRST [LAST] --accept-tos", summary: "Sign up a number that has no account; the terms of service (see 'tgauth status ID') must be accepted.", min: 1, max: 2,
		input: func(a stepArgs) (machine.Input, error) {
			su := machine.SubmitSignUp{FirstName: a.args[0], AcceptTerms: a.acceptTOS}
			if len(a.args) > 1 {
				su.LastName = a.args[1]
			}
			return su, nil
		}},
	{name: "resend", usage: "resend ID", summary: "Send the code again (by the next type), or a new code once it expired.",
		input: func(stepArgs) (machine.Input, error) { return machine.Resend{}, nil }},
	{name: "cancel", usage: "cancel ID", summary: "Give up on the login (auth.cancelCode when a code is outstanding).",
		input: func(stepArgs) (machine.Input, error) { return machine.Cancel{}, nil }},
	{name: "recover", usage: "recover ID", summary: "Forgot the 2FA password: send a recovery code to the recovery e-mail.",
		input: func(stepArgs) (machine.Input, error) { return machine.RequestRecovery{}, nil }},
	{name: "recovery-code", usage: "recovery-code ID CODE", summary: "Enter the password recovery code.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitRecoveryCode{Code: a.args[0]}, nil
		}},
	{name: "email", usage: "email ID ADDRESS", summary: "Set up the login e-mail Telegram asked for.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitEmail{Email: a.args[0]}, nil
		}},
	{name: "email-code", usage: "email-code ID CODE", summary: "Enter the code sent to the new login e-mail.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitEmailCode{Code: a.args[0]}, nil
		}},
	{name: "logout", usage: "logout ID", summary: "Log an authorized login out (keeps Telegram's future_auth_token for the next login).",
		input: func(stepArgs) (machine.Input, error) { return machine.LogOut{}, nil }},
}

func init() {
	for _, s := range steps {
		register(s.name, command{summary: s.summary, usage: s.usage + " [--json] [--store SPEC] [--telegram testdc:FILE]",
			run: func(ctx context.Context, env Env, args []string) error { return runStep(ctx, env, s, args) }})
	}
	register("start", command{
		summary: "Start a login and send its first input: a phone number, a bot token, or a QR request.",
		usage:   "start --phone P | --bot-token T | --qr [--json] [--store SPEC] [--telegram testdc:FILE]",
		run:     runStart,
	})
	register("status", command{
		summary: "Print a login's state and prompt (recovering it first if a crashed process left it in flight).",
		usage:   "status ID [--json] [--store SPEC]",
		run: func(ctx context.Context, env Env, args []string) error {
			fs, ef, asJSON := stepFlags(env, "status")
			pos, err := parseInterspersed(fs, args)
			if err != nil || len(pos) != 1 {
				return usageErr(fs, err)
			}
			r, err := ef.start(ctx, env, false)
			if err != nil {
				return err
			}
			defer r.close()
			snap, err := r.engine.Resolve(ctx, pos[0])
			return report(env, snap, err, *asJSON)
		},
	})
}

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
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) < 1+s.min || len(pos) > 1+s.max {
		return usageErr(fs, err)
	}
	in, err := s.input(stepArgs{env: env, args: pos[1:], acceptTOS: *acceptTOS})
	if err != nil {
		return err
	}
	r, err := ef.start(ctx, env, false)
	if err != nil {
		return err
	}
	defer r.close()
	snap, err := r.engine.Send(ctx, pos[0], in)
	return report(env, snap, err, *asJSON)
}

func runStart(ctx context.Context, env Env, args []string) error {
	fs, ef, asJSON := stepFlags(env, "start")
	phone := fs.String("phone", "", "log in with this phone number")
	botToken := fs.String("bot-token", "", "log in as the bot with this token")
	qr := fs.Bool("qr", false, "log in with a QR code")
	pos, err := parseInterspersed(fs, args)
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
	r, err := ef.start(ctx, env, false)
	if err != nil {
		return err
	}
	defer r.close()
	snap, err := r.engine.Start(ctx, machine.StartOptions{Input: first})
	return report(env, snap, err, *asJSON)
}

// parseInterspersed parses flags that may stand before, between or after the positional
// arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func usageErr(fs *flag.FlagSet, err error) error {
	if err == nil {
		fs.Usage()
	}
	return errUsage
}

// report prints a login's snapshot and turns a refusal into exit status 1, with the
// reason on stderr.
func report(env Env, snap machine.Snapshot, err error, asJSON bool) error {
	if snap.ID != "" {
		if asJSON {
			b, jerr := json.Marshal(snap)
			if jerr != nil {
				return jerr
			}
			fmt.Fprintf(env.Stdout, "%s\n", b)
		} else {
			fmt.Fprint(env.Stdout, describe(snap, time.Now()))
		}
	}
	if err == nil {
		return nil
	}
	if snap.ID == "" {
		return err
	}
	fmt.Fprintf(env.Stderr, "tgauth: %v\n", err)
	return exitError{1}
}

// describe renders a snapshot in words, one fact a line.
func describe(snap machine.Snapshot, now time.Time) string {
	p := snap.Prompt
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("login: %s", snap.ID)
	line("state: %s", snap.State)
	if snap.DC != 0 {
		line("dc: %d", snap.DC)
	}
	line("prompt: %s", p.Message)
	if c := p.Code; c != nil {
		line("code: %s, %d digits, sent to %s", c.Type, c.Length, c.Phone)
		if c.NextType != "" {
			line("resend: by %s, from %s", c.NextType, c.ResendAt.UTC().Format(time.RFC3339))
		}
	}
	if pw := p.Password; pw != nil {
		line("hint: %s", pw.Hint)
		line("recovery: %v", pw.HasRecovery)
	}
	if p.Terms != nil {
		line("terms of service: %s", strings.ReplaceAll(strings.TrimSpace(p.Terms.Text), "\n", " "))
	}
	if p.QR != nil {
		line("qr: %s", p.QR.URL)
		line("qr expires: %s", p.QR.Expires.UTC().Format(time.RFC3339))
	}
	if u := p.User; u != nil && snap.Prompt.Kind == machine.ShowDone {
		user := strings.TrimSpace(fmt.Sprintf("%d %s %s", u.ID, u.FirstName, u.LastName))
		if u.Username != "" {
			user += " @" + u.Username
		}
		line("user: %s", user)
	}
	if p.Error != "" {
		line("error: %s", p.Error)
	}
	if !p.RetryAt.IsZero() && p.RetryAt.After(now) {
		line("retry %s after: %s", p.RetryInput, p.RetryAt.UTC().Format(time.RFC3339))
	}
	if len(p.Accepts) > 0 {
		names := make([]string, len(p.Accepts))
		for i, ev := range p.Accepts {
			names[i] = string(ev)
		}
		line("accepts: %s", strings.Join(names, ", "))
	}
	return b.String()
}
