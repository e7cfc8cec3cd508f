package chat

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// This file is the account commands of a conversation whose login is done: the 2FA
// password (2fa set, change, remove, then the recovery e-mail's code), the account's
// sessions (sessions, sessions terminate N, terminate-others, confirm N) and sign-in
// codes that leaked (invalidate-codes). The rules are the engine's account inputs
// (machine.SetPassword and the others): the chat gathers what an input needs, one
// message at a time, sends it, and renders the prompt it leaves.

// pwField is what a 2fa command asks for.
type pwField int

const (
	askCurrent pwField = iota // the password in use
	askNew                    // the new password
	askHint                   // its hint
	askEmail                  // a recovery e-mail
)

// pwTask is a 2fa command gathering its input. It lives in the conversation's memory only
// (a restarted host asks again), and is dropped, with the passwords in it, once sent, on
// cancel, or when the login is no longer done.
type pwTask struct {
	verb string // set, change or remove
	// needs are the fields still to ask for, in order; never empty while the task lives.
	needs                      []pwField
	current, next, hint, email string
}

// newPWTask returns the 2fa command verb asking its first question; nil for an unknown
// verb.
func newPWTask(verb string) *pwTask {
	p := &pwTask{verb: verb}
	if !p.restart() {
		return nil
	}
	return p
}

// restart asks every field of the command again; false for an unknown verb.
func (p *pwTask) restart() bool {
	switch p.verb {
	case "set":
		p.needs = []pwField{askNew, askHint, askEmail}
	case "change":
		p.needs = []pwField{askCurrent, askNew, askHint, askEmail}
	case "remove":
		p.needs = []pwField{askCurrent}
	default:
		return false
	}
	return true
}

// take stores text as the answer to the current question and moves to the next.
func (p *pwTask) take(text string) {
	if w := strings.ToLower(strings.TrimSpace(text)); w == "skip" || w == "none" || w == "-" {
		text = ""
	}
	switch p.needs[0] {
	case askCurrent:
		p.current = text
	case askNew:
		p.next = text
	case askHint:
		p.hint = strings.TrimSpace(text)
	case askEmail:
		p.email = strings.TrimSpace(text)
	}
	p.needs = p.needs[1:]
}

// input is the engine input of the answered command.
func (p *pwTask) input() machine.Input {
	if p.verb == "remove" {
		return machine.RemovePassword{Current: p.current}
	}
	return machine.SetPassword{Current: p.current, New: p.next, Hint: p.hint, Email: p.email}
}

// done words the command's success.
func (p *pwTask) done() string {
	return map[string]string{"set": "Your 2FA password is set.", "change": "Your 2FA password is changed.",
		"remove": "Your 2FA password is removed: logging in needs the code only."}[p.verb]
}

// secret reports whether the answer to the current question is a password.
func (p *pwTask) secret() bool { return p.needs[0] == askCurrent || p.needs[0] == askNew }

// question asks for the next field; private says whether the room takes passwords.
func (p *pwTask) question(add func(string, ...any), private bool) {
	switch p.needs[0] {
	case askCurrent:
		add("Send your current 2FA password (I ask to delete the message).")
	case askNew:
		add("Send the new 2FA password (I ask to delete the message).")
	case askHint:
		add("Send a hint for it, shown where the password is asked for (not the password itself), or skip for none.")
	case askEmail:
		add("Send a recovery e-mail address, to reset the password if you forget it (Telegram mails it a code to confirm it), or skip for none.")
	}
	if note := secretNote(private, ""); p.secret() && note != "" {
		add("%s", note)
	}
	add("Send cancel to stop: nothing changes before the last answer.")
}

// pwFields maps the fields machine.InputError names to the questions that ask for them.
var pwFields = map[string]pwField{"current password": askCurrent, "new password": askNew, "hint": askHint, "recovery e-mail": askEmail}

