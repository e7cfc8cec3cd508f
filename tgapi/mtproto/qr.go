package mtproto

import (
	"context"
	"fmt"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// This file holds QR login: auth.exportLoginToken and auth.importLoginToken on the DC
// Telegram names. The updateLoginToken push is in updates.go.

// exportLoginToken calls auth.exportLoginToken with the app's credentials.
func (a *api) exportLoginToken(ctx context.Context, req tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
	const method = "auth.exportLoginToken"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthLoginTokenClass, error) {
		return cl.API().AuthExportLoginToken(ctx, &tg.AuthExportLoginTokenRequest{
			APIID:     a.c.opts.AppID,
			APIHash:   a.c.opts.AppHash,
			ExceptIDs: req.ExceptIDs,
		})
	})
	if err != nil {
		return tgapi.LoginToken{}, err
	}
	return loginToken(method, res)
}

// importLoginToken calls auth.importLoginToken on DC req.DC. Like gotd's qrlogin.QR.Import, it
// first moves the client's primary connection to that DC (client.MigrateTo: a new auth
// key there, stored in the session), so the login ends on it and later calls use it. With
// DC zero or the current DC it imports where the session is.
func (a *api) importLoginToken(ctx context.Context, req tgapi.ImportLoginToken) (tgapi.LoginToken, error) {
	const method = "auth.importLoginToken"
	dc := req.DC
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthLoginTokenClass, error) {
		if dc != 0 && cl.Config().ThisDC != dc {
			a.c.log.Info("migrating to import login token", "login_id", a.loginID, "from_dc", cl.Config().ThisDC, "to_dc", dc)
			if err := cl.MigrateTo(ctx, dc); err != nil {
				return nil, fmt.Errorf("migrate to DC %d: %w", dc, err)
			}
		}
		return cl.API().AuthImportLoginToken(ctx, req.Token)
	})
	if err != nil {
		return tgapi.LoginToken{}, err
	}
	return loginToken(method, res)
}
