package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/chat"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

// accountWorld has an account with older sessions (one unconfirmed), whose new logins
// are fresh, and one whose new logins are dated 25 hours back.
var accountWorld = testdc.World{Accounts: []testdc.Account{
	{Phone: "9996624444", Sessions: []testdc.WorldSession{
		{Hash: 11, Device: "iPhone 15", App: "Telegram iOS", AppVersion: "11.0", Region: "Lisbon", Country: "Portugal", Age: "72h"},
		{Hash: 12, Device: "Pixel 9", App: "Telegram Android", AppVersion: "11.1", Age: "2h", Unconfirmed: true}}},
	{Phone: "9996624545", NewSessionAge: "25h", Sessions: []testdc.WorldSession{{Hash: 21, Device: "MacBook", Age: "720h"}}},
}}

// 2fa set asks for the new password, a hint and a recovery e-mail, one message at a
// time; an address the engine refuses is asked again, nothing sent; the e-mail's code (a
// wrong one, a resend, the right one typed with spaces) sets the password, which the next
// login asks for with its hint. 2fa change with a wrong current password asks for it
// again and keeps the rest; 2fa remove takes the current one. Every password and code
// message is deleted and no reply repeats one.
func TestTwoFASetWithEmailChangeRemove(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996621234", false, "code")
	h.expect("22222", true, "Logged in as Test 1234")
	h.expect("2fa set", false, "Send the new 2FA password", "cancel")
	h.expect("Nautilus", true, "Send a hint")
	h.expect("a ship", false, "Send a recovery e-mail address")
	h.expect("not an address", false, "That is not a valid recovery e-mail", "Send a recovery e-mail address")
	if out := h.expect("ada@example.org", false, "Enter the 6-digit code sent to ada@example.org", "Send resend"); strings.Contains(out, "password is set") {
		t.Fatalf("the password is said set before its e-mail is confirmed:\n%s", out)
	}
	h.expect("1 1 1 1 1 1", true, "Wrong code (CODE_INVALID)")
	h.expect("resend", false, "The code was mailed again", "ada@example.org")
	h.expect("login", false, "You are logged in already")
	h.expect("2 2 2 2 2 2", true, "The recovery e-mail is confirmed: your 2FA password is set.")

	other := *h
	other.user = "@bob"
	other.expect("login +9996621234", false, "code")
	other.expect("22222", true, "2FA password (hint: a ship)", "Send recover")
	other.expect("Nautilus", true, "Logged in as Test 1234")
	h.said = append(h.said, other.said...)
	h.n = other.n

	h.expect("2fa change", false, "Send your current 2FA password")
	h.expect("Seagull", true, "Send the new 2FA password")
	h.expect("Cobol-1959", true, "Send a hint")
	h.expect("skip", false, "Send a recovery e-mail address")
	h.expect("skip", false, "Wrong password (PASSWORD_HASH_INVALID)", "Send your current 2FA password")
	h.expect("Nautilus", true, "Your 2FA password is changed.")
	h.expect("2fa remove", false, "Send your current 2FA password")
	h.expect("Cobol-1959", true, "Your 2FA password is removed")
	if s := h.state(); s != "Authorized" {
		t.Fatalf("after the 2fa commands: %s", s)
	}
	for _, secret := range []string{"Nautilus", "Seagull", "Cobol-1959", "111111", "222222"} {
		h.noSecret(secret)
	}
}

// A password or code in a room with others is not used and is deleted; the 2fa command
// still asks for it, says up front that the room takes none, and cancel stops it with
// nothing sent.
func TestAccountSecretsRefusedInARoomWithOthers(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("login +9996621234", false, "code")
	h.expect("22222", true, "Logged in")
	before, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil {
		t.Fatal(err)
	}
	h.members = 3
	h.expect("2fa set", false, "Send the new 2FA password", "Others can read this room")
	h.expect("Nautilus", true, "I did not use that", "everyone of its 3 members")
	h.expect("status", false, "Send the new 2FA password")
	h.expect("invalidate-codes 12345", true, "I did not use that")
	h.expect("cancel", false, "Stopped: the 2FA password stays as it was.")
	h.expect("hello", false, "You are logged in")
	h.noSecret("Nautilus")
	after, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil || after.Version != before.Version {
		t.Fatalf("a refused secret reached the login: version %d, then %d (%v)", before.Version, after.Version, err)
	}
}

