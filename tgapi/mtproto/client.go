package mtproto

import (
	"context"
	"errors"
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

// Invoke implements tgapi.API: it makes req's call and answers a value of the result type
// the call table (tgapi.Calls) names for it, or nil for auth.cancelCode. This switch is the
// call table's implementation on gotd: one case per row. A request of another type is an
// error naming its type; no call is made for it.
func (a *api) Invoke(ctx context.Context, req tgapi.Request) (any, error) {
	switch r := req.(type) {
	case tgapi.SendCode:
		return result(a.sendCode(ctx, r))
	case tgapi.ResendCode:
		return result(a.resendCode(ctx, r))
	case tgapi.CancelCode:
		return nil, a.cancelCode(ctx, r)
	case tgapi.SignIn:
		return result(a.signIn(ctx, r))
	case tgapi.SignUp:
		return result(a.signUp(ctx, r))
	case tgapi.GetPassword:
		return result(a.getPassword(ctx))
	case tgapi.CheckPassword:
		return result(a.checkPassword(ctx, r))
	case tgapi.RequestPasswordRecovery:
		return result(a.requestPasswordRecovery(ctx))
	case tgapi.RecoverPassword:
		return result(a.recoverPassword(ctx, r))
	case tgapi.SendVerifyEmailCode:
		return result(a.sendVerifyEmailCode(ctx, r))
	case tgapi.VerifyEmail:
		return result(a.verifyEmail(ctx, r))
	case tgapi.ExportLoginToken:
		return result(a.exportLoginToken(ctx))
	case tgapi.ImportLoginToken:
		return result(a.importLoginToken(ctx, r))
	case tgapi.ImportBotAuthorization:
		return result(a.importBotAuthorization(ctx, r))
	case tgapi.LogOut:
		return result(a.logOut(ctx))
	case tgapi.GetSelf:
		return result(a.getSelf(ctx))
	default:
		if res, err, ok := a.account(ctx, req); ok {
			return res, err
		}
		return nil, unknownRequest(req)
	}
}

// result boxes what a call returned for Invoke: the value, or no value with an error.
func result[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// invoke runs one Telegram call on the login's client. method names the call in errors.
// An RPC error becomes a *tgapi.Error; any other error is wrapped with method, and a local
// one (the session storage failed, the Options cannot work) wraps ErrLocal. A call whose
// client stopped to move the login to a key of the pool (moveResolver) is made again on
// the client started from that key.
func invoke[T any](ctx context.Context, a *api, method string, call func(context.Context, *telegram.Client) (T, error)) (T, error) {
	for {
		v, moved, err := invokeOnce(ctx, a, method, call)
		if moved && ctx.Err() == nil {
			a.c.log.Debug("making the call again on a key of the pool", "login_id", a.loginID, "method", method)
			continue
		}
		if err != nil {
			var zero T
			return zero, rpcError(method, err)
		}
		return v, nil
	}
}

// invokeOnce runs call on the login's client, under a context that ends when the client
// stops; moved reports that the client stopped to start again on a key of the pool.
func invokeOnce[T any](ctx context.Context, a *api, method string, call func(context.Context, *telegram.Client) (T, error)) (v T, moved bool, err error) {
	cn, err := a.c.acquire(ctx, a.loginID, a.sessions)
	if err != nil {
		return v, false, fmt.Errorf("connect: %w", err)
	}
	defer a.c.release(cn)

	callCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-cn.done:
			cancel()
		case <-callCtx.Done():
		}
	}()
	v, err = call(callCtx, cn.client)
	if err != nil && cn.moved.Load() {
		// The next acquire must start a client from the new session, not find this one.
		select {
		case <-cn.done:
		case <-ctx.Done():
		}
		return v, true, err
	}
	if err == nil {
		// A call that moved the session to another DC returns only once that session is
		// stored: what Telegram answered (a phone_code_hash) is bound to its auth key. If
		// the storage failed, the answer is of no use: the key it is bound to is lost.
		werr := cn.waitStored(ctx)
		if errors.Is(werr, ErrLocal) {
			err = werr
		} else if werr != nil {
			a.c.log.Warn("session not stored after call", "login_id", a.loginID, "method", method, "error", werr)
		}
	}
	a.noteDC(cn)
	return v, false, err
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

// getSelf calls users.getUsers [inputUserSelf].
func (a *api) getSelf(ctx context.Context) (tgapi.User, error) {
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

// logOut calls auth.logOut; the answer carries the future_auth_token, if any.
func (a *api) logOut(ctx context.Context) (tgapi.LoggedOut, error) {
	out, err := invoke(ctx, a, "auth.logOut", func(ctx context.Context, cl *telegram.Client) (*tg.AuthLoggedOut, error) {
		return cl.API().AuthLogOut(ctx)
	})
	if err != nil {
		return tgapi.LoggedOut{}, err
	}
	token, _ := out.GetFutureAuthToken()
	return tgapi.LoggedOut{FutureAuthToken: token}, nil
}
