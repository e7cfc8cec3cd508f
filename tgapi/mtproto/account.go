package mtproto

import (
	"context"
	"fmt"
	"time"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds the account chart's calls: the 2FA password's settings and recovery
// e-mail, the account's sessions, and leaked sign-in codes.

// updatePasswordSettings fetches account.password, proves the current password with SRP
// (inputCheckPasswordEmpty when the account has none), computes the new password's
// verifier on Telegram's new_algo with gotd's auth.NewPasswordHash and calls
// account.updatePasswordSettings. An empty New removes the password: new_algo
// passwordKdfAlgoUnknown, an empty hash and no hint. The passwords never leave this
// function in any other form.
func (a *api) updatePasswordSettings(ctx context.Context, req tgapi.UpdatePasswordSettings) error {
	_, err := invoke(ctx, a, "account.updatePasswordSettings", func(ctx context.Context, cl *telegram.Client) (bool, error) {
		p, current, err := passwordProof(ctx, cl, req.Current)
		if err != nil {
			return false, err
		}
		settings := tg.AccountPasswordInputSettings{NewAlgo: &tg.PasswordKdfAlgoUnknown{}, NewPasswordHash: []byte{}}
		if req.New != "" {
			algo, ok := p.NewAlgo.(*tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
			if !ok {
				return false, fmt.Errorf("new password: unsupported algorithm %T", p.NewAlgo)
			}
			hash, err := auth.NewPasswordHash([]byte(req.New), algo)
			if err != nil {
				return false, fmt.Errorf("compute the new password's verifier: %w", err)
			}
			settings.NewAlgo, settings.NewPasswordHash, settings.Hint = algo, hash, req.Hint
		}
		if req.Email != "" {
			settings.SetEmail(req.Email)
		}
		return cl.API().AccountUpdatePasswordSettings(ctx, &tg.AccountUpdatePasswordSettingsRequest{
			Password:    current,
			NewSettings: settings,
		})
	})
	return err
}

// boolCall makes a call that answers a Bool, which carries nothing: an error or not.
func (a *api) boolCall(ctx context.Context, method string, call func(*tg.Client, context.Context) (bool, error)) error {
	_, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (bool, error) {
		return call(cl.API(), ctx)
	})
	return err
}

// getAuthorizations calls account.getAuthorizations.
func (a *api) getAuthorizations(ctx context.Context) (tgapi.Authorizations, error) {
	res, err := invoke(ctx, a, "account.getAuthorizations", func(ctx context.Context, cl *telegram.Client) (*tg.AccountAuthorizations, error) {
		return cl.API().AccountGetAuthorizations(ctx)
	})
	if err != nil {
		return tgapi.Authorizations{}, err
	}
	out := tgapi.Authorizations{TTLDays: res.AuthorizationTTLDays, Sessions: make([]tgapi.Session, 0, len(res.Authorizations))}
	for _, s := range res.Authorizations {
		out.Sessions = append(out.Sessions, sessionOf(s))
	}
	return out, nil
}

// sessionOf maps one authorization.
func sessionOf(s tg.Authorization) tgapi.Session {
	return tgapi.Session{
		Hash: s.Hash, Current: s.Current, Unconfirmed: s.Unconfirmed, PasswordPending: s.PasswordPending,
		Official: s.OfficialApp, Device: s.DeviceModel, Platform: s.Platform, SystemVersion: s.SystemVersion,
		App: s.AppName, AppVersion: s.AppVersion, APIID: s.APIID, IP: s.IP, Country: s.Country, Region: s.Region,
		Created: unixTime(s.DateCreated), Active: unixTime(s.DateActive),
	}
}

// unixTime is a Telegram date; zero stays the zero time.
func unixTime(t int) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// account answers the account chart's requests for Invoke; ok is false for any other.
func (a *api) account(ctx context.Context, req tgapi.Request) (res any, err error, ok bool) {
	switch r := req.(type) {
	case tgapi.UpdatePasswordSettings:
		return nil, a.updatePasswordSettings(ctx, r), true
	case tgapi.ConfirmPasswordEmail:
		return nil, a.boolCall(ctx, "account.confirmPasswordEmail", func(api *tg.Client, ctx context.Context) (bool, error) {
			return api.AccountConfirmPasswordEmail(ctx, r.Code)
		}), true
	case tgapi.ResendPasswordEmail:
		return nil, a.boolCall(ctx, "account.resendPasswordEmail", (*tg.Client).AccountResendPasswordEmail), true
	case tgapi.CancelPasswordEmail:
		return nil, a.boolCall(ctx, "account.cancelPasswordEmail", (*tg.Client).AccountCancelPasswordEmail), true
	case tgapi.GetAuthorizations:
		res, err := result(a.getAuthorizations(ctx))
		return res, err, true
	case tgapi.ResetAuthorization:
		return nil, a.boolCall(ctx, "account.resetAuthorization", func(api *tg.Client, ctx context.Context) (bool, error) {
			return api.AccountResetAuthorization(ctx, r.Hash)
		}), true
	case tgapi.ResetAuthorizations:
		return nil, a.boolCall(ctx, "auth.resetAuthorizations", (*tg.Client).AuthResetAuthorizations), true
	case tgapi.ChangeAuthorizationSettings:
		return nil, a.boolCall(ctx, "account.changeAuthorizationSettings", func(api *tg.Client, ctx context.Context) (bool, error) {
			req := &tg.AccountChangeAuthorizationSettingsRequest{Hash: r.Hash}
			req.SetConfirmed(true)
			return api.AccountChangeAuthorizationSettings(ctx, req)
		}), true
	case tgapi.InvalidateSignInCodes:
		return nil, a.boolCall(ctx, "account.invalidateSignInCodes", func(api *tg.Client, ctx context.Context) (bool, error) {
			return api.AccountInvalidateSignInCodes(ctx, r.Codes)
		}), true
	}
	return nil, nil, false
}
