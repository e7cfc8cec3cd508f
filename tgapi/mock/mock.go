// Package mock is a mock tgapi.API for unit tests of the engine and the drivers above it.
// A test sets a handler for each call it expects (Handle); any other call fails with an
// error naming its method, so a test states exactly which calls it expects. It is driven
// by the call table (tgapi.Calls), not written out per method. It is a mock: nothing here
// behaves like Telegram on its own.
package mock

import (
	"context"
	"fmt"
	"sync"

	"github.com/tgauth/tgauth/tgapi"
)

// API is a mock tgapi.API.
type API struct {
	// DataCenter is what DC returns (0 if unset).
	DataCenter int

	mu       sync.Mutex
	handlers map[tgapi.Method]func(context.Context, tgapi.Request) (any, error)
	calls    []tgapi.Method
}

var _ tgapi.API = (*API)(nil)

// Handle makes f answer m's calls of Req's method, replacing any earlier handler. Res is
// the result type the call table names for the method (any for one that answers nothing).
func Handle[Req tgapi.Request, Res any](m *API, f func(ctx context.Context, req Req) (Res, error)) {
	var req Req
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.handlers == nil {
		m.handlers = map[tgapi.Method]func(context.Context, tgapi.Request) (any, error){}
	}
	m.handlers[req.Method()] = func(ctx context.Context, r tgapi.Request) (any, error) {
		res, err := f(ctx, r.(Req))
		if err != nil {
			return nil, err
		}
		return any(res), nil
	}
}

// Calls returns the methods called so far, in order.
func (m *API) Calls() []tgapi.Method {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]tgapi.Method(nil), m.calls...)
}

// Connector returns a connector that hands out m for every login.
func (m *API) Connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
		return m, nil
	})
}

// Invoke implements tgapi.API: it records the call and runs its handler. A call without
// a handler, or whose handler answers a type the call table does not name, is an error.
func (m *API) Invoke(ctx context.Context, req tgapi.Request) (any, error) {
	m.mu.Lock()
	m.calls = append(m.calls, req.Method())
	h := m.handlers[req.Method()]
	m.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("mock: unexpected call to %s", req.Method())
	}
	res, err := h(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := tgapi.CheckResult(req, res); err != nil {
		return nil, fmt.Errorf("mock: %w", err)
	}
	return res, nil
}

// DC implements tgapi.API.
func (m *API) DC() int { return m.DataCenter }
