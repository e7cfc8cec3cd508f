// Package states names the states a tgauth login can be in, and says of each what kind
// it is: awaiting input from a driver, in flight (one Telegram call outstanding, written
// to the store before the call is made), or final.
//
// What a flight state's call can come to, and how a login found in it after a crash is
// resolved, are rules of package transitions, next to the table.
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

// The states of the account chart: tasks an Authorized login runs, each leaving
// Authorized and coming back to it.
const (
	UpdatingPassword         State = "UpdatingPassword"
	PasswordEmailCodeSent    State = "PasswordEmailCodeSent"
	ConfirmingPasswordEmail  State = "ConfirmingPasswordEmail"
	ResendingPasswordEmail   State = "ResendingPasswordEmail"
	CancellingPasswordEmail  State = "CancellingPasswordEmail"
	ListingSessions          State = "ListingSessions"
	TerminatingSession       State = "TerminatingSession"
	TerminatingOtherSessions State = "TerminatingOtherSessions"
	ConfirmingSession        State = "ConfirmingSession"
	InvalidatingCodes        State = "InvalidatingCodes"
)

// Info describes one state.
type Info struct {
	Name State
	Kind Kind
	// Call is the Telegram method an in-flight state has outstanding.
	Call string
	// Awaits says, for an awaiting-input state, what the driver must supply.
	Awaits string
}

// All lists every state in chart order: the order docs/statechart.md uses.
var All = []Info{
	{Name: New, Kind: AwaitingInput, Awaits: "a phone number, a bot token, or a request for a QR code"},
	{Name: SendingCode, Kind: InFlight, Call: "auth.sendCode"},
	{Name: CodeSent, Kind: AwaitingInput, Awaits: "the login code (or a request to resend it, or to cancel)"},
	{Name: ResendingCode, Kind: InFlight, Call: "auth.resendCode"},
	{Name: CheckingCode, Kind: InFlight, Call: "auth.signIn"},
	{Name: CodeExpired, Kind: AwaitingInput, Awaits: "a request for a new code, or to cancel"},
	{Name: SignUpRequired, Kind: AwaitingInput, Awaits: "first and last name, and acceptance of the terms of service"},
	{Name: SigningUp, Kind: InFlight, Call: "auth.signUp"},
	{Name: PasswordNeeded, Kind: AwaitingInput, Awaits: "the 2FA password (or a request for password recovery)"},
	{Name: CheckingPassword, Kind: InFlight, Call: "auth.checkPassword"},
	{Name: RequestingRecovery, Kind: InFlight, Call: "auth.requestPasswordRecovery"},
	{Name: RecoveryCodeSent, Kind: AwaitingInput, Awaits: "the recovery code sent to the recovery e-mail"},
	{Name: CheckingRecovery, Kind: InFlight, Call: "auth.recoverPassword"},
	{Name: EmailRequired, Kind: AwaitingInput, Awaits: "an e-mail address to set up as the login e-mail"},
	{Name: SendingEmailCode, Kind: InFlight, Call: "account.sendVerifyEmailCode"},
	{Name: EmailCodeSent, Kind: AwaitingInput, Awaits: "the code sent to the new login e-mail"},
	{Name: CheckingEmailCode, Kind: InFlight, Call: "account.verifyEmail"},
	{Name: ExportingQR, Kind: InFlight, Call: "auth.exportLoginToken"},
	{Name: QRWaiting, Kind: AwaitingInput, Awaits: "the QR code to be scanned by a logged-in app (the engine polls)"},
	{Name: ImportingQR, Kind: InFlight, Call: "auth.importLoginToken"},
	{Name: CheckingBotToken, Kind: InFlight, Call: "auth.importBotAuthorization"},
	{Name: CancellingCode, Kind: InFlight, Call: "auth.cancelCode"},
	{Name: Authorized, Kind: AwaitingInput, Awaits: "nothing; a log-out request ends the session, an account task (2FA password, sessions, leaked codes) comes back here"},
	{Name: LoggingOut, Kind: InFlight, Call: "auth.logOut"},
	// The account chart.
	{Name: UpdatingPassword, Kind: InFlight, Call: "account.updatePasswordSettings"},
	{Name: PasswordEmailCodeSent, Kind: AwaitingInput, Awaits: "the code sent to the new recovery e-mail (or a request to resend it, or to cancel the e-mail)"},
	{Name: ConfirmingPasswordEmail, Kind: InFlight, Call: "account.confirmPasswordEmail"},
	{Name: ResendingPasswordEmail, Kind: InFlight, Call: "account.resendPasswordEmail"},
	{Name: CancellingPasswordEmail, Kind: InFlight, Call: "account.cancelPasswordEmail"},
	{Name: ListingSessions, Kind: InFlight, Call: "account.getAuthorizations"},
	{Name: TerminatingSession, Kind: InFlight, Call: "account.resetAuthorization"},
	{Name: TerminatingOtherSessions, Kind: InFlight, Call: "auth.resetAuthorizations"},
	{Name: ConfirmingSession, Kind: InFlight, Call: "account.changeAuthorizationSettings"},
	{Name: InvalidatingCodes, Kind: InFlight, Call: "account.invalidateSignInCodes"},
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
