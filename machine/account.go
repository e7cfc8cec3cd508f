package machine

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// This file is the account chart's part of the engine: the inputs an Authorized login
// takes for its account tasks, their calls, what their answers do to the record, and
// their prompt. The tasks run on the same core and edge as a login: write-ahead, recovery
// rule, journal and structured problems.

// Session is one active session (authorization) of an account.
type Session = tgapi.Session

// FreshSessionAge is how old a session must be before Telegram lets it terminate other
// sessions (FRESH_RESET_AUTHORISATION_FORBIDDEN before).
const FreshSessionAge = 24 * time.Hour

// Account is what the account chart keeps on a login: the sessions last listed and the
// recovery e-mail waiting for its code. Never a password.
type Account struct {
	// Sessions are the account's sessions as account.getAuthorizations listed them at
	// SessionsAt, kept up to date by the terminations and confirmations since.
	Sessions   []Session `json:"sessions,omitempty"`
	SessionsAt time.Time `json:"sessions_at,omitzero"`
	// PasswordEmail is the new recovery e-mail whose code Telegram sent
	// (EMAIL_UNCONFIRMED_X); the password change waits for it. CodeLength is X.
	PasswordEmail string `json:"password_email,omitempty"`
	CodeLength    int    `json:"code_length,omitempty"`
}

func (a *Account) clone() *Account {
	if a == nil {
		return nil
	}
	c := *a
	c.Sessions = slices.Clone(a.Sessions)
	return &c
}

// AccountPrompt is the account chart's part of a Prompt: the sessions last listed, and in
// PasswordEmailCodeSent the address whose code is asked for.
type AccountPrompt struct {
	Sessions      []Session `json:"sessions,omitempty"`
	SessionsAt    time.Time `json:"sessions_at,omitzero"`
	PasswordEmail string    `json:"password_email,omitempty"`
	CodeLength    int       `json:"code_length,omitempty"`
}

// AskPasswordEmailCode is the prompt for the code sent to a new recovery e-mail.
const AskPasswordEmailCode PromptKind = "password_email_code"

// The account chart's problem codes.
const (
	// ProblemTooFresh: Telegram refuses to terminate sessions from a session less than
	// FreshSessionAge old; RetryAt is when it becomes possible (zero when unknown).
	ProblemTooFresh ProblemCode = "too_fresh"
	// ProblemSessionRevoked: Telegram no longer knows the login's session: it was
	// terminated from another session. The login is over.
	ProblemSessionRevoked ProblemCode = "session_revoked"
)

// SetPassword sets the 2FA password, or changes it (Current is then the password in
// use): account.updatePasswordSettings with SRP. Hint is shown at login. A non-empty
// Email becomes the recovery e-mail once the code Telegram sends there is entered
// (SubmitPasswordEmailCode); the new password waits for it.
type SetPassword struct {
	Current, New, Hint, Email string
}

// RemovePassword removes the 2FA password (and its hint and recovery e-mail); Current is
// the password in use.
type RemovePassword struct{ Current string }

// SubmitPasswordEmailCode answers the code sent to a new recovery e-mail
// (account.confirmPasswordEmail).
type SubmitPasswordEmailCode struct{ Code string }

// ResendPasswordEmail asks for the recovery e-mail's code again (account.resendPasswordEmail).
type ResendPasswordEmail struct{}

// CancelPasswordEmail gives up on the new recovery e-mail and the password change that
// waits for it (account.cancelPasswordEmail).
type CancelPasswordEmail struct{}

// ListSessions lists the account's active sessions (account.getAuthorizations); the
// Authorized prompt then shows them.
type ListSessions struct{}

// TerminateSession terminates the session Hash (account.resetAuthorization): one listed
// by ListSessions, or an unconfirmed new one to refuse it.
type TerminateSession struct{ Hash int64 }

// TerminateOtherSessions terminates every session but the login's own
// (auth.resetAuthorizations).
type TerminateOtherSessions struct{}

// ConfirmSession confirms the unconfirmed new session Hash
// (account.changeAuthorizationSettings confirmed=true).
type ConfirmSession struct{ Hash int64 }

// InvalidateCodes makes sign-in codes that leaked unusable (account.invalidateSignInCodes).
type InvalidateCodes struct{ Codes []string }

// Event implements Input.
func (SetPassword) Event() Event { return tr.SetPassword }

// Event implements Input.
func (RemovePassword) Event() Event { return tr.RemovePassword }

