package chat_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"rsc.io/qr"

	"github.com/tgauth/tgauth/drivers/chat"
	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

// In a Telegram chat the code is asked for with separators, and taken in any usual
// separated form; every message that carried it is deleted, and no reply repeats it.
func TestPhoneCodeWithSeparatorsInTelegram(t *testing.T) {
	h := newHost(t, chat.Options{TelegramChat: true}, testdc.Options{})
	h.expect("login", false, "phone number")
	h.expect("+999 66 2 1234", false, "Enter the 5-digit code", "like 1 2 3 4 5", "Telegram invalidates a login code sent in a chat")
	h.expect("2 2 2", true, "the code has 5 digits, not 3", "nothing was sent")
	if s := h.state(); s != machine.State("CodeSent") {
		t.Fatalf("a code of the wrong length moved the login to %s", s)
	}
	h.expect("2.2-2 2,2", true, "Logged in as Test 1234")
	h.noSecret("22222")
	h.noSecret("2.2-2 2,2")
}

// A wrong password, then the right one: both messages are deleted, the wrong one is
// counted and the hint and recovery are offered; no reply repeats either password.
func TestPasswordWrongThenRight(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996620001", false, "code")
	h.expect("22222", true, "2FA password (hint: the usual)", "Send recover")
	h.expect("hunter3", true, "Wrong password", "attempt 1 of 5", "hint: the usual")
	h.expect("hunter2", true, "Logged in as Test 0001")
	h.noSecret("hunter3")
	h.noSecret("hunter2")
}

// Forgot the password: recover sends a code to the recovery e-mail, and the recovery
// code (deleted) signs in.
func TestPasswordRecovery(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996620001", false, "code")
	h.expect("22222", true, "2FA password")
	h.expect("forgot", false, "recovery code sent to")
	h.expect("222 222", true, "Logged in as Test 0001")
}

// A number without an account signs up: a name, then accept; anything else in between
// keeps the name and says what to send.
func TestSignUp(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996620003", false, "code")
	h.expect("22222", true, "no Telegram account yet", "send your name")
	h.expect("Alice Liddell", false, "terms of service", "sign up as Alice Liddell")
	h.expect("what?", false, "I did not understand", "sign up as Alice Liddell")
	h.expect("name Alice Pleasance", false, "sign up as Alice Pleasance")
	h.expect("accept", false, "Logged in as Alice Pleasance")
}

// The login e-mail Telegram asks for before it sends codes: the address, then its code
// (deleted), then the login code.
func TestLoginEmailSetup(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996620007", false, "login e-mail")
	h.expect("not an address", false, "That is not a valid e-mail")
	h.expect("alice@example.org", false, "Enter the code sent to")
	h.expect("222222", true, "code")
	h.expect("22222", true, "Logged in")
}

