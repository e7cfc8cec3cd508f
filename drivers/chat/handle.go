package chat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/tgauth/tgauth/machine"
)

// turn is one message being handled: what it found and what it answers.
type turn struct {
	b   *Bot
	c   *conversation
	m   Message
	ctx context.Context
	// secret: the message carried (or may have carried) a code, a password or a token, so
	// the host must delete it.
	secret bool
}

// Handle takes one message of a conversation and returns the replies to send, in order.
// An error means the engine could not be reached (its store failed); the message may be
// sent again. Every other problem, a wrong code or a message that is no answer at all, is
// a reply that says what to do.
func (b *Bot) Handle(ctx context.Context, m Message) ([]Reply, error) {
	c := b.conversation(m.Room, m.User)
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &turn{b: b, c: c, m: m, ctx: ctx}
	snap, ok, err := b.current(ctx, c)
	if err != nil {
		return nil, err
	}
	replies, err := t.handle(snap, ok)
	if err != nil {
		return nil, err
	}
	if t.secret || botTokenRe.MatchString(m.Text) {
		replies[0].Delete = []string{m.ID}
	}
	return replies, nil
}

// botTokenRe finds a bot token anywhere in a message: deleted, whatever the message was.
var botTokenRe = regexp.MustCompile(`[0-9]{3,}:[A-Za-z0-9_-]{8,}`)

// helpText lists the commands.
const helpText = "Commands:\n" +
	"login: log in with a phone number (login +9996621234), a bot token (login bot) or a QR code (login qr)\n" +
	"resend: send the login code again\n" +
	"cancel: give up the login in progress\n" +
	"logout: log out\n" +
	"status: where the login is\n" +
	"2fa set, 2fa change, 2fa remove: set, change or remove the account's 2FA password (I ask for each password in a message of its own)\n" +
	"sessions: list the account's sessions, numbered; sessions terminate N, sessions terminate-others, sessions confirm N\n" +
	"invalidate-codes CODE...: make login codes that leaked unusable\n" +
	"help: this list\n" +
	"Any other message answers what the login asks for now. Messages that carry a code, a password or a bot token are deleted."

// handle answers the message, given the conversation's login (ok false: none).
func (t *turn) handle(snap machine.Snapshot, ok bool) ([]Reply, error) {
	text := strings.TrimSpace(t.m.Text)
	word, arg, _ := strings.Cut(text, " ")
	arg = strings.TrimSpace(arg)
	kind := snap.Prompt.Kind
	active := ok && kind != machine.ShowClosed
	if kind != machine.ShowDone {
		t.c.pw = nil // a 2fa command runs on a login that is done only
	}
	switch strings.TrimPrefix(strings.ToLower(word), "/") { // "/login", as Telegram bots write commands
	case "help":
		if arg == "" {
			return []Reply{{Text: helpText}}, nil
		}
	case "login":
		return t.login(snap, active, arg)
	case "2fa":
		return t.twoFA(snap, ok, arg)
	case "sessions":
		return t.sessions(snap, ok, arg)
	case "invalidate-codes":
		return t.invalidate(snap, ok, arg)
	case "status":
		if arg == "" {
			if !ok {
				return []Reply{{Text: "No login yet. Send login to start one."}}, nil
			}
			return t.show(snap, fmt.Sprintf("Login %s: %s.", snap.ID, snap.State)), nil
		}
	case "cancel":
		if arg == "" {
			return t.cancel(snap, active)
		}
	case "logout":
		if arg == "" {
			switch {
			case kind == machine.AskPasswordEmailCode:
				return t.show(snap, "First enter the code of the new recovery e-mail, or send cancel."), nil
			case !ok || kind != machine.ShowDone:
				return []Reply{{Text: "You are not logged in."}}, nil
			}
			t.c.pw = nil
			return t.send(snap, machine.LogOut{})
		}
	case "resend":
		if arg == "" && kind == machine.AskPasswordEmailCode {
			return t.task(snap, machine.ResendPasswordEmail{}, "The code was mailed again.")
		}
		if arg == "" && active {
			if !slices.Contains(snap.Prompt.Accepts, machine.Resend{}.Event()) {
				return t.show(snap, "There is no code to send again now."), nil
			}
			return t.send(snap, machine.Resend{})
		}
	}
	if !active {
		if ok && kind == machine.ShowClosed {
			return []Reply{{Text: snap.Prompt.Message + " Send login to start again, or help for the commands."}}, nil
		}
		return []Reply{{Text: "You have no login in progress. Send login to start one, or help for the commands."}}, nil
	}
	return t.answer(snap, text)
}

