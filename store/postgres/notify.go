package postgres

import (
	"context"
	"sync"
	"time"
)

// notifyChannel is the channel Update notifies (at commit) with the login's ID as payload:
// every replica listening hears of every change.
const notifyChannel = "tgauth_login"

// feed hands the notifications of notifyChannel to the watchers of each login. One
// connection per Store listens, from the first Changed until Close.
type feed struct {
	mu      sync.Mutex
	subs    map[string]map[*func()]struct{}
	stop    context.CancelFunc // stops the listener; nil until it runs
	stopped chan struct{}
}

// Changed implements machine.ChangeFeed: poke is called after each change of login id,
// by any process, until ctx is done, and after the listening connection was lost and
// found again (changes may have been missed meanwhile).
func (s *Store) Changed(ctx context.Context, id string, poke func()) {
	f := &s.feed
	key := &poke
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[string]map[*func()]struct{}{}
	}
	if f.subs[id] == nil {
		f.subs[id] = map[*func()]struct{}{}
	}
	f.subs[id][key] = struct{}{}
	if f.stop == nil {
		listenCtx, stop := context.WithCancel(context.Background())
		f.stop, f.stopped = stop, make(chan struct{})
		go s.listen(listenCtx)
	}
	f.mu.Unlock()
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs[id], key)
		if len(f.subs[id]) == 0 {
			delete(f.subs, id)
		}
	})
}

// poke calls the watchers of id, or of every login when all is set.
func (f *feed) poke(id string, all bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for login, subs := range f.subs {
		if all || login == id {
			for p := range subs {
				(*p)()
			}
		}
	}
}

// listen keeps one connection listening until ctx is done, dialling again a second after
// it is lost.
func (s *Store) listen(ctx context.Context) {
	defer close(s.feed.stopped)
	for ctx.Err() == nil {
		_ = s.listenOnce(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pc.Hijack() // out of the pool: a listening connection is not for queries
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	s.feed.poke("", true) // whatever changed while nobody listened
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		s.feed.poke(n.Payload, false)
	}
}

// close stops the listener, if it runs, and waits for it.
func (f *feed) close() {
	f.mu.Lock()
	stop, stopped := f.stop, f.stopped
	f.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
}