// Event implements Input.
func (SubmitPasswordEmailCode) Event() Event { return tr.SubmitPasswordEmailCode }

// Event implements Input.
func (ResendPasswordEmail) Event() Event { return tr.ResendPasswordEmail }

// Event implements Input.
func (CancelPasswordEmail) Event() Event { return tr.CancelPasswordEmail }

// Event implements Input.
func (ListSessions) Event() Event { return tr.ListSessions }

// Event implements Input.
func (TerminateSession) Event() Event { return tr.TerminateSession }

// Event implements Input.
func (TerminateOtherSessions) Event() Event { return tr.TerminateOtherSessions }

// Event implements Input.
func (ConfirmSession) Event() Event { return tr.ConfirmSession }

// Event implements Input.
func (InvalidateCodes) Event() Event { return tr.InvalidateCodes }

// secret redacts a non-empty secret for Args; an empty one stays empty, so that it shows
// that none was given.
func secret(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}

// Args implements Input: the passwords are redacted.
func (in SetPassword) Args() map[string]string {
	return map[string]string{"current_password": secret(in.Current), "new_password": secret(in.New), "hint": in.Hint, "email": in.Email}
}

// Args implements Input.
func (in RemovePassword) Args() map[string]string {
	return map[string]string{"current_password": secret(in.Current)}
}

// Args implements Input.
func (SubmitPasswordEmailCode) Args() map[string]string { return map[string]string{"code": Redacted} }

// Args implements Input.
func (ResendPasswordEmail) Args() map[string]string { return nil }

// Args implements Input.
func (CancelPasswordEmail) Args() map[string]string { return nil }

// Args implements Input.
func (ListSessions) Args() map[string]string { return nil }

// Args implements Input.
func (in TerminateSession) Args() map[string]string {
	return map[string]string{"hash": strconv.FormatInt(in.Hash, 10)}
}

// Args implements Input.
func (TerminateOtherSessions) Args() map[string]string { return nil }

// Args implements Input.
func (in ConfirmSession) Args() map[string]string {
	return map[string]string{"hash": strconv.FormatInt(in.Hash, 10)}
}

// Args implements Input: the codes are redacted, their count kept.
func (in InvalidateCodes) Args() map[string]string {
	return map[string]string{"codes": strings.Repeat(Redacted+",", max(len(in.Codes)-1, 0)) + secret(strings.Join(in.Codes, ""))}
}

// maxPassword is the longest password tgauth sends (Telegram's apps allow far less).
const maxPassword = 256

func (in SetPassword) validate() error {
	switch {
	case in.New == "":
		return &InputError{"new password", "must not be empty (to remove the password, use RemovePassword)"}
	case len(in.New) > maxPassword || len(in.Current) > maxPassword:
		return &InputError{"password", fmt.Sprintf("at most %d bytes", maxPassword)}
	case in.Hint != "" && strings.Contains(in.Hint, in.New):
		return &InputError{"hint", "must not contain the password"}
	case len(in.Hint) > 128:
		return &InputError{"hint", "at most 128 bytes"}
	case in.Email != "" && !emailRe.MatchString(strings.TrimSpace(in.Email)):
		return &InputError{"recovery e-mail", "want an address like name@example.org"}
	}
	return nil
}

func (in RemovePassword) validate() error {
	if in.Current == "" {
		return &InputError{"current password", "must not be empty: removing the password needs it"}
	}
	return nil
}

func (in SubmitPasswordEmailCode) validate() error { return validateCode("e-mail code", in.Code) }
func (ResendPasswordEmail) validate() error        { return nil }
func (CancelPasswordEmail) validate() error        { return nil }
func (ListSessions) validate() error               { return nil }
func (TerminateOtherSessions) validate() error     { return nil }
func (in TerminateSession) validate() error        { return validateHash(in.Hash) }
func (in ConfirmSession) validate() error          { return validateHash(in.Hash) }

func validateHash(h int64) error {
	if h == 0 {
		return &InputError{"session hash", "0 is this session itself (log out to end it); want the hash of another session, as the sessions list shows it"}
	}
	return nil
}

func (in InvalidateCodes) validate() error {
	if len(in.Codes) == 0 {
		return &InputError{"codes", "name at least one code that leaked"}
	}
	for _, c := range in.Codes {
		if err := validateCode("code", c); err != nil {
			return err
		}
	}
	return nil
}

