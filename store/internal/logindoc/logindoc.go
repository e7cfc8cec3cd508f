// Package logindoc is how the SQL stores keep a machine.Login: one JSON document (Doc) in
// a format of its own, with the login's version kept apart, in the column the
// compare-and-swap looks at. The format is decoupled from machine.Login's JSON tags and
// versioned by its "v" field, so that documents written by an older tgauth still read:
//
//   - 0 (no "v"): machine.Login's JSON as tgauth wrote it up to commit 70832bc, the
//     version included. Its "last_error" text becomes a Problem with Code machine.ProblemNote
//     and the text as Detail; its "attempts" stay as they are, for no prompt in
//     particular (AttemptsFor empty).
//   - 1: Doc: "problem" is structured; "attempts_for", "flight_event" and "telegram" are
//     new; the version is left out.
//
// Encode writes the newest format, Format. Decode reads every format, taking an older
// document through migrations one version at a time, and refuses a newer one.
//
// A journal entry's Problem is kept in the same format as a login's (EncodeProblem,
// DecodeProblem).
package logindoc

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

// Format is the format version Encode writes.
const Format = 1

// Doc is a login as stored, in format Format. Zero fields are left out.
type Doc struct {
	V      int    `json:"v"`
	ID     string `json:"id"`
	Method string `json:"method,omitempty"`
	State  string `json:"state"`
	DC     int    `json:"dc,omitempty"`

	Phone         string `json:"phone,omitempty"`
	PhoneCodeHash string `json:"phone_code_hash,omitempty"`
	Code          *Code  `json:"code,omitempty"`
	Attempts      int    `json:"attempts,omitempty"`
	AttemptsFor   string `json:"attempts_for,omitempty"`

	PasswordHint  string `json:"password_hint,omitempty"`
	HasRecovery   bool   `json:"has_recovery,omitempty"`
	RecoveryEmail string `json:"recovery_email,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailPattern  string `json:"email_pattern,omitempty"`
	Terms         *Terms `json:"terms,omitempty"`

	QRToken     []byte    `json:"qr_token,omitempty"`
	QRExpiresAt time.Time `json:"qr_expires_at,omitzero"`
	QRPollAt    time.Time `json:"qr_poll_at,omitzero"`
	QRMigrateDC int       `json:"qr_migrate_dc,omitempty"`

	ResendAt    time.Time `json:"resend_at,omitzero"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	RetryAt     time.Time `json:"retry_at,omitzero"`
	RetryInput  string    `json:"retry_input,omitempty"`
	FlightEvent string    `json:"flight_event,omitempty"`
	TimerAt     time.Time `json:"timer_at,omitzero"`
	TimerEvent  string    `json:"timer_event,omitempty"`
	LeaseOwner  string    `json:"lease_owner,omitempty"`
	LeaseUntil  time.Time `json:"lease_until,omitzero"`

	User     *User    `json:"user,omitempty"`
	Problem  *Problem `json:"problem,omitempty"`
	Telegram string   `json:"telegram,omitempty"`
	Account  *Account `json:"account,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Code is a machine.CodeInfo as stored. Timeout is in nanoseconds.
type Code struct {
	Type         string        `json:"type"`
	Length       int           `json:"length,omitempty"`
	NextType     string        `json:"next_type,omitempty"`
	Timeout      time.Duration `json:"timeout,omitempty"`
	Pattern      string        `json:"pattern,omitempty"`
	EmailPattern string        `json:"email_pattern,omitempty"`
	URL          string        `json:"url,omitempty"`
}

// Terms is a machine.TermsOfService as stored.
type Terms struct {
	ID     string `json:"id,omitempty"`
	Text   string `json:"text"`
	MinAge int    `json:"min_age,omitempty"`
	Popup  bool   `json:"popup,omitempty"`
}

// User is a machine.User as stored.
type User struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Bot       bool   `json:"bot,omitempty"`
}

// Problem is a machine.Problem as stored.
type Problem struct {
	Code        string         `json:"code"`
	Call        string         `json:"call,omitempty"`
	Attempt     int            `json:"attempt,omitempty"`
	MaxAttempts int            `json:"max_attempts,omitempty"`
	RetryAt     time.Time      `json:"retry_at,omitzero"`
	Telegram    *TelegramError `json:"telegram,omitempty"`
	Detail      string         `json:"detail,omitempty"`
}

// TelegramError is a tgapi.Error as stored.
type TelegramError struct {
	Code     int    `json:"code"`
	Type     string `json:"type"`
	Argument int    `json:"argument,omitempty"`
}

// migrations take a document, as a JSON object, from format i to i+1.
var migrations = []func(obj map[string]json.RawMessage) error{
	// 0 to 1: "last_error" text becomes a note problem; the version goes (the column has it).
	func(obj map[string]json.RawMessage) error {
		delete(obj, "version")
		raw, ok := obj["last_error"]
		if !ok {
			return nil
		}
		delete(obj, "last_error")
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return fmt.Errorf("last_error: %w", err)
		}
		if text == "" {
			return nil
		}
		p, err := json.Marshal(Problem{Code: string(machine.ProblemNote), Detail: text})
		obj["problem"] = p
		return err
	},
}

// Encode returns l as stored, in format Format. l.Version is not part of it.
func Encode(l *machine.Login) (string, error) {
	b, err := json.Marshal(fromLogin(l))
	if err != nil {
		return "", fmt.Errorf("encode login %s: %w", l.ID, err)
	}
	return string(b), nil
}

// Decode returns the login stored as doc, in any format up to Format, at version.
func Decode(doc []byte, version int64) (*machine.Login, error) {
	var d Doc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("decode login: %w", err)
	}
	if d.V != Format {
		if err := migrate(doc, &d); err != nil {
			return nil, fmt.Errorf("decode login %s: %w", d.ID, err)
		}
	}
	return d.login(version), nil
}

// migrate decodes doc, of format d.V, into d at format Format.
func migrate(doc []byte, d *Doc) error {
	from := d.V
	if from < 0 || from > Format {
		return fmt.Errorf("document format v%d; this tgauth reads v0 to v%d", from, Format)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(doc, &obj); err != nil {
		return err
	}
	for v := from; v < Format; v++ {
		if err := migrations[v](obj); err != nil {
			return fmt.Errorf("migrate document from v%d to v%d: %w", v, v+1, err)
		}
	}
	obj["v"] = json.RawMessage(fmt.Sprint(Format))
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	*d = Doc{}
	return json.Unmarshal(b, d)
}

// EncodeProblem returns p as a journal entry keeps it: JSON in Problem's format, or nil
// when there is no problem.
func EncodeProblem(p *machine.Problem) (*string, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(fromProblem(p))
	if err != nil {
		return nil, fmt.Errorf("encode problem: %w", err)
	}
	s := string(b)
	return &s, nil
}

// DecodeProblem returns a journal entry's Problem from its problem column (NULL as nil),
// or, for an entry written before that column, from its note column: a non-empty note
// becomes a Problem with Code machine.ProblemNote and the note as Detail.
func DecodeProblem(problem *string, note string) (*machine.Problem, error) {
	if problem == nil {
		if note == "" {
			return nil, nil
		}
		return &machine.Problem{Code: machine.ProblemNote, Detail: note}, nil
	}
	var p Problem
	if err := json.Unmarshal([]byte(*problem), &p); err != nil {
		return nil, fmt.Errorf("decode problem: %w", err)
	}
	return p.problem(), nil
}

func fromLogin(l *machine.Login) Doc {
	return Doc{
		V: Format, ID: l.ID, Method: string(l.Method), State: string(l.State), DC: l.DC,
		Phone: l.Phone, PhoneCodeHash: l.PhoneCodeHash, Code: fromCode(l.Code),
		Attempts: l.Attempts, AttemptsFor: string(l.AttemptsFor),
		PasswordHint: l.PasswordHint, HasRecovery: l.HasRecovery, RecoveryEmail: l.RecoveryEmail,
		Email: l.Email, EmailPattern: l.EmailPattern, Terms: fromTerms(l.Terms),
		QRToken: l.QRToken, QRExpiresAt: l.QRExpiresAt, QRPollAt: l.QRPollAt, QRMigrateDC: l.QRMigrateDC,
		ResendAt: l.ResendAt, ExpiresAt: l.ExpiresAt, RetryAt: l.RetryAt,
		RetryInput: string(l.RetryInput), FlightEvent: string(l.FlightEvent),
		TimerAt: l.TimerAt, TimerEvent: string(l.TimerEvent), LeaseOwner: l.LeaseOwner, LeaseUntil: l.LeaseUntil,
		User: fromUser(l.User), Problem: fromProblem(l.Problem), Telegram: l.Telegram, Account: fromAccount(l.Account),
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
	}
}

func (d *Doc) login(version int64) *machine.Login {
	return &machine.Login{
		ID: d.ID, Method: machine.Method(d.Method), State: machine.State(d.State), Version: version, DC: d.DC,
		Phone: d.Phone, PhoneCodeHash: d.PhoneCodeHash, Code: d.Code.code(),
		Attempts: d.Attempts, AttemptsFor: machine.State(d.AttemptsFor),
		PasswordHint: d.PasswordHint, HasRecovery: d.HasRecovery, RecoveryEmail: d.RecoveryEmail,
		Email: d.Email, EmailPattern: d.EmailPattern, Terms: d.Terms.terms(),
		QRToken: d.QRToken, QRExpiresAt: d.QRExpiresAt, QRPollAt: d.QRPollAt, QRMigrateDC: d.QRMigrateDC,
		ResendAt: d.ResendAt, ExpiresAt: d.ExpiresAt, RetryAt: d.RetryAt,
		RetryInput: machine.Event(d.RetryInput), FlightEvent: machine.Event(d.FlightEvent),
		TimerAt: d.TimerAt, TimerEvent: machine.Event(d.TimerEvent), LeaseOwner: d.LeaseOwner, LeaseUntil: d.LeaseUntil,
		User: d.User.user(), Problem: d.Problem.problem(), Telegram: d.Telegram, Account: d.Account.account(),
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

func fromCode(c *machine.CodeInfo) *Code {
	if c == nil {
		return nil
	}
	return &Code{Type: string(c.Type), Length: c.Length, NextType: string(c.NextType), Timeout: c.Timeout,
		Pattern: c.Pattern, EmailPattern: c.EmailPattern, URL: c.URL}
}

func (c *Code) code() *machine.CodeInfo {
	if c == nil {
		return nil
	}
	return &machine.CodeInfo{Type: tgapi.CodeType(c.Type), Length: c.Length, NextType: tgapi.CodeType(c.NextType),
		Timeout: c.Timeout, Pattern: c.Pattern, EmailPattern: c.EmailPattern, URL: c.URL}
}

func fromTerms(t *machine.TermsOfService) *Terms {
	if t == nil {
		return nil
	}
	return &Terms{ID: t.ID, Text: t.Text, MinAge: t.MinAge, Popup: t.Popup}
}

func (t *Terms) terms() *machine.TermsOfService {
	if t == nil {
		return nil
	}
	return &machine.TermsOfService{ID: t.ID, Text: t.Text, MinAge: t.MinAge, Popup: t.Popup}
}

func fromUser(u *machine.User) *User {
	if u == nil {
		return nil
	}
	return &User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, Phone: u.Phone, Bot: u.Bot}
}

func (u *User) user() *machine.User {
	if u == nil {
		return nil
	}
	return &machine.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, Phone: u.Phone, Bot: u.Bot}
}

func fromProblem(p *machine.Problem) *Problem {
	if p == nil {
		return nil
	}
	d := &Problem{Code: string(p.Code), Call: string(p.Call), Attempt: p.Attempt, MaxAttempts: p.MaxAttempts,
		RetryAt: p.RetryAt, Detail: p.Detail}
	if e := p.Telegram; e != nil {
		d.Telegram = &TelegramError{Code: e.Code, Type: e.Type, Argument: e.Argument}
	}
	return d
}

func (p *Problem) problem() *machine.Problem {
	if p == nil {
		return nil
	}
	out := &machine.Problem{Code: machine.ProblemCode(p.Code), Call: tgapi.Method(p.Call), Attempt: p.Attempt,
		MaxAttempts: p.MaxAttempts, RetryAt: p.RetryAt, Detail: p.Detail}
	if e := p.Telegram; e != nil {
		out.Telegram = &tgapi.Error{Code: e.Code, Type: e.Type, Argument: e.Argument}
	}
	return out
}
