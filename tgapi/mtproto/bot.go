package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// importBotAuthorization calls auth.importBotAuthorization with the app's credentials.
func (a *api) importBotAuthorization(ctx context.Context, req tgapi.ImportBotAuthorization) (tgapi.User, error) {
	const method = "auth.importBotAuthorization"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		return cl.API().AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{
			APIID:        a.c.opts.AppID,
			APIHash:      a.c.opts.AppHash,
			BotAuthToken: req.Token,
		})
	})
	if err != nil {
		return tgapi.User{}, err
	}
	return authorizedUser(method, res)
}