// A QR login: the image is the QR code of the prompt's tg://login URL; when the token
// expires a new image follows by itself, and scanning it signs in, which is told too. The
// engine and the test DC share a clock that moves only when told, so the new token stays
// valid however long the scan takes.
func TestQRRefreshedAndScanned(t *testing.T) {
	clk := clock.New(time.Now())
	h := newHost(t, chat.Options{}, testdc.Options{Now: clk.Now})
	h.n++
	replies, err := h.bot.Handle(h.ctx, chat.Message{Room: h.room, User: h.user, ID: "m1", Text: "login qr", Members: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "Scan this QR code") {
		t.Fatalf("login qr: %+v", replies)
	}
	first := h.qrURL()
	if want := png(t, first); !bytes.Equal(replies[0].Image, want) {
		t.Fatalf("the image is not the QR code of %s", first)
	}
	clk.Advance(31 * time.Second) // past the token's 30 s: the engine exports a new one
	refreshed := h.update()
	url := h.qrURL()
	if url == first || !bytes.Equal(refreshed.Image, png(t, url)) {
		t.Fatalf("the refreshed image is not the QR code of the new URL %s (first %s): %s", url, first, refreshed.Text)
	}
	if err := testdc.Scan(h.ctx, h.dc.Config(), "+9996621234", "", url); err != nil {
		t.Fatal(err)
	}
	if r := h.update(); !strings.Contains(r.Text, "Logged in as Test 1234") || r.Image != nil {
		t.Fatalf("after the scan: %s", r.Text)
	}
	if err := h.bot.Wait(h.ctx); err != nil {
		t.Fatal(err)
	}
}

// qrURL is the conversation's login's QR URL now.
func (h *host) qrURL() string {
	h.t.Helper()
	snap, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil || snap.Prompt.QR == nil {
		h.t.Fatalf("no QR code: %v (%s)", err, snap.State)
	}
	return snap.Prompt.QR.URL
}

// png is the QR code of url as the Bot draws it, decoded by nothing: the same encoder
// gives the same image for the same text.
func png(t *testing.T, url string) []byte {
	t.Helper()
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	code.Scale = 6
	return code.PNG()
}

// A bot token: login bot asks for it, a malformed one is refused before any call and
// deleted, the right one logs in and is deleted; a token anywhere is deleted.
func TestBotToken(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("123456:secretsecret", true, "no login in progress")
	h.expect("login bot", false, "bot token @BotFather gave you")
	h.expect("12:x", true, "not a valid bot token")
	h.expect("123456:ABCDEFGHIJKL", true, "Logged in as Bot 123456")
	h.expect("logout", false, "Logged out")
	h.expect("login", false, "Send your phone number") // login bot held for one login only
	h.noSecret("ABCDEFGHIJKL")
	h.noSecret("secretsecret")
}

// resend sends the code again by the next type Telegram named, and says how; commands
// may be written as Telegram bots get them (/login).
func TestResend(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{World: testdc.World{Accounts: []testdc.Account{
		{Phone: "9996620005", CodeType: "app", NextType: "sms"}}}})
	h.expect("/login +9996620005", false, "sent in your Telegram app", "Send resend for a new code by SMS")
	h.expect("resend", false, "sent by SMS", "Send resend for a new code by a phone call")
	h.expect("22222", true, "Logged in")
}

// One login per conversation: a second login says so, and cancel ends the first; logout
// ends an authorized one. Another user in the same room has a conversation of their own.
func TestOneLoginPerConversation(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996621234", false, "code")
	h.expect("login +9996631234", false, "A login is in progress already")
	h.expect("cancel", false, "The login was cancelled")
	h.expect("cancel", false, "no login in progress")
	h.expect("login +9996631234", false, "code")
	h.expect("33333", true, "Logged in as Test 1234")
	h.expect("login", false, "You are logged in already")
	h.expect("logout", false, "Logged out")
	h.expect("logout", false, "not logged in")

	h.user = "@bob"
	h.expect("status", false, "No login yet")
}

// In a room with others (or whose members the host does not know) no secret is taken:
// the message is deleted, nothing is sent (no attempt spent), and the user is sent to a
// private chat or the web page.
func TestRoomWithOthersRefusesSecrets(t *testing.T) {
	links := 0
	h := newHost(t, chat.Options{Link: func(_ context.Context, id string) (string, error) {
		links++
		return "http://127.0.0.1:8080/l/" + strings.Repeat("x", 8), nil
	}}, testdc.Options{})
	h.members = 3
	h.expect("login +9996621234", false, "Enter the 5-digit code", "Others can read this room", "http://127.0.0.1:8080/l/")
	h.expect("22222", true, "I did not use that", "everyone of its 3 members", "private chat", "web page", "resend")
	snap, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil || snap.State != "CodeSent" || snap.Prompt.Attempts != 0 {
		t.Fatalf("a refused code reached the login: %s, %d attempts (%v)", snap.State, snap.Prompt.Attempts, err)
	}
	h.members = 0
	h.expect("2 2 2 2 2", true, "I do not know who")
	h.expect("login bot 123456:ABCDEFGHIJKL", true, "in progress")
	h.members = 2
	h.expect("22222", true, "Logged in")
	if links == 0 {
		t.Fatal("no link was minted")
	}
}

