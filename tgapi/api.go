// Package tgapi is the one interface through which tgauth calls Telegram, in domain types
// rather than MTProto's. The engine (package machine) only ever sees an API; the real one
// runs on gotd (package tgapi/mtproto), a recorded one answers from a trace (package replay).
//
// Errors that Telegram returned come back as *Error, carrying the code, the type and the
// argument of the RPC error (FLOOD_WAIT_30 is type FLOOD_WAIT, argument 30). Any other
// error is a transport failure: the call may or may not have reached Telegram.
//
// The package imports nothing of tgauth.
package tgapi

import (
	"context"
	"fmt"
)

// API is bound to one login's MTProto session (one auth key). Invoke makes one call of
// the call table (Calls): req is one of the request types, and the result is a value of
// the type the table names for it (nil for a call that answers nothing).
type API interface {
	Invoke(ctx context.Context, req Request) (any, error)
	// DC returns the data center the session lives on now (after any migration).
	DC() int
}

// Invoke makes req's call on api and returns its result as R, the result type the call
// table names for req. A result of another type is an error naming both.
func Invoke[R any](ctx context.Context, api API, req Request) (R, error) {
	var zero R
	res, err := api.Invoke(ctx, req)
	if err != nil {
		return zero, err
	}
	if res == nil {
		return zero, nil
	}
	r, ok := res.(R)
	if !ok {
		return zero, fmt.Errorf("tgapi: %s answered %T, want %T", req.Method(), res, zero)
	}
	return r, nil
}

// SessionStorage keeps one login's MTProto session (auth key, DC, salt) as opaque bytes.
// Its method set matches gotd's session.Storage, so an adapter can use it as is.
type SessionStorage interface {
	// LoadSession returns the stored session, or (nil, ErrNoSession) when there is none.
	LoadSession(ctx context.Context) ([]byte, error)
	// StoreSession replaces the stored session.
	StoreSession(ctx context.Context, data []byte) error
}

// Connector hands out APIs bound to one login's session. Implementations pool connections
// per login and close them when idle; an API stays usable for as long as the caller holds it.
type Connector interface {
	// Connect returns an API for the login with the given ID, whose MTProto session is
	// loaded from and saved to sessions.
	Connect(ctx context.Context, loginID string, sessions SessionStorage) (API, error)
}

// ConnectorFunc adapts a function to Connector.
type ConnectorFunc func(ctx context.Context, loginID string, sessions SessionStorage) (API, error)

// Connect calls f.
func (f ConnectorFunc) Connect(ctx context.Context, loginID string, sessions SessionStorage) (API, error) {
	return f(ctx, loginID, sessions)
}

// Update is something Telegram pushed to a login's session outside any call of ours.
type Update string

// The updates a login reacts to.
const (
	// LoginTokenUpdated is updateLoginToken: the QR code was scanned.
	LoginTokenUpdated Update = "updateLoginToken"
)

// Updater is implemented by a Connector that delivers Telegram's pushes. The engine
// (package machine) subscribes itself when it is built, so an embedder wires nothing.
type Updater interface {
	// OnUpdate sets the function each update is delivered to, with the ID of the login
	// whose session got it. It replaces any earlier one; nil stops delivery.
	OnUpdate(f func(loginID string, u Update))
}
