package steps

import (
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Heading is the first line of a result in words, naming the login. A command that
// creates a login prints it before its first Telegram call, so the ID is known even if
// the process is stopped during the call.
func Heading(id string) string {
	return fmt.Sprintf("login: %s\n", id)
}

// Text renders r in words, one fact a line: the Heading, then Body.
func (r Result) Text(now time.Time) string {
	return Heading(r.ID) + r.Body(now)
}

// Body renders the facts after the Heading: the state, the prompt and what it asks for,
// the problem of the last input, and the inputs the login accepts now. A flood wait that
// ended before now is left out.
func (r Result) Body(now time.Time) string {
	p := r.Prompt
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("state: %s", r.State)
	if r.DC != 0 {
		line("dc: %d", r.DC)
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
	if u := p.User; u != nil && p.Kind == machine.ShowDone {
		line("user: %s", userLine(u))
	}
	if p.Account != nil {
		accountLines(line, p.Account)
	}
	if p.Problem != nil && p.Kind != machine.ShowClosed {
		line("problem: %s", p.Problem.Text())
	}
	if p.Attempts > 0 {
		line("attempts: %d of %d", p.Attempts, p.MaxAttempts)
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

// userLine is an account in one line: ID, name and @username.
func userLine(u *machine.User) string {
	s := strings.TrimSpace(fmt.Sprintf("%d %s %s", u.ID, u.FirstName, u.LastName))
	if u.Username != "" {
		s += " @" + u.Username
	}
	return s
}
