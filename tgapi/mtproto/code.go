package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds the phone-code part of the login: auth.sendCode, auth.resendCode,
// auth.cancelCode, auth.signIn, auth.signUp and the login e-mail setup.

// SendCode calls auth.sendCode with the logout tokens in CodeSettings. A PHONE_MIGRATE_X
// answer is handled by the gotd client, which moves the session to DC X and sends again.
func (a *api) SendCode(ctx context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error) {
	const method = "auth.sendCode"
	sent, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthSentCodeClass, error) {
		return cl.API().AuthSendCode(ctx, &tg.AuthSendCodeRequest{
			PhoneNumber: req.Phone,
			APIID:       a.c.opts.AppID,
			APIHash:     a.c.opts.AppHash,
			Settings:    tg.CodeSettings{LogoutTokens: req.LogoutTokens},
		})
	})
	if err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return sendCodeResult(method, sent)
}

// ResendCode calls auth.resendCode.
func (a *api) ResendCode(ctx context.Context, req tgapi.CodeRef) (tgapi.SentCode, error) {
	const method = "auth.resendCode"
	sent, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthSentCodeClass, error) {
		return cl.API().AuthResendCode(ctx, &tg.AuthResendCodeRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
		})
	})
	if err != nil {
		return tgapi.SentCode{}, err
	}
	return sentCodeOnly(method, sent)
}

// CancelCode calls auth.cancelCode.
func (a *api) CancelCode(ctx context.Context, req tgapi.CodeRef) error {
	_, err := invoke(ctx, a, "auth.cancelCode", func(ctx context.Context, cl *telegram.Client) (bool, error) {
		return cl.API().AuthCancelCode(ctx, &tg.AuthCancelCodeRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
		})
	})
	return err
}

// SignIn calls auth.signIn, with the code as phone_code, or as an
// emailVerificationCode when the code went to the login e-mail.
func (a *api) SignIn(ctx context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error) {
	const method = "auth.signIn"
	r := &tg.AuthSignInRequest{
		PhoneNumber:   req.Phone,
		PhoneCodeHash: req.PhoneCodeHash,
	}
	if req.ViaEmail {
		r.EmailVerification = &tg.EmailVerificationCode{Code: req.Code}
	} else {
		r.PhoneCode = req.Code
	}
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		return cl.API().AuthSignIn(ctx, r)
	})
	if err != nil {
		return tgapi.Authorization{}, err
	}
	return authorization(method, res)
}

// SignUp calls auth.signUp.
func (a *api) SignUp(ctx context.Context, req tgapi.SignUpRequest) (tgapi.User, error) {
	const method = "auth.signUp"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		return cl.API().AuthSignUp(ctx, &tg.AuthSignUpRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
			FirstName:     req.FirstName,
			LastName:      req.LastName,
		})
	})
	if err != nil {
		return tgapi.User{}, err
	}
	return authorizedUser(method, res)
}

// loginSetup is the purpose of the login e-mail setup calls.
func loginSetup(ref tgapi.CodeRef) *tg.EmailVerifyPurposeLoginSetup {
	return &tg.EmailVerifyPurposeLoginSetup{PhoneNumber: ref.Phone, PhoneCodeHash: ref.PhoneCodeHash}
}

// SendVerifyEmailCode calls account.sendVerifyEmailCode with emailVerifyPurposeLoginSetup.
func (a *api) SendVerifyEmailCode(ctx context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error) {
	res, err := invoke(ctx, a, "account.sendVerifyEmailCode", func(ctx context.Context, cl *telegram.Client) (*tg.AccountSentEmailCode, error) {
		return cl.API().AccountSendVerifyEmailCode(ctx, &tg.AccountSendVerifyEmailCodeRequest{
			Purpose: loginSetup(req.CodeRef),
			Email:   req.Email,
		})
	})
	if err != nil {
		return tgapi.EmailCode{}, err
	}
	return emailCode(res), nil
}

// VerifyEmail calls account.verifyEmail with emailVerifyPurposeLoginSetup; the
// account.emailVerifiedLogin answer carries the login code Telegram sent next.
func (a *api) VerifyEmail(ctx context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error) {
	const method = "account.verifyEmail"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AccountEmailVerifiedClass, error) {
		return cl.API().AccountVerifyEmail(ctx, &tg.AccountVerifyEmailRequest{
			Purpose:      loginSetup(req.CodeRef),
			Verification: &tg.EmailVerificationCode{Code: req.Code},
		})
	})
	if err != nil {
		return tgapi.SendCodeResult{}, err
	}
	login, ok := res.(*tg.AccountEmailVerifiedLogin)
	if !ok {
		return tgapi.SendCodeResult{}, unsupported(method, res)
	}
	return sendCodeResult(method, login.SentCode)
}
