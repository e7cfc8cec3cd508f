// Package chat runs Telegram logins as text conversations, for chat bots and bridges on any
// network: the host hands each incoming message to a Bot and sends back the replies it
// returns (text, the QR code as a PNG image), deleting the incoming messages the replies
// name, those that carried a code, a password or a bot token.
//
// There is one conversation per (room, user), with at most one login in progress. The
// commands are login (login qr, login bot, login ID), resend, cancel, logout, status and
// help, also written /login and so on, as Telegram bots get them; any other message
// answers the login's current prompt (a phone number, the code, the 2FA password or
// recover, the recovery code, a name and accept to sign up, a login e-mail and its code,
// a bot token).
//
// Once the login is done, the account commands run the engine's account chart on it:
// 2fa set, 2fa change and 2fa remove ask for the current password, the new one, a hint
// and a recovery e-mail, one message at a time, then for the code mailed to that e-mail
// (resend and cancel work there too); sessions lists the account's sessions, numbered,
// and sessions terminate N, sessions terminate-others and sessions confirm N act on them;
// invalidate-codes CODE... makes leaked login codes unusable. Passwords and codes follow
// the login's secret rules: deleted, and refused in a room with others.
//
// A conversation's login is not kept in the host's memory only: a login started in chat
// has an ID derived from its room and user (see ID), so a restarted host finds it in the
// engine's store with the next message and goes on where it was. What a login in progress
// does by itself (a QR code refreshed, a QR login scanned, a call made by another process
// answered) reaches the host through Options.Notify.
package chat

import (
	"context"
	"sync"

	"github.com/tgauth/tgauth/machine"
)

// Message is one text message the host received.
type Message struct {
	// Room and User name the conversation: the room (chat, channel, DM) the message was
	// sent in and its sender. Any strings that are stable for the host.
	Room, User string
	// ID is the host's ID of the message: the replies name it in Delete when it carried a
	// secret.
	ID string
	// Text is what the user wrote.
	Text string
	// Members is how many members the room has, the user and the bot included: 2 for a
	// private chat with the bot (1 where the host has no bot member, like a terminal).
	// Secrets are taken only in a room of 1 or 2 members; 0 means unknown and is treated
	// as a room with others.
	Members int
}

// private reports whether only the user (and the bot) can read the room.
func (m Message) private() bool { return m.Members == 1 || m.Members == 2 }

// Reply is one message the host sends back to the room.
type Reply struct {
	// Text is the message, never empty. It never repeats a secret.
	Text string
	// Image, when set, is a PNG to send with Text: the QR code of a QR login.
	Image []byte
	// Delete lists the IDs of incoming messages the host should delete (they carried a
	// code, a password or a bot token), even when the input was refused.
	Delete []string
}

// Update is a reply that no message asked for: a login changed by itself (see
// Options.Notify).
type Update struct {
	Room, User string
	Reply
}

// Options configure a Bot.
type Options struct {
	// TelegramChat says the conversation runs in Telegram itself. Telegram invalidates a
	// login code sent in any chat as it is, so the bot asks for the code with spaces
	// between its digits (1 2 3 4 5) and says why.
	TelegramChat bool
	// Link, if set, mints a capability link to the web page of a login (for example by a
	// running 'tgauth serve'). The bot offers it where a secret is asked for, so the user
	// can enter it on the page rather than in the chat, and in rooms where it refuses
	// secrets. When it fails, the reply goes without the link.
	Link func(ctx context.Context, loginID string) (string, error)
	// Notify, if set, gets the replies of what a conversation's login does by itself: a
	// refreshed QR code, a scanned QR code signing in, a call in flight elsewhere
	// finishing. The bot follows a login while it shows a QR code or waits for a call,
	// from the message that led there until it needs a message again or ends; the
	// engine's scheduler (Engine.Run) must run for QR codes to be refreshed. Notify is
	// called from the Bot's goroutines and should not block: Close waits for the calls in
	// progress. Without Notify, the user sees those changes with the next message
	// (status).
	Notify func(Update)
	// Adopt lets 'login ID' take over a login started elsewhere (the terminal, the step
	// commands, the web page), by its ID. Only for hosts whose every user may act on every
	// login of the store, like 'tgauth chat': a login ID is not a secret. An adopted
	// login is the conversation's until the host restarts; then 'login ID' again.
	Adopt bool
}

// Bot runs the conversations of one host over an engine. It is safe for concurrent use;
// messages of one conversation are handled one at a time.
type Bot struct {
	engine *machine.Engine
	opts   Options

	ctx    context.Context // the followers' context, done on Close
	cancel context.CancelFunc

	mu        sync.Mutex
	convs     map[convKey]*conversation
	following int
	changed   chan struct{} // closed when following changes
}

// New returns a Bot over e.
func New(e *machine.Engine, opts Options) *Bot {
	ctx, cancel := context.WithCancel(context.Background())
	return &Bot{engine: e, opts: opts, ctx: ctx, cancel: cancel,
		convs: map[convKey]*conversation{}, changed: make(chan struct{})}
}

// Close stops following logins (see Options.Notify) and waits for the followers to end.
// The logins are not touched: a new Bot goes on with them.
func (b *Bot) Close() {
	b.cancel()
	_ = b.Wait(context.Background())
}

// Wait returns once no login is followed (see Options.Notify): each one shown by the last
// replies needs a message again or ended. Call it after the last Handle, e.g. when the
// input of a one-shot host ended. It returns ctx's error if ctx ends first.
func (b *Bot) Wait(ctx context.Context) error {
	for {
		b.mu.Lock()
		n, changed := b.following, b.changed
		b.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Login returns the snapshot of the conversation's login: the one in progress, else the
// last one it had. ok is false when it never had one (since the host started, for an
// adopted login). Hosts use it to find an authorized login's ID (Engine.Session).
func (b *Bot) Login(ctx context.Context, room, user string) (snap machine.Snapshot, ok bool, err error) {
	c := b.conversation(room, user)
	c.mu.Lock()
	defer c.mu.Unlock()
	return b.current(ctx, c)
}
