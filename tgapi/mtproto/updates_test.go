package mtproto

import (
	"context"
	"sync"
	"testing"

	"github.com/gotd/td/tg"

	"github.com/tgauth/tgauth/tgapi"
)

// TestUpdateHandler: a client's update handler delivers updateLoginToken, wherever it is
// in the updates, to the subscriber of the moment; with none, or after OnUpdate(nil), the
// update is dropped. OnUpdate and deliveries may run concurrently.
func TestUpdateHandler(t *testing.T) {
	ctx := context.Background()
	c := NewConnector(Options{AppID: testAppID, AppHash: testAppHash})
	h := c.updateHandler("login-u")
	loginToken := &tg.UpdateShort{Update: &tg.UpdateLoginToken{}}

	// No subscriber yet: dropped.
	if err := h(ctx, loginToken); err != nil {
		t.Fatal(err)
	}

	var (
		mu  sync.Mutex
		got []update
	)
	c.OnUpdate(func(loginID string, u tgapi.Update) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, update{loginID, u})
	})
	for _, u := range []tg.UpdatesClass{
		loginToken,
		&tg.Updates{Updates: []tg.UpdateClass{&tg.UpdateConfig{}, &tg.UpdateLoginToken{}}},
		&tg.UpdatesCombined{Updates: []tg.UpdateClass{&tg.UpdateLoginToken{}}},
		&tg.UpdateShort{Update: &tg.UpdateConfig{}},
		&tg.UpdatesTooLong{},
	} {
		if err := h(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	want := update{"login-u", tgapi.LoginTokenUpdated}
	if len(got) != 3 || got[0] != want || got[1] != want || got[2] != want {
		t.Fatalf("delivered %v, want %v three times", got, want)
	}

	c.OnUpdate(nil)
	if err := h(ctx, loginToken); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("delivered after OnUpdate(nil): %v", got)
	}

	// Subscribing while updates arrive (run with -race).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_ = h(ctx, loginToken)
			}
		})
		wg.Go(func() { c.OnUpdate(func(string, tgapi.Update) {}) })
	}
	wg.Wait()
}
