package machine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// Input is what a driver sends a login: one of the Submit*, Resend, Cancel, StartQR,
// RequestRecovery, LogOut, LoginTokenScanned, Pay, CheckPaid and ResetEmail values of this
// package.
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

// StartQR starts a QR-code login (auth.exportLoginToken). ExceptIDs are the IDs of users
// already logged in (except_ids), so that none of them logs in twice.
type StartQR struct{ ExceptIDs []int64 }

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

// SubmitRecoveryCode answers the recovery code prompt (auth.recoverPassword). With a
// NewPassword (and optional Hint) recovery sets that password at once; without one it
// removes the account's 2FA password.
type SubmitRecoveryCode struct{ Code, NewPassword, Hint string }

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
func (in StartQR) Args() map[string]string {
	if len(in.ExceptIDs) == 0 {
		return nil
	}
	return map[string]string{"except_ids": formatIDs(in.ExceptIDs)}
}

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
func (in SubmitRecoveryCode) Args() map[string]string {
	args := map[string]string{"code": Redacted}
	if in.NewPassword != "" {
		args["new_password"], args["hint"] = Redacted, in.Hint
	}
	return args
}

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
// code prompt c (nil when unknown), by the code's type:
//
//   - an SMS word (sms_word): one word, beginning as Telegram said (c.Pattern);
//   - an SMS phrase (sms_phrase): words separated by single spaces, beginning as Telegram
//     said;
//   - a flash call (flash_call): the calling number, matching c.Pattern ('*' any digits);
//   - any other: digits only, of c's length when Telegram gave one (for a missed call,
//     the last digits of the calling number, which begins with c.Pattern).
//
// Separators between digits (spaces, dashes, dots, commas, underscores, slashes: how a
// code is typed where a plain one would be killed, as in a Telegram chat) are dropped,
// and a '+' before a number. An
// *InputError says what is wrong: nothing is sent and no attempt is spent. Send applies it
// to every SubmitCode; drivers may call it to refuse a code before sending it.
func CheckCode(c *CodePrompt, text string) (string, error) {
	text = strings.TrimSpace(text)
	if c != nil {
		switch c.Type {
		case tgapi.CodeSMSWord:
			return checkWords(text, c.Pattern, false)
		case tgapi.CodeSMSPhrase:
			return checkWords(text, c.Pattern, true)
		}
	}
	code := codeSeparators.Replace(text)
	if c != nil && c.Type == tgapi.CodeFlashCall {
		code = strings.TrimPrefix(code, "+")
	}
	if code == "" || strings.Trim(code, "0123456789") != "" {
		return "", &InputError{"code", "a code is digits only; enter it again (nothing was sent)"}
	}
	if c != nil && c.Type == tgapi.CodeFlashCall && c.Pattern != "" && !flashPattern(c.Pattern).MatchString(code) {
		return "", &InputError{"code", fmt.Sprintf("enter the whole number that called, which matches %s; enter it again (nothing was sent)", c.Pattern)}
	}
	if c != nil && c.Length > 0 && len(code) != c.Length {
		return "", &InputError{"code", fmt.Sprintf("the code has %d digits, not %d; enter it again (nothing was sent)", c.Length, len(code))}
	}
	return code, nil
}

// checkWords checks an SMS word (one word) or phrase (several) against the beginning
// Telegram announced, and returns it with single spaces between its words.
func checkWords(text, beginning string, phrase bool) (string, error) {
	words := strings.Fields(text)
	what := "word"
	if phrase {
		what = "phrase"
	}
	if len(words) == 0 || !phrase && len(words) > 1 {
		return "", &InputError{"code", fmt.Sprintf("enter the %s of the SMS; enter it again (nothing was sent)", what)}
	}
	for _, w := range words {
		if strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' }) >= 0 {
			return "", &InputError{"code", fmt.Sprintf("the %s of the SMS has letters only; enter it again (nothing was sent)", what)}
		}
	}
	code := strings.Join(words, " ")
	if beginning != "" && !strings.HasPrefix(strings.ToLower(code), strings.ToLower(beginning)) {
		return "", &InputError{"code", fmt.Sprintf("the %s of the SMS begins with %q; enter it again (nothing was sent)", what, beginning)}
	}
	return code, nil
}

