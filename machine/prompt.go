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
	AskPayment      PromptKind = "payment"       // pay for the sign-in (Prompt.Payment), then check
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
	Payment *PaymentPrompt `json:"payment,omitempty"`

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
	// EmailReset, for a code sent to the login e-mail, says that the address can be reset
	// (reset_email) and how long that takes, or when a reset asked for happens.
	EmailReset *EmailReset `json:"email_reset,omitempty"`
}

// PaymentPrompt is what a paid sign-in asks: Price (Amount in the smallest units of
// Currency, in words) for PremiumDays of Telegram Premium, whom to write to about it, and,
// once the form was asked for (pay), the URL to pay it at.
type PaymentPrompt struct {
	Amount         int64  `json:"amount"`
	Currency       string `json:"currency"`
	Price          string `json:"price"`
	PremiumDays    int    `json:"premium_days,omitempty"`
	SupportEmail   string `json:"support_email,omitempty"`
	SupportSubject string `json:"support_subject,omitempty"`
	URL            string `json:"url,omitempty"`
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
	p := Prompt{Accepts: e.accepts(l), Problem: l.Problem}
	if l.RetryAt.After(e.now()) {
		p.RetryAt, p.RetryInput = l.RetryAt, l.RetryInput
	}
	switch l.State {
	case states.New:
		p.Kind, p.Message = AskStart, "Enter a phone number, a bot token, or ask for a QR code."
	case states.CodeSent:
		p.Kind = AskCode
		p.Code = codePrompt(l)
		p.Message = codeMessage(p.Code, e.now())
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
		p.Message = fmt.Sprintf("Enter the recovery code sent to %s, and a new password if you want one: recovering without a new password removes the account's 2FA password.", l.RecoveryEmail)
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
	case states.PaymentRequired:
		p.Kind, p.Payment = AskPayment, paymentPrompt(l.Payment)
		p.Message = paymentMessage(p.Payment)
		if p.RetryInput == transitions.CheckPaid {
			p.Message = fmt.Sprintf("Telegram has not received the payment yet. %s Check again after %s.", p.Message, p.RetryAt.UTC().Format(time.RFC3339))
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
		if c.EmailReset != nil {
			r := *c.EmailReset
			p.EmailReset = &r
		}
	}
	return p
}

// accepts lists the inputs l takes now: those of its state the table has, less those
// not available now (see available).
func (e *Engine) accepts(l *Login) []Event {
	var out []Event
	for _, ev := range transitions.Accepts(l.State, transitions.Input) {
		if available(l, ev, e.now()) == nil {
			out = append(out, ev)
		}
	}
	return out
}

// codeMessage asks for the code c describes, in the words its type needs.
func codeMessage(c *CodePrompt, now time.Time) string {
	switch c.Type {
	case tgapi.CodeSMSWord:
		return "Enter the word sent by SMS" + beginning(c.Pattern) + "."
	case tgapi.CodeSMSPhrase:
		return "Enter the phrase sent by SMS" + beginning(c.Pattern) + "."
	case tgapi.CodeFlashCall:
		return fmt.Sprintf("Telegram calls you and hangs up: enter the number that called (it matches %s).", c.Pattern)
	case tgapi.CodeMissedCall:
		return fmt.Sprintf("Telegram calls you and hangs up: enter the last %d digits of the number that called (it begins with %s).", c.Length, c.Pattern)
	case tgapi.CodeFragmentSMS:
		return fmt.Sprintf("Enter the %s sent by SMS to your anonymous number; read it at %s.", lengthWord(c.Length, "code"), c.URL)
	case tgapi.CodeEmail:
		msg := fmt.Sprintf("Enter the %s sent to your login e-mail %s.", lengthWord(c.Length, "code"), c.EmailPattern)
		switch r := c.EmailReset; {
		case r == nil:
		case r.PendingAt.After(now):
			msg += fmt.Sprintf(" The login e-mail will be reset at %s; ask for the reset again then.", r.PendingAt.UTC().Format(time.RFC3339))
		case !r.PendingAt.IsZero():
			msg += " The reset of the login e-mail is due: ask for it again to get a code by SMS."
		case r.Wait > 0:
			msg += fmt.Sprintf(" Cannot reach it? Ask to reset it; the reset takes %s.", r.Wait)
		default:
			msg += " Cannot reach it? Ask to reset it, at once."
		}
		return msg
	}
	return fmt.Sprintf("Enter the %s sent %s.", lengthWord(c.Length, "code"), CodeVia(c.Type))
}

func beginning(b string) string {
	if b == "" {
		return ""
	}
	return fmt.Sprintf(" (it begins with %q)", b)
}

// paymentPrompt describes what a paid sign-in asks; nil without a payment.
func paymentPrompt(p *Payment) *PaymentPrompt {
	if p == nil {
		return nil
	}
	return &PaymentPrompt{Amount: p.Amount, Currency: p.Currency, Price: Price(p.Amount, p.Currency),
		PremiumDays: p.PremiumDays, SupportEmail: p.SupportEmail, SupportSubject: p.SupportSubject, URL: p.URL}
}

func paymentMessage(p *PaymentPrompt) string {
	if p == nil {
		return "Telegram asks for a payment before it sends a code."
	}
	msg := fmt.Sprintf("Telegram sends no code to this number until the sign-in is paid for: %s", p.Price)
	if p.PremiumDays > 0 {
		msg += fmt.Sprintf(" for %d days of Telegram Premium", p.PremiumDays)
	}
	if p.URL == "" {
		msg += ". Ask for the payment form (pay), pay it in a browser, then check the payment (check_paid)."
	} else {
		msg += fmt.Sprintf(". Pay at %s, then check the payment (check_paid).", p.URL)
	}
	if p.SupportEmail != "" {
		msg += fmt.Sprintf(" Questions: write to %s with the subject %q.", p.SupportEmail, p.SupportSubject)
	}
	return msg
}

// currencyExp are the currencies whose smallest unit is not a hundredth (ISO 4217).
var currencyExp = map[string]int{"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}

// Price writes an amount in the smallest units of an ISO 4217 currency in words:
// Price(199, "USD") is "1.99 USD", Price(500, "JPY") "500 JPY".
func Price(amount int64, currency string) string {
	exp, ok := currencyExp[currency]
	if !ok {
		exp = 2
	}
	if exp == 0 {
		return fmt.Sprintf("%d %s", amount, currency)
	}
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, amount/unit, exp, amount%unit, currency)
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