// notDone answers an account command when the login is not done (ok false: there is
// none), with replies and true; it returns false when the command may run.
func (t *turn) notDone(snap machine.Snapshot, ok bool) ([]Reply, bool) {
	switch {
	case ok && snap.Prompt.Kind == machine.ShowDone:
		return nil, false
	case ok && snap.Prompt.Kind == machine.AskPasswordEmailCode:
		return t.show(snap, "First enter the code of the new recovery e-mail, or send cancel."), true
	case ok && snap.Prompt.Kind != machine.ShowClosed:
		return t.show(snap, "The account commands work once you are logged in: finish the login first."), true
	}
	return []Reply{{Text: "You are not logged in. Send login to log in; the account commands work after that."}}, true
}

// twoFA starts the 2fa command arg (set, change or remove).
func (t *turn) twoFA(snap machine.Snapshot, ok bool, arg string) ([]Reply, error) {
	if r, stop := t.notDone(snap, ok); stop {
		return r, nil
	}
	task := newPWTask(strings.ToLower(arg))
	if task == nil {
		return t.show(snap, "Send 2fa set to set a 2FA password, 2fa change to change it, or 2fa remove to remove it."), nil
	}
	t.c.pw = task
	return t.show(snap, ""), nil
}

// pwAnswer takes a message as the answer to the 2fa command's question, and sends the
// command once it has every answer.
func (t *turn) pwAnswer(snap machine.Snapshot) ([]Reply, error) {
	task := t.c.pw
	text := strings.TrimSpace(t.m.Text)
	if task.secret() {
		t.secret = true
		if !t.m.private() {
			return t.refuseSecret(snap, false)
		}
		text = strings.TrimRight(t.m.Text, "\r\n") // a password is taken as typed
	}
	task.take(text)
	if len(task.needs) > 0 {
		return t.show(snap, ""), nil
	}
	next, err := t.call(snap, task.input())
	var bad *machine.InputError
	switch {
	case errors.As(err, &bad): // nothing was sent: ask again for what was wrong
		if f, known := pwFields[bad.Field]; known {
			task.needs = []pwField{f}
		} else {
			task.restart()
		}
		return t.after(next, err)
	case next.Prompt.Kind == machine.ShowDone && problem(next) == machine.ProblemPasswordInvalid:
		task.needs = []pwField{askCurrent} // a wrong current one (or 2fa set on an account that has one)
		return t.after(next, err)
	}
	t.c.pw = nil
	lead := task.done()
	if next.Prompt.Kind != machine.ShowDone {
		lead = "" // the recovery e-mail's code is asked for: the password waits for it
	}
	return t.done(next, err, lead)
}

// problem is the code of the problem snap shows, "" for none.
func problem(snap machine.Snapshot) machine.ProblemCode {
	if snap.Prompt.Problem == nil {
		return ""
	}
	return snap.Prompt.Problem.Code
}

// task sends an account input and renders where it left the login, led by done when it
// got through.
func (t *turn) task(snap machine.Snapshot, in machine.Input, done string) ([]Reply, error) {
	next, err := t.call(snap, in)
	return t.done(next, err, done)
}

// done renders the snapshot an account input left: led by lead when the input got
// through, else by what went wrong (see after).
func (t *turn) done(snap machine.Snapshot, err error, lead string) ([]Reply, error) {
	if err == nil && snap.Prompt.Problem == nil {
		return t.show(snap, lead), nil
	}
	return t.after(snap, err)
}

// sessionsUsage is the reply to a sessions command that is not one.
const sessionsUsage = "Send sessions to list the account's sessions, sessions terminate N to end session N of the list, " +
	"sessions terminate-others to end all but this one, or sessions confirm N to confirm an unconfirmed one."

