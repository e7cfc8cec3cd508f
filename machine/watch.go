package machine

import (
	"context"
	"time"

	"github.com/tgauth/tgauth/states"
)

// WatchPoll is how often Watch re-reads a login from the store, to see changes made by
// other processes; changes made through this engine are seen at once, and so are those of
// other processes when the store is a ChangeFeed.
const WatchPoll = time.Second

// ChangeFeed is implemented by a Store that hears of changes made by any process sharing
// it (store/postgres: LISTEN/NOTIFY). Watch subscribes to it so that another replica's
// change reaches a watcher at once; the poll every WatchPoll stays as a safety net.
type ChangeFeed interface {
	// Changed calls poke after each change of login id, made by any process, until ctx
	// is done, and whenever changes may have been missed (a lost connection). poke must
	// not block.
	Changed(ctx context.Context, id string, poke func())
}

// Watch returns a channel that receives the login's snapshot now and after every change.
// A slow reader sees the latest snapshot, not every intermediate one. The channel is
// closed after a final state was sent, when ctx is done, or when the login cannot be read.
func (e *Engine) Watch(ctx context.Context, id string) <-chan Snapshot {
	out := make(chan Snapshot)
	poke := make(chan struct{}, 1)
	e.mu.Lock()
	if e.watchers[id] == nil {
		e.watchers[id] = map[chan struct{}]struct{}{}
	}
	e.watchers[id][poke] = struct{}{}
	e.mu.Unlock()
	if feed, ok := e.opts.Store.(ChangeFeed); ok {
		feed.Changed(ctx, id, func() {
			select {
			case poke <- struct{}{}:
			default:
			}
		})
	}

	go func() {
		defer close(out)
		defer func() {
			e.mu.Lock()
			delete(e.watchers[id], poke)
			if len(e.watchers[id]) == 0 {
				delete(e.watchers, id)
			}
			e.mu.Unlock()
		}()
		t := time.NewTicker(WatchPoll)
		defer t.Stop()
		var seen int64
		for {
			l, err := e.opts.Store.Get(ctx, id)
			if err != nil {
				return
			}
			if l.Version != seen {
				seen = l.Version
				select {
				case out <- e.snapshot(l):
				case <-ctx.Done():
					return
				}
				if l.Kind() == states.Final {
					return
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-poke:
			case <-t.C:
			}
		}
	}()
	return out
}

// notify pokes the watchers of login id.
func (e *Engine) notify(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for poke := range e.watchers[id] {
		select {
		case poke <- struct{}{}:
		default:
		}
	}
}
