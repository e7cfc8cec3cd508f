package testdc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
)

func TestSRPRefusesBadA(t *testing.T) {
	t.Parallel()
	pass := newPassword("correct horse")
	pass.derive()
	ch := pass.challenge()
	for _, a := range [][]byte{nil, {0}, srpPrime, append(srpPrime, 1)} {
		require.False(t, ch.verify(a, make([]byte, 32)), "A = %x", a)
	}
}

// signInTo2FA signs in with the phone code and expects the password step.
func signInTo2FA(ctx context.Context, t *testing.T, c client, phone, code string) {
	t.Helper()
	hash := sendCode(ctx, t, c, phone).PhoneCodeHash
	_, err := c.Auth().SignIn(ctx, phone, code, hash)
	require.ErrorIs(t, err, auth.ErrPasswordAuthNeeded)
}

func TestTwoFactorPassword(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		signInTo2FA(ctx, t, c, "9996627777", "22222")

		p, err := c.API().AccountGetPassword(ctx)
		require.NoError(t, err)
		require.True(t, p.HasPassword)
		require.False(t, p.HasRecovery)
		require.Equal(t, "the usual", p.Hint)
		require.Len(t, p.SRPB, 256)
		algo := p.CurrentAlgo.(*tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow)
		require.Equal(t, 3, algo.G)
		require.Equal(t, srpPrime, algo.P)

		_, err = c.Auth().Password(ctx, "hunter3")
		require.ErrorIs(t, err, auth.ErrPasswordInvalid)
		_, err = c.Self(ctx)
		require.True(t, auth.IsKeyUnregistered(err), "%v", err)

		a, err := c.Auth().Password(ctx, "hunter2")
		require.NoError(t, err)
		require.Equal(t, int64(9996627777), a.User.GetID())
		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996627777), self.ID)
	})
}

func TestPasswordRecovery(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	freshAccount(t, "9996638888")
	const phone = "9996638888"
	run(t, d, clientOptions{dc: 3}, func(ctx context.Context, c client) {
		signInTo2FA(ctx, t, c, phone, "33333")

		_, err := c.Auth().RecoverPassword(ctx, auth.RecoverPasswordOptions{Code: "333333"})
		requireRPCError(t, err, "CODE_INVALID") // no code was requested

		rec, err := c.Auth().RequestPasswordRecovery(ctx)
		require.NoError(t, err)
		require.Equal(t, "r***@example.com", rec.EmailPattern)

		_, err = c.Auth().RecoverPassword(ctx, auth.RecoverPasswordOptions{Code: "000000"})
		requireRPCError(t, err, "CODE_INVALID")
		a, err := c.Auth().RecoverPassword(ctx, auth.RecoverPasswordOptions{Code: "333333"})
		require.NoError(t, err)
		require.Equal(t, int64(9996638888), a.User.GetID())

		_, err = c.API().AuthLogOut(ctx)
		require.NoError(t, err)
		// The password is gone.
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		_, err = c.Auth().SignIn(ctx, phone, "33333", hash)
		require.NoError(t, err)
	})
}

func TestRecoveryWithNewPassword(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	freshAccount(t, "9996638889")
	const phone = "9996638889"
	run(t, d, clientOptions{dc: 3}, func(ctx context.Context, c client) {
		signInTo2FA(ctx, t, c, phone, "33333")
		_, err := c.Auth().RequestPasswordRecovery(ctx)
		require.NoError(t, err)
		_, err = c.Auth().RecoverPassword(ctx, auth.RecoverPasswordOptions{Code: "333333", NewPassword: "new"})
		require.NoError(t, err)
		_, err = c.API().AuthLogOut(ctx)
		require.NoError(t, err)

		signInTo2FA(ctx, t, c, phone, "33333")
		_, err = c.Auth().Password(ctx, "new")
		require.NoError(t, err)
	})
}

func TestLogoutTokens(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	freshAccount(t, "9996626666")
	freshAccount(t, "9996626667")
	var token []byte
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		signInTo2FA(ctx, t, c, "9996626666", "22222")
		_, err := c.Auth().Password(ctx, "pw")
		require.NoError(t, err)
		out, err := c.API().AuthLogOut(ctx)
		require.NoError(t, err)
		require.Len(t, out.FutureAuthToken, 32)
		token = out.FutureAuthToken
		_, err = c.Self(ctx)
		require.True(t, auth.IsKeyUnregistered(err), "%v", err)
	})
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		withToken := func(phone string) (tg.AuthSentCodeClass, error) {
			return c.API().AuthSendCode(ctx, &tg.AuthSendCodeRequest{
				PhoneNumber: phone, APIID: 1, APIHash: "test-hash",
				Settings: tg.CodeSettings{LogoutTokens: [][]byte{[]byte("junk"), token}},
			})
		}
		// Another account's token is ignored.
		sent, err := withToken("9996626667")
		require.NoError(t, err)
		require.IsType(t, &tg.AuthSentCode{}, sent)

		_, err = withToken("9996626666")
		requireRPCError(t, err, "SESSION_PASSWORD_NEEDED")
		a, err := c.Auth().Password(ctx, "pw")
		require.NoError(t, err)
		require.Equal(t, int64(9996626666), a.User.GetID())
	})
}
