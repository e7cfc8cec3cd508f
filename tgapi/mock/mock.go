// Package mock is a mock tgapi.API for unit tests of the engine and the drivers above it.
// Each method calls the function of the same name if it is set, and otherwise fails the
// call with an error naming the method, so a test states exactly which calls it expects.
// It is a mock: nothing here behaves like Telegram on its own.
package mock

import (
	"context"
	"fmt"
	"sync"

	"github.com/tgauth/tgauth/tgapi"
)

// API is a mock tgapi.API. Set the *Func fields a test expects to be called.
type API struct {
	SendCodeFunc                func(ctx context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error)
	ResendCodeFunc              func(ctx context.Context, req tgapi.CodeRef) (tgapi.SentCode, error)
	CancelCodeFunc              func(ctx context.Context, req tgapi.CodeRef) error
	SignInFunc                  func(ctx context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error)
	SignUpFunc                  func(ctx context.Context, req tgapi.SignUpRequest) (tgapi.User, error)
	PasswordInfoFunc            func(ctx context.Context) (tgapi.PasswordInfo, error)
	CheckPasswordFunc           func(ctx context.Context, password string) (tgapi.User, error)
	RequestPasswordRecoveryFunc func(ctx context.Context) (tgapi.PasswordRecovery, error)
	RecoverPasswordFunc         func(ctx context.Context, code string) (tgapi.User, error)
	SendVerifyEmailCodeFunc     func(ctx context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error)
	VerifyEmailFunc             func(ctx context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error)
	ExportLoginTokenFunc        func(ctx context.Context) (tgapi.LoginToken, error)
	ImportLoginTokenFunc        func(ctx context.Context, dc int, token []byte) (tgapi.LoginToken, error)
	ImportBotAuthorizationFunc  func(ctx context.Context, token string) (tgapi.User, error)
	LogOutFunc                  func(ctx context.Context) ([]byte, error)
	SelfFunc                    func(ctx context.Context) (tgapi.User, error)
	// DataCenter is what DC returns (0 if unset).
	DataCenter int

	mu    sync.Mutex
	calls []string
}

var _ tgapi.API = (*API)(nil)

// Calls returns the names of the methods called so far, in order.
func (m *API) Calls() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.calls...)
}

// Connector returns a connector that hands out m for every login.
func (m *API) Connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
		return m, nil
	})
}

func (m *API) record(method string, set bool) error {
	m.mu.Lock()
	m.calls = append(m.calls, method)
	m.mu.Unlock()
	if !set {
		return fmt.Errorf("mock: unexpected call to %s", method)
	}
	return nil
}

// SendCode implements tgapi.API.
func (m *API) SendCode(ctx context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error) {
	if err := m.record("SendCode", m.SendCodeFunc != nil); err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return m.SendCodeFunc(ctx, req)
}

// ResendCode implements tgapi.API.
func (m *API) ResendCode(ctx context.Context, req tgapi.CodeRef) (tgapi.SentCode, error) {
	if err := m.record("ResendCode", m.ResendCodeFunc != nil); err != nil {
		return tgapi.SentCode{}, err
	}
	return m.ResendCodeFunc(ctx, req)
}

// CancelCode implements tgapi.API.
func (m *API) CancelCode(ctx context.Context, req tgapi.CodeRef) error {
	if err := m.record("CancelCode", m.CancelCodeFunc != nil); err != nil {
		return err
	}
	return m.CancelCodeFunc(ctx, req)
}

// SignIn implements tgapi.API.
func (m *API) SignIn(ctx context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error) {
	if err := m.record("SignIn", m.SignInFunc != nil); err != nil {
		return tgapi.Authorization{}, err
	}
	return m.SignInFunc(ctx, req)
}

// SignUp implements tgapi.API.
func (m *API) SignUp(ctx context.Context, req tgapi.SignUpRequest) (tgapi.User, error) {
	if err := m.record("SignUp", m.SignUpFunc != nil); err != nil {
		return tgapi.User{}, err
	}
	return m.SignUpFunc(ctx, req)
}

