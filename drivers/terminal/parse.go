package terminal

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tgauth/tgauth/machine"
)

var botTokenLike = regexp.MustCompile(`^[0-9]+:`)

// parse turns a line typed at a one-question prompt p into an input; nil for an empty
// line. The words 'cancel', 'resend', 'recover', 'logout', 'reset' (the login e-mail),
// 'pay' and 'check' (a paid sign-in) work wherever the prompt accepts them. A login code is checked against the shape Telegram announced (its length,
// digits) before it is sent, so that a typo spends no attempt.
func parse(p machine.Prompt, text string) (machine.Input, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	if cmd := command(p, text); cmd != nil {
		return cmd, nil
	}
	switch p.Kind {
	case machine.AskStart:
		switch {
		case strings.EqualFold(text, "qr"):
			return machine.StartQR{}, nil
		case botTokenLike.MatchString(text):
			return machine.SubmitBotToken{Token: text}, nil
		}
		return machine.SubmitPhone{Phone: text}, nil
	case machine.AskCode:
		code, err := machine.CheckCode(p.Code, text)
		if err != nil {
			return nil, err
		}
		return machine.SubmitCode{Code: code}, nil
	case machine.AskNewCode:
		return nil, fmt.Errorf("that code expired; type 'resend' for a new one, or 'cancel'")
	case machine.AskPassword:
		return machine.SubmitPassword{Password: text}, nil
	case machine.AskRecoveryCode:
		return machine.SubmitRecoveryCode{Code: text}, nil
	case machine.AskEmail:
		return machine.SubmitEmail{Email: text}, nil
	case machine.AskEmailCode:
		return machine.SubmitEmailCode{Code: text}, nil
	case machine.AskPayment:
		return nil, fmt.Errorf("type 'pay' for the payment link, 'check' once you paid, or 'cancel'")
	}
	return nil, fmt.Errorf("nothing to type now; type 'cancel' to give up")
}

// command is the command word text names, if the prompt accepts it; else nil.
func command(p machine.Prompt, text string) machine.Input {
	words := map[string]machine.Input{"cancel": machine.Cancel{}, "resend": machine.Resend{},
		"recover": machine.RequestRecovery{}, "logout": machine.LogOut{}, "reset": machine.ResetEmail{},
		"pay": machine.Pay{}, "check": machine.CheckPaid{}}
	in, ok := words[strings.ToLower(strings.TrimSpace(text))]
	// Resend is also taken while its timeout runs (the status line counts it down): the
	// engine says how long is left.
	timed := ok && in.Event() == "resend_code" && p.Code != nil && p.Code.NextType != ""
	if !ok || !slices.Contains(p.Accepts, in.Event()) && !timed {
		return nil
	}
	return in
}

// question is one thing the terminal asks.
type question struct {
	label  string
	hidden bool // typed without echo: a password
}

// form asks the questions of one prompt and makes its input from the answers: one
// question for most prompts; first name, last name and the terms for sign-up.
type form struct {
	prompt  machine.Prompt
	answers []string
}

// questions are what the prompt asks, in order; none when it asks nothing.
func (f *form) questions() []question {
	switch f.prompt.Kind {
	case machine.AskStart:
		return []question{{label: "Phone number (international format), bot token, or 'qr': "}}
	case machine.AskCode:
		return []question{{label: "Code: "}}
	case machine.AskNewCode:
		return []question{{label: "Type 'resend' for a new code, or 'cancel': "}}
	case machine.AskPassword:
		return []question{{label: "Password: ", hidden: true}}
	case machine.AskRecoveryCode:
		return []question{{label: "Recovery code: "},
			{label: "New password (empty removes the 2FA password): ", hidden: true}, {label: "Hint (optional): "}}
	case machine.AskEmail:
		return []question{{label: "E-mail: "}}
	case machine.AskEmailCode:
		return []question{{label: "E-mail code: "}}
	case machine.AskPayment:
		return []question{{label: "Type 'pay', 'check' or 'cancel': "}}
	case machine.AskSignUp:
		return []question{{label: "First name: "}, {label: "Last name (optional): "},
			{label: "Accept the terms of service? [y/N]: "}}
	}
	return nil
}

// question returns what to ask now; ok is false when the prompt asks nothing.
func (f *form) question() (q question, ok bool) {
	qs := f.questions()
	if len(f.answers) >= len(qs) {
		return question{}, false
	}
	return qs[len(f.answers)], true
}

// transcript is the questions answered so far with their answers, a line each.
func (f *form) transcript() string {
	var b strings.Builder
	for i, q := range f.questions()[:len(f.answers)] {
		b.WriteString(q.label + f.answers[i] + "\n")
	}
	return b.String()
}

// answer takes the answer to the current question. It returns the input once the form is
// complete, nil and no error when there is a next question (or the line was empty), and
// an error, saying what to do, for an answer that cannot be used.
func (f *form) answer(text string) (machine.Input, error) {
	if f.prompt.Kind == machine.AskRecoveryCode {
		return f.recovery(text)
	}
	if f.prompt.Kind != machine.AskSignUp {
		return parse(f.prompt, text)
	}
	text = strings.TrimSpace(text)
	if cmd := command(f.prompt, text); cmd != nil {
		return cmd, nil
	}
	switch len(f.answers) {
	case 0:
		if text == "" {
			return nil, fmt.Errorf("a first name is required to sign up; type 'cancel' to give up")
		}
	case 2:
		switch strings.ToLower(text) {
		case "y", "yes":
			return machine.SubmitSignUp{FirstName: f.answers[0], LastName: f.answers[1], AcceptTerms: true}, nil
		case "", "n", "no":
			return machine.Cancel{}, nil // no account without the terms
		}
		return nil, fmt.Errorf("answer y to accept the terms of service, or n to give up")
	}
	f.answers = append(f.answers, text)
	return nil, nil
}

// recovery takes the answers of the recovery form: the code, then a new password (empty:
// recovery removes the 2FA password, and no hint is asked), then its hint.
func (f *form) recovery(text string) (machine.Input, error) {
	if len(f.answers) != 1 { // the code and the hint are not secret: trimmed like any line
		text = strings.TrimSpace(text)
	}
	if cmd := command(f.prompt, text); cmd != nil && len(f.answers) == 0 {
		return cmd, nil
	}
	switch len(f.answers) {
	case 0:
		if text == "" {
			return nil, nil
		}
	case 1:
		if text == "" {
			return machine.SubmitRecoveryCode{Code: f.answers[0]}, nil
		}
	case 2:
		return machine.SubmitRecoveryCode{Code: f.answers[0], NewPassword: f.answers[1], Hint: text}, nil
	}
	f.answers = append(f.answers, text)
	return nil, nil
}
