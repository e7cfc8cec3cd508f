package mtproto

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gotd/td/tgerr"

	"github.com/tgauth/tgauth/tgapi"
)

func TestRPCError(t *testing.T) {
	tests := []struct {
		name string
		in   error
		want *tgapi.Error
	}{
		{"flood wait", tgerr.New(420, "FLOOD_WAIT_30"), &tgapi.Error{Code: 420, Type: "FLOOD_WAIT", Argument: 30}},
		{"wrapped", fmt.Errorf("invoke: %w", tgerr.New(400, "PHONE_CODE_INVALID")), &tgapi.Error{Code: 400, Type: "PHONE_CODE_INVALID"}},
		{"migrate", tgerr.New(303, "PHONE_MIGRATE_3"), &tgapi.Error{Code: 303, Type: "PHONE_MIGRATE", Argument: 3}},
		{"no message", &tgerr.Error{Code: 401, Type: "AUTH_KEY_UNREGISTERED"}, &tgapi.Error{Code: 401, Type: "AUTH_KEY_UNREGISTERED"}},
		{"already tgapi", fmt.Errorf("x: %w", tgapi.NewError(400, "ACCESS_TOKEN_INVALID")), &tgapi.Error{Code: 400, Type: "ACCESS_TOKEN_INVALID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rpcError("auth.signIn", tt.in)
			got, ok := err.(*tgapi.Error)
			if !ok {
				t.Fatalf("got %T %v, want *tgapi.Error", err, err)
			}
			if *got != *tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}

	if d, ok := tgapi.FloodWait(rpcError("auth.sendCode", tgerr.New(420, "FLOOD_WAIT_30"))); !ok || d.Seconds() != 30 {
		t.Errorf("FloodWait = %v, %v; want 30s", d, ok)
	}
}

func TestRPCErrorTransport(t *testing.T) {
	if rpcError("auth.signIn", nil) != nil {
		t.Fatal("nil error must stay nil")
	}
	err := rpcError("auth.signIn", fmt.Errorf("wait for reconnect: %w", context.DeadlineExceeded))
	var apiErr *tgapi.Error
	if errors.As(err, &apiErr) {
		t.Fatalf("transport failure became %v", apiErr)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cause lost: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "mtproto: auth.signIn: ") {
		t.Errorf("no context: %q", err)
	}
}
