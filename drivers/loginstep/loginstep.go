// Package loginstep renders a login's snapshot as a step shaped like mautrix bridgev2's
// LoginStep (user_input fields, display_and_wait for a QR, complete), and turns the values
// a front-end submits to a step back into an engine input. It is the one mapping from
// machine.Prompt to steps, shared by drivers/web and contrib/mautrix.
package loginstep

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// StepType is the kind of a Step, as in mautrix bridgev2.
type StepType string

// The step types. StepClosed is tgauth's own: bridgev2 has no step for a login that ended
// without an account, and the API answers 410 where it would be the next step.
const (
	StepUserInput      StepType = "user_input"
	StepDisplayAndWait StepType = "display_and_wait"
	StepComplete       StepType = "complete"
	StepClosed         StepType = "closed"
)

// The step IDs: one per prompt kind, stable across logins and versions.
const (
	StepIDPhone        = "tgauth.phone"
	StepIDBotToken     = "tgauth.bot_token"
	StepIDCode         = "tgauth.code"
	StepIDCodeExpired  = "tgauth.code_expired"
	StepIDPassword     = "tgauth.password"
	StepIDSignUp       = "tgauth.signup"
	StepIDEmail        = "tgauth.email"
	StepIDEmailCode    = "tgauth.email_code"
	StepIDRecoveryCode = "tgauth.recovery_code"
	StepIDQR           = "tgauth.qr"
	StepIDWait         = "tgauth.wait"
	StepIDComplete     = "tgauth.complete"
	StepIDClosed       = "tgauth.closed"
	// StepIDPasswordEmailCode is the account chart's step of an authorized login: the
	// code sent to a new recovery e-mail (its actions resend it, or cancel the e-mail).
	StepIDPasswordEmailCode = "tgauth.password_email_code"
)

// The flows of POST /login/start/{flow}.
const (
	FlowPhone = "phone"
	FlowQR    = "qr"
	FlowBot   = "bot"
)

// Flow is one way to log in, as listed by GET /login/flows.
type Flow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Flows are the login flows tgauth offers.
var Flows = []Flow{
	{ID: FlowPhone, Name: "Phone number", Description: "Log in with a phone number and the code Telegram sends, then the 2FA password if the account has one."},
	{ID: FlowQR, Name: "QR code", Description: "Scan a QR code with a Telegram app that is logged in already (Settings > Devices > Link Desktop Device)."},
	{ID: FlowBot, Name: "Bot token", Description: "Log a bot in with the token @BotFather gave."},
}

// Step is one step of a login, shaped like mautrix bridgev2's LoginStep, with the
// engine's Prompt beside it for front-ends that render more than the fields.
type Step struct {
	Type   StepType `json:"type"`
	StepID string   `json:"step_id"`
	// TxnID names the login's version this step was rendered from: an input sent with it
	// applies only while the login is still there (see the package doc).
	TxnID        string `json:"txn_id"`
	Instructions string `json:"instructions"`

	DisplayAndWait *DisplayAndWait `json:"display_and_wait,omitempty"`
	UserInput      *UserInput      `json:"user_input,omitempty"`
	Complete       *Complete       `json:"complete,omitempty"`

	// State is the login's state; Prompt its details (code type and length, resend-at,
	// password hint, terms of service, flood wait, problem).
	State  machine.State   `json:"state"`
	Prompt *machine.Prompt `json:"prompt"`
	// ProblemText is prompt.problem in English (machine.Problem.Text).
	ProblemText string `json:"problem_text,omitempty"`
}

// DisplayAndWait is what to show while waiting: a QR code (Data is the tg://login URL,
// valid until Expires), or nothing while a Telegram call is in flight.
type DisplayAndWait struct {
	Type    string `json:"type"` // "qr" or "nothing"
	Data    string `json:"data,omitempty"`
	Expires string `json:"expires,omitempty"` // RFC 3339
}

// UserInput lists the fields to fill, and the actions the step takes besides (send
// {"action": NAME} instead of the fields).
type UserInput struct {
	Fields  []Field  `json:"fields"`
	Actions []string `json:"actions,omitempty"`
}

