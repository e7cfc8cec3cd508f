package chat

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"rsc.io/qr"

	"github.com/tgauth/tgauth/machine"
)

// show renders the login as replies, after lead (what happened to the message, "" for
// nothing), and follows it if it changes by itself from here (Options.Notify).
func (t *turn) show(snap machine.Snapshot, lead string) []Reply {
	r := t.b.render(t.c, snap, t.m.private(), func(id string) string { return t.b.link(t.ctx, id) })
	if lead != "" {
		r.Text = lead + "\n" + r.Text
	}
	t.c.seen, t.c.seenID, t.c.qr = snap.Version, snap.ID, qrURL(snap)
	t.b.follow(t.c, snap, t.m.private())
	return []Reply{r}
}

// link mints the web page's link of login id; "" without Options.Link or when minting
// failed (the reply goes without it).
func (b *Bot) link(ctx context.Context, id string) string {
	if b.opts.Link == nil || id == "" {
		return ""
	}
	link, err := b.opts.Link(ctx, id)
	if err != nil {
		return ""
	}
	return link
}

// render words what the login asks for now. private says whether the room takes secrets;
// link mints the login's web page link (see Bot.link).
func (b *Bot) render(c *conversation, snap machine.Snapshot, private bool, link func(string) string) Reply {
	p := snap.Prompt
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	// At the done prompt a problem is an account task's: said in the reply that first
	// shows it, not again with every later command.
	if p.Problem != nil && p.Kind != machine.ShowClosed && (p.Kind != machine.ShowDone || snap.ID != c.seenID || snap.Version > c.seen) {
		add("%s", p.Problem.Text())
	}
	var image []byte
	switch p.Kind {
	case machine.AskStart:
		add("%s", b.startPrompt(c))
	case machine.AskCode:
		add("%s", p.Message)
		if b.opts.TelegramChat {
			add("Type it with spaces between the digits, like 1 2 3 4 5: Telegram invalidates a login code sent in a chat as it is.")
		}
		add("Send resend for a new code%s, or cancel to give up.", resendVia(p.Code))
		if slices.Contains(p.Accepts, machine.ResetEmail{}.Event()) {
			add("Cannot reach that e-mail? Send reset email to have Telegram reset it.")
		}
	case machine.AskPayment:
		add("%s", p.Message)
		add("Send pay for the payment form, check once you have paid, or cancel to give up.")
	case machine.AskNewCode:
		add("%s", p.Message)
		if b.opts.TelegramChat {
			add("(Telegram invalidates a code sent in a chat as it is: type the next one with spaces between the digits.)")
		}
		add("Send resend for a new code, or cancel to give up.")
	case machine.AskSignUp:
		b.signUpPrompt(c, p, add)
	case machine.AskPassword:
		add("%s", p.Message)
		if p.Password != nil && p.Password.HasRecovery {
			add("Forgot it? Send recover for a recovery code by e-mail.")
		}
	case machine.AskRecoveryCode:
		add("%s", p.Message)
		add("Logging in with it removes the account's 2FA password: set a new one in Telegram's settings afterwards.")
	case machine.ShowQR:
		if p.QR == nil {
			add("%s", p.Message)
			break
		}
		png, err := qrPNG(p.QR.URL)
		if err != nil {
			add("The QR code cannot be drawn (%v); send cancel and log in another way.", err)
			break
		}
		image = png
		add("Scan this QR code with a Telegram app that is logged in: Settings > Devices > Link Desktop Device.")
		add("It is valid until %s; a new one follows. Send cancel to give up.", p.QR.Expires.UTC().Format("15:04:05 UTC"))
	case machine.AskPasswordEmailCode:
		add("%s", p.Message)
		add("Send resend to mail the code again, or cancel to keep the password as it was.")
	case machine.ShowClosed:
		add("%s", p.Message)
		add("Send login to start again.")
	default: // e-mail, e-mail code, done, a call in flight
		add("%s", p.Message)
	}
	if secret, onPage := secretPrompt(p.Kind); secret {
		l := ""
		if onPage {
			l = link(snap.ID)
		}
		if note := secretNote(private, l); note != "" {
			add("%s", note)
		}
	}
	if p.Kind == machine.ShowDone && c.pw != nil {
		c.pw.question(add, private)
	}
	return Reply{Text: strings.Join(lines, "\n"), Image: image}
}

// secretNote is what a prompt whose answer is a secret adds: that the room takes none,
// where others can read it, and the login's web page link l where it takes the answer
// ("" for none). "" when there is nothing to add.
func secretNote(private bool, l string) string {
	switch {
	case !private && l != "":
		return fmt.Sprintf("Others can read this room, so I take no code or password here: enter it on this login's web page, %s, or log in in a private chat with me.", l)
	case !private:
		return "Others can read this room, so I take no code or password here: log in in a private chat with me."
	case l != "":
		return "You may enter it on this login's web page instead, so that it never passes through this chat: " + l
	}
	return ""
}

// startPrompt asks for what starts a login.
func (t *turn) startPrompt() string { return t.b.startPrompt(t.c) }

func (b *Bot) startPrompt(c *conversation) string {
	if c.bot {
		return "Send the bot token @BotFather gave you, like 123456:ABC-DEF1234ghIkl."
	}
	return "Send your phone number in international format (like +9996621234), a bot token from @BotFather, or qr to log in with a QR code."
}

// signUpPrompt asks for a name, then for accepting the terms of service.
func (b *Bot) signUpPrompt(c *conversation, p machine.Prompt, add func(string, ...any)) {
	if c.name == nil {
		add("This number has no Telegram account yet. To sign up, send your name: first name, then last name.")
		return
	}
	if p.Terms != nil && strings.TrimSpace(p.Terms.Text) != "" {
		add("Telegram's terms of service:\n%s", strings.TrimSpace(p.Terms.Text))
	}
	add("Send accept to accept Telegram's terms of service and sign up as %s; or name FIRST LAST for another name, or cancel.", c.name)
}

// resendVia says how resend sends the code, where Telegram said.
func resendVia(c *machine.CodePrompt) string {
	if c == nil || c.NextType == "" {
		return ""
	}
	return " " + machine.CodeVia(c.NextType)
}

// secretPrompt reports whether the answer to a prompt of kind k is a secret, and whether
// the login's web page takes it too (it takes the login's, not the account tasks').
func secretPrompt(k machine.PromptKind) (secret, onPage bool) {
	switch k {
	case machine.AskCode, machine.AskPassword, machine.AskRecoveryCode, machine.AskEmailCode:
		return true, true
	case machine.AskPasswordEmailCode:
		return true, false
	}
	return false, false
}

// qrURL is the URL of the QR code snap shows, "" for none.
func qrURL(snap machine.Snapshot) string {
	if snap.Prompt.QR == nil {
		return ""
	}
	return snap.Prompt.QR.URL
}

// qrPNG draws url as a QR code in a PNG.
func qrPNG(url string) ([]byte, error) {
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		return nil, err
	}
	code.Scale = 6
	return code.PNG(), nil
}
