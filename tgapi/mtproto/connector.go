package mtproto

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotd/log/logslog"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"

	"github.com/tgauth/tgauth/tgapi"
)

// DefaultIdleTimeout is how long a login's client stays connected without calls when
// Options.IdleTimeout is zero.
const DefaultIdleTimeout = time.Minute

// DefaultDC is the DC a login without a stored session starts on when Options.DC is zero.
const DefaultDC = 2

// Options configures a Connector. Only AppID and AppHash are required for the production
// Telegram; Telegram's own test DCs also set TestDCs; a DC of one's own (package testdc)
// sets DCList, PublicKeys and Resolver instead. Options that cannot work (no AppID or
// AppHash, a DC list without an address for DC, an address that is not an IP and port)
// make every Connect and call fail with an error wrapping ErrLocal.
type Options struct {
	// AppID and AppHash are the API credentials (https://my.telegram.org/apps). They go to
	// auth.sendCode, auth.exportLoginToken and auth.importBotAuthorization.
	AppID   int
	AppHash string

	// DCList is the initial list of DC addresses; empty means gotd's production list (or,
	// with TestDCs, Telegram's test DCs).
	DCList dcs.List
	// TestDCs connects to Telegram's own test DCs (https://core.telegram.org/api/auth#test-accounts)
	// instead of the production ones: their addresses (gotd's dcs.Test), with the RSA keys
	// gotd embeds, which include the test DCs' key. DCList must be empty then.
	TestDCs bool
	// PublicKeys are the server RSA keys; empty means the keys gotd embeds (production's
	// and the test DCs').
	PublicKeys []telegram.PublicKey
	// Resolver dials DCs; nil means gotd's default (plain TCP).
	Resolver dcs.Resolver
	// DC is the DC a login without a stored session starts on (DefaultDC when zero).
	DC int
	// Device is sent in initConnection; zero fields get gotd's defaults.
	Device telegram.DeviceConfig

	// MigrationTimeout bounds a move of the session to another DC (PHONE_MIGRATE_X and
	// the like, ImportLoginToken): connecting there and creating the auth key. Zero
	// means gotd's default (15 s).
	MigrationTimeout time.Duration

	// IdleTimeout closes a login's client after that long without calls
	// (DefaultIdleTimeout when zero). The API stays usable: the next call reconnects.
	IdleTimeout time.Duration

	// Keys, if set, keeps auth keys made ahead of time (see pool.go; the stores of package
	// store are such pools, sealed where they seal sessions). A login without a session
	// takes one for its first DC instead of making one at its first call; a key Telegram
	// no longer knows (transport error -404) is replaced at once by a fresh exchange.
	Keys tgapi.KeyPool
	// KeyPoolSize is how many keys per DC Fill keeps in Keys; 0 makes none (keys already
	// there are still taken).
	KeyPoolSize int
	// KeyPoolDCs are the DCs Fill makes keys for; empty means every DC of the DC list.
	KeyPoolDCs []int
	// KeyMaxAge: keys made longer ago are dropped, never handed out (DefaultKeyMaxAge
	// when zero).
	KeyMaxAge time.Duration
	// KeyMakers is how many keys are made at once (1 when zero).
	KeyMakers int

	// Logger receives the adapter's and gotd's logs; nil discards them. Log lines carry
	// login IDs, DCs and method names, never a code, password, token or key.
	Logger *slog.Logger
}