// parseAccountInput is ParseInput for the account chart's events; ok is false for others.
func parseAccountInput(event Event, args map[string]string) (in Input, ok bool, err error) {
	hash := func() (int64, error) {
		h, err := strconv.ParseInt(strings.TrimSpace(args["hash"]), 10, 64)
		if err != nil {
			return 0, &InputError{"session hash", fmt.Sprintf("%q is not a session hash (a decimal number, as the sessions list shows it)", args["hash"])}
		}
		return h, nil
	}
	switch event {
	case tr.SetPassword:
		return SetPassword{Current: args["current_password"], New: args["new_password"], Hint: args["hint"], Email: args["email"]}, true, nil
	case tr.RemovePassword:
		return RemovePassword{Current: args["current_password"]}, true, nil
	case tr.SubmitPasswordEmailCode:
		return SubmitPasswordEmailCode{Code: args["code"]}, true, nil
	case tr.ResendPasswordEmail:
		return ResendPasswordEmail{}, true, nil
	case tr.CancelPasswordEmail:
		return CancelPasswordEmail{}, true, nil
	case tr.ListSessions:
		return ListSessions{}, true, nil
	case tr.TerminateOtherSessions:
		return TerminateOtherSessions{}, true, nil
	case tr.TerminateSession:
		h, err := hash()
		return TerminateSession{Hash: h}, true, err
	case tr.ConfirmSession:
		h, err := hash()
		return ConfirmSession{Hash: h}, true, err
	case tr.InvalidateCodes:
		return InvalidateCodes{Codes: strings.FieldsFunc(args["codes"], func(r rune) bool { return r == ',' || r == ' ' })}, true, nil
	}
	return nil, false, nil
}

// accountRequest is request for the account chart's in-flight states; nil for any other
// state, or when the input its call needs is not there.
func accountRequest(l *Login, in Input) tgapi.Request {
	switch l.State {
	case states.UpdatingPassword:
		switch in := in.(type) {
		case SetPassword:
			return tgapi.UpdatePasswordSettings{Current: in.Current, New: in.New, Hint: in.Hint, Email: strings.TrimSpace(in.Email)}
		case RemovePassword:
			return tgapi.UpdatePasswordSettings{Current: in.Current}
		}
	case states.ConfirmingPasswordEmail:
		if c, ok := in.(SubmitPasswordEmailCode); ok {
			return tgapi.ConfirmPasswordEmail{Code: strings.TrimSpace(c.Code)}
		}
	case states.ResendingPasswordEmail:
		return tgapi.ResendPasswordEmail{}
	case states.CancellingPasswordEmail:
		return tgapi.CancelPasswordEmail{}
	case states.ListingSessions:
		return tgapi.GetAuthorizations{}
	case states.TerminatingSession:
		if t, ok := in.(TerminateSession); ok {
			return tgapi.ResetAuthorization{Hash: t.Hash}
		}
	case states.TerminatingOtherSessions:
		return tgapi.ResetAuthorizations{}
	case states.ConfirmingSession:
		if c, ok := in.(ConfirmSession); ok {
			return tgapi.ChangeAuthorizationSettings{Hash: c.Hash}
		}
	case states.InvalidatingCodes:
		if c, ok := in.(InvalidateCodes); ok {
			codes := make([]string, len(c.Codes))
			for i, code := range c.Codes {
				codes[i] = strings.TrimSpace(code)
			}
			return tgapi.InvalidateSignInCodes{Codes: codes}
		}
	}
	return nil
}

// accountOutcome is outcome for a login l in one of the account chart's in-flight states;
// n is its copy to change.
func accountOutcome(l, n *Login, res Result, now time.Time, set Settings) Outcome {
	var o Outcome
	var ev Event
	var problem *Problem
	switch call := res.Call.(type) {
	case tgapi.GetAuthorizations:
		if l.State != states.ListingSessions {
			// The follow-up of FRESH_RESET_AUTHORISATION_FORBIDDEN: when may it be tried?
			ev, problem = tr.TooFresh, tooFresh(n, l.State, res, now)
			break
		}
		ev, problem = accountResult(n, call, res, now, set, &o)
	default:
		ev, problem = accountResult(n, call, res, now, set, &o)
	}
	if o.Then != nil {
		return o
	}
	if ev == tr.FloodWait && n.Phone != "" {
		o.Flood = &Flood{Phone: n.Phone, Method: res.Call.Method(), Until: problem.RetryAt}
	}
	o.Step = settle(n, l.State, ev, problem, now, set)
	return o
}

