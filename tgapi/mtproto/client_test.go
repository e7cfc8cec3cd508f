package mtproto

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/tgapi"
)

// notACall is a request that is not in the call table.
type notACall struct{}

func (notACall) Method() tgapi.Method { return "help.getConfig" }

// TestInvokeKnowsEveryCall: Invoke dispatches every request type of the call table (on a
// closed Connector, so that no call is made: each fails with ErrClosed, not as unknown),
// and refuses any other type with an error naming it, before trying to connect. That the
// results are of the table's types is checked by every call of the other tests (call).
func TestInvokeKnowsEveryCall(t *testing.T) {
	c := NewConnector(Options{AppID: testAppID, AppHash: testAppHash})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	a := &api{c: c, loginID: "login-table", sessions: &memSessions{}}
	if len(tgapi.Calls) == 0 {
		t.Fatal("empty call table")
	}
	for _, row := range tgapi.Calls {
		res, err := a.Invoke(context.Background(), row.Request)
		if !errors.Is(err, ErrClosed) || res != nil {
			t.Errorf("Invoke(%T) = %v, %v; want no result and ErrClosed", row.Request, res, err)
		}
	}

	res, err := a.Invoke(context.Background(), notACall{})
	if err == nil || res != nil || errors.Is(err, ErrClosed) ||
		!strings.Contains(err.Error(), "unknown request mtproto.notACall") {
		t.Fatalf("Invoke(notACall) = %v, %v; want an unknown request error naming the type", res, err)
	}
	t.Logf("unknown request: %v", err)
}
