package terminal

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// body is what a prompt shows above its question: the message and the lines that help
// answer it, each ending in a newline. The QR code itself is drawn by the caller.
func body(p machine.Prompt) string {
	var b strings.Builder
	b.WriteString(p.Message + "\n")
	switch p.Kind {
	case machine.AskPassword:
		if p.Password != nil && p.Password.HasRecovery {
			b.WriteString("Forgot it? Type 'recover' for a code by e-mail.\n")
		}
	case machine.AskSignUp:
		if p.Terms != nil {
			fmt.Fprintf(&b, "\nTerms of service:\n%s\n\n", strings.TrimSpace(p.Terms.Text))
		}
	case machine.ShowQR:
		if p.QR != nil {
			fmt.Fprintf(&b, "QR: %s\n", p.QR.URL)
		}
	case machine.AskCode:
		if slices.Contains(p.Accepts, "reset_email") {
			b.WriteString("Cannot reach that address? Type 'reset' to reset the login e-mail.\n")
		}
	case machine.AskPayment:
		if slices.Contains(p.Accepts, "pay") {
			b.WriteString("Type 'pay' for the payment link, 'check' once you paid, or 'cancel'.\n")
		}
	}
	return b.String()
}

// status is the one line that changes while a prompt waits: how long until the code can
// be resent, until Telegram's flood wait ends, or until the QR code is refreshed. Empty
// when there is nothing to count down.
func status(p machine.Prompt, now time.Time) string {
	if p.RetryAt.After(now) {
		return fmt.Sprintf("Telegram asks to wait %s before trying again.", until(p.RetryAt, now))
	}
	switch {
	case p.Kind == machine.AskCode && p.Code != nil && p.Code.NextType != "":
		return resendLine(p.Code, now)
	case p.Kind == machine.ShowQR && p.QR != nil:
		return fmt.Sprintf("Waiting for the scan; a new code comes in %s.", until(p.QR.Expires, now))
	}
	return ""
}

// resendLine says how and when the code can be sent again.
func resendLine(c *machine.CodePrompt, now time.Time) string {
	if c.ResendAt.After(now) {
		return fmt.Sprintf("Type 'resend' to get it %s in %s.", machine.CodeVia(c.NextType), until(c.ResendAt, now))
	}
	return fmt.Sprintf("Type 'resend' to get it %s.", machine.CodeVia(c.NextType))
}

// until is the time left until t, in whole seconds.
func until(t, now time.Time) string {
	return max(t.Sub(now), 0).Round(time.Second).String()
}

// once lets each problem through once: the refusal an input got is printed when the
// input comes back, and not again when the snapshot that carries it arrives.
type once struct{ last string }

// next returns text if it differs from the last one let through, else "".
func (o *once) next(text string) string {
	if text == o.last {
		return ""
	}
	o.last = text
	return text
}
