package transitions

import (
	"slices"

	s "github.com/tgauth/tgauth/states"
)

// Rules say, for one in-flight state, what its Telegram call can come to besides its
// successes, and how a login found in the state after a crash is resolved.
type Rules struct {
	// Errors maps the Telegram error types the state's call answers with to the outcome
	// event they fire. Errors not listed follow the common rules (see ErrorEvent).
	Errors map[string]Event
	// Recovery resolves a login found in the state after a crash.
	Recovery Recovery
}

// Recovery is the rule for a login found in an in-flight state whose call's answer was
// lost (the engine stopped during the call).
type Recovery struct {
	// CheckAuthorized makes the engine ask Telegram whether the login's session is
	// authorized (users.getUsers): if it is, IfAuthorized fires; if Telegram answers 401,
	// Otherwise fires. Without it, Otherwise fires at once.
	CheckAuthorized bool
	IfAuthorized    Event
	Otherwise       Event
	// Doc says it in words, for the state chart.
	Doc string
}

// codeErrors are the answers of calls that take a login code. PHONE_CODE_HASH_INVALID
// says Telegram does not know the phone_code_hash for this auth key: Telegram lost the
// login's key (the connector made a new one) and the code is as good as expired, so a new
// one is asked for instead of refusing every code until the login's TTL.
var codeErrors = map[string]Event{
	"SESSION_PASSWORD_NEEDED": PasswordNeeded,
	"PHONE_CODE_INVALID":      CodeInvalid,
	"PHONE_CODE_EMPTY":        CodeInvalid,
	"PHONE_CODE_EXPIRED":      CodeExpiredEv,
	"PHONE_CODE_HASH_INVALID": CodeExpiredEv,
}

// backTo is the recovery of a call whose input is simply asked for again.
func backTo(doc string) Recovery { return Recovery{Otherwise: Interrupted, Doc: doc} }

// ifAuthorized is the recovery of a call that may have authorized the session.
func ifAuthorized(doc string) Recovery {
	return Recovery{CheckAuthorized: true, IfAuthorized: SignedIn, Otherwise: Interrupted, Doc: doc}
}

// rules holds the Rules of every in-flight state.
var rules = map[s.State]Rules{
	s.SendingCode: {Errors: map[string]Event{"SESSION_PASSWORD_NEEDED": PasswordNeeded},
		Recovery: backTo("back to New: the code may or may not have been sent, so the user enters the phone number again (tgauth never re-sends a code on its own)")},
	s.ResendingCode: {Errors: map[string]Event{"PHONE_CODE_EXPIRED": CodeExpiredEv, "PHONE_CODE_HASH_EMPTY": CodeExpiredEv,
		"PHONE_CODE_HASH_INVALID": CodeExpiredEv},
		Recovery: backTo("back to CodeSent: the code already sent may still be valid; the user enters it or asks again")},
	s.CheckingCode: {Errors: codeErrors,
		Recovery: ifAuthorized("Authorized if the session is; otherwise back to CodeSent and the user enters the code again")},
	s.SigningUp: {Errors: map[string]Event{"PHONE_CODE_EXPIRED": CodeExpiredEv},
		Recovery: ifAuthorized("Authorized if the session is; otherwise back to SignUpRequired")},
	s.CheckingPassword: {Errors: map[string]Event{"PASSWORD_HASH_INVALID": PasswordInvalid},
		Recovery: ifAuthorized("Authorized if the session is; otherwise back to PasswordNeeded")},
	s.RequestingRecovery: {
		Recovery: backTo("back to PasswordNeeded; the user asks for recovery again")},
	s.CheckingRecovery: {Errors: map[string]Event{"CODE_INVALID": CodeInvalid, "CODE_EMPTY": CodeInvalid, "PASSWORD_RECOVERY_EXPIRED": CodeExpiredEv},
		Recovery: ifAuthorized("Authorized if the session is; otherwise back to RecoveryCodeSent")},
	s.SendingEmailCode: {
		Recovery: backTo("back to EmailRequired; the user enters the address again")},
	s.CheckingEmailCode: {Errors: map[string]Event{"CODE_INVALID": CodeInvalid, "EMAIL_VERIFY_EXPIRED": CodeInvalid, "EMAIL_CODE_INVALID": CodeInvalid},
		Recovery: backTo("back to EmailCodeSent; the user enters the e-mail code again")},
	s.ExportingQR: {Errors: map[string]Event{"SESSION_PASSWORD_NEEDED": PasswordNeeded},
		Recovery: ifAuthorized("Authorized if the session is; otherwise QRWaiting with a new token asked for at once")},
	s.ImportingQR: {Errors: map[string]Event{"SESSION_PASSWORD_NEEDED": PasswordNeeded},
		Recovery: ifAuthorized("Authorized if the session is; otherwise QRWaiting with a new token asked for at once")},
	s.CheckingBotToken: {
		Recovery: ifAuthorized("Authorized if the session is; otherwise back to New")},
	s.CancellingCode: {
		Recovery: Recovery{Otherwise: Interrupted, Doc: "Cancelled: the login was being cancelled, and an unused code dies on its own"}},
	s.LoggingOut: {
		Recovery: Recovery{CheckAuthorized: true, IfAuthorized: Interrupted, Otherwise: Done,
			Doc: "Authorized if the session still is (log out again); otherwise LoggedOut"}},
}

// RulesOf returns the rules of in-flight state from; ok is false for any other state.
func RulesOf(from s.State) (r Rules, ok bool) {
	r, ok = rules[from]
	return r, ok
}

// FatalErrors are Telegram errors no input can mend: in any call they fail the login.
var FatalErrors = []string{"PHONE_NUMBER_BANNED", "USER_DEACTIVATED", "USER_DEACTIVATED_BAN",
	"PHONE_NUMBER_FLOOD", "API_ID_INVALID", "API_ID_PUBLISHED_FLOOD", "AUTH_KEY_PERM_EMPTY"}

// FloodErrors are Telegram's waits: the argument is the seconds to wait.
var FloodErrors = []string{"FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "FLOOD_TEST_PHONE_WAIT"}

// ErrorEvent returns the outcome event of Telegram error errType (numeric code code)
// answered to the call of in-flight state from: the state's own rules first, then flood
// waits, then 5xx (Telegram's trouble: interrupted, try again), then fatal errors, then any
// other refusal (rejected where the state has that exit, else interrupted).
func ErrorEvent(from s.State, code int, errType string) Event {
	if ev, ok := rules[from].Errors[errType]; ok {
		return ev
	}
	switch {
	case slices.Contains(FloodErrors, errType):
		return FloodWait
	case code >= 500:
		return Interrupted
	case slices.Contains(FatalErrors, errType):
		return Fatal
	}
	if _, ok := Lookup(from, Rejected); ok {
		return Rejected
	}
	return Interrupted
}

// Successes are the outcomes by which an input got through; every other outcome is a
// refusal of the input (or the loss of its answer).
var successes = map[Event]bool{CodeSentEv: true, SignedIn: true, SignUpNeeded: true,
	PasswordNeeded: true, EmailNeeded: true, EmailCodeSentEv: true, RecoverySent: true,
	QRToken: true, QRMigrate: true, Done: true}

// Success reports whether outcome ev means the input got through.
func Success(ev Event) bool { return successes[ev] }
