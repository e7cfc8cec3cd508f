package machine

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// Snapshot is a login as a front-end sees it: the state and what the user must do now.
type Snapshot struct {
	ID      string `json:"id"`
	Method  Method `json:"method,omitempty"`
	State   State  `json:"state"`
	Version int64  `json:"version"`
	DC      int    `json:"dc,omitempty"`
	// Telegram names the Telegram the login was started on (Options.TelegramID).
	Telegram string    `json:"telegram,omitempty"`
	Prompt   Prompt    `json:"prompt"`
	Updated  time.Time `json:"updated"`
}

// PromptKind says which form a front-end must show.
type PromptKind string

// The prompt kinds.
const (
	AskStart        PromptKind = "start"         // a phone number, a bot token, or QR
	AskCode         PromptKind = "code"          // the login code (Prompt.Code)
	AskNewCode      PromptKind = "code_expired"  // the code expired: resend (a new code) or cancel
	AskSignUp       PromptKind = "signup"        // names and the terms of service (Prompt.Terms)
	AskPassword     PromptKind = "password"      // the 2FA password (Prompt.Password)
	AskRecoveryCode PromptKind = "recovery_code" // the code sent to the recovery e-mail
	AskEmail        PromptKind = "email"         // an address to set up as login e-mail
	AskEmailCode    PromptKind = "email_code"    // the code sent to that address
	ShowQR          PromptKind = "qr"            // show Prompt.QR and wait
	Wait            PromptKind = "wait"          // a Telegram call is in flight
	ShowDone        PromptKind = "done"          // authorized as Prompt.User
	ShowClosed      PromptKind = "closed"        // final: Prompt.Reason says why
)

// Prompt is what the user must do now, in terms a front-end can render without knowing the
// state chart.
type Prompt struct {
	Kind PromptKind `json:"kind"`
	// Message is the prompt in one English sentence, for the simplest front-ends.
	Message string `json:"message"`
	// Accepts lists the inputs the login takes now.
	Accepts []Event `json:"accepts,omitempty"`

	Code          *CodePrompt     `json:"code,omitempty"`
	Password      *PasswordPrompt `json:"password,omitempty"`
	Terms         *TermsOfService `json:"terms,omitempty"`
	QR            *QRPrompt       `json:"qr,omitempty"`
	EmailPattern  string          `json:"email_pattern,omitempty"`
	RecoveryEmail string          `json:"recovery_email,omitempty"`
	User          *User           `json:"user,omitempty"`
	// Account shows the account chart's results: the sessions last listed, the recovery
	// e-mail waiting for its code.
	Account *AccountPrompt `json:"account,omitempty"`

	// RetryAt is set during a flood wait: RetryInput is refused until then.
	RetryAt    time.Time `json:"retry_at,omitzero"`
	RetryInput Event     `json:"retry_input,omitempty"`
	// Problem says why the last input did not get through (render it with Text, or in
	// a front-end's own words); nil when it did.
	Problem *Problem `json:"problem,omitempty"`
	// Attempts counts wrong answers so far; MaxAttempts is where the login fails.
	Attempts    int `json:"attempts,omitempty"`
	MaxAttempts int `json:"max_attempts,omitempty"`
	// Reason says why a final state was reached.
	Reason string `json:"reason,omitempty"`
}

// CodePrompt describes the code that was sent.
type CodePrompt struct {
	Phone        string         `json:"phone"`
	Type         tgapi.CodeType `json:"type"`
	Length       int            `json:"length,omitempty"`
	NextType     tgapi.CodeType `json:"next_type,omitempty"`
	ResendAt     time.Time      `json:"resend_at,omitzero"`
	Pattern      string         `json:"pattern,omitempty"`
	EmailPattern string         `json:"email_pattern,omitempty"`
	URL          string         `json:"url,omitempty"`
}

// PasswordPrompt describes the 2FA password asked for.
type PasswordPrompt struct {
	Hint        string `json:"hint,omitempty"`
	HasRecovery bool   `json:"has_recovery,omitempty"`
}

// QRPrompt is the login URL to show as a QR code, valid until Expires.
type QRPrompt struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}

// QRURL renders a login token as the tg://login URL a QR code carries: base64url with
// padding, as Telegram apps, gotd and Telethon write it.
func QRURL(token []byte) string {
	return "tg://login?token=" + base64.URLEncoding.EncodeToString(token)
}

// codeVia says how a code was delivered, for prompt messages.
var codeVia = map[tgapi.CodeType]string{
	tgapi.CodeApp:         "in your Telegram app",
	tgapi.CodeSMS:         "by SMS",
	tgapi.CodeCall:        "by a phone call",
	tgapi.CodeFlashCall:   "by a flash call (the code is the calling number)",
	tgapi.CodeMissedCall:  "by a missed call (the code is the last digits of the calling number)",
	tgapi.CodeEmail:       "to your login e-mail",
	tgapi.CodeFragmentSMS: "by SMS to your Fragment number",
	tgapi.CodeFirebaseSMS: "by SMS",
	tgapi.CodeSMSWord:     "by SMS (a word)",
	tgapi.CodeSMSPhrase:   "by SMS (a phrase)",
}

