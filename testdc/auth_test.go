package testdc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
)

func TestSignInWithPhoneCode(t *testing.T) {
	d := start(t, Options{})
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		flow := auth.NewFlow(auth.TestUser("+9996621234", 2), auth.SendCodeOptions{})
		require.NoError(t, c.Auth().IfNecessary(ctx, flow))

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996621234), self.ID)
		require.Equal(t, "Test", self.FirstName)
		require.Equal(t, "1234", self.LastName)
		require.Equal(t, "9996621234", self.Phone)
		require.True(t, self.Self)
	})
	require.Equal(t, 1, d.Calls("auth.sendCode"))
	require.Equal(t, 1, d.Calls("auth.signIn"))
}
