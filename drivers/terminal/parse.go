package terminal

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tgauth/tgauth/machine"
)

var botTokenLike = regexp.MustCompile(`^[0-9]+:`)

// Parse turns a line typed at prompt p into an input; nil for an empty line. The words
// 'cancel', 'resend' and 'recover' work wherever the prompt accepts them.
func Parse(p machine.Prompt, text string) (machine.Input, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	word := strings.ToLower(text)
	for _, cmd := range []machine.Input{machine.Cancel{}, machine.Resend{}, machine.RequestRecovery{}, machine.LogOut{}} {
		if word == commandWord(cmd) && accepts(p, cmd) {
			return cmd, nil
		}
	}
	switch p.Kind {
	case machine.AskStart:
		switch {
		case word == "qr":
			return machine.StartQR{}, nil
		case botTokenLike.MatchString(text):
			return machine.SubmitBotToken{Token: text}, nil
		}
		return machine.SubmitPhone{Phone: text}, nil
	case machine.AskCode:
		return machine.SubmitCode{Code: text}, nil
	case machine.AskNewCode:
		return nil, fmt.Errorf("that code expired; type 'resend' for a new one")
	case machine.AskPassword:
		return machine.SubmitPassword{Password: text}, nil
	case machine.AskRecoveryCode:
		return machine.SubmitRecoveryCode{Code: text}, nil
	case machine.AskEmail:
		return machine.SubmitEmail{Email: text}, nil
	case machine.AskEmailCode:
		return machine.SubmitEmailCode{Code: text}, nil
	case machine.AskSignUp:
		fields := strings.Fields(text)
		accept := len(fields) > 1 && strings.EqualFold(fields[len(fields)-1], "accept")
		if accept {
			fields = fields[:len(fields)-1]
		}
		if !accept {
			return nil, fmt.Errorf("end the line with 'accept' to accept the terms of service")
		}
		su := machine.SubmitSignUp{FirstName: fields[0], AcceptTerms: true}
		if len(fields) > 1 {
			su.LastName = strings.Join(fields[1:], " ")
		}
		return su, nil
	}
	return nil, fmt.Errorf("nothing to type now; type 'cancel' to give up")
}

func commandWord(in machine.Input) string {
	switch in.(type) {
	case machine.Cancel:
		return "cancel"
	case machine.Resend:
		return "resend"
	case machine.RequestRecovery:
		return "recover"
	case machine.LogOut:
		return "logout"
	}
	return ""
}

func accepts(p machine.Prompt, in machine.Input) bool {
	for _, ev := range p.Accepts {
		if ev == in.Event() {
			return true
		}
	}
	return false
}