// sessions lists the account's sessions, numbered, with device, app, place, creation and
// whether each is this one or unconfirmed; confirm N confirms one; a fresh session is
// refused terminate-others with the time it becomes possible; a session 25 hours old
// terminates one by its number, then the others; invalidate-codes makes a leaked code
// unusable (its message deleted).
func TestSessions(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{World: accountWorld})
	h.expect("sessions", false, "You are not logged in")
	h.expect("login +9996624444", false, "code")
	h.expect("sessions", false, "finish the login first")
	h.expect("22222", true, "Logged in")
	h.expect("sessions terminate 1", false, "List the sessions first")
	out := h.expect("sessions", false, "Sessions, as Telegram listed them at",
		" (this session) - unconfirmed: sessions confirm 1 keeps it",
		"\n2. iPhone 15, Telegram iOS 11.0, Lisbon, Portugal, 127.0.0.2, created ",
		"\n3. Pixel 9, Telegram Android 11.1, Loopback, Test DC, 127.0.0.3, created ",
		" - unconfirmed: sessions confirm 3 keeps it, sessions terminate 3 refuses it")
	if strings.Contains(out, "\n4.") {
		t.Fatalf("more sessions than the account has:\n%s", out)
	}
	out = h.expect("sessions confirm 3", false, "Session 3 (Pixel 9) is confirmed.")
	if strings.Contains(out, "sessions confirm 3") {
		t.Fatalf("session 3 is still unconfirmed:\n%s", out)
	}
	h.expect("sessions confirm 4", false, "Send the number of a session of the list, 1 to 3")
	h.expect("sessions frobnicate", false, "Send sessions to list")

	snap, _, err := h.bot.Login(h.ctx, h.room, h.user)
	if err != nil {
		t.Fatal(err)
	}
	created := snap.Prompt.Account.Sessions[0].Created
	h.expect("sessions terminate-others", false,
		"Telegram lets a session terminate others only once it is 24 hours old (FRESH_RESET_AUTHORISATION_FORBIDDEN); try again after "+
			created.Add(machine.FreshSessionAge).UTC().Format(time.RFC3339),
		"\n2. iPhone 15")
	if out := h.expect("2fa set", false, "Send the new 2FA password"); strings.Contains(out, "24 hours") {
		t.Fatalf("the refusal is said again with the next command:\n%s", out)
	}
	h.expect("cancel", false, "Stopped")

	h.expect("logout", false, "Logged out")
	h.expect("login +9996624545", false, "code")
	h.expect("22222", true, "Logged in")
	h.expect("sessions", false, "\n2. MacBook")
	h.expect("sessions terminate 1", false, "this session itself")
	out = h.expect("sessions terminate 2", false, "Session 2 (MacBook) is terminated.", "1. ")
	if strings.Contains(out, "\n2.") {
		t.Fatalf("the terminated session is still listed:\n%s", out)
	}
	h.expect("sessions terminate-others", false, "Every other session is terminated.")
	h.expect("invalidate-codes", false, "Send invalidate-codes followed by the login codes")
	h.expect("invalidate-codes 2-2-2-2-2", true, "Those codes can no longer log in anywhere.")
	h.noSecret("22222")
}

// help lists the account commands; a 2fa command that is none gets a reply that says
// what to send; the account commands need a login that is done; a hint the engine
// refuses (it holds the password) is asked again, keeping the other answers.
func TestAccountCommandsHelpAndGarbage(t *testing.T) {
	h := newHost(t, chat.Options{}, testdc.Options{})
	h.expect("help", false, "2fa set, 2fa change, 2fa remove", "sessions terminate N", "invalidate-codes CODE...")
	h.expect("2fa set", false, "You are not logged in")
	h.expect("login +9996621234", false, "code")
	h.expect("22222", true, "Logged in")
	h.expect("2fa frobnicate", false, "Send 2fa set to set a 2FA password")
	h.expect("2fa set", false, "Send the new 2FA password")
	h.expect("Nautilus", true, "Send a hint")
	h.expect("the Nautilus", false, "Send a recovery e-mail address")
	h.expect("skip", false, "That is not a valid hint: must not contain the password", "Send a hint")
	h.expect("a ship", false, "Your 2FA password is set.")
	h.noSecret("Nautilus")
}
