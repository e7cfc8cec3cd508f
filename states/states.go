// Package states names the states a tgauth login can be in, and says of each what kind
// it is: awaiting input from a driver, in flight (one Telegram call outstanding, written
// to the store before the call is made), or final.
//
// For every in-flight state it also holds the recovery rule: what the engine does when it
// finds a login in that state after a crash, when the outcome of the call was lost.
//
// The package is data only and imports nothing of tgauth.
package states

import "fmt"

// State is the name of a login state, as stored and as shown to users.
type State string

// Kind says what a state waits for.
type Kind int

const (
	// AwaitingInput states wait for a driver to send an input (a code, a password...).
	AwaitingInput Kind = iota + 1
	// InFlight states have exactly one Telegram call outstanding.
	InFlight
	// Final states accept nothing more.
	Final
)

func (k Kind) String() string {
	switch k {
	case AwaitingInput:
		return "awaiting input"
	case InFlight:
		return "in flight"
	case Final:
		return "final"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// The states of a login. See docs/statechart.md for the whole chart.
const (
	New                State = "New"
	SendingCode        State = "SendingCode"
	CodeSent           State = "CodeSent"
	ResendingCode      State = "ResendingCode"
	CheckingCode       State = "CheckingCode"
	CodeExpired        State = "CodeExpired"
	SignUpRequired     State = "SignUpRequired"
	SigningUp          State = "SigningUp"
	PasswordNeeded     State = "PasswordNeeded"
	CheckingPassword   State = "CheckingPassword"
	RequestingRecovery State = "RequestingRecovery"
	RecoveryCodeSent   State = "RecoveryCodeSent"
	CheckingRecovery   State = "CheckingRecovery"
	EmailRequired      State = "EmailRequired"
	SendingEmailCode   State = "SendingEmailCode"
	EmailCodeSent      State = "EmailCodeSent"
	CheckingEmailCode  State = "CheckingEmailCode"
	ExportingQR        State = "ExportingQR"
	QRWaiting          State = "QRWaiting"
	ImportingQR        State = "ImportingQR"
	CheckingBotToken   State = "CheckingBotToken"
	CancellingCode     State = "CancellingCode"
	Authorized         State = "Authorized"
	LoggingOut         State = "LoggingOut"
	Cancelled          State = "Cancelled"
	Expired            State = "Expired"
	Failed             State = "Failed"
	LoggedOut          State = "LoggedOut"
)

// Recovery is the rule for a login found in an in-flight state after a crash.
//
// When CheckAuthorized is set, the engine first asks Telegram whether the login's session
// is authorized (users.getSelf); if it is, the call evidently succeeded and the login moves
// to Authorized. Otherwise the login leaves by the recovery event of the transition table
// (see package transitions), to the state Rule describes.
type Recovery struct {
	CheckAuthorized bool
	Rule            string
}

// Info describes one state.
type Info struct {
	Name State
	Kind Kind
	// Call is the Telegram method an in-flight state has outstanding.
	Call string
	// Awaits says, for an awaiting-input state, what the driver must supply.
	Awaits string
	// Recovery applies to in-flight states only.
	Recovery Recovery
}

// All lists every state in chart order: the order docs/statechart.md uses.
var All = []Info{
	{Name: New, Kind: AwaitingInput, Awaits: "a phone number, a bot token, or a request for a QR code"},
	{Name: SendingCode, Kind: InFlight, Call: "auth.sendCode",
		Recovery: Recovery{Rule: "back to New: the code may or may not have been sent, so the user enters the phone number again (tgauth never re-sends a code on its own)"}},
	{Name: CodeSent, Kind: AwaitingInput, Awaits: "the login code (or a request to resend it, or to cancel)"},
	{Name: ResendingCode, Kind: InFlight, Call: "auth.resendCode",
		Recovery: Recovery{Rule: "back to CodeSent: the code already sent may still be valid; the user enters it or asks again"}},
	{Name: CheckingCode, Kind: InFlight, Call: "auth.signIn",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise back to CodeSent and the user enters the code again"}},
	{Name: CodeExpired, Kind: AwaitingInput, Awaits: "a request for a new code, or to cancel"},
	{Name: SignUpRequired, Kind: AwaitingInput, Awaits: "first and last name, and acceptance of the terms of service"},
	{Name: SigningUp, Kind: InFlight, Call: "auth.signUp",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise back to SignUpRequired"}},
	{Name: PasswordNeeded, Kind: AwaitingInput, Awaits: "the 2FA password (or a request for password recovery)"},
	{Name: CheckingPassword, Kind: InFlight, Call: "auth.checkPassword",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise back to PasswordNeeded"}},
	{Name: RequestingRecovery, Kind: InFlight, Call: "auth.requestPasswordRecovery",
		Recovery: Recovery{Rule: "back to PasswordNeeded; the user asks for recovery again"}},
	{Name: RecoveryCodeSent, Kind: AwaitingInput, Awaits: "the recovery code sent to the recovery e-mail"},
	{Name: CheckingRecovery, Kind: InFlight, Call: "auth.recoverPassword",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise back to RecoveryCodeSent"}},
	{Name: EmailRequired, Kind: AwaitingInput, Awaits: "an e-mail address to set up as the login e-mail"},
	{Name: SendingEmailCode, Kind: InFlight, Call: "account.sendVerifyEmailCode",
		Recovery: Recovery{Rule: "back to EmailRequired; the user enters the address again"}},
	{Name: EmailCodeSent, Kind: AwaitingInput, Awaits: "the code sent to the new login e-mail"},
	{Name: CheckingEmailCode, Kind: InFlight, Call: "account.verifyEmail",
		Recovery: Recovery{Rule: "back to EmailCodeSent; the user enters the e-mail code again"}},
	{Name: ExportingQR, Kind: InFlight, Call: "auth.exportLoginToken",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise QRWaiting with the next poll due at once"}},
	{Name: QRWaiting, Kind: AwaitingInput, Awaits: "the QR code to be scanned by a logged-in app (the engine polls)"},
	{Name: ImportingQR, Kind: InFlight, Call: "auth.importLoginToken",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise QRWaiting with the next poll due at once"}},
	{Name: CheckingBotToken, Kind: InFlight, Call: "auth.importBotAuthorization",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session is; otherwise back to New"}},
	{Name: CancellingCode, Kind: InFlight, Call: "auth.cancelCode",
		Recovery: Recovery{Rule: "Cancelled: the login was being cancelled, and an unused code dies on its own"}},
	{Name: Authorized, Kind: AwaitingInput, Awaits: "nothing; a log-out request ends the session"},
	{Name: LoggingOut, Kind: InFlight, Call: "auth.logOut",
		Recovery: Recovery{CheckAuthorized: true, Rule: "Authorized if the session still is (log out again); otherwise LoggedOut"}},
	{Name: Cancelled, Kind: Final},
	{Name: Expired, Kind: Final},
	{Name: Failed, Kind: Final},
	{Name: LoggedOut, Kind: Final},
}

var byName = func() map[State]Info {
	m := make(map[State]Info, len(All))
	for _, s := range All {
		m[s.Name] = s
	}
	return m
}()

// Lookup returns the description of s; ok is false for an unknown name.
func Lookup(s State) (info Info, ok bool) {
	info, ok = byName[s]
	return info, ok
}

// KindOf returns the kind of s, or 0 for an unknown state.
func KindOf(s State) Kind { return byName[s].Kind }

// Valid reports whether s names a state.
func Valid(s State) bool {
	_, ok := byName[s]
	return ok
}
