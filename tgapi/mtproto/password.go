package mtproto

import (
	"context"
	"fmt"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds the 2FA part of the login: account.getPassword, the SRP check and
// password recovery.

// getPassword calls account.getPassword.
func (a *api) getPassword(ctx context.Context) (tgapi.PasswordInfo, error) {
	p, err := invoke(ctx, a, "account.getPassword", func(ctx context.Context, cl *telegram.Client) (*tg.AccountPassword, error) {
		return cl.API().AccountGetPassword(ctx)
	})
	if err != nil {
		return tgapi.PasswordInfo{}, err
	}
	return passwordInfo(p), nil
}

// checkPassword calls account.getPassword, computes the SRP answer for req.Password with
// gotd's auth.PasswordHash and calls auth.checkPassword with it. The password never leaves
// this function in any other form.
func (a *api) checkPassword(ctx context.Context, req tgapi.CheckPassword) (tgapi.User, error) {
	const method = "auth.checkPassword"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		_, check, err := passwordProof(ctx, cl, req.Password)
		if err != nil {
			return nil, err
		}
		return cl.API().AuthCheckPassword(ctx, check)
	})
	if err != nil {
		return tgapi.User{}, err
	}
	return authorizedUser(method, res)
}

// passwordProof fetches account.password and computes the SRP proof of password with
// gotd's auth.PasswordHash: inputCheckPasswordEmpty when the account has no password.
func passwordProof(ctx context.Context, cl *telegram.Client, password string) (*tg.AccountPassword, tg.InputCheckPasswordSRPClass, error) {
	p, err := cl.API().AccountGetPassword(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("account.getPassword: %w", err)
	}
	if !p.HasPassword {
		return p, &tg.InputCheckPasswordEmpty{}, nil
	}
	srp, err := auth.PasswordHash([]byte(password), p.SRPID, p.SRPB, p.SecureRandom, p.CurrentAlgo)
	if err != nil {
		return nil, nil, fmt.Errorf("compute SRP answer: %w", err)
	}
	return p, srp, nil
}

// requestPasswordRecovery calls auth.requestPasswordRecovery.
func (a *api) requestPasswordRecovery(ctx context.Context) (tgapi.PasswordRecovery, error) {
	r, err := invoke(ctx, a, "auth.requestPasswordRecovery", func(ctx context.Context, cl *telegram.Client) (*tg.AuthPasswordRecovery, error) {
		return cl.API().AuthRequestPasswordRecovery(ctx)
	})
	if err != nil {
		return tgapi.PasswordRecovery{}, err
	}
	return tgapi.PasswordRecovery{EmailPattern: r.EmailPattern}, nil
}

// recoverPassword calls auth.recoverPassword with the e-mailed code; the 2FA password is
// removed and the session authorized.
func (a *api) recoverPassword(ctx context.Context, req tgapi.RecoverPassword) (tgapi.User, error) {
	const method = "auth.recoverPassword"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		return cl.API().AuthRecoverPassword(ctx, &tg.AuthRecoverPasswordRequest{Code: req.Code})
	})
	if err != nil {
		return tgapi.User{}, err
	}
	return authorizedUser(method, res)
}