// Garbage at every prompt gets a reply that says what to send, and the login stays where
// it was (a password prompt takes anything as a password, so it is left out).
func TestGarbageAtEveryPrompt(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("hello", false, "no login in progress", "login")
	h.expect("login", false, "phone number")
	h.expect("hello", false, "not a valid phone", "phone number")
	h.expect("+9996620003", false, "code")
	h.expect("hello", true, "not a valid code", "Enter the 5-digit code")
	h.expect("22222", true, "send your name")
	h.expect("Alice", false, "sign up as Alice")
	h.expect("hello", false, "I did not understand", "sign up as Alice")
	if s := h.state(); s != "SignUpRequired" {
		t.Fatalf("garbage moved the login to %s", s)
	}
	h.expect("accept", false, "Logged in as Alice")
	h.expect("hello", false, "send logout", "Logged in as Alice")
}

// A call in flight elsewhere (another process, the web page): the chat says Telegram is
// busy (deleting what was sent meanwhile, which may be a secret), follows the login, and
// tells its outcome once the call is answered.
func TestCallInFlightElsewhereIsFollowed(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996621234", false, "code")
	snap, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil {
		t.Fatal(err)
	}
	release := h.dc.Hold("auth.signIn")
	defer release()
	watch, stop := context.WithCancel(h.ctx)
	defer stop()
	changes := h.engine.Watch(watch, snap.ID)
	go func() { _, _ = h.engine.Send(h.ctx, snap.ID, machine.SubmitCode{Code: "22222"}) }()
	for s := range changes {
		if s.State == "CheckingCode" {
			break
		}
	}
	h.expect("status", false, "CheckingCode", "Waiting for Telegram (auth.signIn)")
	h.expect("2 2 2 2 2", true, "still busy")
	release()
	if r := h.update(); !strings.Contains(r.Text, "Logged in as Test 1234") {
		t.Fatalf("after the call: %s", r.Text)
	}
	if err := h.bot.Wait(h.ctx); err != nil {
		t.Fatal(err)
	}
}

// The conversation lives in the store: a restarted host (new engine, new Bot) finds the
// login by the conversation's ID and goes on.
func TestRestartedHostGoesOn(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996621234", false, "code")
	h.bot.Close()
	h.restart(chat.Options{})
	h.expect("status", false, "CodeSent", "Enter the 5-digit code")
	h.expect("22222", true, "Logged in")
}

// login ID continues a login started elsewhere (the terminal, the step commands) where
// the host allows it; a login of another conversation is never taken.
func TestAdopt(t *testing.T) {
	h := newHost(t, chat.Options{Adopt: true}, testdc.Options{})
	snap, err := h.engine.Start(h.ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	other := chat.ID("!room", "@mallory")
	if _, err := h.engine.Start(h.ctx, machine.StartOptions{ID: other}); err != nil {
		t.Fatal(err)
	}
	h.expect("login "+other, false, "belongs to another chat conversation")
	h.expect("login "+uuid.NewString(), false, "There is no login")
	h.expect("login "+snap.ID, false, "Continuing login "+snap.ID, "Enter the 5-digit code")
	h.expect("22222", true, "Logged in")

	strict := newHost(t, chat.Options{}, testdc.Options{})
	strict.expect("login "+snap.ID, false, "only logins started in this conversation")
}

// A conversation's login IDs are UUIDs (version 8) that name the conversation in their
// first 60 bits and are random after.
func TestID(t *testing.T) {
	a, b := chat.ID("!room", "@alice"), chat.ID("!room", "@alice")
	u, err := uuid.Parse(a)
	if err != nil || u.Version() != 8 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("ID %s: version %d, variant %s, %v", a, u.Version(), u.Variant(), err)
	}
	if a == b || a[:18] != b[:18] {
		t.Fatalf("two IDs of one conversation: %s and %s", a, b)
	}
	for _, c := range [][2]string{{"!room", "@bob"}, {"!other", "@alice"}, {"!room@", "alice"}} {
		if o := chat.ID(c[0], c[1]); o[:18] == a[:18] {
			t.Fatalf("the conversation %q shares the prefix of (!room, @alice): %s", c, o)
		}
	}
}