// sessions runs the sessions command arg: list (or nothing), terminate N,
// terminate-others, confirm N. Each reply lists the sessions as the login last saw them.
func (t *turn) sessions(snap machine.Snapshot, ok bool, arg string) ([]Reply, error) {
	if r, stop := t.notDone(snap, ok); stop {
		return r, nil
	}
	word, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	var in machine.Input
	lead := ""
	switch w := strings.ToLower(word); {
	case (w == "" || w == "list") && rest == "":
		in = machine.ListSessions{}
	case w == "terminate-others" && rest == "":
		in, lead = machine.TerminateOtherSessions{}, "Every other session is terminated."
	case w == "terminate" || w == "confirm":
		n, s, why := pick(snap.Prompt.Account, rest, w)
		switch {
		case why != "":
			return t.show(snap, why), nil
		case w == "terminate":
			in, lead = machine.TerminateSession{Hash: s.Hash}, fmt.Sprintf("Session %d (%s) is terminated.", n, device(s))
		default:
			in, lead = machine.ConfirmSession{Hash: s.Hash}, fmt.Sprintf("Session %d (%s) is confirmed.", n, device(s))
		}
	default:
		return t.show(snap, sessionsUsage), nil
	}
	next, err := t.call(snap, in)
	r, err := t.done(next, err, lead)
	if err != nil {
		return nil, err
	}
	if next.Prompt.Kind == machine.ShowDone {
		r[0].Text += "\n" + sessionList(next.Prompt.Account)
	}
	return r, nil
}

// pick finds session arg (its number, from 1) in the sessions last listed, for the
// sessions command verb; why says what is wrong instead.
func pick(a *machine.AccountPrompt, arg, verb string) (n int, s machine.Session, why string) {
	if a == nil || len(a.Sessions) == 0 {
		return 0, s, "List the sessions first (send sessions): the numbers are those of the list."
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(a.Sessions) {
		return 0, s, fmt.Sprintf("Send the number of a session of the list, 1 to %d, like sessions %s %d.", len(a.Sessions), verb, len(a.Sessions))
	}
	return n, a.Sessions[n-1], ""
}

// sessionList words the sessions last listed, numbered from 1.
func sessionList(a *machine.AccountPrompt) string {
	if a == nil || len(a.Sessions) == 0 {
		return "No sessions listed yet: send sessions."
	}
	lines := []string{fmt.Sprintf("Sessions, as Telegram listed them at %s:", a.SessionsAt.UTC().Format("15:04:05 UTC"))}
	for i, s := range a.Sessions {
		n := i + 1
		line := fmt.Sprintf("%d. %s", n, device(s))
		for _, part := range []string{strings.TrimSpace(s.App + " " + s.AppVersion), joinNonEmpty(s.Region, s.Country), s.IP} {
			if part != "" {
				line += ", " + part
			}
		}
		if !s.Created.IsZero() {
			line += ", created " + s.Created.UTC().Format(time.DateTime) + " UTC"
		}
		if s.Current {
			line += " (this session)"
		}
		if s.Unconfirmed {
			line += fmt.Sprintf(" - unconfirmed: sessions confirm %d keeps it, sessions terminate %d refuses it", n, n)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// device names a session's device for the user.
func device(s machine.Session) string {
	if s.Device == "" {
		return "an unnamed device"
	}
	return s.Device
}

// joinNonEmpty joins the non-empty parts with commas.
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// invalidate runs invalidate-codes: arg lists sign-in codes that leaked. The message
// carries codes, so it is a secret wherever it comes.
func (t *turn) invalidate(snap machine.Snapshot, ok bool, arg string) ([]Reply, error) {
	fields := strings.Fields(arg)
	t.secret = len(fields) > 0
	if r, stop := t.notDone(snap, ok); stop {
		return r, nil
	}
	if len(fields) == 0 {
		return t.show(snap, "Send invalidate-codes followed by the login codes that leaked, like invalidate-codes 12345 67890."), nil
	}
	if !t.m.private() {
		return t.refuseSecret(snap, false)
	}
	codes := make([]string, len(fields))
	for i, f := range fields {
		c, err := machine.CheckCode(nil, f)
		if err != nil {
			return t.after(snap, err)
		}
		codes[i] = c
	}
	return t.task(snap, machine.InvalidateCodes{Codes: codes}, "Those codes can no longer log in anywhere.")
}
