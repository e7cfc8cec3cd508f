package steps

import (
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// accountLines renders the account chart's part of a prompt: the sessions last listed,
// one a line, and the recovery e-mail waiting for its code.
func accountLines(line func(string, ...any), a *machine.AccountPrompt) {
	if a.PasswordEmail != "" {
		line("recovery e-mail: %s (a %d-digit code was sent there)", a.PasswordEmail, a.CodeLength)
	}
	if len(a.Sessions) > 0 {
		line("sessions listed: %s", a.SessionsAt.UTC().Format(time.RFC3339))
	}
	for _, s := range a.Sessions {
		line("session: %s", sessionLine(s))
	}
}

// sessionLine is a session in one line: its hash (what 'sessions terminate' takes), the
// device and app, where, when it was created, and whether it is this one or unconfirmed.
func sessionLine(s machine.Session) string {
	app := strings.TrimSpace(s.App + " " + s.AppVersion)
	place := strings.Trim(strings.Join([]string{s.Region, s.Country}, ", "), ", ")
	out := fmt.Sprintf("%d  %s, %s, %s (%s), created %s", s.Hash, orDash(s.Device), orDash(app), orDash(place), orDash(s.IP),
		s.Created.UTC().Format(time.RFC3339))
	if s.Current {
		out += ", this session"
	}
	if s.Unconfirmed {
		out += ", unconfirmed"
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
