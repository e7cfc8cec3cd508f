package cli

import (
	"fmt"

	"github.com/tgauth/tgauth/machine"
)

// The step commands drive a login one input at a time, each in its own process, over a
// shared store: any program or script can run a login. Each prints the login's ID, its
// state and the prompt in words (or, with --json, the snapshot as one JSON object; package
// drivers/steps renders both), and exits 0 when the input was taken, 1 (with the state
// still printed and the reason on stderr) when the table or Telegram refused it, and 130
// when interrupted: after the call in flight, if any, was finished and its answer kept.

// step describes a step command: its arguments and the input they make.
type step struct {
	name, usage, summary string
	// args is the number of positional arguments after the login ID: min and max.
	min, max int
	input    func(a stepArgs) (machine.Input, error)
	// check, if set, checks the input against the login's prompt before it is sent, and
	// returns it as it is to be sent.
	check func(p machine.Prompt, in machine.Input) (machine.Input, error)
	// flags, if set, names the command's own string flags and what each says; their
	// values reach input as stepArgs.opts.
	flags map[string]string
	// ev, if set, is the event of the step's input, for a step whose input reads stdin.
	ev machine.Event
}

// stepArgs is what a step's input is made from: the positional arguments after the login
// ID, the streams, and the --accept-tos flag (signup only).
type stepArgs struct {
	env       Env
	args      []string
	acceptTOS bool
	opts      map[string]*string
}

var stepTable = []step{
	{name: "phone", usage: "phone [ID] PHONE", summary: "Enter a phone number for a login in state New (after a rejected number, a flood wait or a crash).", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitPhone{Phone: a.args[0]}, nil
		}},
	{name: "bot-token", usage: "bot-token [ID] TOKEN", summary: "Enter a bot token for a login in state New.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitBotToken{Token: a.args[0]}, nil
		}},
	{name: "qr", usage: "qr [ID]", summary: "Ask for a QR code for a login in state New.",
		input: func(stepArgs) (machine.Input, error) { return machine.StartQR{}, nil }},
	{name: "code", usage: "code [ID] CODE", summary: "Enter the login code; one of the wrong shape (length, digits) is refused before it is sent.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitCode{Code: a.args[0]}, nil
		},
		check: func(p machine.Prompt, in machine.Input) (machine.Input, error) {
			if p.Kind != machine.AskCode {
				return in, nil
			}
			code, err := machine.CheckCode(p.Code, in.(machine.SubmitCode).Code)
			return machine.SubmitCode{Code: code}, err
		}},
	{name: "password", usage: "password [ID] PASSWORD|-", summary: "Enter the 2FA password; '-' reads it from stdin, one line of at most 4096 bytes (keeps it out of ps and shell history).", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			pw := a.args[0]
			if pw == "-" {
				line, err := readLine(a.env.Stdin)
				if err != nil {
					return nil, fmt.Errorf("read the password from stdin: %w", err)
				}
				pw = line
			}
			return machine.SubmitPassword{Password: pw}, nil
		}},
	{name: "signup", usage: "signup [ID] FIRST [LAST] --accept-tos", summary: "Sign up a number that has no account; the terms of service (see 'tgauth status ID') must be accepted.", min: 1, max: 2,
		input: func(a stepArgs) (machine.Input, error) {
			su := machine.SubmitSignUp{FirstName: a.args[0], AcceptTerms: a.acceptTOS}
			if len(a.args) > 1 {
				su.LastName = a.args[1]
			}
			return su, nil
		}},
	{name: "resend", usage: "resend [ID]", summary: "Send the code again (by the next type), or a new code once it expired.",
		input: func(stepArgs) (machine.Input, error) { return machine.Resend{}, nil }},
	{name: "cancel", usage: "cancel [ID]", summary: "Give up on the login (auth.cancelCode when a code is outstanding).",
		input: func(stepArgs) (machine.Input, error) { return machine.Cancel{}, nil }},
	{name: "recover", usage: "recover [ID]", summary: "Forgot the 2FA password: send a recovery code to the recovery e-mail.",
		input: func(stepArgs) (machine.Input, error) { return machine.RequestRecovery{}, nil }},
	{name: "recovery-code", usage: "recovery-code [ID] CODE", summary: "Enter the password recovery code.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitRecoveryCode{Code: a.args[0]}, nil
		}},
	{name: "email", usage: "email [ID] ADDRESS", summary: "Set up the login e-mail Telegram asked for.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitEmail{Email: a.args[0]}, nil
		}},
	{name: "email-code", usage: "email-code [ID] CODE", summary: "Enter the code sent to the new login e-mail.", min: 1, max: 1,
		input: func(a stepArgs) (machine.Input, error) {
			return machine.SubmitEmailCode{Code: a.args[0]}, nil
		}},
	{name: "logout", usage: "logout [ID]", summary: "Log an authorized login out (keeps Telegram's future_auth_token for the next login).",
		input: func(stepArgs) (machine.Input, error) { return machine.LogOut{}, nil }},
}
