package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds the phone-code part of the login: auth.sendCode, auth.resendCode,
// auth.cancelCode, auth.signIn, auth.signUp and the login e-mail setup.

// sendCode calls auth.sendCode with the logout tokens in CodeSettings. A PHONE_MIGRATE_X
// answer is handled by the gotd client, which moves the session to DC X and sends again.
func (a *api) sendCode(ctx context.Context, req tgapi.SendCode) (tgapi.SendCodeResult, error) {
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

// resendCode calls auth.resendCode.
func (a *api) resendCode(ctx context.Context, req tgapi.ResendCode) (tgapi.SentCode, error) {
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

// cancelCode calls auth.cancelCode.
func (a *api) cancelCode(ctx context.Context, req tgapi.CancelCode) error {
	_, err := invoke(ctx, a, "auth.cancelCode", func(ctx context.Context, cl *telegram.Client) (bool, error) {
		return cl.API().AuthCancelCode(ctx, &tg.AuthCancelCodeRequest{
			PhoneNumber:   req.Phone,
			PhoneCodeHash: req.PhoneCodeHash,
		})
	})
	return err
}

// signIn calls auth.signIn, with the code as phone_code, or as an
// emailVerificationCode when the code went to the login e-mail.
func (a *api) signIn(ctx context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
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

// signUp calls auth.signUp.
func (a *api) signUp(ctx context.Context, req tgapi.SignUp) (tgapi.User, error) {
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

// loginSetup is the purpose of the login e-mail setup calls, for the code sent to phone.
func loginSetup(phone, phoneCodeHash string) *tg.EmailVerifyPurposeLoginSetup {
	return &tg.EmailVerifyPurposeLoginSetup{PhoneNumber: phone, PhoneCodeHash: phoneCodeHash}
}

// sendVerifyEmailCode calls account.sendVerifyEmailCode with emailVerifyPurposeLoginSetup.
func (a *api) sendVerifyEmailCode(ctx context.Context, req tgapi.SendVerifyEmailCode) (tgapi.EmailCode, error) {
	res, err := invoke(ctx, a, "account.sendVerifyEmailCode", func(ctx context.Context, cl *telegram.Client) (*tg.AccountSentEmailCode, error) {
		return cl.API().AccountSendVerifyEmailCode(ctx, &tg.AccountSendVerifyEmailCodeRequest{
			Purpose: loginSetup(req.Phone, req.PhoneCodeHash),
			Email:   req.Email,
		})
	})
	if err != nil {
		return tgapi.EmailCode{}, err
	}
	return emailCode(res), nil
}

// verifyEmail calls account.verifyEmail with emailVerifyPurposeLoginSetup; the
// account.emailVerifiedLogin answer carries the login code Telegram sent next.
func (a *api) verifyEmail(ctx context.Context, req tgapi.VerifyEmail) (tgapi.SendCodeResult, error) {
	const method = "account.verifyEmail"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AccountEmailVerifiedClass, error) {
		return cl.API().AccountVerifyEmail(ctx, &tg.AccountVerifyEmailRequest{
			Purpose:      loginSetup(req.Phone, req.PhoneCodeHash),
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
