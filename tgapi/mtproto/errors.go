package mtproto

import (
	"errors"
	"fmt"

	"github.com/gotd/td/tgerr"

	"github.com/tgauth/tgauth/tgapi"
)

// ErrClosed is returned by Connect and by every API call after Connector.Close.
var ErrClosed = errors.New("mtproto: connector closed")

// ErrLocal is wrapped into the error of a call (and of Connect) that failed on this side,
// before or after any network: the login's session storage failed to load or store the
// session (a wrong key, a corrupt envelope, a database error), or the Options cannot work
// (no app credentials, a bad DC list). It tells such a failure from a transport one: the
// error is neither Telegram's answer nor the network's, and retrying does not help until
// the storage or the configuration is fixed. The original error stays in the chain, so
// errors.Is and errors.As still find it. It is tgapi.ErrLocal, which the engine checks.
var ErrLocal = tgapi.ErrLocal

// ErrUnsupported is wrapped into the error of a call whose answer this adapter has no
// domain type for (for example auth.sentCodePaymentRequired, or an unknown constructor
// from a newer layer). It is not a transport failure: the call did reach Telegram.
var ErrUnsupported = errors.New("unsupported answer")

// rpcError turns what a gotd call returned into a tgauth error: an RPC error becomes a
// *tgapi.Error (not wrapped, so the caller sees exactly Telegram's code, type and
// argument); anything else stays a plain error, wrapped with the method name. Neither
// carries the request, so no secret reaches the error text.
func rpcError(method string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *tgapi.Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	if rpcErr, ok := tgerr.As(err); ok {
		return fromTGError(rpcErr)
	}
	return fmt.Errorf("mtproto: %s: %w", method, err)
}

// fromTGError converts gotd's RPC error to tgapi's.
func fromTGError(e *tgerr.Error) *tgapi.Error {
	msg := e.Message
	if msg == "" {
		msg = e.Type
		if e.Argument != 0 {
			msg = fmt.Sprintf("%s_%d", e.Type, e.Argument)
		}
	}
	return tgapi.NewError(e.Code, msg)
}

// localError marks err as local (ErrLocal), keeping it in the chain; what says what failed.
func localError(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrLocal, what, err)
}

// unknownRequest is the error of Invoke with a request that is not in the call table.
func unknownRequest(req tgapi.Request) error {
	return fmt.Errorf("mtproto: unknown request %T: not in the call table (tgapi.Calls)", req)
}

// unsupported reports an answer of a type this adapter does not map.
func unsupported(method string, v any) error {
	return fmt.Errorf("mtproto: %s: %w: %T", method, ErrUnsupported, v)
}