// PasswordInfo implements tgapi.API.
func (m *API) PasswordInfo(ctx context.Context) (tgapi.PasswordInfo, error) {
	if err := m.record("PasswordInfo", m.PasswordInfoFunc != nil); err != nil {
		return tgapi.PasswordInfo{}, err
	}
	return m.PasswordInfoFunc(ctx)
}

// CheckPassword implements tgapi.API.
func (m *API) CheckPassword(ctx context.Context, password string) (tgapi.User, error) {
	if err := m.record("CheckPassword", m.CheckPasswordFunc != nil); err != nil {
		return tgapi.User{}, err
	}
	return m.CheckPasswordFunc(ctx, password)
}

// RequestPasswordRecovery implements tgapi.API.
func (m *API) RequestPasswordRecovery(ctx context.Context) (tgapi.PasswordRecovery, error) {
	if err := m.record("RequestPasswordRecovery", m.RequestPasswordRecoveryFunc != nil); err != nil {
		return tgapi.PasswordRecovery{}, err
	}
	return m.RequestPasswordRecoveryFunc(ctx)
}

// RecoverPassword implements tgapi.API.
func (m *API) RecoverPassword(ctx context.Context, code string) (tgapi.User, error) {
	if err := m.record("RecoverPassword", m.RecoverPasswordFunc != nil); err != nil {
		return tgapi.User{}, err
	}
	return m.RecoverPasswordFunc(ctx, code)
}

// SendVerifyEmailCode implements tgapi.API.
func (m *API) SendVerifyEmailCode(ctx context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error) {
	if err := m.record("SendVerifyEmailCode", m.SendVerifyEmailCodeFunc != nil); err != nil {
		return tgapi.EmailCode{}, err
	}
	return m.SendVerifyEmailCodeFunc(ctx, req)
}

// VerifyEmail implements tgapi.API.
func (m *API) VerifyEmail(ctx context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error) {
	if err := m.record("VerifyEmail", m.VerifyEmailFunc != nil); err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return m.VerifyEmailFunc(ctx, req)
}

// ExportLoginToken implements tgapi.API.
func (m *API) ExportLoginToken(ctx context.Context) (tgapi.LoginToken, error) {
	if err := m.record("ExportLoginToken", m.ExportLoginTokenFunc != nil); err != nil {
		return tgapi.LoginToken{}, err
	}
	return m.ExportLoginTokenFunc(ctx)
}

// ImportLoginToken implements tgapi.API.
func (m *API) ImportLoginToken(ctx context.Context, dc int, token []byte) (tgapi.LoginToken, error) {
	if err := m.record("ImportLoginToken", m.ImportLoginTokenFunc != nil); err != nil {
		return tgapi.LoginToken{}, err
	}
	return m.ImportLoginTokenFunc(ctx, dc, token)
}

// ImportBotAuthorization implements tgapi.API.
func (m *API) ImportBotAuthorization(ctx context.Context, token string) (tgapi.User, error) {
	if err := m.record("ImportBotAuthorization", m.ImportBotAuthorizationFunc != nil); err != nil {
		return tgapi.User{}, err
	}
	return m.ImportBotAuthorizationFunc(ctx, token)
}

// LogOut implements tgapi.API.
func (m *API) LogOut(ctx context.Context) ([]byte, error) {
	if err := m.record("LogOut", m.LogOutFunc != nil); err != nil {
		return nil, err
	}
	return m.LogOutFunc(ctx)
}

// Self implements tgapi.API.
func (m *API) Self(ctx context.Context) (tgapi.User, error) {
	if err := m.record("Self", m.SelfFunc != nil); err != nil {
		return tgapi.User{}, err
	}
	return m.SelfFunc(ctx)
}

// DC implements tgapi.API.
func (m *API) DC() int { return m.DataCenter }
