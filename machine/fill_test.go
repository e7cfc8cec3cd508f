package machine_test

import (
	"context"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// fillerMock is a connector whose Fill reports that it runs and when it returns.
type fillerMock struct {
	tgapi.Connector
	running, returned chan struct{}
}

func (f *fillerMock) Fill(ctx context.Context) {
	close(f.running)
	<-ctx.Done()
	close(f.returned)
}

// wrapMock wraps a connector as the recorder and the metrics do.
type wrapMock struct{ inner tgapi.Connector }

func (w wrapMock) Connect(ctx context.Context, id string, s tgapi.SessionStorage) (tgapi.API, error) {
	return w.inner.Connect(ctx, id, s)
}
func (w wrapMock) Unwrap() tgapi.Connector { return w.inner }

// Run runs the Fill of a connector that has one, also through wrappers, and returns
// only after Fill did.
func TestRunRunsTheConnectorsFill(t *testing.T) {
	f := &fillerMock{Connector: (&mock.API{}).Connector(), running: make(chan struct{}), returned: make(chan struct{})}
	e, err := machine.New(machine.Options{Store: memory.New(), Telegram: wrapMock{wrapMock{f}}, Tick: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	<-f.running
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case <-f.returned:
	default:
		t.Fatal("Run returned before the connector's Fill")
	}
}
