package testdc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// sendCode asks a code for phone and returns its auth.sentCode.
func sendCode(ctx context.Context, t *testing.T, c client, phone string) *tg.AuthSentCode {
	t.Helper()
	sent, err := c.Auth().SendCode(ctx, phone, auth.SendCodeOptions{})
	require.NoError(t, err)
	require.IsType(t, &tg.AuthSentCode{}, sent)
	return sent.(*tg.AuthSentCode)
}

func requireRPCError(t *testing.T, err error, typ string) {
	t.Helper()
	require.Error(t, err)
	require.True(t, tgerr.Is(err, typ), "want %s, got %v", typ, err)
}

func TestSignInWithPhoneCode(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		_, err := c.Self(ctx)
		require.True(t, auth.IsKeyUnregistered(err), "users.getUsers before sign-in: %v", err)

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
}

func TestPhoneMigrate(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{dc: 2}, func(ctx context.Context, c client) {
		// DC 2 answers PHONE_MIGRATE_3, gotd moves to DC 3 and asks again.
		flow := auth.NewFlow(auth.TestUser("9996631234", 3), auth.SendCodeOptions{})
		require.NoError(t, c.Auth().IfNecessary(ctx, flow))
		require.Equal(t, 3, c.Config().ThisDC)

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996631234), self.ID)
	})
}

func TestWrongCodeKillsCode(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		const phone = "9996621001"
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		for range 5 { // Options.MaxCodeAttempts
			_, err := c.Auth().SignIn(ctx, phone, "12345", hash)
			requireRPCError(t, err, "PHONE_CODE_INVALID")
		}
		_, err := c.Auth().SignIn(ctx, phone, "22222", hash)
		requireRPCError(t, err, "PHONE_CODE_EXPIRED")

		// A new code works.
		hash = sendCode(ctx, t, c, phone).PhoneCodeHash
		_, err = c.Auth().SignIn(ctx, phone, "22222", hash)
		require.NoError(t, err)
	})
}

func TestCodeTiedToAuthKey(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	const phone = "9996621003"
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		run(t, d, clientOptions{}, func(ctx context.Context, other client) {
			_, err := other.Auth().SignIn(ctx, phone, "22222", hash)
			requireRPCError(t, err, "PHONE_CODE_HASH_INVALID")
		})
		_, err := c.Auth().SignIn(ctx, phone, "22222", hash)
		require.NoError(t, err)
	})
}

func TestPhoneRules(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		for _, phone := range []string{"12345678", "9996641234", "999662123", "not a phone"} {
			_, err := c.Auth().SendCode(ctx, phone, auth.SendCodeOptions{})
			requireRPCError(t, err, "PHONE_NUMBER_INVALID")
		}

		_, err := c.Auth().SendCode(ctx, "9996620001", auth.SendCodeOptions{})
		requireRPCError(t, err, "PHONE_NUMBER_BANNED")

		// A world phone of another form lives on DC 2, code 22222.
		sent := sendCode(ctx, t, c, "+15550001234")
		_, err = c.Auth().SignIn(ctx, "15550001234", "22222", sent.PhoneCodeHash)
		require.NoError(t, err)
		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, "Grace", self.FirstName)
		require.Equal(t, "Hopper", self.LastName)
		require.Equal(t, "grace", self.Username)
	})
}

func TestSignUpRequired(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	freshAccount(t, "9996629999")
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		const phone = "9996629999"
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		_, err := c.Auth().SignIn(ctx, phone, "22222", hash)
		var signUp *auth.SignUpRequired
		require.ErrorAs(t, err, &signUp)
		require.NotEmpty(t, signUp.TermsOfService.Text)

		_, err = c.Auth().SignUp(ctx, auth.SignUp{PhoneNumber: phone, PhoneCodeHash: hash})
		requireRPCError(t, err, "FIRSTNAME_INVALID")

		a, err := c.Auth().SignUp(ctx, auth.SignUp{
			PhoneNumber: phone, PhoneCodeHash: hash, FirstName: "Alice", LastName: "Liddell",
		})
		require.NoError(t, err)
		u := a.User.(*tg.User)
		require.Equal(t, "Alice", u.FirstName)
		require.Equal(t, int64(9996629999), u.ID)

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, "Liddell", self.LastName)
	})
}

