package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/tgauth/tgauth/machine"
	tr "github.com/tgauth/tgauth/transitions"
)

// The account commands run the account chart's tasks on an Authorized login, as step
// commands: one input each, in a process of its own, over the store. Passwords are read
// from stdin, never from the command line: hidden at a terminal, else one line each.

var accountSteps = []step{
	{name: "2fa set", usage: "2fa set [ID] [--hint H] [--email ADDRESS]",
		summary: "Set a 2FA password on an account that has none; stdin gives it (one line).\n" +
			"With --email, Telegram mails a code there: enter it with '2fa confirm-email'; the password waits for it.",
		flags: map[string]string{"hint": "the password's hint, shown at login", "email": "a recovery e-mail (its code confirms it)"},
		ev:    tr.SetPassword,
		input: func(a stepArgs) (machine.Input, error) {
			pw, err := passwords(a.env, "new password")
			if err != nil {
				return nil, err
			}
			return machine.SetPassword{New: pw[0], Hint: *a.opts["hint"], Email: *a.opts["email"]}, nil
		}},
	{name: "2fa change", usage: "2fa change [ID] [--hint H] [--email ADDRESS]",
		summary: "Change the 2FA password; stdin gives the current one, then the new one (a line each).",
		flags:   map[string]string{"hint": "the new password's hint, shown at login", "email": "a new recovery e-mail (its code confirms it)"},
		ev:      tr.SetPassword,
		input: func(a stepArgs) (machine.Input, error) {
			pw, err := passwords(a.env, "current password", "new password")
			if err != nil {
				return nil, err
			}
			return machine.SetPassword{Current: pw[0], New: pw[1], Hint: *a.opts["hint"], Email: *a.opts["email"]}, nil
		}},
	{name: "2fa remove", usage: "2fa remove [ID]",
		summary: "Remove the 2FA password (and its hint and recovery e-mail); stdin gives the current one.",
		ev:      tr.RemovePassword,
		input: func(a stepArgs) (machine.Input, error) {
			pw, err := passwords(a.env, "current password")
			if err != nil {
				return nil, err
			}
			return machine.RemovePassword{Current: pw[0]}, nil
		}},
	{name: "2fa confirm-email", usage: "2fa confirm-email [ID] CODE", min: 1, max: 1,
		summary: "Enter the code Telegram mailed to the new recovery e-mail; the new password then takes effect.",
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitPasswordEmailCode{Code: a.args[0]}, nil
		}},
	{name: "2fa resend-email", usage: "2fa resend-email [ID]",
		summary: "Mail the recovery e-mail's code again.",
		input:   func(stepArgs) (machine.Input, error) { return machine.ResendPasswordEmail{}, nil }},
	{name: "2fa cancel-email", usage: "2fa cancel-email [ID]",
		summary: "Give up on the new recovery e-mail, and on the password change waiting for it.",
		input:   func(stepArgs) (machine.Input, error) { return machine.CancelPasswordEmail{}, nil }},
	{name: "sessions list", usage: "sessions list [ID]",
		summary: "List the account's active sessions: hash, device, app, place, created, this one or not, unconfirmed.",
		input:   func(stepArgs) (machine.Input, error) { return machine.ListSessions{}, nil }},
	{name: "sessions terminate", usage: "sessions terminate [ID] HASH", min: 1, max: 1,
		summary: "Terminate one session by the hash 'sessions list' shows (Telegram refuses it from a session less than 24 hours old).",
		input: func(a stepArgs) (machine.Input, error) {
			h, err := sessionHash(a.args[0])
			return machine.TerminateSession{Hash: h}, err
		}},
	{name: "sessions terminate-others", usage: "sessions terminate-others [ID]",
		summary: "Terminate every session but this one (Telegram refuses it from a session less than 24 hours old).",
		input:   func(stepArgs) (machine.Input, error) { return machine.TerminateOtherSessions{}, nil }},
	{name: "sessions confirm", usage: "sessions confirm [ID] HASH", min: 1, max: 1,
		summary: "Confirm an unconfirmed new session (to refuse it, terminate it).",
		input: func(a stepArgs) (machine.Input, error) {
			h, err := sessionHash(a.args[0])
			return machine.ConfirmSession{Hash: h}, err
		}},
	{name: "sessions invalidate-codes", usage: "sessions invalidate-codes [ID] CODE...", min: 1, max: 64,
		summary: "Make sign-in codes that leaked (shown or sent somewhere) unusable.",
		input: func(a stepArgs) (machine.Input, error) {
			return machine.InvalidateCodes{Codes: a.args}, nil
		}},
}

// sessionHash parses a session hash as 'sessions list' prints it.
func sessionHash(s string) (int64, error) {
	h, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a session hash: want the number 'tgauth sessions list' shows", s)
	}
	return h, nil
}

// passwords reads one password per name: at a terminal each is asked for on stderr and
// typed hidden; else each is a line of stdin (at most 4096 bytes).
func passwords(env Env, names ...string) ([]string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		out := make([]string, len(names))
		for i, name := range names {
			fmt.Fprintf(env.Stderr, "%s: ", name)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(env.Stderr)
			if err != nil {
				return nil, fmt.Errorf("read the %s: %w", name, err)
			}
			out[i] = string(b)
		}
		return out, nil
	}
	r := bufio.NewReader(boundedLines(env.Stdin))
	out := make([]string, len(names))
	for i, name := range names {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		switch {
		case err != nil && !errors.Is(err, io.EOF):
			return nil, fmt.Errorf("read the %s from stdin: %w", name, err)
		case line == "" && errors.Is(err, io.EOF):
			return nil, fmt.Errorf("read the %s from stdin: no line for it (give %s, one line each)", name, strings.Join(names, ", then "))
		}
		out[i] = line
	}
	return out, nil
}

// allSteps are the step commands: the login's and the account's.
func allSteps() []step { return append(slices.Clip(stepTable), accountSteps...) }
