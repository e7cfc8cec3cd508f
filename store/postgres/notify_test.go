package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// TestChangedAcrossStores: two pools on one database stand for two replicas; a change
// written through one reaches a watcher of the other through LISTEN/NOTIFY.
func TestChangedAcrossStores(t *testing.T) {
	dsn := freshDSN(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	now := time.Now().UTC()
	l := &machine.Login{ID: "notify-1", State: states.New, CreatedAt: now, UpdatedAt: now}
	if err := a.Create(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	pokes := make(chan struct{}, 16)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	b.Changed(ctx, l.ID, func() {
		select {
		case pokes <- struct{}{}:
		default:
		}
	})
	<-pokes // the listener's first poke: it listens now
	l.State = states.Cancelled
	if err := a.Update(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pokes:
	case <-t.Context().Done():
		t.Fatal("no notification of the change")
	}
	got, err := b.Get(t.Context(), l.ID)
	if err != nil || got.State != states.Cancelled {
		t.Fatalf("b reads %v, %v", got, err)
	}
}
