// Package tgapi is the one interface through which tgauth calls Telegram, in domain types
// rather than MTProto's. The engine (package machine) only ever sees an API; the real one
// runs on gotd (package tgapi/mtproto), a recorded one answers from a trace (package replay).
//
// Errors that Telegram returned come back as *Error, carrying the code, the type and the
// argument of the RPC error (FLOOD_WAIT_30 is type FLOOD_WAIT, argument 30). Any other
// error is a transport failure: the call may or may not have reached Telegram.
//
// The package imports nothing of tgauth.
package tgapi

import (
	"context"
)

// API is bound to one login's MTProto session (one auth key). Every method is one Telegram
// call, except CheckPassword, which fetches account.password and answers with SRP.
type API interface {
	// SendCode calls auth.sendCode. Telegram answers with a code sent, or directly with an
	// authorization (auth.sentCodeSuccess), or SESSION_PASSWORD_NEEDED when one of the
	// logout tokens matches a 2FA account.
	SendCode(ctx context.Context, req SendCodeRequest) (SendCodeResult, error)
	// ResendCode calls auth.resendCode: the code is sent again by the previous NextType.
	ResendCode(ctx context.Context, req CodeRef) (SentCode, error)
	// CancelCode calls auth.cancelCode.
	CancelCode(ctx context.Context, req CodeRef) error
	// SignIn calls auth.signIn with the code the user entered.
	SignIn(ctx context.Context, req SignInRequest) (Authorization, error)
	// SignUp calls auth.signUp for a number that has no account yet.
	SignUp(ctx context.Context, req SignUpRequest) (User, error)
	// PasswordInfo calls account.getPassword, for the hint and the recovery options.
	PasswordInfo(ctx context.Context) (PasswordInfo, error)
	// CheckPassword calls account.getPassword, computes the SRP answer for password and
	// calls auth.checkPassword with it.
	CheckPassword(ctx context.Context, password string) (User, error)
	// RequestPasswordRecovery calls auth.requestPasswordRecovery.
	RequestPasswordRecovery(ctx context.Context) (PasswordRecovery, error)
	// RecoverPassword calls auth.recoverPassword with the e-mailed recovery code.
	RecoverPassword(ctx context.Context, code string) (User, error)
	// SendVerifyEmailCode calls account.sendVerifyEmailCode for the login e-mail setup.
	SendVerifyEmailCode(ctx context.Context, req EmailRequest) (EmailCode, error)
	// VerifyEmail calls account.verifyEmail for the login e-mail setup; Telegram then sends
	// the login code to that e-mail.
	VerifyEmail(ctx context.Context, req VerifyEmailRequest) (SendCodeResult, error)
	// ExportLoginToken calls auth.exportLoginToken for QR login.
	ExportLoginToken(ctx context.Context) (LoginToken, error)
	// ImportLoginToken calls auth.importLoginToken on DC dc (after auth.loginTokenMigrateTo).
	ImportLoginToken(ctx context.Context, dc int, token []byte) (LoginToken, error)
	// ImportBotAuthorization calls auth.importBotAuthorization.
	ImportBotAuthorization(ctx context.Context, token string) (User, error)
	// LogOut calls auth.logOut and returns the future_auth_token, if Telegram gave one.
	LogOut(ctx context.Context) (futureAuthToken []byte, err error)
	// Self returns the user the session is authorized as (users.getUsers [inputUserSelf]);
	// an unauthorized session answers an *Error with code 401.
	Self(ctx context.Context) (User, error)
	// DC returns the data center the session lives on now (after any migration).
	DC() int
}

// SessionStorage keeps one login's MTProto session (auth key, DC, salt) as opaque bytes.
// Its method set matches gotd's session.Storage, so an adapter can use it as is.
type SessionStorage interface {
	// LoadSession returns the stored session, or (nil, ErrNoSession) when there is none.
	LoadSession(ctx context.Context) ([]byte, error)
	// StoreSession replaces the stored session.
	StoreSession(ctx context.Context, data []byte) error
}

// Connector hands out APIs bound to one login's session. Implementations pool connections
// per login and close them when idle; an API stays usable for as long as the caller holds it.
type Connector interface {
	// Connect returns an API for the login with the given ID, whose MTProto session is
	// loaded from and saved to sessions.
	Connect(ctx context.Context, loginID string, sessions SessionStorage) (API, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context, loginID string, sessions SessionStorage) (API, error)

// Connect calls f.
func (f ConnectorFunc) Connect(ctx context.Context, loginID string, sessions SessionStorage) (API, error) {
	return f(ctx, loginID, sessions)
}
