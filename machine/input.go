package machine

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// Input is what a driver sends a login: one of the Submit*, Resend, Cancel, StartQR,
// RequestRecovery, LogOut and LoginTokenScanned values of this package.
type Input interface {
	// Event is the transition-table event the input fires.
	Event() Event
	// Args are the input's arguments with every secret redacted, for traces and logs.
	Args() map[string]string
	validate() error
}

// Redacted stands in for a secret in Args.
const Redacted = "[redacted]"

// SubmitPhone starts a phone login (auth.sendCode).
type SubmitPhone struct{ Phone string }

// SubmitBotToken starts a bot login (auth.importBotAuthorization).
type SubmitBotToken struct{ Token string }

// StartQR starts a QR-code login (auth.exportLoginToken).
type StartQR struct{}

// SubmitCode answers a login code prompt (auth.signIn).
type SubmitCode struct{ Code string }

// Resend asks for the code again: auth.resendCode while the code is alive, a new
// auth.sendCode once it expired.
type Resend struct{}

// Cancel gives up on the login (auth.cancelCode when a code is outstanding).
type Cancel struct{}

// SubmitSignUp registers a new account (auth.signUp). AcceptTerms must be true: Telegram's
// terms of service (in the prompt) have to be accepted to sign up.
type SubmitSignUp struct {
	FirstName, LastName string
	AcceptTerms         bool
}

// SubmitPassword answers the 2FA password prompt (SRP, auth.checkPassword).
type SubmitPassword struct{ Password string }

// RequestRecovery asks for a password recovery code by e-mail (auth.requestPasswordRecovery).
type RequestRecovery struct{}

// SubmitRecoveryCode answers the recovery code prompt (auth.recoverPassword).
type SubmitRecoveryCode struct{ Code string }

// SubmitEmail sets up a login e-mail when Telegram requires one (account.sendVerifyEmailCode).
type SubmitEmail struct{ Email string }

// SubmitEmailCode answers the e-mail code prompt (account.verifyEmail).
type SubmitEmailCode struct{ Code string }

// LogOut ends an authorized session (auth.logOut).
type LogOut struct{}

// LoginTokenScanned tells the engine that Telegram pushed updateLoginToken: the QR code was
// scanned, so it should export the token again now rather than at the next poll.
type LoginTokenScanned struct{}

// Event implements Input.
func (SubmitPhone) Event() Event { return transitions.SubmitPhone }

// Event implements Input.
func (SubmitBotToken) Event() Event { return transitions.SubmitBotToken }

// Event implements Input.
func (StartQR) Event() Event { return transitions.StartQR }

// Event implements Input.
func (SubmitCode) Event() Event { return transitions.SubmitCode }

// Event implements Input.
func (Resend) Event() Event { return transitions.ResendCode }

// Event implements Input.
func (Cancel) Event() Event { return transitions.Cancel }

// Event implements Input.
func (SubmitSignUp) Event() Event { return transitions.SubmitSignUp }

// Event implements Input.
func (SubmitPassword) Event() Event { return transitions.SubmitPassword }

// Event implements Input.
func (RequestRecovery) Event() Event { return transitions.RequestRecovery }

// Event implements Input.
func (SubmitRecoveryCode) Event() Event { return transitions.SubmitRecoveryCode }

// Event implements Input.
func (SubmitEmail) Event() Event { return transitions.SubmitEmail }

// Event implements Input.
func (SubmitEmailCode) Event() Event { return transitions.SubmitEmailCode }

// Event implements Input.
func (LogOut) Event() Event { return transitions.LogOut }

// Event implements Input.
func (LoginTokenScanned) Event() Event { return transitions.LoginTokenUpdate }

// Args implements Input.
func (in SubmitPhone) Args() map[string]string { return map[string]string{"phone": in.Phone} }

// Args implements Input: the token's secret part is redacted, the bot ID kept.
func (in SubmitBotToken) Args() map[string]string {
	return map[string]string{"token": RedactBotToken(in.Token)}
}

// Args implements Input.
func (StartQR) Args() map[string]string { return nil }

// Args implements Input.
func (SubmitCode) Args() map[string]string { return map[string]string{"code": Redacted} }

// Args implements Input.
func (Resend) Args() map[string]string { return nil }

// Args implements Input.
func (Cancel) Args() map[string]string { return nil }

// Args implements Input.
func (in SubmitSignUp) Args() map[string]string {
	return map[string]string{"first_name": in.FirstName, "last_name": in.LastName, "accept_terms": fmt.Sprint(in.AcceptTerms)}
}

// Args implements Input.
func (SubmitPassword) Args() map[string]string { return map[string]string{"password": Redacted} }

// Args implements Input.
func (RequestRecovery) Args() map[string]string { return nil }

// Args implements Input.
func (SubmitRecoveryCode) Args() map[string]string { return map[string]string{"code": Redacted} }

// Args implements Input.
func (in SubmitEmail) Args() map[string]string { return map[string]string{"email": in.Email} }

// Args implements Input.
func (SubmitEmailCode) Args() map[string]string { return map[string]string{"code": Redacted} }

// Args implements Input.
func (LogOut) Args() map[string]string { return nil }

// Args implements Input.
func (LoginTokenScanned) Args() map[string]string { return nil }

// RedactBotToken keeps the bot ID of a token ("123456:[redacted]") and drops its secret.
func RedactBotToken(token string) string {
	if id, _, ok := strings.Cut(token, ":"); ok && digits.MatchString(id) {
		return id + ":" + Redacted
	}
	return Redacted
}

