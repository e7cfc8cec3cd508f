package mtproto

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// api is the tgapi.API of one login. It holds no connection itself: every call takes the
// login's running client from the Connector (starting it from the session storage if it
// was closed) and gives it back afterwards.
type api struct {
	c        *Connector
	loginID  string
	sessions tgapi.SessionStorage
	dc       atomic.Int64 // the DC the session was last seen on
}

var _ tgapi.API = (*api)(nil)

// invoke runs one Telegram call on the login's client. method names the call in errors.
// An RPC error becomes a *tgapi.Error; any other error is wrapped with method.
func invoke[T any](ctx context.Context, a *api, method string, call func(context.Context, *telegram.Client) (T, error)) (T, error) {
	var zero T
	cn, err := a.c.acquire(ctx, a.loginID, a.sessions)
	if err != nil {
		return zero, rpcError(method, fmt.Errorf("connect: %w", err))
	}
	defer a.c.release(cn)

	v, err := call(ctx, cn.client)
	if err == nil {
		// A call that moved the session to another DC returns only once that session is
		// stored: what Telegram answered (a phone_code_hash) is bound to its auth key.
		if werr := cn.waitStored(ctx); werr != nil {
			a.c.log.Warn("session not stored after call", "login_id", a.loginID, "method", method, "error", werr)
		}
	}
	a.noteDC(cn)
	if err != nil {
		return zero, rpcError(method, err)
	}
	return v, nil
}

// noteDC remembers the DC the client's primary connection is on.
func (a *api) noteDC(cn *conn) {
	if dc := cn.client.Config().ThisDC; dc != 0 {
		a.dc.Store(int64(dc))
	}
}

// DC returns the DC the login's session lives on now: that of the running client's primary
// connection, or the one last seen when the client is not running.
func (a *api) DC() int {
	if cn := a.c.running(a.loginID); cn != nil {
		a.noteDC(cn)
	}
	return int(a.dc.Load())
}

// Self calls users.getUsers [inputUserSelf].
func (a *api) Self(ctx context.Context) (tgapi.User, error) {
	const method = "users.getUsers"
	users, err := invoke(ctx, a, method, func(ctx context.Context, cl *telegram.Client) ([]tg.UserClass, error) {
		return cl.API().UsersGetUsers(ctx, []tg.InputUserClass{&tg.InputUserSelf{}})
	})
	if err != nil {
		return tgapi.User{}, err
	}
	if len(users) == 0 {
		return tgapi.User{}, fmt.Errorf("mtproto: %s: no user in the answer", method)
	}
	return user(method, users[0])
}

// LogOut calls auth.logOut and returns the future_auth_token, if any.
func (a *api) LogOut(ctx context.Context) ([]byte, error) {
	out, err := invoke(ctx, a, "auth.logOut", func(ctx context.Context, cl *telegram.Client) (*tg.AuthLoggedOut, error) {
		return cl.API().AuthLogOut(ctx)
	})
	if err != nil {
		return nil, err
	}
	token, _ := out.GetFutureAuthToken()
	return token, nil
}
