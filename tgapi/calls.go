package tgapi

import (
	"fmt"
	"reflect"
)

// Method is a Telegram method's TL name, as a trace spells it: "auth.sendCode".
type Method string

// Request is the arguments of one call of the table; its type names the method.
type Request interface {
	// Method returns the TL name of the call.
	Method() Method
}

// The requests, one type per method. Their JSON field names are what a trace holds.
type (
	// SendCode is auth.sendCode. LogoutTokens are the future_auth_tokens kept from earlier
	// log-outs, newest first. Telegram answers a SendCodeResult: a code sent, an
	// authorization at once (auth.sentCodeSuccess), or SESSION_PASSWORD_NEEDED when a
	// logout token matches a 2FA account.
	SendCode struct {
		Phone        string   `json:"phone"`
		LogoutTokens [][]byte `json:"logout_tokens,omitempty"`
	}
	// ResendCode is auth.resendCode: the code goes out again by the previous NextType.
	// Answers a SentCode.
	ResendCode CodeRef
	// CancelCode is auth.cancelCode. Answers nothing.
	CancelCode CodeRef
	// SignIn is auth.signIn with the code the user entered. Answers an Authorization.
	SignIn struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Code          string `json:"code"`
		// ViaEmail sends the code as email_verification (it went to the login e-mail).
		ViaEmail bool `json:"via_email,omitempty"`
	}
	// SignUp is auth.signUp for a number that has no account yet. Answers a User.
	SignUp struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name,omitempty"`
	}
	// GetPassword is account.getPassword, for the hint and the recovery options. Answers
	// a PasswordInfo.
	GetPassword struct{}
	// CheckPassword fetches account.password, computes the SRP answer for Password and
	// calls auth.checkPassword with it. Answers a User.
	CheckPassword struct {
		Password string `json:"password"`
	}
	// RequestPasswordRecovery is auth.requestPasswordRecovery. Answers a PasswordRecovery.
	RequestPasswordRecovery struct{}
	// RecoverPassword is auth.recoverPassword with the e-mailed recovery code. Answers a User.
	RecoverPassword struct {
		Code string `json:"code"`
	}
	// SendVerifyEmailCode is account.sendVerifyEmailCode for the login e-mail setup.
	// Answers an EmailCode.
	SendVerifyEmailCode struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Email         string `json:"email"`
	}
	// VerifyEmail is account.verifyEmail for the login e-mail setup; Telegram then sends
	// the login code to that e-mail. Answers a SendCodeResult.
	VerifyEmail struct {
		Phone         string `json:"phone"`
		PhoneCodeHash string `json:"phone_code_hash"`
		Code          string `json:"code"`
	}
	// ExportLoginToken is auth.exportLoginToken for QR login. Answers a LoginToken.
	ExportLoginToken struct{}
	// ImportLoginToken is auth.importLoginToken on DC (after auth.loginTokenMigrateTo).
	// Answers a LoginToken.
	ImportLoginToken struct {
		DC    int    `json:"dc"`
		Token []byte `json:"token"`
	}
	// ImportBotAuthorization is auth.importBotAuthorization. Answers a User.
	ImportBotAuthorization struct {
		Token string `json:"token"`
	}
	// LogOut is auth.logOut. Answers a LoggedOut.
	LogOut struct{}
	// GetSelf asks who the session is authorized as (users.getUsers [inputUserSelf]); an
	// unauthorized session answers an *Error with code 401. Answers a User.
	GetSelf struct{}
)

// CodeRef names a code sent earlier: the phone and the phone_code_hash.
type CodeRef struct {
	Phone         string `json:"phone"`
	PhoneCodeHash string `json:"phone_code_hash"`
}

// LoggedOut is what auth.logOut answered.
type LoggedOut struct {
	// FutureAuthToken, if Telegram gave one, lets the next auth.sendCode of this account
	// skip the code (at most 20 are kept per phone).
	FutureAuthToken []byte `json:"future_auth_token"`
}

// Redaction says how a field is kept out of traces and logs.
type Redaction int

const (
	// Secret fields are replaced whole (each element of a list of secrets, one by one).
	Secret Redaction = iota + 1
	// BotToken fields keep the bot ID and lose the secret after the colon.
	BotToken
	// Phone fields keep their first 3 and last 2 digits.
	Phone
)

// Call is one row of the call table.
type Call struct {
	// Method is the TL name, as the request type names it.
	Method Method
	// Request is the zero value of the request type.
	Request Request
	// Result is the zero value of the result type; nil when the call answers nothing.
	Result any
	// Redact names the request's and the result's JSON fields that are secret or
	// personal, and how each is redacted. Users' phones in results are always masked.
	Redact map[string]Redaction
}