// accountResult maps the answer of an account call to its outcome event and problem, or
// sets o.Then to a follow-up call.
func accountResult(n *Login, call tgapi.Request, res Result, now time.Time, set Settings, o *Outcome) (Event, *Problem) {
	a := n.account()
	if res.Err == nil {
		switch call := call.(type) {
		case tgapi.GetAuthorizations:
			v, _ := res.Value.(tgapi.Authorizations)
			a.Sessions, a.SessionsAt = v.Sessions, now
		case tgapi.ResetAuthorization:
			a.Sessions = slices.DeleteFunc(a.Sessions, func(s Session) bool { return s.Hash == call.Hash })
		case tgapi.ResetAuthorizations:
			a.Sessions = slices.DeleteFunc(a.Sessions, func(s Session) bool { return !s.Current })
		case tgapi.ChangeAuthorizationSettings:
			for i := range a.Sessions {
				if a.Sessions[i].Hash == call.Hash {
					a.Sessions[i].Unconfirmed = false
				}
			}
		case tgapi.UpdatePasswordSettings, tgapi.ConfirmPasswordEmail, tgapi.CancelPasswordEmail:
			a.PasswordEmail, a.CodeLength = "", 0
		}
		return tr.Done, nil
	}
	var tgErr *tgapi.Error
	if res.Local || !errors.As(res.Err, &tgErr) {
		return failed(n, call, res, now, set)
	}
	p := &Problem{Call: call.Method(), Telegram: tgErr}
	switch ev := tr.ErrorEvent(n.State, tgErr.Code, tgErr.Type); ev {
	case tr.TooFresh:
		o.Then = tgapi.GetAuthorizations{}
		return ev, nil
	case tr.EmailUnconfirmed:
		u, _ := call.(tgapi.UpdatePasswordSettings)
		a.PasswordEmail, a.CodeLength = u.Email, tgErr.Argument
		return ev, nil
	case tr.PasswordInvalid:
		p.Code = ProblemPasswordInvalid
		return ev, p
	case tr.CodeInvalid:
		p.Code = ProblemCodeInvalid
		return ev, p
	case tr.CodeExpiredEv:
		a.PasswordEmail, a.CodeLength = "", 0
		p.Code = ProblemCodeExpired
		return ev, p
	case tr.Done: // account.cancelPasswordEmail with nothing left to cancel
		a.PasswordEmail, a.CodeLength = "", 0
		return ev, nil
	case tr.SessionRevoked:
		p.Code = ProblemSessionRevoked
		return ev, p
	}
	return failed(n, call, res, now, set)
}

// tooFresh is the problem of FRESH_RESET_AUTHORISATION_FORBIDDEN, answered to the call of
// state from; res is the follow-up account.getAuthorizations, whose current session says
// when the login's session becomes old enough.
func tooFresh(n *Login, from State, res Result, now time.Time) *Problem {
	info, _ := states.Lookup(from)
	p := &Problem{Code: ProblemTooFresh, Call: tgapi.Method(info.Call),
		Telegram: &tgapi.Error{Code: 406, Type: "FRESH_RESET_AUTHORISATION_FORBIDDEN"}}
	if v, ok := res.Value.(tgapi.Authorizations); ok && res.Err == nil {
		a := n.account()
		a.Sessions, a.SessionsAt = v.Sessions, now
		for _, s := range v.Sessions {
			if s.Current && !s.Created.IsZero() {
				p.RetryAt = s.Created.Add(FreshSessionAge)
			}
		}
	}
	return p
}

// account returns l's account record, creating it.
func (l *Login) account() *Account {
	if l.Account == nil {
		l.Account = &Account{}
	}
	return l.Account
}

// accountPrompt fills the account chart's part of p for l: the sessions in Authorized,
// the e-mail code's prompt in PasswordEmailCodeSent.
func accountPrompt(p *Prompt, l *Login) {
	a := l.Account
	if a == nil {
		a = &Account{}
	}
	view := &AccountPrompt{Sessions: slices.Clone(a.Sessions), SessionsAt: a.SessionsAt}
	if l.State == states.PasswordEmailCodeSent {
		p.Kind = AskPasswordEmailCode
		view.PasswordEmail, view.CodeLength = a.PasswordEmail, a.CodeLength
		p.Message = fmt.Sprintf("Enter the %s sent to %s to confirm it as the recovery e-mail; the new password waits for it.",
			lengthWord(a.CodeLength, "code"), a.PasswordEmail)
	}
	if len(view.Sessions) > 0 || view.PasswordEmail != "" {
		p.Account = view
	}
}