// CheckCode returns a login code as Telegram wants it, given what the user typed for the
// code prompt c (nil when unknown): spaces and dashes dropped, digits only, of c's length
// when Telegram gave one. SMS word and phrase codes are taken as typed. An *InputError
// says what is wrong: nothing is sent and no attempt is spent. Send applies it to every
// SubmitCode; drivers may call it to refuse a code before sending it.
func CheckCode(c *CodePrompt, text string) (string, error) {
	text = strings.TrimSpace(text)
	if c != nil && (c.Type == tgapi.CodeSMSWord || c.Type == tgapi.CodeSMSPhrase) {
		return text, nil
	}
	code := codeSeparators.Replace(text)
	if code == "" || strings.Trim(code, "0123456789") != "" {
		return "", &InputError{"code", "a code is digits only; enter it again (nothing was sent)"}
	}
	if c != nil && c.Length > 0 && len(code) != c.Length {
		return "", &InputError{"code", fmt.Sprintf("the code has %d digits, not %d; enter it again (nothing was sent)", c.Length, len(code))}
	}
	return code, nil
}

// codeSeparators are what people type between a code's digits.
var codeSeparators = strings.NewReplacer(" ", "", "-", "")

// InputError says what is wrong with an input; nothing was sent and nothing changed.
type InputError struct {
	Field   string
	Problem string
}

func (e *InputError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Problem) }

var (
	digits   = regexp.MustCompile(`^[0-9]+$`)
	phoneRe  = regexp.MustCompile(`^\+[0-9]{5,15}$`)
	botToken = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]{8,}$`)
	codeRe   = regexp.MustCompile(`^[0-9A-Za-z-]{1,16}$`)
	emailRe  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// NormalizePhone strips spaces, dashes, dots and brackets a user may type and writes the
// number with one leading '+': "999 66-2 0008" and "+9996620008" are the same phone. The
// result is what SubmitPhone validates and what the engine stores, and the key of the
// phone's logout tokens and flood waits.
func NormalizePhone(p string) string {
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '+':
			return -1
		}
		return r
	}, strings.TrimSpace(p))
	return "+" + digits
}

func (in SubmitPhone) validate() error {
	if !phoneRe.MatchString(NormalizePhone(in.Phone)) {
		return &InputError{"phone", "want an international number of 5 to 15 digits, like +9996621234"}
	}
	return nil
}

func (in SubmitBotToken) validate() error {
	if !botToken.MatchString(strings.TrimSpace(in.Token)) {
		return &InputError{"bot token", "want the token @BotFather gave, like 123456:ABC-DEF1234ghIkl"}
	}
	return nil
}

func (StartQR) validate() error { return nil }

func (in SubmitCode) validate() error { return validateCode("code", in.Code) }

func validateCode(field, code string) error {
	if !codeRe.MatchString(strings.TrimSpace(code)) {
		return &InputError{field, "want the digits you received, nothing else"}
	}
	return nil
}

func (Resend) validate() error { return nil }
func (Cancel) validate() error { return nil }

func (in SubmitSignUp) validate() error {
	if strings.TrimSpace(in.FirstName) == "" {
		return &InputError{"first name", "must not be empty"}
	}
	if len(in.FirstName) > 64 || len(in.LastName) > 64 {
		return &InputError{"name", "at most 64 characters each"}
	}
	if !in.AcceptTerms {
		return &InputError{"terms of service", "must be accepted to sign up (see the prompt for the text)"}
	}
	return nil
}

func (in SubmitPassword) validate() error {
	if in.Password == "" {
		return &InputError{"password", "must not be empty"}
	}
	return nil
}

func (RequestRecovery) validate() error { return nil }

func (in SubmitRecoveryCode) validate() error { return validateCode("recovery code", in.Code) }

func (in SubmitEmail) validate() error {
	if !emailRe.MatchString(strings.TrimSpace(in.Email)) {
		return &InputError{"e-mail", "want an address like name@example.org"}
	}
	return nil
}

func (in SubmitEmailCode) validate() error { return validateCode("e-mail code", in.Code) }
func (LogOut) validate() error             { return nil }
func (LoginTokenScanned) validate() error  { return nil }

// ParseInput builds the Input for event from string arguments (as a web form, a chat
// command or a trace gives them). It returns an *InputError for an unknown event or
// missing argument; the values themselves are validated when the input is sent.
func ParseInput(event Event, args map[string]string) (Input, error) {
	switch event {
	case transitions.SubmitPhone:
		return SubmitPhone{Phone: args["phone"]}, nil
	case transitions.SubmitBotToken:
		return SubmitBotToken{Token: args["token"]}, nil
	case transitions.StartQR:
		return StartQR{}, nil
	case transitions.SubmitCode:
		return SubmitCode{Code: args["code"]}, nil
	case transitions.ResendCode:
		return Resend{}, nil
	case transitions.Cancel:
		return Cancel{}, nil
	case transitions.SubmitSignUp:
		return SubmitSignUp{FirstName: args["first_name"], LastName: args["last_name"], AcceptTerms: args["accept_terms"] == "true"}, nil
	case transitions.SubmitPassword:
		return SubmitPassword{Password: args["password"]}, nil
	case transitions.RequestRecovery:
		return RequestRecovery{}, nil
	case transitions.SubmitRecoveryCode:
		return SubmitRecoveryCode{Code: args["code"]}, nil
	case transitions.SubmitEmail:
		return SubmitEmail{Email: args["email"]}, nil
	case transitions.SubmitEmailCode:
		return SubmitEmailCode{Code: args["code"]}, nil
	case transitions.LogOut:
		return LogOut{}, nil
	case transitions.LoginTokenUpdate:
		return LoginTokenScanned{}, nil
	}
	if in, ok, err := parseAccountInput(event, args); ok {
		return in, err
	}
	return nil, &InputError{"event", fmt.Sprintf("%q is not an input a driver can send", event)}
}
