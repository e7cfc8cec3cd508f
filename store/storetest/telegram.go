package storetest

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// RightCode is the login code the mock Telegram accepts; every other code is
// PHONE_CODE_INVALID.
const RightCode = "22222"

// WrongCode is a code the mock Telegram refuses.
const WrongCode = "11111"

// QRTokenLife is how long a login token the mock Telegram exports stays valid.
const QRTokenLife = 30 * time.Second

// Telegram is a mock Telegram with one tgapi/mock API per login, so that the calls each
// login made can be told apart. auth.sendCode sends a code whose phone_code_hash names the
// login; auth.signIn authorizes as UserOf(login) for RightCode with that hash and answers
// PHONE_CODE_INVALID otherwise; auth.cancelCode succeeds; auth.exportLoginToken exports a
// new token valid for QRTokenLife from the clock's now. Any other call fails (and is
// recorded), as tgapi/mock does for calls a test does not expect. It is safe for
// concurrent use.
type Telegram struct {
	clock *clock.Fake

	mu     sync.Mutex
	apis   map[string]*mock.API
	tokens map[string][]tgapi.LoginToken
}

// NewTelegram returns a mock Telegram whose tokens expire by clock.
func NewTelegram(clk *clock.Fake) *Telegram {
	return &Telegram{clock: clk, apis: map[string]*mock.API{}, tokens: map[string][]tgapi.LoginToken{}}
}

// Connector returns the connector engines call the mock Telegram through.
func (tg *Telegram) Connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(_ context.Context, id string, _ tgapi.SessionStorage) (tgapi.API, error) {
		return tg.api(id), nil
	})
}

// Calls returns the Telegram methods login id called, in order.
func (tg *Telegram) Calls(id string) []tgapi.Method { return tg.api(id).Calls() }

// Tokens returns the login tokens exported for login id, in order.
func (tg *Telegram) Tokens(id string) []tgapi.LoginToken {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]tgapi.LoginToken(nil), tg.tokens[id]...)
}

// UserOf is the user login id is authorized as.
func UserOf(id string) tgapi.User {
	h := fnv.New64a()
	h.Write([]byte(id))
	return tgapi.User{ID: int64(h.Sum64() >> 1), FirstName: "User " + id}
}

func (tg *Telegram) api(id string) *mock.API {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if api, ok := tg.apis[id]; ok {
		return api
	}
	hash := "hash-" + id
	api := &mock.API{DataCenter: 2}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeApp, Length: len(RightCode),
			NextType: tgapi.CodeSMS, Timeout: time.Minute, PhoneCodeHash: hash}}, nil
	})
	mock.Handle(api, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		if req.Code != RightCode || req.PhoneCodeHash != hash {
			return tgapi.Authorization{}, tgapi.NewError(400, "PHONE_CODE_INVALID")
		}
		u := UserOf(id)
		return tgapi.Authorization{User: &u}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.CancelCode) (any, error) { return nil, nil })
	mock.Handle(api, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
		tg.mu.Lock()
		defer tg.mu.Unlock()
		tok := tgapi.LoginToken{
			Token:   fmt.Appendf(nil, "%s/%d", id, len(tg.tokens[id])),
			Expires: tg.clock.Now().Add(QRTokenLife),
		}
		tg.tokens[id] = append(tg.tokens[id], tok)
		return tok, nil
	})
	tg.apis[id] = api
	return api
}
