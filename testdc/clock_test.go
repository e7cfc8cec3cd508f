package testdc

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// TestExpiries moves the shared DC's clock through code, flood-wait and QR
// token lifetimes. Not parallel: the clock is shared.
func TestExpiries(t *testing.T) {
	d := sharedDC(t)
	freshAccount(t, "9996620002")
	clock := shared.clock
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		// Login tokens.
		export := func() *tg.AuthLoginToken {
			res, err := c.API().AuthExportLoginToken(ctx, &tg.AuthExportLoginTokenRequest{APIID: 1, APIHash: "test-hash"})
			require.NoError(t, err)
			require.IsType(t, &tg.AuthLoginToken{}, res)
			return res.(*tg.AuthLoginToken)
		}
		first := export()
		require.InDelta(t, clock.Now().Add(sharedQRTTL).Unix(), first.Expires, 1)
		require.Equal(t, first, export(), "a valid token is exported again")
		clock.Advance(sharedQRTTL)
		fresh := export()
		require.NotEqual(t, first.Token, fresh.Token)
		require.Greater(t, fresh.Expires, first.Expires)

		// Codes.
		const phone = "9996621002"
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		clock.Advance(5 * time.Minute)
		_, err := c.Auth().SignIn(ctx, phone, "22222", hash)
		requireRPCError(t, err, "PHONE_CODE_EXPIRED")
		hash = sendCode(ctx, t, c, phone).PhoneCodeHash
		_, err = c.Auth().SignIn(ctx, phone, "22222", hash)
		require.NoError(t, err)

		// An authorized user cannot accept an expired token.
		_, err = c.API().AuthAcceptLoginToken(ctx, first.Token)
		requireRPCError(t, err, "AUTH_TOKEN_EXPIRED")

		// Flood wait, counted from the first auth.sendCode.
		_, err = c.Auth().SendCode(ctx, "9996620002", auth.SendCodeOptions{})
		wait, ok := tgerr.AsFloodWait(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, 30*time.Second, wait)
		clock.Advance(20 * time.Second)
		_, err = c.Auth().SendCode(ctx, "9996620002", auth.SendCodeOptions{})
		wait, _ = tgerr.AsFloodWait(err)
		require.Equal(t, 10*time.Second, wait)
		clock.Advance(10 * time.Second)
		sendCode(ctx, t, c, "9996620002")
	})
}
