package testdc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tgerr"
)

// TestPasswordSetByGotd: a password set and changed with gotd's own
// auth.Client.UpdatePassword (not tgauth's adapter) is the one the next login's SRP
// check takes; the old one is refused.
func TestPasswordSetByGotd(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	const phone = "9996628181"
	freshAccount(t, phone)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		_, err := c.Auth().SignIn(ctx, phone, "22222", hash)
		require.NoError(t, err)
		require.NoError(t, c.Auth().UpdatePassword(ctx, "first-pw", auth.UpdatePasswordOptions{Hint: "one"}))
		err = c.Auth().UpdatePassword(ctx, "second-pw", auth.UpdatePasswordOptions{Hint: "two",
			Password: func(context.Context) (string, error) { return "wrong-pw", nil }})
		require.True(t, tgerr.Is(err, "PASSWORD_HASH_INVALID"), "%v", err)
		require.NoError(t, c.Auth().UpdatePassword(ctx, "second-pw", auth.UpdatePasswordOptions{Hint: "two",
			Password: func(context.Context) (string, error) { return "first-pw", nil }}))
		p, err := c.API().AccountGetPassword(ctx)
		require.NoError(t, err)
		require.Equal(t, "two", p.Hint)
	})
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		signInTo2FA(ctx, t, c, phone, "22222")
		p, err := c.API().AccountGetPassword(ctx)
		require.NoError(t, err)
		require.Equal(t, "two", p.Hint)
		_, err = c.Auth().Password(ctx, "first-pw")
		require.ErrorIs(t, err, auth.ErrPasswordInvalid)
		_, err = c.Auth().Password(ctx, "second-pw")
		require.NoError(t, err)
	})
}
