package mtproto

import (
	"errors"
	"fmt"

	"github.com/gotd/td/tgerr"

	"github.com/tgauth/tgauth/tgapi"
)

// ErrClosed is returned by Connect and by every API call after Connector.Close.
var ErrClosed = errors.New("mtproto: connector closed")

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

// unsupported reports an answer of a type this adapter does not map.
func unsupported(method string, v any) error {
	return fmt.Errorf("mtproto: %s: %w: %T", method, ErrUnsupported, v)
}
