package mtproto

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gotd/log/logslog"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/transport"

	"github.com/tgauth/tgauth/tgapi"
)

// This file is the pool of auth keys made ahead of time (Options.Keys). Making an auth key
// is a Diffie-Hellman exchange that costs the client most of a login's CPU; made before the
// person types the phone, it is not in the way of the first answer.

// DefaultKeyMaxAge is how old a key of the pool may be when Options.KeyMaxAge is zero.
const DefaultKeyMaxAge = 24 * time.Hour

// keyTimeout bounds the making of one key: a connection, the exchange, initConnection.
const keyTimeout = time.Minute

// fillRetry is how long Fill waits after a key could not be made or counted, and how
// often it counts the pool again when nothing woke it (keys taken by other processes,
// keys aged out).
const fillRetry = 10 * time.Second

// keyPool is the state of a Connector's pool on this side.
type keyPool struct {
	mu      sync.Mutex
	making  map[int]int   // keys being made now, by DC
	made    chan struct{} // closed and replaced whenever the making of a key ends
	taken   chan struct{} // a login took a key (buffered 1): Fill counts again
	maxAge  time.Duration
	workers int
}

func newKeyPool(opts Options) *keyPool {
	p := &keyPool{making: map[int]int{}, made: make(chan struct{}), taken: make(chan struct{}, 1),
		maxAge: opts.KeyMaxAge, workers: opts.KeyMakers}
	if p.maxAge <= 0 {
		p.maxAge = DefaultKeyMaxAge
	}
	if p.workers <= 0 {
		p.workers = 1
	}
	return p
}

// begin counts a key of dc being made; end uncounts it and wakes the waiters.
func (p *keyPool) begin(dc int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.making[dc]++
}

func (p *keyPool) end(dc int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.making[dc]--
	close(p.made)
	p.made = make(chan struct{})
}

// pending reports whether a key of dc is being made, and a channel closed when one ends.
func (p *keyPool) pending(dc int) (bool, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.making[dc] > 0, p.made
}

