// Package transitions holds the events of a tgauth login and the transition table, as data.
// The table is built once into a looplab/fsm description; Next runs one event through it.
//
// Nothing here makes a Telegram call or touches a store: package machine does that, around
// the decisions this package makes.
package transitions

import "fmt"

// Event is the name of something that can happen to a login.
type Event string

// EventKind says where an event comes from.
type EventKind int

const (
	// Input events come from a driver: the user typed or clicked something.
	Input EventKind = iota + 1
	// Outcome events are what a Telegram call answered (or that it failed).
	Outcome
	// Timer events fire when a deadline on the login record passes.
	Timer
	// Update events are pushed by Telegram outside any call of ours.
	Update
)

func (k EventKind) String() string {
	switch k {
	case Input:
		return "input"
	case Outcome:
		return "outcome"
	case Timer:
		return "timer"
	case Update:
		return "update"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Driver inputs.
const (
	SubmitPhone        Event = "submit_phone"
	SubmitBotToken     Event = "submit_bot_token"
	StartQR            Event = "start_qr"
	SubmitCode         Event = "submit_code"
	ResendCode         Event = "resend_code"
	Cancel             Event = "cancel"
	SubmitSignUp       Event = "submit_signup"
	SubmitPassword     Event = "submit_password"
	RequestRecovery    Event = "request_recovery"
	SubmitRecoveryCode Event = "submit_recovery_code"
	SubmitEmail        Event = "submit_email"
	SubmitEmailCode    Event = "submit_email_code"
	LogOut             Event = "log_out"
)

// Outcomes of Telegram calls.
const (
	CodeSentEv      Event = "code_sent"
	SignedIn        Event = "signed_in"
	SignUpNeeded    Event = "signup_required"
	PasswordNeeded  Event = "password_needed"
	EmailNeeded     Event = "email_required"
	EmailCodeSentEv Event = "email_code_sent"
	RecoverySent    Event = "recovery_sent"
	QRToken         Event = "qr_token"
	QRMigrate       Event = "qr_migrate"
	CodeInvalid     Event = "code_invalid"
	CodeExpiredEv   Event = "code_expired"
	PasswordInvalid Event = "password_invalid"
	TooManyAttempts Event = "too_many_attempts"
	Rejected        Event = "rejected"
	FloodWait       Event = "flood_wait"
	Fatal           Event = "fatal"
	Done            Event = "done"
	Interrupted     Event = "interrupted"
)

// Timers and updates.
const (
	TTL              Event = "ttl"
	QRPoll           Event = "qr_poll"
	QRExpired        Event = "qr_expired"
	LoginTokenUpdate Event = "login_token_update"
)

// The events of the account chart: inputs for the tasks of an Authorized login, and the
// outcomes only their calls have.
const (
	SetPassword             Event = "set_password"
	RemovePassword          Event = "remove_password"
	SubmitPasswordEmailCode Event = "submit_password_email_code"
	ResendPasswordEmail     Event = "resend_password_email"
	CancelPasswordEmail     Event = "cancel_password_email"
	ListSessions            Event = "list_sessions"
	TerminateSession        Event = "terminate_session"
	TerminateOtherSessions  Event = "terminate_other_sessions"
	ConfirmSession          Event = "confirm_session"
	InvalidateCodes         Event = "invalidate_codes"

	EmailUnconfirmed Event = "email_unconfirmed"
	TooFresh         Event = "too_fresh"
	SessionRevoked   Event = "session_revoked"
)

// EventInfo describes one event.
type EventInfo struct {
	Name Event
	Kind EventKind
	Doc  string
}

// Events lists every event, in the order the chart documents them.
var Events = []EventInfo{
	{SubmitPhone, Input, "the user entered a phone number"},
	{SubmitBotToken, Input, "the user entered a bot token"},
	{StartQR, Input, "the user chose to log in with a QR code"},
	{SubmitCode, Input, "the user entered the login code"},
	{ResendCode, Input, "the user asked for the code again (auth.resendCode with the next type, or a new auth.sendCode once it expired)"},
	{Cancel, Input, "the user gave up"},
	{SubmitSignUp, Input, "the user entered a name and accepted the terms of service"},
	{SubmitPassword, Input, "the user entered the 2FA password"},
	{RequestRecovery, Input, "the user forgot the password and asked for a recovery code by e-mail"},
	{SubmitRecoveryCode, Input, "the user entered the recovery code"},
	{SubmitEmail, Input, "the user entered an e-mail address to set up as the login e-mail"},
	{SubmitEmailCode, Input, "the user entered the code sent to that e-mail"},
	{LogOut, Input, "the user asked to log out"},

	{CodeSentEv, Outcome, "Telegram sent a login code (auth.sentCode)"},
	{SignedIn, Outcome, "Telegram authorized the session"},
	{SignUpNeeded, Outcome, "the number has no account: sign up, accepting the terms of service"},
	{PasswordNeeded, Outcome, "SESSION_PASSWORD_NEEDED: the account has a 2FA password"},
	{EmailNeeded, Outcome, "Telegram requires a login e-mail before it sends codes (sentCodeTypeSetUpEmailRequired)"},
	{EmailCodeSentEv, Outcome, "Telegram sent a code to the new login e-mail"},
	{RecoverySent, Outcome, "Telegram sent a password recovery code by e-mail"},
	{QRToken, Outcome, "Telegram issued a login token to show as a QR code"},
	{QRMigrate, Outcome, "the token was accepted by an account on another DC (auth.loginTokenMigrateTo)"},
	{CodeInvalid, Outcome, "the code entered was wrong (PHONE_CODE_INVALID, CODE_INVALID...)"},
	{CodeExpiredEv, Outcome, "the code is no longer valid (PHONE_CODE_EXPIRED...)"},
	{PasswordInvalid, Outcome, "the password was wrong (PASSWORD_HASH_INVALID)"},
	{TooManyAttempts, Outcome, "a wrong code or password once too often: the login fails"},
	{Rejected, Outcome, "Telegram refused the input (PHONE_NUMBER_INVALID, ACCESS_TOKEN_INVALID, FIRSTNAME_INVALID...)"},
	{FloodWait, Outcome, "FLOOD_WAIT_X: the same input is refused until X seconds have passed"},
	{Fatal, Outcome, "an error no input can mend (PHONE_NUMBER_BANNED, USER_DEACTIVATED...)"},
	{Done, Outcome, "the call succeeded and the login is over"},
	{Interrupted, Outcome, "the call's outcome was lost (crash, network): back to the state that awaits the same input"},

	{TTL, Timer, "the login's time to live ran out"},
	{QRPoll, Timer, "time to ask Telegram again whether the QR code was scanned"},
	{QRExpired, Timer, "the login token expired: export a new one"},
	{LoginTokenUpdate, Update, "Telegram pushed updateLoginToken: the QR code was scanned"},

	{SetPassword, Input, "the user set or changed the 2FA password (with a hint and an optional recovery e-mail; the current password to change it)"},
	{RemovePassword, Input, "the user removed the 2FA password, giving the current one"},
	{SubmitPasswordEmailCode, Input, "the user entered the code sent to the new recovery e-mail"},
	{ResendPasswordEmail, Input, "the user asked for the recovery e-mail's code again"},
	{CancelPasswordEmail, Input, "the user gave up on the new recovery e-mail (and the password change waiting for it)"},
	{ListSessions, Input, "the user asked for the account's active sessions"},
	{TerminateSession, Input, "the user terminated one session (or refused an unconfirmed new one) by its hash"},
	{TerminateOtherSessions, Input, "the user terminated every session but this one"},
	{ConfirmSession, Input, "the user confirmed an unconfirmed new session by its hash"},
	{InvalidateCodes, Input, "the user invalidated sign-in codes that leaked"},

	{EmailUnconfirmed, Outcome, "EMAIL_UNCONFIRMED_X: Telegram sent a code to the new recovery e-mail; the password change waits for it"},
	{TooFresh, Outcome, "FRESH_RESET_AUTHORISATION_FORBIDDEN: this session is less than 24 hours old; the problem says when it may terminate others"},
	{SessionRevoked, Outcome, "the session was terminated elsewhere (AUTH_KEY_UNREGISTERED, SESSION_REVOKED...): the login is over"},
}

var eventsByName = func() map[Event]EventInfo {
	m := make(map[Event]EventInfo, len(Events))
	for _, e := range Events {
		m[e.Name] = e
	}
	return m
}()

// LookupEvent returns the description of e; ok is false for an unknown name.
func LookupEvent(e Event) (info EventInfo, ok bool) {
	info, ok = eventsByName[e]
	return info, ok
}
