package testdc

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
)

// start runs a test DC for the test.
func start(t *testing.T, opts Options) *DC {
	t.Helper()
	d, err := Start(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// fakeClock is a movable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// client is a gotd client of the test DC.
type client struct {
	*telegram.Client
	updates *tg.UpdateDispatcher
}

// clientOptions tune a test client.
type clientOptions struct {
	dc      int                     // initial DC, default 2
	storage telegram.SessionStorage // default: in memory
}

// run connects a real gotd client to d and runs f with it; the client is
// disconnected when f returns.
func run(t *testing.T, d *DC, o clientOptions, f func(ctx context.Context, c client)) {
	t.Helper()
	opts, err := d.Config().ClientOptions()
	require.NoError(t, err)
	if o.dc != 0 {
		opts.DC = o.dc
	}
	if o.storage == nil {
		o.storage = &session.StorageMemory{}
	}
	opts.SessionStorage = o.storage
	updates := tg.NewUpdateDispatcher()
	opts.UpdateHandler = updates
	c := client{Client: telegram.NewClient(1, "test-hash", opts), updates: &updates}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Run(ctx, func(ctx context.Context) error {
		f(ctx, c)
		return nil
	}))
}