// MakeKeys makes n auth keys with DC dc (Options.DC when 0), Options.KeyMakers at a time,
// and puts them in Options.Keys. It returns the first failure, after the other keys were
// made. 'tgauth login' calls it for one key while the person types the phone.
func (c *Connector) MakeKeys(ctx context.Context, dc, n int) error {
	if c.optsErr != nil {
		return c.optsErr
	}
	if c.opts.Keys == nil {
		return errors.New("mtproto: make keys: Options.Keys is not set")
	}
	if dc == 0 {
		dc = c.opts.DC
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slots = make(chan struct{}, c.pool.workers)
	)
	for range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := c.makeKey(ctx, dc); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// makeKey makes one auth key with DC dc and puts it in the pool. The key is made by a gotd
// client of its own, bound to no login, that connects (the key exchange and
// initConnection), stores its session and disconnects: the session is what a login's
// client starts from, in the format the connector stores.
func (c *Connector) makeKey(ctx context.Context, dc int) error {
	c.pool.begin(dc)
	defer c.pool.end(dc)
	ctx, cancel := context.WithTimeout(ctx, keyTimeout)
	defer cancel()

	storage := &keySession{stored: make(chan struct{})}
	client := telegram.NewClient(c.opts.AppID, c.opts.AppHash, telegram.Options{
		PublicKeys:     c.opts.PublicKeys,
		DC:             dc,
		DCList:         c.opts.DCList,
		Resolver:       c.opts.Resolver,
		Device:         c.opts.Device,
		SessionStorage: storage,
		NoUpdates:      true,
		Logger:         logslog.New(c.log.With("pool_dc", dc)),
	})
	made := time.Now()
	err := client.Run(ctx, func(ctx context.Context) error {
		// gotd lets Run's function in just before it stores the session of a new key.
		select {
		case <-storage.stored:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err != nil {
		return fmt.Errorf("mtproto: make an auth key with DC %d: %w", dc, err)
	}
	if err := c.opts.Keys.PutKey(ctx, tgapi.PoolKey{DC: dc, Made: made, Session: storage.data}); err != nil {
		return localError("put a key in the pool", err)
	}
	c.log.Debug("auth key made ahead of time", "dc", dc)
	return nil
}

// keySession is the session storage of a client making a key: it keeps the first session
// stored.
type keySession struct {
	once   sync.Once
	data   []byte
	stored chan struct{}
}

// LoadSession implements session.Storage: there is no session yet.
func (s *keySession) LoadSession(context.Context) ([]byte, error) {
	select {
	case <-s.stored:
		return s.data, nil
	default:
		return nil, nil
	}
}

// StoreSession implements session.Storage.
func (s *keySession) StoreSession(_ context.Context, data []byte) error {
	s.once.Do(func() {
		s.data = slices.Clone(data)
		close(s.stored)
	})
	return nil
}

// seed gives a login without a session a key of the pool for its first DC, before its
// client starts: the client then starts on that key instead of making one. A key being
// made in this process is waited for. Without a usable key (or when the pool fails: that
// is logged) the login's client makes its key itself.
func (c *Connector) seed(ctx context.Context, loginID string, sessions sessionStorage) {
	if c.opts.Keys == nil {
		return
	}
	if data, err := sessions.s.LoadSession(ctx); err == nil && len(data) > 0 || err != nil && !errors.Is(err, tgapi.ErrNoSession) {
		return // the login has a session (or the storage fails, which its client reports)
	}
	dc := c.opts.DC
	k, err := c.takeKey(ctx, dc)
	if err != nil {
		if !errors.Is(err, tgapi.ErrNoKey) {
			c.log.Warn("no key from the pool", "login_id", loginID, "dc", dc, "error", err)
		}
		return
	}
	if err := sessions.StoreSession(ctx, k.Session); err != nil {
		c.log.Warn("could not store a key of the pool as the login's session", "login_id", loginID, "error", err)
		return
	}
	c.log.Debug("login starts on a key made ahead of time", "login_id", loginID, "dc", dc, "age", time.Since(k.Made))
}

// takeKey takes a key of dc from the pool, waiting for one being made in this process
// when the pool has none, and tells Fill that one was taken.
func (c *Connector) takeKey(ctx context.Context, dc int) (tgapi.PoolKey, error) {
	for {
		k, err := c.opts.Keys.TakeKey(ctx, dc, time.Now().Add(-c.pool.maxAge))
		if err == nil {
			select {
			case c.pool.taken <- struct{}{}:
			default:
			}
			return k, nil
		}
		making, made := c.pool.pending(dc)
		if !errors.Is(err, tgapi.ErrNoKey) || !making {
			return tgapi.PoolKey{}, err
		}
		select {
		case <-made:
		case <-ctx.Done():
			return tgapi.PoolKey{}, ctx.Err()
		}
	}
}

// Fill implements tgapi.Filler: until ctx is done it keeps Options.KeyPoolSize keys younger
// than Options.KeyMaxAge per DC of Options.KeyPoolDCs in Options.Keys, making the missing
// ones. It does nothing when either is unset. The pool is counted again whenever a login of
// this Connector takes a key, and every 10 s (other processes take keys too).
func (c *Connector) Fill(ctx context.Context) {
	if c.optsErr != nil || c.opts.Keys == nil || c.opts.KeyPoolSize <= 0 {
		return
	}
	dcList := c.poolDCs()
	c.log.Info("filling the auth-key pool", "size", c.opts.KeyPoolSize, "dcs", dcList, "max_age", c.pool.maxAge)
	for {
		wait := fillRetry
		for _, dc := range dcList {
			have, err := c.opts.Keys.CountKeys(ctx, dc, time.Now().Add(-c.pool.maxAge))
			if err == nil && have < c.opts.KeyPoolSize {
				err = c.MakeKeys(ctx, dc, c.opts.KeyPoolSize-have)
				wait = 0 // count again: others may have taken keys meanwhile
			}
			if err != nil && ctx.Err() == nil {
				c.log.Warn("auth-key pool not filled", "dc", dc, "error", err)
				wait = fillRetry
			}
		}
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-c.pool.taken:
		case <-t.C:
		}
		t.Stop()
	}
}

// poolDCs are the DCs Fill makes keys for: Options.KeyPoolDCs, else every DC of the DC
// list that is not media-only or a CDN, Options.DC first.
func (c *Connector) poolDCs() []int {
	if len(c.opts.KeyPoolDCs) > 0 {
		return c.opts.KeyPoolDCs
	}
	list := c.opts.DCList
	if list.Zero() {
		list = dcs.Prod()
	}
	var ids []int
	for _, o := range list.Options {
		if !o.MediaOnly && !o.CDN && !slices.Contains(ids, o.ID) {
			ids = append(ids, o.ID)
		}
	}
	slices.SortFunc(ids, func(a, b int) int {
		// The DC logins start on first: its keys are taken first.
		switch {
		case a == c.opts.DC:
			return -1
		case b == c.opts.DC:
			return 1
		}
		return a - b
	})
	return ids
}

// errMoved is how a login's client stops its move to another DC when the pool has a key
// there: the client starts again on that key (see moveResolver).
var errMoved = errors.New("mtproto: the login moves to a key of the pool made for the DC")

// moveResolver dials the DCs of one login's client. When the client moves to another DC
// (PHONE_MIGRATE_X and the like, or a QR login imported elsewhere), gotd would make a new
// auth key there; if the pool has a key of that DC, the resolver stores it as the login's
// session instead and stops the client, whose call invoke then makes again on a client
// started from that session. The call never reached the new DC: a *_MIGRATE answer means
// it was not executed, and an import migrates before it is sent.
type moveResolver struct {
	dcs.Resolver
	c        *Connector
	cn       *conn
	sessions sessionStorage
}

// Primary implements dcs.Resolver.
func (r moveResolver) Primary(ctx context.Context, dc int, list dcs.List) (transport.Conn, error) {
	if from, _, _ := r.cn.stored.get(); from != 0 && from != dc && r.c.opts.Keys != nil && r.move(ctx, dc) {
		return nil, errMoved
	}
	return r.Resolver.Primary(ctx, dc, list)
}

// move stores a key of the pool for dc as the login's session and stops its client;
// false when there is none (the client then makes its key there itself).
func (r moveResolver) move(ctx context.Context, dc int) bool {
	k, err := r.c.takeKey(ctx, dc)
	if err != nil {
		if !errors.Is(err, tgapi.ErrNoKey) {
			r.c.log.Warn("no key from the pool for a move", "login_id", r.cn.loginID, "dc", dc, "error", err)
		}
		return false
	}
	if err := r.sessions.StoreSession(ctx, k.Session); err != nil {
		r.c.log.Warn("could not store a key of the pool as the login's session", "login_id", r.cn.loginID, "error", err)
		return false
	}
	r.c.log.Debug("login moves to a key made ahead of time", "login_id", r.cn.loginID, "dc", dc)
	r.cn.moved.Store(true)
	r.cn.cancel()
	return true
}