// login starts a login (arg: "", qr, bot [TOKEN], a phone number or token, or a login ID
// to adopt), unless one is in progress.
func (t *turn) login(snap machine.Snapshot, active bool, arg string) ([]Reply, error) {
	if active {
		lead := "A login is in progress already; send cancel to give it up first."
		if k := snap.Prompt.Kind; k == machine.ShowDone || k == machine.AskPasswordEmailCode {
			lead = "You are logged in already; send logout first to log in again."
		}
		return t.show(snap, lead), nil
	}
	word, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	var first machine.Input
	t.c.bot = false
	switch w := strings.ToLower(word); {
	case w == "":
	case w == "qr" && rest == "":
		first = machine.StartQR{}
	case w == "bot" && rest == "":
		t.c.bot = true // the start prompt asks for a token
	case w == "bot":
		t.secret = true
		first = machine.SubmitBotToken{Token: rest}
	case uuid.Validate(arg) == nil:
		return t.adopt(arg)
	default:
		first = t.startInput(arg)
	}
	if t.secret && !t.m.private() {
		return t.refuseSecret(snap, false)
	}
	snap, err := t.b.engine.Start(t.ctx, machine.StartOptions{ID: ID(t.m.Room, t.m.User), Input: first})
	var bad *machine.InputError
	if errors.As(err, &bad) { // nothing was created
		return []Reply{{Text: inputProblem(bad) + " " + t.startPrompt()}}, nil
	}
	if snap.ID != "" {
		t.c.id, t.c.known, t.c.name = snap.ID, true, nil
	}
	return t.after(snap, err)
}

// startInput is the input a message at the start prompt stands for: a bot token where it
// has the token's colon (or the user said login bot), else a phone number.
func (t *turn) startInput(text string) machine.Input {
	if t.c.bot || strings.Contains(text, ":") {
		t.secret = true
		return machine.SubmitBotToken{Token: text}
	}
	return machine.SubmitPhone{Phone: text}
}

// adopt makes login id the conversation's, if Options.Adopt allows it.
func (t *turn) adopt(id string) ([]Reply, error) {
	if !t.b.opts.Adopt {
		return []Reply{{Text: "This bot continues only logins started in this conversation. Send login to start one."}}, nil
	}
	if why := adoptable(t.c.key, id); why != "" {
		return []Reply{{Text: why}}, nil
	}
	snap, err := t.b.engine.Resolve(t.ctx, id)
	var wrong *machine.WrongTelegramError
	switch {
	case errors.Is(err, machine.ErrNotFound):
		return []Reply{{Text: fmt.Sprintf("There is no login %s.", id)}}, nil
	case errors.As(err, &wrong):
		return []Reply{{Text: "That login was started on another Telegram than this bot reaches."}}, nil
	case err != nil && snap.ID == "":
		return nil, err
	case snap.Prompt.Kind == machine.ShowClosed:
		return []Reply{{Text: fmt.Sprintf("Login %s is over: %s Send login to start a new one.", id, snap.Prompt.Message)}}, nil
	}
	t.c.id, t.c.known, t.c.name, t.c.bot = snap.ID, true, nil, false
	return t.show(snap, fmt.Sprintf("Continuing login %s here.", id)), nil
}