func TestResendAndCancel(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		const phone = "9996625555"
		sent := sendCode(ctx, t, c, phone)
		require.Equal(t, &tg.AuthSentCodeTypeApp{Length: 5}, sent.Type)
		require.Equal(t, &tg.AuthCodeTypeSMS{}, sent.NextType)
		require.Equal(t, 60, sent.Timeout)
		hash := sent.PhoneCodeHash

		resent, err := c.Auth().ResendCode(ctx, phone, hash)
		require.NoError(t, err)
		require.Equal(t, &tg.AuthSentCodeTypeSMS{Length: 5}, resent.(*tg.AuthSentCode).Type)
		require.Equal(t, &tg.AuthCodeTypeCall{}, resent.(*tg.AuthSentCode).NextType)

		resent, err = c.Auth().ResendCode(ctx, phone, hash)
		require.NoError(t, err)
		require.Equal(t, &tg.AuthSentCodeTypeCall{Length: 5}, resent.(*tg.AuthSentCode).Type)
		require.Nil(t, resent.(*tg.AuthSentCode).NextType)

		_, err = c.Auth().ResendCode(ctx, phone, hash)
		requireRPCError(t, err, "SEND_CODE_UNAVAILABLE")

		ok, err := c.API().AuthCancelCode(ctx, &tg.AuthCancelCodeRequest{PhoneNumber: phone, PhoneCodeHash: hash})
		require.NoError(t, err)
		require.True(t, ok)
		_, err = c.Auth().SignIn(ctx, phone, "22222", hash)
		requireRPCError(t, err, "PHONE_CODE_EXPIRED")
		_, err = c.Auth().ResendCode(ctx, phone, hash)
		requireRPCError(t, err, "PHONE_CODE_EXPIRED")
	})
}

func TestEmailCodes(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	freshAccount(t, "9996614444")
	freshAccount(t, "9996614445")
	run(t, d, clientOptions{dc: 1}, func(ctx context.Context, c client) {
		// code_type email: the code comes by e-mail, signIn takes it as
		// email_verification.
		sent := sendCode(ctx, t, c, "9996614444")
		require.Equal(t, &tg.AuthSentCodeTypeEmailCode{EmailPattern: "m***@example.com", Length: 5}, sent.Type)
		_, err := c.API().AuthSignIn(ctx, &tg.AuthSignInRequest{
			PhoneNumber: "9996614444", PhoneCodeHash: sent.PhoneCodeHash,
			EmailVerification: &tg.EmailVerificationCode{Code: "11111"},
		})
		requireRPCError(t, err, "SESSION_PASSWORD_NEEDED")
	})
	run(t, d, clientOptions{dc: 1}, func(ctx context.Context, c client) {
		const phone = "9996614445"
		sent := sendCode(ctx, t, c, phone)
		require.IsType(t, &tg.AuthSentCodeTypeSetUpEmailRequired{}, sent.Type)
		_, err := c.Auth().SignIn(ctx, phone, "11111", sent.PhoneCodeHash)
		requireRPCError(t, err, "PHONE_CODE_INVALID")

		purpose := &tg.EmailVerifyPurposeLoginSetup{PhoneNumber: phone, PhoneCodeHash: sent.PhoneCodeHash}
		mailed, err := c.API().AccountSendVerifyEmailCode(ctx, &tg.AccountSendVerifyEmailCodeRequest{
			Purpose: purpose, Email: "alice@example.org",
		})
		require.NoError(t, err)
		require.Equal(t, &tg.AccountSentEmailCode{EmailPattern: "a***@example.org", Length: 6}, mailed)

		_, err = c.API().AccountVerifyEmail(ctx, &tg.AccountVerifyEmailRequest{
			Purpose: purpose, Verification: &tg.EmailVerificationCode{Code: "123456"},
		})
		requireRPCError(t, err, "CODE_INVALID")
		verified, err := c.API().AccountVerifyEmail(ctx, &tg.AccountVerifyEmailRequest{
			Purpose: purpose, Verification: &tg.EmailVerificationCode{Code: "111111"},
		})
		require.NoError(t, err)
		login := verified.(*tg.AccountEmailVerifiedLogin)
		require.Equal(t, "alice@example.org", login.Email)
		code := login.SentCode.(*tg.AuthSentCode)
		require.Equal(t, &tg.AuthSentCodeTypeEmailCode{EmailPattern: "a***@example.org", Length: 5}, code.Type)

		a, err := c.API().AuthSignIn(ctx, &tg.AuthSignInRequest{
			PhoneNumber: phone, PhoneCodeHash: code.PhoneCodeHash,
			EmailVerification: &tg.EmailVerificationCode{Code: "11111"},
		})
		require.NoError(t, err)
		require.Equal(t, int64(9996614445), a.(*tg.AuthAuthorization).User.GetID())
	})
}

func TestBotToken(t *testing.T) {
	t.Parallel()
	d := sharedDC(t)
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		for _, bad := range []string{"0:abcdefgh", "abc:abcdefgh", "123:short", "123:bad token", "123", "-5:abcdefgh"} {
			_, err := c.Auth().Bot(ctx, bad)
			requireRPCError(t, err, "ACCESS_TOKEN_INVALID")
		}
		a, err := c.Auth().Bot(ctx, "123456:AAE_secret-Token")
		require.NoError(t, err)
		u := a.User.(*tg.User)
		require.True(t, u.Bot)
		require.Equal(t, int64(123456), u.ID)
		require.Equal(t, "Bot 123456", u.FirstName)

		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.True(t, self.Bot)
	})
}