// snapshot renders l for front-ends.
func (e *Engine) snapshot(l *Login) Snapshot {
	return Snapshot{ID: l.ID, Method: l.Method, State: l.State, Version: l.Version, DC: l.DC,
		Telegram: l.Telegram, Prompt: e.prompt(l), Updated: l.UpdatedAt}
}

func (e *Engine) prompt(l *Login) Prompt {
	p := Prompt{Accepts: transitions.Accepts(l.State, transitions.Input), Problem: l.Problem}
	if l.RetryAt.After(e.now()) {
		p.RetryAt, p.RetryInput = l.RetryAt, l.RetryInput
	}
	switch l.State {
	case states.New:
		p.Kind, p.Message = AskStart, "Enter a phone number, a bot token, or ask for a QR code."
	case states.CodeSent:
		p.Kind = AskCode
		p.Code = codePrompt(l)
		p.Message = fmt.Sprintf("Enter the %s sent %s.", lengthWord(p.Code.Length, "code"), CodeVia(p.Code.Type))
		e.attempts(&p, l)
	case states.CodeExpired:
		p.Kind, p.Message = AskNewCode, "The code expired. Ask for a new one, or cancel."
	case states.SignUpRequired:
		p.Kind, p.Terms = AskSignUp, l.Terms
		p.Message = "This number has no Telegram account. Enter your name and accept the terms of service to sign up."
	case states.PasswordNeeded:
		p.Kind = AskPassword
		p.Password = &PasswordPrompt{Hint: l.PasswordHint, HasRecovery: l.HasRecovery}
		p.Message = "Enter your 2FA password."
		if l.PasswordHint != "" {
			p.Message = fmt.Sprintf("Enter your 2FA password (hint: %s).", l.PasswordHint)
		}
		e.attempts(&p, l)
	case states.RecoveryCodeSent:
		p.Kind, p.RecoveryEmail = AskRecoveryCode, l.RecoveryEmail
		p.Message = fmt.Sprintf("Enter the recovery code sent to %s.", l.RecoveryEmail)
		e.attempts(&p, l)
	case states.EmailRequired:
		p.Kind, p.Message = AskEmail, "Telegram asks for a login e-mail before it sends codes. Enter an e-mail address."
	case states.EmailCodeSent:
		p.Kind, p.EmailPattern = AskEmailCode, l.EmailPattern
		p.Message = fmt.Sprintf("Enter the code sent to %s.", l.EmailPattern)
		e.attempts(&p, l)
	case states.QRWaiting:
		p.Kind = ShowQR
		if len(l.QRToken) > 0 && l.QRMigrateDC == 0 {
			p.QR = &QRPrompt{URL: QRURL(l.QRToken), Expires: l.QRExpiresAt}
			p.Message = "Scan the QR code with a logged-in Telegram app: Settings > Devices > Link Desktop Device."
		} else {
			p.Message = "Waiting for a QR code from Telegram."
		}
	case states.Authorized:
		p.Kind, p.User = ShowDone, l.User
		p.Message = "Logged in as " + userName(l.User) + "."
		accountPrompt(&p, l)
	case states.PasswordEmailCodeSent:
		p.User = l.User
		accountPrompt(&p, l)
	case states.Cancelled, states.Expired, states.Failed, states.LoggedOut:
		p.Kind, p.Reason, p.User = ShowClosed, closedReason(l), l.User
		p.Message = p.Reason
	default: // in flight
		p.Kind = Wait
		p.Message = fmt.Sprintf("Waiting for Telegram (%s).", callOf(l.State))
	}
	return p
}

// codePrompt describes the code l is waiting for.
func codePrompt(l *Login) *CodePrompt {
	p := &CodePrompt{Phone: l.Phone, ResendAt: l.ResendAt}
	if c := l.Code; c != nil {
		p.Type, p.Length, p.NextType = c.Type, c.Length, c.NextType
		p.Pattern, p.EmailPattern, p.URL = c.Pattern, c.EmailPattern, c.URL
	}
	return p
}

func (e *Engine) attempts(p *Prompt, l *Login) {
	p.Attempts, p.MaxAttempts = l.AttemptsAt(l.State), e.opts.MaxAttempts
}

func callOf(s State) string {
	info, _ := states.Lookup(s)
	return info.Call
}

func lengthWord(n int, what string) string {
	if n > 0 {
		return fmt.Sprintf("%d-digit %s", n, what)
	}
	return what
}

// CodeVia says in words how a code of type t is delivered ("by SMS"), for prompts: the
// one wording drivers share.
func CodeVia(t tgapi.CodeType) string {
	if v, ok := codeVia[t]; ok {
		return v
	}
	return "by " + string(t)
}

func userName(u *User) string {
	if u == nil {
		return "an unknown user"
	}
	name := u.FirstName
	if u.LastName != "" {
		name += " " + u.LastName
	}
	if u.Username != "" {
		name += " (@" + u.Username + ")"
	}
	return fmt.Sprintf("%s, id %d", name, u.ID)
}

func closedReason(l *Login) string {
	switch l.State {
	case states.Cancelled:
		return "The login was cancelled."
	case states.Expired:
		return "The login expired before it was finished."
	case states.LoggedOut:
		if l.Problem != nil && l.Problem.Code == ProblemSessionRevoked {
			return "Logged out: " + l.Problem.Text()
		}
		return "Logged out."
	}
	if l.Problem != nil {
		return "The login failed: " + l.Problem.Text()
	}
	return "The login failed."
}