// cancel gives up the login in progress.
func (t *turn) cancel(snap machine.Snapshot, active bool) ([]Reply, error) {
	switch {
	case !active:
		return []Reply{{Text: "There is no login in progress to cancel."}}, nil
	case t.c.pw != nil:
		t.c.pw = nil
		return t.show(snap, "Stopped: the 2FA password stays as it was."), nil
	case snap.Prompt.Kind == machine.AskPasswordEmailCode:
		return t.task(snap, machine.CancelPasswordEmail{}, "The new recovery e-mail is given up, and the 2FA password stays as it was.")
	case snap.Prompt.Kind == machine.ShowDone:
		return []Reply{{Text: "You are logged in; send logout to log out."}}, nil
	}
	t.c.name, t.c.bot = nil, false
	return t.send(snap, machine.Cancel{})
}

// answer takes text as the answer to the login's prompt.
func (t *turn) answer(snap machine.Snapshot, text string) ([]Reply, error) {
	p := snap.Prompt
	switch p.Kind {
	case machine.AskStart:
		if strings.EqualFold(text, "qr") {
			return t.send(snap, machine.StartQR{})
		}
		return t.secretInput(snap, t.startInput(text))
	case machine.AskCode:
		if w := strings.ToLower(text); w == "reset email" || w == "reset_email" {
			return t.send(snap, machine.ResetEmail{})
		}
		t.secret = true
		return t.secretInput(snap, machine.SubmitCode{Code: text})
	case machine.AskPayment:
		switch strings.ToLower(text) {
		case "pay":
			return t.send(snap, machine.Pay{})
		case "check", "check_paid", "paid":
			return t.send(snap, machine.CheckPaid{})
		}
		return t.show(snap, "Send pay, check or cancel."), nil
	case machine.AskNewCode:
		t.secret = true // it may be the old code
		return t.show(snap, "That code cannot be used any more."), nil
	case machine.AskPassword:
		if w := strings.ToLower(text); w == "recover" || w == "forgot" {
			if p.Password == nil || !p.Password.HasRecovery {
				return t.show(snap, "This account has no recovery e-mail: the password cannot be reset by e-mail."), nil
			}
			return t.send(snap, machine.RequestRecovery{})
		}
		t.secret = true
		return t.secretInput(snap, machine.SubmitPassword{Password: strings.TrimRight(t.m.Text, "\r\n")})
	case machine.AskRecoveryCode, machine.AskEmailCode, machine.AskPasswordEmailCode:
		t.secret = true
		// These codes are digits: anything else is refused here, spending no attempt.
		c, err := machine.CheckCode(nil, text)
		switch {
		case err != nil:
			return t.after(snap, err)
		case p.Kind == machine.AskPasswordEmailCode && !t.m.private():
			return t.refuseSecret(snap, false) // the web page takes no account task
		case p.Kind == machine.AskPasswordEmailCode:
			return t.task(snap, machine.SubmitPasswordEmailCode{Code: c}, "The recovery e-mail is confirmed: your 2FA password is set.")
		case p.Kind == machine.AskRecoveryCode:
			return t.secretInput(snap, machine.SubmitRecoveryCode{Code: c})
		}
		return t.secretInput(snap, machine.SubmitEmailCode{Code: c})
	case machine.AskEmail:
		return t.send(snap, machine.SubmitEmail{Email: text})
	case machine.AskSignUp:
		return t.signUp(snap, text)
	case machine.ShowQR:
		return []Reply{{Text: "I am waiting for the QR code to be scanned; send status to see it again, or cancel to give up."}}, nil
	case machine.ShowDone:
		if t.c.pw != nil {
			return t.pwAnswer(snap)
		}
		return t.show(snap, "You are logged in; send logout to log out, or help for the commands."), nil
	}
	t.secret = true // it may answer the prompt before the call, a code or a password
	return t.show(snap, t.b.busy()), nil
}

// busy says that a call is in flight, and how the user learns its outcome.
func (b *Bot) busy() string {
	if b.opts.Notify == nil {
		return "Telegram is still busy with the last answer; send status in a moment."
	}
	return "Telegram is still busy with the last answer; I will tell you when it is done."
}