// Field is one input field, as bridgev2's LoginInputDataField.
type Field struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Pattern     string   `json:"pattern,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// Complete names the account a finished login is logged in as.
type Complete struct {
	UserLoginID string        `json:"user_login_id"`
	User        *machine.User `json:"user,omitempty"`
}

// The actions a step may take besides its fields.
const (
	ActionResend  = "resend"  // tgauth.code, tgauth.code_expired: ask for the code again
	ActionRecover = "recover" // tgauth.password: forgot it, send a recovery code by e-mail
	ActionQR      = "qr"      // tgauth.phone, tgauth.bot_token: switch to a QR login
	ActionCancel  = "cancel"  // any awaiting step: give up
)

var (
	phoneField = Field{Type: "phone_number", ID: "phone", Name: "Phone number",
		Description: "In international format, like +9996621234.", Pattern: `^\+?[0-9 ().-]{5,24}$`}
	tokenField = Field{Type: "token", ID: "token", Name: "Bot token",
		Description: "The token @BotFather gave, like 123456:ABC-DEF1234ghIkl.", Pattern: `^[0-9]+:[A-Za-z0-9_-]{8,}$`}
	passwordField = Field{Type: "password", ID: "password", Name: "Password", Description: "Your 2FA (cloud) password."}
	emailField    = Field{Type: "email", ID: "email", Name: "E-mail address", Description: "The address Telegram will send login codes to."}
)

func codeField(name, description string, length int) Field {
	pattern := `^[0-9A-Za-z-]{1,16}$`
	if length > 0 {
		pattern = fmt.Sprintf(`^[0-9]{%d}$`, length)
	}
	return Field{Type: "2fa_code", ID: "code", Name: name, Description: description, Pattern: pattern}
}

// Of renders a login's snapshot as the step a front-end shows now. flow is the flow
// the login was started with, when known ("" for any): it picks the start step of a login
// in state New (tgauth.bot_token for FlowBot, else tgauth.phone). It is the one mapping
// from machine.Prompt to steps: drivers/web serves it and contrib/mautrix converts it to
// bridgev2's types.
func Of(flow string, s machine.Snapshot) Step {
	p := s.Prompt
	st := Step{TxnID: strconv.FormatInt(s.Version, 10), Instructions: p.Message, State: s.State, Prompt: &p,
		ProblemText: p.Problem.Text()}
	input := func(id string, actions []string, fields ...Field) {
		st.Type, st.StepID = StepUserInput, id
		st.UserInput = &UserInput{Fields: fields, Actions: append(actions, ActionCancel)}
		if fields == nil {
			st.UserInput.Fields = []Field{}
		}
	}
	switch p.Kind {
	case machine.AskStart:
		if flow == FlowBot {
			input(StepIDBotToken, []string{ActionQR}, tokenField)
		} else {
			input(StepIDPhone, []string{ActionQR}, phoneField)
		}
	case machine.AskCode:
		length := 0
		if p.Code != nil {
			length = p.Code.Length
		}
		input(StepIDCode, []string{ActionResend}, codeField("Code", "The login code Telegram sent.", length))
	case machine.AskNewCode:
		input(StepIDCodeExpired, []string{ActionResend})
	case machine.AskSignUp:
		input(StepIDSignUp, nil,
			Field{Type: "username", ID: "first_name", Name: "First name", Description: "Your first name (required)."},
			Field{Type: "username", ID: "last_name", Name: "Last name", Description: "Your last name (optional)."},
			Field{Type: "select", ID: "accept_tos", Name: "Accept the terms of service",
				Description: "Telegram's terms of service (in prompt.terms) must be accepted to sign up.", Options: []string{"true"}, Pattern: "^true$"})
	case machine.AskPassword:
		var actions []string
		if p.Password != nil && p.Password.HasRecovery {
			actions = []string{ActionRecover}
		}
		f := passwordField
		if p.Password != nil && p.Password.Hint != "" {
			f.Description = "Your 2FA (cloud) password. Hint: " + p.Password.Hint
		}
		input(StepIDPassword, actions, f)
	case machine.AskRecoveryCode:
		input(StepIDRecoveryCode, nil, codeField("Recovery code", "The code sent to "+p.RecoveryEmail+".", 0))
	case machine.AskEmail:
		input(StepIDEmail, nil, emailField)
	case machine.AskEmailCode:
		input(StepIDEmailCode, nil, codeField("E-mail code", "The code sent to "+p.EmailPattern+".", 0))
	case machine.AskPasswordEmailCode:
		length := 0
		if p.Account != nil {
			length = p.Account.CodeLength
		}
		input(StepIDPasswordEmailCode, []string{ActionResend}, codeField("E-mail code", "The code sent to the new recovery e-mail.", length))
	case machine.ShowQR:
		st.Type, st.StepID = StepDisplayAndWait, StepIDQR
		st.DisplayAndWait = &DisplayAndWait{Type: "nothing"}
		if p.QR != nil {
			st.DisplayAndWait = &DisplayAndWait{Type: "qr", Data: p.QR.URL, Expires: p.QR.Expires.UTC().Format(time.RFC3339)}
		}
	case machine.ShowDone:
		st.Type, st.StepID = StepComplete, StepIDComplete
		st.Complete = &Complete{User: p.User}
		if p.User != nil {
			st.Complete.UserLoginID = strconv.FormatInt(p.User.ID, 10)
		}
	case machine.ShowClosed:
		st.Type, st.StepID = StepClosed, StepIDClosed
	default: // a call in flight
		st.Type, st.StepID = StepDisplayAndWait, StepIDWait
		st.DisplayAndWait = &DisplayAndWait{Type: "nothing"}
	}
	return st
}

// InputFor builds the engine input that values submit to step stepID: the step's fields
// by ID, or {"action": NAME} for one of its actions. It returns a *machine.InputError
// for a missing field or an unknown action; the engine validates the values themselves.
func InputFor(stepID string, values map[string]string) (machine.Input, error) {
	if action := values["action"]; action != "" {
		return actionInput(stepID, action)
	}
	need := func(id string) (string, error) {
		v, ok := values[id]
		if !ok || strings.TrimSpace(v) == "" {
			return "", &machine.InputError{Field: id, Problem: "missing"}
		}
		return v, nil
	}
	var field string
	switch stepID {
	case StepIDPhone:
		field = "phone"
	case StepIDBotToken:
		field = "token"
	case StepIDCode, StepIDRecoveryCode, StepIDEmailCode, StepIDPasswordEmailCode:
		field = "code"
	case StepIDPassword:
		field = "password"
	case StepIDEmail:
		field = "email"
	case StepIDSignUp:
		first, err := need("first_name")
		if err != nil {
			return nil, err
		}
		accept := values["accept_tos"]
		return machine.SubmitSignUp{FirstName: first, LastName: values["last_name"],
			AcceptTerms: accept == "true" || accept == "on" || accept == "yes"}, nil
	default:
		return nil, &machine.InputError{Field: "step", Problem: stepID + " takes no input"}
	}
	v, err := need(field)
	if err != nil {
		return nil, err
	}
	switch stepID {
	case StepIDPhone:
		return machine.SubmitPhone{Phone: v}, nil
	case StepIDBotToken:
		return machine.SubmitBotToken{Token: v}, nil
	case StepIDCode:
		return machine.SubmitCode{Code: v}, nil
	case StepIDRecoveryCode:
		return machine.SubmitRecoveryCode{Code: v}, nil
	case StepIDEmailCode:
		return machine.SubmitEmailCode{Code: v}, nil
	case StepIDPasswordEmailCode:
		return machine.SubmitPasswordEmailCode{Code: v}, nil
	case StepIDPassword:
		return machine.SubmitPassword{Password: v}, nil
	default:
		return machine.SubmitEmail{Email: v}, nil
	}
}

func actionInput(stepID, action string) (machine.Input, error) {
	switch {
	case stepID == StepIDPasswordEmailCode && action == ActionCancel:
		return machine.CancelPasswordEmail{}, nil
	case stepID == StepIDPasswordEmailCode && action == ActionResend:
		return machine.ResendPasswordEmail{}, nil
	case action == ActionCancel:
		return machine.Cancel{}, nil
	case action == ActionResend && (stepID == StepIDCode || stepID == StepIDCodeExpired):
		return machine.Resend{}, nil
	case action == ActionRecover && stepID == StepIDPassword:
		return machine.RequestRecovery{}, nil
	case action == ActionQR && (stepID == StepIDPhone || stepID == StepIDBotToken):
		return machine.StartQR{}, nil
	}
	return nil, &machine.InputError{Field: "action", Problem: fmt.Sprintf("%q is not an action of step %s", action, stepID)}
}

// Is reports whether a step ID a client sent names the step the login is at. A login in
// state New is at either start step, whichever flow the client follows.
func (st Step) Is(id string) bool {
	if st.Prompt != nil && st.Prompt.Kind == machine.AskStart {
		return id == StepIDPhone || id == StepIDBotToken
	}
	return st.StepID == id
}
