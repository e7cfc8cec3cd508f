package mtproto

import (
	"context"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// ImportBotAuthorization calls auth.importBotAuthorization with the app's credentials.
func (a *api) ImportBotAuthorization(ctx context.Context, token string) (tgapi.User, error) {
	const method = "auth.importBotAuthorization"
	res, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) (tg.AuthAuthorizationClass, error) {
		return cl.API().AuthImportBotAuthorization(ctx, &tg.AuthImportBotAuthorizationRequest{
			APIID:        a.c.opts.AppID,
			APIHash:      a.c.opts.AppHash,
			BotAuthToken: token,
		})
	})
	if err != nil {
		return tgapi.User{}, err
	}
	return authorizedUser(method, res)
}