// signUp takes a name, then accept, at the sign-up prompt.
func (t *turn) signUp(snap machine.Snapshot, text string) ([]Reply, error) {
	word, rest, _ := strings.Cut(text, " ")
	switch w := strings.ToLower(word); {
	case t.c.name == nil || w == "name" && rest != "":
		if w == "name" {
			text = strings.TrimSpace(rest)
		}
		first, last, _ := strings.Cut(text, " ")
		t.c.name = &signUpName{first: first, last: strings.TrimSpace(last)}
		return t.show(snap, ""), nil
	case w == "accept" && rest == "":
		n := *t.c.name
		t.c.name = nil
		return t.send(snap, machine.SubmitSignUp{FirstName: n.first, LastName: n.last, AcceptTerms: true})
	}
	return t.show(snap, "I did not understand that."), nil
}

// secretInput sends an input that carries a secret, unless others can read the room.
func (t *turn) secretInput(snap machine.Snapshot, in machine.Input) ([]Reply, error) {
	if t.secret && !t.m.private() {
		return t.refuseSecret(snap, true)
	}
	return t.send(snap, in)
}

// refuseSecret answers a secret sent where others can read it: the host deletes it, and
// the user is told where to send it instead.
func (t *turn) refuseSecret(snap machine.Snapshot, hasLogin bool) ([]Reply, error) {
	t.secret = true
	text := fmt.Sprintf("I did not use that: %s can read this room, so I take no code, password or token here. ", others(t.m.Members)) +
		"Log in in a private chat with me instead."
	if hasLogin {
		if link := t.b.link(t.ctx, snap.ID); link != "" {
			text += " Or enter it on this login's web page: " + link
		}
	}
	if snap.Prompt.Kind == machine.AskCode {
		text += " Others may have read it: send resend for a new code."
	}
	return []Reply{{Text: text}}, nil
}

// others says who else may read a room of members.
func others(members int) string {
	if members <= 0 {
		return "I do not know who"
	}
	return fmt.Sprintf("everyone of its %d members", members)
}

// send sends an input and renders where the login ended up.
func (t *turn) send(snap machine.Snapshot, in machine.Input) ([]Reply, error) {
	return t.after(t.call(snap, in))
}

// call sends an input and returns where the login ended up (snap when the engine did not
// say).
func (t *turn) call(snap machine.Snapshot, in machine.Input) (machine.Snapshot, error) {
	next, err := t.b.engine.Send(t.ctx, snap.ID, in)
	if next.ID == "" {
		next = snap
	}
	return next, err
}

// after renders the snapshot an input left, with what went wrong, if anything.
func (t *turn) after(snap machine.Snapshot, err error) ([]Reply, error) {
	var (
		bad     *machine.InputError
		refused *machine.RefusedError
		busy    *machine.BusyError
		flood   *machine.FloodWaitError
		wrong   *machine.WrongTelegramError
		not     *machine.NotAllowedError
	)
	lead := ""
	switch {
	case err == nil:
	case errors.As(err, &bad):
		lead = inputProblem(bad)
	case errors.As(err, &refused):
		// the prompt shows its problem
	case errors.As(err, &busy):
		lead = t.b.busy()
	case errors.As(err, &flood):
		lead = fmt.Sprintf("Telegram asked to wait until %s before this.", flood.Until.UTC().Format("15:04:05 UTC"))
	case errors.As(err, &wrong):
		lead = "This login was started on another Telegram than this bot reaches; it cannot go on here."
	case errors.As(err, &not):
		lead = "That cannot be done now."
	case errors.Is(err, machine.ErrConflict):
		lead = "The login changed at the same time (another device?); here is where it is now."
	case snap.ID == "":
		return nil, err
	default:
		lead = "Something went wrong: " + err.Error()
	}
	if snap.ID == "" {
		return []Reply{{Text: lead}}, nil
	}
	return t.show(snap, lead), nil
}

// inputProblem words an input the engine refused before sending it.
func inputProblem(e *machine.InputError) string {
	return fmt.Sprintf("That is not a valid %s: %s.", e.Field, strings.TrimSuffix(e.Problem, "."))
}
