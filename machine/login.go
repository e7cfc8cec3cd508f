package machine

import (
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// State is a login state; see package states. It is an alias so that drivers need not
// import anything below machine.
type State = states.State

// Event is a login event; see package transitions.
type Event = transitions.Event

// User is the account a login ended up authorized as.
type User = tgapi.User

// CodeType is how a login code is delivered ("app", "sms", "call"...).
type CodeType = tgapi.CodeType

// TermsOfService is shown before sign-up.
type TermsOfService = tgapi.TermsOfService

// Method is how a login gets in.
type Method string

// The login methods.
const (
	MethodPhone Method = "phone"
	MethodBot   Method = "bot"
	MethodQR    Method = "qr"
)

// CodeInfo is what Telegram said about the last code it sent (auth.sentCode), without the
// phone_code_hash, which Login keeps apart.
type CodeInfo struct {
	Type         tgapi.CodeType `json:"type"`
	Length       int            `json:"length,omitempty"`
	NextType     tgapi.CodeType `json:"next_type,omitempty"`
	Timeout      time.Duration  `json:"timeout,omitempty"`
	Pattern      string         `json:"pattern,omitempty"`
	EmailPattern string         `json:"email_pattern,omitempty"`
	URL          string         `json:"url,omitempty"`
}

// Login is the persisted record of one login. It never holds a password, and a code only
// for as long as its call is outstanding, in memory.
type Login struct {
	ID      string `json:"id"`
	Method  Method `json:"method,omitempty"`
	State   State  `json:"state"`
	Version int64  `json:"version"`
	// DC is the data center the login's session lives on, once known.
	DC int `json:"dc,omitempty"`

	Phone         string    `json:"phone,omitempty"`
	PhoneCodeHash string    `json:"phone_code_hash,omitempty"`
	Code          *CodeInfo `json:"code,omitempty"`
	// Attempts counts wrong answers to the prompt of state AttemptsFor (code, password,
	// recovery code, e-mail code), across new codes for it; see AttemptsAt.
	Attempts    int   `json:"attempts,omitempty"`
	AttemptsFor State `json:"attempts_for,omitempty"`

	PasswordHint string `json:"password_hint,omitempty"`
	HasRecovery  bool   `json:"has_recovery,omitempty"`
	// RecoveryEmail is the masked address the password recovery code went to.
	RecoveryEmail string `json:"recovery_email,omitempty"`
	// Email is the login e-mail being set up; EmailPattern where its code went.
	Email        string          `json:"email,omitempty"`
	EmailPattern string          `json:"email_pattern,omitempty"`
	Terms        *TermsOfService `json:"terms,omitempty"`

	QRToken     []byte    `json:"qr_token,omitempty"`
	QRExpiresAt time.Time `json:"qr_expires_at,omitzero"`
	QRPollAt    time.Time `json:"qr_poll_at,omitzero"`
	// QRMigrateDC is the DC to import the token on (auth.loginTokenMigrateTo).
	QRMigrateDC int `json:"qr_migrate_dc,omitempty"`

	// ResendAt is when auth.resendCode becomes sensible (the code's timeout).
	ResendAt time.Time `json:"resend_at,omitzero"`
	// ExpiresAt is the login's time to live; RetryAt the end of a flood wait.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RetryAt   time.Time `json:"retry_at,omitzero"`
	// RetryInput is the input Telegram's flood wait holds back until RetryAt.
	RetryInput Event `json:"retry_input,omitempty"`
	// FlightEvent is the event that led into the current in-flight state: the one a flood
	// wait holds back.
	FlightEvent Event `json:"flight_event,omitempty"`

	// TimerAt and TimerEvent are the next deadline the scheduler fires. They are derived
	// from the fields above after every step and persisted so that stores can index them.
	TimerAt    time.Time `json:"timer_at,omitzero"`
	TimerEvent Event     `json:"timer_event,omitempty"`

	// LeaseOwner holds an in-flight call until LeaseUntil: another engine leaves the login
	// alone until then, and recovers it after.
	LeaseOwner string    `json:"lease_owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`

	User *User `json:"user,omitempty"`
	// Problem says why the last input did not get through; nil when it did. Never a secret.
	Problem *Problem `json:"problem,omitempty"`
	// Telegram names the Telegram the login was started on (Options.TelegramID); the login
	// is refused through any other.
	Telegram string `json:"telegram,omitempty"`
	// Account is what the account chart keeps (sessions listed, a recovery e-mail
	// waiting for its code); nil until an account task ran.
	Account *Account `json:"account,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Clone returns a deep copy of l.
func (l *Login) Clone() *Login {
	c := *l
	if l.Code != nil {
		code := *l.Code
		c.Code = &code
	}
	if l.Terms != nil {
		t := *l.Terms
		c.Terms = &t
	}
	if l.User != nil {
		u := *l.User
		c.User = &u
	}
	if l.Problem != nil {
		p := *l.Problem
		c.Problem = &p
	}
	if l.QRToken != nil {
		c.QRToken = append([]byte(nil), l.QRToken...)
	}
	c.Account = l.Account.clone()
	return &c
}

// AttemptsAt returns the wrong answers so far to the prompt of awaiting state s.
func (l *Login) AttemptsAt(s State) int {
	if l.AttemptsFor == s || l.AttemptsFor == "" {
		return l.Attempts
	}
	return 0
}

// Kind returns the kind of the login's state.
func (l *Login) Kind() states.Kind { return states.KindOf(l.State) }

// JournalEntry is one transition in a login's history.
type JournalEntry struct {
	// Version is the login's version after the transition.
	Version int64     `json:"version"`
	At      time.Time `json:"at"`
	From    State     `json:"from"`
	Event   Event     `json:"event"`
	To      State     `json:"to"`
	// Problem says why, when the event was a refusal or an error. Never a secret.
	Problem *Problem `json:"problem,omitempty"`
}