// setDefaults fills in the zero fields and reports options that cannot work.
func (o *Options) setDefaults() error {
	if o.DC == 0 {
		o.DC = DefaultDC
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.AppID == 0 || o.AppHash == "" {
		return errors.New("AppID and AppHash are required")
	}
	if o.TestDCs {
		if !o.DCList.Zero() {
			return errors.New("TestDCs with a DCList: set one of them")
		}
		o.DCList = dcs.Test()
	}
	return checkDCList(o.DCList, o.DC)
}

// checkDCList reports a DC list (empty: gotd's production one) that has no address for
// DC dc, or an address that is not an IP and a port.
func checkDCList(list dcs.List, dc int) error {
	if list.Zero() {
		list = dcs.Prod()
	}
	for _, o := range list.Options {
		if net.ParseIP(o.IPAddress) == nil || o.Port <= 0 || o.Port > 65535 {
			return fmt.Errorf("DC list: DC %d address %q port %d is not an IP and a port", o.ID, o.IPAddress, o.Port)
		}
	}
	if len(dcs.FindPrimaryDCs(list.Options, dc, false)) == 0 && list.Domains[dc] == "" {
		return fmt.Errorf("DC list: no address for DC %d", dc)
	}
	return nil
}

// Connector implements tgapi.Connector on gotd: one telegram.Client per login, with the
// login's tgapi.SessionStorage as the client's session storage. Clients are pooled by
// login ID, run in their own goroutine, and are closed after Options.IdleTimeout without
// calls. A Connector is safe for concurrent use.
type Connector struct {
	opts    Options
	optsErr error // why opts cannot work (an ErrLocal), or nil
	log     *slog.Logger
	pool    *keyPool

	onUpdate atomic.Pointer[func(loginID string, u tgapi.Update)] // the subscriber, or nil

	mu     sync.Mutex
	conns  map[string]*conn // running clients by login ID
	latest map[string]*conn // the newest client of each login, running or stopping
	closed bool
	wg     sync.WaitGroup // one per client goroutine
}

var (
	_ tgapi.Connector = (*Connector)(nil)
	_ tgapi.Updater   = (*Connector)(nil)
	_ tgapi.Filler    = (*Connector)(nil)
)

// NewConnector returns a Connector with the given options. Options that cannot work are
// reported by every Connect and call, as an error wrapping ErrLocal.
func NewConnector(opts Options) *Connector {
	err := opts.setDefaults()
	c := &Connector{
		opts:   opts,
		log:    opts.Logger.With("component", "tgapi/mtproto"),
		conns:  map[string]*conn{},
		latest: map[string]*conn{},
		pool:   newKeyPool(opts),
	}
	if err != nil {
		c.optsErr = localError("options", err)
	}
	return c
}

// Connect returns an API for the login loginID whose MTProto session (auth key, DC, salt)
// is loaded from and saved to sessions. It connects (or reuses the login's running client)
// before it returns, so connection failures surface here. The API stays usable after the
// client was closed for idleness: its next call connects again from sessions.
func (c *Connector) Connect(ctx context.Context, loginID string, sessions tgapi.SessionStorage) (tgapi.API, error) {
	if sessions == nil {
		return nil, errors.New("mtproto: connect: nil session storage")
	}
	a := &api{c: c, loginID: loginID, sessions: sessions}
	dc := storedDC(ctx, sessions)
	if dc == 0 {
		dc = c.opts.DC
	}
	a.dc.Store(int64(dc))

	cn, err := c.acquire(ctx, loginID, sessions)
	if err != nil {
		return nil, fmt.Errorf("mtproto: connect: %w", err)
	}
	a.noteDC(cn)
	c.release(cn)
	return a, nil
}

// Close closes every client and waits for their goroutines. Calls after Close fail with
// ErrClosed.
func (c *Connector) Close() error {
	c.mu.Lock()
	c.closed = true
	conns := c.conns
	c.conns = map[string]*conn{}
	for _, cn := range conns {
		cn.stopIdleTimer()
	}
	c.mu.Unlock()

	for _, cn := range conns {
		cn.cancel()
	}
	c.wg.Wait()
	return nil
}

// conn is one login's running gotd client.
type conn struct {
	loginID string
	client  *telegram.Client
	stored  *storedSession // what the client last read from or wrote to the storage
	cancel  context.CancelFunc
	ready   chan struct{} // closed when the client is connected (Run's callback runs)
	done    chan struct{} // closed when Run returned
	err     error         // what Run returned; read after done
	moved   atomic.Bool   // stopped to start again on a key of the pool (moveResolver)

	// Guarded by Connector.mu.
	users   int         // acquired and not yet released
	idleGen uint64      // bumped by every acquire, so a stale idle timer does nothing
	idle    *time.Timer // armed while users == 0
}

// stopped reports whether the client's Run returned.
func (cn *conn) stopped() bool {
	select {
	case <-cn.done:
		return true
	default:
		return false
	}
}

func (cn *conn) stopIdleTimer() {
	if cn.idle != nil {
		cn.idle.Stop()
		cn.idle = nil
	}
}

// waitStored waits until the session storage holds the session of the DC the client is
// connected to. gotd signals readiness (and lets calls through) just before it stores the
// session of a new auth key, after a first connection or a migration. If the storage
// failed instead, its error (an ErrLocal) is returned: gotd only logs it.
func (cn *conn) waitStored(ctx context.Context) error {
	for {
		dc := cn.client.Config().ThisDC
		stored, changed, err := cn.stored.get()
		if dc == 0 || stored == dc {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-changed:
		case <-cn.done:
			return errors.New("client stopped before the session was stored")
		case <-ctx.Done():
			return fmt.Errorf("wait for the session of DC %d to be stored: %w", dc, ctx.Err())
		}
	}
}

// acquire returns the login's connected client, starting it if it is not running, and
// holds it open until release.
func (c *Connector) acquire(ctx context.Context, loginID string, sessions tgapi.SessionStorage) (*conn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if c.optsErr != nil {
		c.mu.Unlock()
		return nil, c.optsErr
	}
	cn, ok := c.conns[loginID]
	if ok && cn.stopped() {
		// Run returned on its own (its goroutine is about to unregister it): start anew.
		ok = false
	}
	if !ok {
		cn = c.start(loginID, sessions)
		c.conns[loginID] = cn
	}
	cn.users++
	cn.idleGen++
	cn.stopIdleTimer()
	c.mu.Unlock()

	select {
	case <-cn.ready:
		if cn.stopped() {
			c.release(cn)
			return nil, errors.New("client stopped")
		}
		if err := cn.waitStored(ctx); err != nil {
			c.release(cn)
			return nil, err
		}
		return cn, nil
	case <-cn.done:
		c.release(cn)
		if cn.err != nil {
			return nil, cn.err
		}
		return nil, errors.New("client stopped")
	case <-ctx.Done():
		c.release(cn)
		return nil, ctx.Err()
	}
}

// release ends one acquire; the last one arms the idle timer.
func (c *Connector) release(cn *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cn.users--
	if cn.users > 0 || c.closed || c.conns[cn.loginID] != cn {
		return
	}
	gen := cn.idleGen
	cn.idle = time.AfterFunc(c.opts.IdleTimeout, func() { c.closeIdle(cn, gen) })
}

// closeIdle stops cn if nothing used it since the timer of generation gen was armed.
func (c *Connector) closeIdle(cn *conn, gen uint64) {
	c.mu.Lock()
	if cn.users > 0 || cn.idleGen != gen || c.conns[cn.loginID] != cn {
		c.mu.Unlock()
		return
	}
	delete(c.conns, cn.loginID)
	cn.idle = nil
	c.mu.Unlock()

	c.log.Debug("closing idle client", "login_id", cn.loginID, "idle_timeout", c.opts.IdleTimeout)
	cn.cancel()
}

// running returns the login's client if it is running and connected, or nil.
func (c *Connector) running(loginID string) *conn {
	c.mu.Lock()
	cn := c.conns[loginID]
	c.mu.Unlock()
	if cn == nil {
		return nil
	}
	select {
	case <-cn.ready:
		return cn
	default:
		return nil
	}
}

// start creates the login's client and runs it in a goroutine. Called with c.mu held.
// If a previous client of the same login is still shutting down, the new one waits for
// it, so two clients never write one session storage at the same time.
func (c *Connector) start(loginID string, sessions tgapi.SessionStorage) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	cn := &conn{
		loginID: loginID,
		stored:  newStoredSession(),
		cancel:  cancel,
		ready:   make(chan struct{}),
		done:    make(chan struct{}),
	}
	storage := sessionStorage{sessions, cn.stored}
	cn.client = telegram.NewClient(c.opts.AppID, c.opts.AppHash, c.clientOptions(cn, storage))
	prev := c.latest[loginID]
	c.latest[loginID] = cn

	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if prev != nil {
			select {
			case <-prev.done:
			case <-ctx.Done():
			}
		}
		c.seed(ctx, loginID, storage)
		c.log.Debug("starting client", "login_id", loginID)
		err := cn.client.Run(ctx, func(ctx context.Context) error {
			close(cn.ready)
			<-ctx.Done()
			return nil
		})
		if err != nil {
			c.log.Warn("client stopped", "login_id", loginID, "error", err)
			cn.err = err
		} else {
			c.log.Debug("client stopped", "login_id", loginID)
		}
		cancel()
		close(cn.done)

		c.mu.Lock()
		if c.conns[loginID] == cn {
			delete(c.conns, loginID)
		}
		if c.latest[loginID] == cn {
			delete(c.latest, loginID)
		}
		cn.stopIdleTimer()
		c.mu.Unlock()
	}()
	return cn
}

// clientOptions are the gotd options of one login's client: the Connector's options plus
// the login's session storage, and a resolver that moves the login to a key of the pool
// when it moves to another DC. Production and the test DC differ only in the values.
func (c *Connector) clientOptions(cn *conn, sessions sessionStorage) telegram.Options {
	loginID := cn.loginID
	resolver := c.opts.Resolver
	if resolver == nil {
		resolver = dcs.DefaultResolver()
	}
	return telegram.Options{
		PublicKeys:       c.opts.PublicKeys,
		DC:               c.opts.DC,
		DCList:           c.opts.DCList,
		Resolver:         moveResolver{Resolver: resolver, c: c, cn: cn, sessions: sessions},
		Device:           c.opts.Device,
		MigrationTimeout: c.opts.MigrationTimeout,
		SessionStorage:   sessions,
		Logger:           logslog.New(c.log.With("login_id", loginID)),
		// Every client takes updates, whether or not OnUpdate was called yet: a
		// subscriber may come after the client started.
		UpdateHandler: c.updateHandler(loginID),
	}
}
