package mtproto

import (
	"context"
	"fmt"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds QR login: auth.exportLoginToken, auth.importLoginToken on the DC
// Telegram names, and updateLoginToken.

// ExportLoginToken calls auth.exportLoginToken with the app's credentials.
func (a *api) ExportLoginToken(ctx context.Context) (tgapi.LoginToken, error) {
	const method = "auth.exportLoginToken"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthLoginTokenClass, error) {
		return cl.API().AuthExportLoginToken(ctx, &tg.AuthExportLoginTokenRequest{
			APIID:   a.c.opts.AppID,
			APIHash: a.c.opts.AppHash,
		})
	})
	if err != nil {
		return tgapi.LoginToken{}, err
	}
	return loginToken(method, res)
}

// ImportLoginToken calls auth.importLoginToken on DC dc. Like gotd's qrlogin.QR.Import, it
// first moves the client's primary connection to dc (client.MigrateTo: a new auth key
// there, stored in the session), so the login ends on dc and later calls use it. With dc
// zero or the current DC it imports where the session is.
func (a *api) ImportLoginToken(ctx context.Context, dc int, token []byte) (tgapi.LoginToken, error) {
	const method = "auth.importLoginToken"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthLoginTokenClass, error) {
		if dc != 0 && cl.Config().ThisDC != dc {
			a.c.log.Info("migrating to import login token", "login_id", a.loginID, "from_dc", cl.Config().ThisDC, "to_dc", dc)
			if err := cl.MigrateTo(ctx, dc); err != nil {
				return nil, fmt.Errorf("migrate to DC %d: %w", dc, err)
			}
		}
		return cl.API().AuthImportLoginToken(ctx, token)
	})
	if err != nil {
		return tgapi.LoginToken{}, err
	}
	return loginToken(method, res)
}

// loginTokenHandler calls notify with loginID for every updateLoginToken in u.
func loginTokenHandler(loginID string, notify func(loginID string)) telegram.UpdateHandlerFunc {
	return func(ctx context.Context, u tg.UpdatesClass) error {
		if hasLoginToken(u) {
			notify(loginID)
		}
		return nil
	}
}

// hasLoginToken reports whether u carries an updateLoginToken.
func hasLoginToken(u tg.UpdatesClass) bool {
	var list []tg.UpdateClass
	switch u := u.(type) {
	case *tg.UpdateShort:
		list = []tg.UpdateClass{u.Update}
	case *tg.Updates:
		list = u.Updates
	case *tg.UpdatesCombined:
		list = u.Updates
	}
	for _, up := range list {
		if _, ok := up.(*tg.UpdateLoginToken); ok {
			return true
		}
	}
	return false
}