// Calls is the call table: every call the engine makes, named once. The recorder, the
// player and the mock (packages replay and tgapi/mock) are driven by it.
var Calls = []Call{
	{Request: SendCode{}, Result: SendCodeResult{},
		Redact: map[string]Redaction{"phone": Phone, "logout_tokens": Secret}},
	{Request: ResendCode{}, Result: SentCode{}, Redact: map[string]Redaction{"phone": Phone}},
	{Request: CancelCode{}, Redact: map[string]Redaction{"phone": Phone}},
	{Request: SignIn{}, Result: Authorization{},
		Redact: map[string]Redaction{"phone": Phone, "code": Secret}},
	{Request: SignUp{}, Result: User{}, Redact: map[string]Redaction{"phone": Phone}},
	{Request: GetPassword{}, Result: PasswordInfo{}},
	{Request: CheckPassword{}, Result: User{}, Redact: map[string]Redaction{"password": Secret}},
	{Request: RequestPasswordRecovery{}, Result: PasswordRecovery{}},
	{Request: RecoverPassword{}, Result: User{}, Redact: map[string]Redaction{"code": Secret}},
	{Request: SendVerifyEmailCode{}, Result: EmailCode{},
		Redact: map[string]Redaction{"phone": Phone}},
	{Request: VerifyEmail{}, Result: SendCodeResult{},
		Redact: map[string]Redaction{"phone": Phone, "code": Secret}},
	{Request: ExportLoginToken{}, Result: LoginToken{}},
	{Request: ImportLoginToken{}, Result: LoginToken{}},
	{Request: ImportBotAuthorization{}, Result: User{},
		Redact: map[string]Redaction{"token": BotToken}},
	{Request: LogOut{}, Result: LoggedOut{}, Redact: map[string]Redaction{"future_auth_token": Secret}},
	{Request: GetSelf{}, Result: User{}},

	// The account chart (account.go).
	{Request: UpdatePasswordSettings{}, Redact: map[string]Redaction{"current": Secret, "new": Secret}},
	{Request: ConfirmPasswordEmail{}, Redact: map[string]Redaction{"code": Secret}},
	{Request: ResendPasswordEmail{}},
	{Request: CancelPasswordEmail{}},
	{Request: GetAuthorizations{}, Result: Authorizations{}},
	{Request: ResetAuthorization{}},
	{Request: ResetAuthorizations{}},
	{Request: ChangeAuthorizationSettings{}},
	{Request: InvalidateSignInCodes{}, Redact: map[string]Redaction{"codes": Secret}},
}

var (
	callsByMethod = map[Method]Call{}
	callsByType   = map[reflect.Type]Call{}
)

func init() {
	for i := range Calls {
		Calls[i].Method = Calls[i].Request.Method()
		c := Calls[i]
		callsByMethod[c.Method] = c
		callsByType[reflect.TypeOf(c.Request)] = c
	}
}

// LookupCall returns the table row of a method; ok is false for a method not in it.
func LookupCall(m Method) (c Call, ok bool) {
	c, ok = callsByMethod[m]
	return c, ok
}

// NewRequest returns a pointer to a new zero request of method m, to decode into.
func (c Call) NewRequest() any { return reflect.New(reflect.TypeOf(c.Request)).Interface() }

// NewResult returns a pointer to a new zero result of method m, to decode into; nil when
// the call answers nothing.
func (c Call) NewResult() any {
	if c.Result == nil {
		return nil
	}
	return reflect.New(reflect.TypeOf(c.Result)).Interface()
}

// CheckResult reports whether res is what the table says req's call answers: a value of
// its result type, or nil for a call that answers nothing.
func CheckResult(req Request, res any) error {
	c, ok := callsByType[reflect.TypeOf(req)]
	if !ok {
		return fmt.Errorf("tgapi: %T is not a request of the call table", req)
	}
	if c.Result == nil && res == nil || c.Result != nil && reflect.TypeOf(res) == reflect.TypeOf(c.Result) {
		return nil
	}
	return fmt.Errorf("tgapi: %s answered %T, want %T", c.Method, res, c.Result)
}

// Method implementations: each request type names its call.

// Method implements Request.
func (SendCode) Method() Method { return "auth.sendCode" }

// Method implements Request.
func (ResendCode) Method() Method { return "auth.resendCode" }

// Method implements Request.
func (CancelCode) Method() Method { return "auth.cancelCode" }

// Method implements Request.
func (SignIn) Method() Method { return "auth.signIn" }

// Method implements Request.
func (SignUp) Method() Method { return "auth.signUp" }

// Method implements Request.
func (GetPassword) Method() Method { return "account.getPassword" }

// Method implements Request.
func (CheckPassword) Method() Method { return "auth.checkPassword" }

// Method implements Request.
func (RequestPasswordRecovery) Method() Method { return "auth.requestPasswordRecovery" }

// Method implements Request.
func (RecoverPassword) Method() Method { return "auth.recoverPassword" }

// Method implements Request.
func (SendVerifyEmailCode) Method() Method { return "account.sendVerifyEmailCode" }

// Method implements Request.
func (VerifyEmail) Method() Method { return "account.verifyEmail" }

// Method implements Request.
func (ExportLoginToken) Method() Method { return "auth.exportLoginToken" }

// Method implements Request.
func (ImportLoginToken) Method() Method { return "auth.importLoginToken" }

// Method implements Request.
func (ImportBotAuthorization) Method() Method { return "auth.importBotAuthorization" }

// Method implements Request.
func (LogOut) Method() Method { return "auth.logOut" }

// Method implements Request.
func (GetSelf) Method() Method { return "users.getUsers" }
