package terminal

import (
	"fmt"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/tgauth/tgauth/machine"
)

// render writes the prompt if it changed since the last one written.
func (s *Session) render(snap machine.Snapshot) {
	text := Render(snap, s.opts.TTY, time.Now())
	if text == s.shown {
		return
	}
	if s.opts.TTY && snap.Prompt.Kind == machine.ShowQR && strings.HasPrefix(s.shown, qrHeading) {
		fmt.Fprint(s.opts.Out, "\033[H\033[2J") // a refreshed QR code replaces the old one
	}
	s.shown = text
	fmt.Fprint(s.opts.Out, text)
}

const qrHeading = "Scan this QR code"

// Render returns what a terminal shows for a snapshot: the prompt's message and details,
// ending with the question to answer (no newline after a question). With tty set, a QR
// prompt includes the code drawn in block characters.
func Render(snap machine.Snapshot, tty bool, now time.Time) string {
	p := snap.Prompt
	var b strings.Builder
	if p.Problem != nil && p.Kind != machine.ShowClosed {
		fmt.Fprintf(&b, "! %s\n", p.Problem.Text())
	}
	if !p.RetryAt.IsZero() {
		fmt.Fprintf(&b, "Telegram asks to wait until %s (%s).\n", p.RetryAt.Local().Format(time.TimeOnly), until(p.RetryAt, now))
	}
	switch p.Kind {
	case machine.AskStart:
		b.WriteString("Phone number (international format), bot token, or 'qr': ")
	case machine.AskCode:
		b.WriteString(p.Message + "\n")
		if c := p.Code; c != nil && c.NextType != "" {
			b.WriteString(resendLine(c, now) + "\n")
		}
		b.WriteString("Code: ")
	case machine.AskNewCode:
		b.WriteString(p.Message + "\nType 'resend' for a new code, or 'cancel': ")
	case machine.AskPassword:
		b.WriteString(p.Message + "\n")
		if p.Password != nil && p.Password.HasRecovery {
			b.WriteString("Forgot it? Type 'recover' for a code by e-mail.\n")
		}
		b.WriteString("Password: ")
	case machine.AskSignUp:
		b.WriteString(p.Message + "\n")
		if p.Terms != nil {
			fmt.Fprintf(&b, "\nTerms of service:\n%s\n\n", strings.TrimSpace(p.Terms.Text))
		}
		b.WriteString("First name, last name, and 'accept' (e.g. 'Ada Lovelace accept'): ")
	case machine.AskRecoveryCode:
		b.WriteString(p.Message + "\nRecovery code: ")
	case machine.AskEmail:
		b.WriteString(p.Message + "\nE-mail: ")
	case machine.AskEmailCode:
		b.WriteString(p.Message + "\nE-mail code: ")
	case machine.ShowQR:
		if p.QR == nil {
			b.WriteString(p.Message + "\n")
			break
		}
		fmt.Fprintf(&b, "%s with Telegram on a logged-in phone: Settings > Devices > Link Desktop Device.\n", qrHeading)
		if tty {
			b.WriteString(drawQR(p.QR.URL))
		}
		fmt.Fprintf(&b, "QR: %s\nValid until %s. Waiting for the scan", p.QR.URL, p.QR.Expires.Local().Format(time.TimeOnly))
		if tty {
			b.WriteString(" (Ctrl-C cancels).\n")
		} else {
			b.WriteString(" (type 'cancel' to give up).\n")
		}
	case machine.Wait:
		b.WriteString(p.Message + "\n")
	case machine.ShowDone, machine.ShowClosed:
		b.WriteString(p.Message + "\n")
	}
	return b.String()
}

// resendLine says how and when the code can be sent again.
func resendLine(c *machine.CodePrompt, now time.Time) string {
	if c.ResendAt.After(now) {
		return fmt.Sprintf("Type 'resend' to get it %s in %s.", machine.CodeVia(c.NextType), until(c.ResendAt, now))
	}
	return fmt.Sprintf("Type 'resend' to get it %s.", machine.CodeVia(c.NextType))
}

func until(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String()
}

// drawQR draws a QR code with half-block characters: two QR rows per text line, with a
// quiet zone, dark modules as the terminal's foreground.
func drawQR(text string) string {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return ""
	}
	const quiet = 2
	n := code.Size
	black := func(x, y int) bool {
		return x >= 0 && y >= 0 && x < n && y < n && code.Black(x, y)
	}
	var b strings.Builder
	for y := -quiet; y < n+quiet; y += 2 {
		for x := -quiet; x < n+quiet; x++ {
			top, bottom := black(x, y), black(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune(' ')
			case top:
				b.WriteRune('▄')
			case bottom:
				b.WriteRune('▀')
			default:
				b.WriteRune('█')
			}
		}
		b.WriteRune('\n')
	}
	return b.String()
}