// flashPattern turns a flash call's number pattern ("+99966*") into a regular expression
// over the number's digits: '*' stands for any digits, anything else but digits is dropped.
func flashPattern(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch {
		case r == '*':
			b.WriteString("[0-9]*")
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// formatIDs writes user IDs as a comma-separated list, as ParseIDs reads them.
func formatIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// ParseIDs reads a comma-separated list of user IDs ("" is none): the except_ids of a QR
// login, as a flag or a form gives them.
func ParseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			return nil, &InputError{"except_ids", fmt.Sprintf("%q is not a user ID; want positive numbers separated by commas", part)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// codeSeparators are what people type between a code's digits.
var codeSeparators = strings.NewReplacer(" ", "", "-", "", ".", "", ",", "", "_", "", "/", "")

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

func (in SubmitCode) validate() error {
	// The shape depends on the code's type (digits, a word, a phrase): CheckCode checks it
	// against the prompt.
	if code := strings.TrimSpace(in.Code); code == "" || len(code) > 128 {
		return &InputError{"code", "want the code you received: digits, or the word or phrase of an SMS"}
	}
	return nil
}

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

func (in SubmitRecoveryCode) validate() error {
	if in.NewPassword == "" && in.Hint != "" {
		return &InputError{"hint", "a hint goes with a new password; give one, or leave the hint out"}
	}
	if in.Hint != "" && in.Hint == in.NewPassword {
		return &InputError{"hint", "must not be the password itself"}
	}
	return validateCode("recovery code", in.Code)
}

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
		ids, err := ParseIDs(args["except_ids"])
		return StartQR{ExceptIDs: ids}, err
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
		return SubmitRecoveryCode{Code: args["code"], NewPassword: args["new_password"], Hint: args["hint"]}, nil
	case transitions.SubmitEmail:
		return SubmitEmail{Email: args["email"]}, nil
	case transitions.SubmitEmailCode:
		return SubmitEmailCode{Code: args["code"]}, nil
	case transitions.LogOut:
		return LogOut{}, nil
	case transitions.LoginTokenUpdate:
		return LoginTokenScanned{}, nil
	case transitions.Pay:
		return Pay{}, nil
	case transitions.CheckPaid:
		return CheckPaid{}, nil
	case transitions.ResetEmail:
		return ResetEmail{}, nil
	}
	if in, ok, err := parseAccountInput(event, args); ok {
		return in, err
	}
	return nil, &InputError{"event", fmt.Sprintf("%q is not an input a driver can send", event)}
}

// Pay asks for the payment form of a paid sign-in (payments.getPaymentForm), to pay it in a
// browser at the URL the prompt then shows.
type Pay struct{}

// CheckPaid asks Telegram whether the sign-in was paid (auth.checkPaidAuth); once it was,
// the code is sent.
type CheckPaid struct{}

// ResetEmail asks Telegram to reset the login e-mail a code went to (auth.resetLoginEmail),
// for someone who cannot reach that address any more.
type ResetEmail struct{}

// Event implements Input.
func (Pay) Event() Event { return transitions.Pay }

// Event implements Input.
func (CheckPaid) Event() Event { return transitions.CheckPaid }

// Event implements Input.
func (ResetEmail) Event() Event { return transitions.ResetEmail }

// Args implements Input.
func (Pay) Args() map[string]string { return nil }

// Args implements Input.
func (CheckPaid) Args() map[string]string { return nil }

// Args implements Input.
func (ResetEmail) Args() map[string]string { return nil }

func (Pay) validate() error        { return nil }
func (CheckPaid) validate() error  { return nil }
func (ResetEmail) validate() error { return nil }
