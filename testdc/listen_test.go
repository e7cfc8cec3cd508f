package testdc

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram/auth"
)

// A DC survives clients that misbehave before their first byte: 100 connections closed at
// once and one that stays open and silent do not keep the next client from logging in.
func TestDCSurvivesConnectionsClosedEarly(t *testing.T) {
	t.Parallel()
	d := start(t, Options{})
	addr := d.Config().DCs[1].Addr // DC 2, where the client starts
	for range 100 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		require.NoError(t, c.Close())
	}
	silent, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer silent.Close()

	run(t, d, clientOptions{dc: 2}, func(ctx context.Context, c client) {
		flow := auth.NewFlow(auth.TestUser("+9996621234", 2), auth.SendCodeOptions{})
		require.NoError(t, c.Auth().IfNecessary(ctx, flow))
		self, err := c.Self(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(9996621234), self.ID)
	})
}

// After Restart the DCs no longer know the auth keys made before: a client coming back
// with one makes a new key (transport error -404), which is not logged in, and a code
// asked on the old key is not accepted on the new one. A new code completes the login.
func TestRestartForgetsAuthKeys(t *testing.T) {
	t.Parallel()
	d := start(t, Options{})
	storage := &session.StorageMemory{}
	var hash string
	run(t, d, clientOptions{storage: storage}, func(ctx context.Context, c client) {
		hash = sendCode(ctx, t, c, "9996621001").PhoneCodeHash
	})
	before := keyID(storage)
	require.NotEmpty(t, before)

	d.Restart()

	run(t, d, clientOptions{storage: storage}, func(ctx context.Context, c client) {
		_, err := c.Auth().SignIn(ctx, "9996621001", "22222", hash)
		requireRPCError(t, err, "PHONE_CODE_HASH_INVALID")
		require.NotEqual(t, before, keyID(storage), "the new key is stored")

		_, err = c.Self(ctx)
		require.True(t, auth.IsKeyUnregistered(err), "users.getUsers on the new key: %v", err)

		hash = sendCode(ctx, t, c, "9996621001").PhoneCodeHash
		_, err = c.Auth().SignIn(ctx, "9996621001", "22222", hash)
		require.NoError(t, err)
	})
}
