package testdc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth/qrlogin"
	"github.com/gotd/td/tg"
)

// qrLogin runs gotd's QR login on c, scanning the first token shown with
// Scan as phone.
func qrLogin(ctx context.Context, t *testing.T, d *DC, c client, phone, password string) (*tg.AuthAuthorization, error) {
	t.Helper()
	scanned := make(chan error, 1)
	shown := false
	a, err := c.QR().Auth(ctx, qrlogin.OnLoginToken(c.updates), func(ctx context.Context, token qrlogin.Token) error {
		if !shown {
			shown = true
			go func() { scanned <- Scan(ctx, d.Config(), phone, password, token.URL()) }()
		}
		return nil
	})
	require.True(t, shown)
	require.NoError(t, <-scanned)
	return a, err
}

func TestQRLogin(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		a, err := qrLogin(ctx, t, d, c, "9996624242", "")
		require.NoError(t, err)
		require.Equal(t, int64(9996624242), a.User.GetID())
		require.Equal(t, 2, c.Config().ThisDC)

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996624242), self.ID)
	})
}

func TestQRLoginMigrates(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{dc: 2}, func(ctx context.Context, c client) {
		// The scanning account lives on DC 1: loginTokenMigrateTo, then
		// auth.importLoginToken on DC 1.
		a, err := qrLogin(ctx, t, d, c, "9996611212", "")
		require.NoError(t, err)
		require.Equal(t, int64(9996611212), a.User.GetID())
		require.Equal(t, 1, c.Config().ThisDC)

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996611212), self.ID)
	})
}

func TestQRLoginWithPassword(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{dc: 2}, func(ctx context.Context, c client) {
		_, err := qrLogin(ctx, t, d, c, "9996623131", "qr-secret")
		requireRPCError(t, err, "SESSION_PASSWORD_NEEDED")

		a, err := c.Auth().Password(ctx, "qr-secret")
		require.NoError(t, err)
		require.Equal(t, int64(9996623131), a.User.GetID())
	})
}
