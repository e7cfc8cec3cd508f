package testdc

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
)

// The Hold tests are not parallel: they hold and count calls of the shared
// DC.

func TestHoldBlocksCall(t *testing.T) {
	d := sharedDC(t)
	calls := d.Calls("auth.sendCode")
	run(t, d, clientOptions{}, func(ctx context.Context, c client) {
		release := d.Hold("auth.sendCode")
		done := make(chan error, 1)
		go func() {
			_, err := c.Auth().SendCode(ctx, "9996621500", auth.SendCodeOptions{})
			done <- err
		}()
		require.Eventually(t, func() bool { return d.Calls("auth.sendCode") == calls+1 }, 10*time.Second, 10*time.Millisecond)

		// Other calls of the connection go on.
		_, err := c.API().HelpGetNearestDC(ctx)
		require.NoError(t, err)
		select {
		case err := <-done:
			t.Fatalf("held call returned: %v", err)
		case <-time.After(300 * time.Millisecond):
		}

		release()
		require.NoError(t, <-done)
		release() // idempotent

		// Only the next call was held.
		sendCode(ctx, t, c, "9996621500")
	})
	require.Equal(t, calls+2, d.Calls("auth.sendCode"))
}

func TestHoldReleasedByDeadConnection(t *testing.T) {
	d := sharedDC(t)
	const phone = "9996621501"
	storage := leaseKey(2)
	defer returnKey(storage)
	calls := d.Calls("auth.signIn")
	release := d.Hold("auth.signIn")
	defer release()

	run(t, d, clientOptions{storage: storage}, func(ctx context.Context, c client) {
		hash := sendCode(ctx, t, c, phone).PhoneCodeHash
		callCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = c.Auth().SignIn(callCtx, phone, "22222", hash)
		}()
		require.Eventually(t, func() bool { return d.Calls("auth.signIn") == calls+1 }, 10*time.Second, 10*time.Millisecond)
		cancel()
		<-done
		// Returning disconnects the client while its sign-in is held.
	})

	// The DC executes the call once the connection is gone: the same auth
	// key (the "restarted" client) is signed in.
	run(t, d, clientOptions{storage: storage}, func(ctx context.Context, c client) {
		require.Eventually(t, func() bool {
			users, err := c.API().UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUserSelf{}})
			return err == nil && len(users) == 1 && users[0].GetID() == 9996621501
		}, 10*time.Second, 50*time.Millisecond)
	})
	require.Equal(t, calls+1, d.Calls("auth.signIn"))
}
