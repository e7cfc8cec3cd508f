package testdc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/errors"
	"github.com/gotd/log"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/crypto"
	"github.com/gotd/td/mt"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/tgtest/services"
	"github.com/gotd/td/tgtest/services/config"
	"github.com/gotd/td/transport"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// World adds accounts to the implicit 99966XYYYY ones.
	World World
	// QRTokenTTL is the lifetime of an exported login token (default 30s).
	QRTokenTTL time.Duration
	// CodeTTL is the lifetime of a login code (default 5m); auth.signIn
	// after it answers PHONE_CODE_EXPIRED.
	CodeTTL time.Duration
	// MaxCodeAttempts is how many PHONE_CODE_INVALID a code survives
	// (default 5); after that it answers PHONE_CODE_EXPIRED.
	MaxCodeAttempts int
	// Now is the clock of code, token and flood-wait expiry (default
	// time.Now); tests may move it. MTProto itself uses the real clock.
	Now func() time.Time
	// Logger receives the servers' logs (nil: none). It is gotd's logger
	// interface; github.com/gotd/log/logzap bridges a *zap.Logger.
	Logger log.Logger
}

func (o *Options) setDefaults() {
	if o.QRTokenTTL <= 0 {
		o.QRTokenTTL = 30 * time.Second
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = 5 * time.Minute
	}
	if o.MaxCodeAttempts <= 0 {
		o.MaxCodeAttempts = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = log.Nop
	}
}

// readTimeout is how long a server waits for the next message of an idle
// connection. gotd pings every minute (ping_delay_disconnect 75s), so idle
// clients stay connected, as with Telegram.
const readTimeout = 3 * time.Minute

// DC is a running fake Telegram: DCs 1, 2 and 3 on 127.0.0.1.
type DC struct {
	cfg    Config
	st     *state
	log    log.Helper
	rpc    *tg.ServerDispatcher
	config *config.Service

	opts      Options
	key       *rsa.PrivateKey // the RSA key of every DC, kept across Restart
	listeners []*sniffListener
	running   sync.WaitGroup // held calls
	conns     *connSet
	closeOnce sync.Once

	genMu sync.Mutex
	gen   *generation // the servers running now

	mu    sync.Mutex
	holds map[string][]*hold
	calls map[string]int
}

// Start starts the three DCs on random loopback ports; they are ready when
// it returns and run until Close. ctx bounds the start only.
func Start(ctx context.Context, opts Options) (*DC, error) {
	opts.setDefaults()
	if err := opts.World.validate(); err != nil {
		return nil, fmt.Errorf("testdc: world: %w", err)
	}
	// Telegram uses the same RSA keys on every DC; so do we.
	key, err := rsa.GenerateKey(rand.Reader, crypto.RSAKeyBits)
	if err != nil {
		return nil, fmt.Errorf("testdc: generate RSA key: %w", err)
	}
	d := &DC{
		opts:  opts,
		key:   key,
		cfg:   Config{PublicKeysPEM: []string{encodePublicKey(&key.PublicKey)}},
		st:    newState(opts),
		log:   log.For(opts.Logger),
		conns: &connSet{conns: map[*trackedConn]struct{}{}},
		holds: map[string][]*hold{},
		calls: map[string]int{},
	}
	d.rpc = d.dispatcher()

	tgCfg := tg.Config{
		Date:    int(time.Now().Unix()),
		Expires: int(time.Now().Add(24 * time.Hour).Unix()),
	}
	lc := net.ListenConfig{}
	for id := 1; id <= 3; id++ {
		l, err := lc.Listen(ctx, "tcp4", "127.0.0.1:0")
		if err != nil {
			for _, l := range d.listeners {
				_ = l.Close()
			}
			return nil, fmt.Errorf("testdc: listen DC %d: %w", id, err)
		}
		d.listeners = append(d.listeners, listen(l, d.conns, log.For(log.With(opts.Logger, log.Int("dc_id", id)))))
		addr := l.Addr().(*net.TCPAddr)
		d.cfg.DCs = append(d.cfg.DCs, Endpoint{ID: id, Addr: addr.String()})
		tgCfg.DCOptions = append(tgCfg.DCOptions, tg.DCOption{
			ID: id, IPAddress: addr.IP.String(), Port: addr.Port, Static: true,
		})
	}
	// tgtest's config service answers help.getConfig and help.getCdnConfig.
	d.config = config.NewService(&tgCfg, &tg.CDNConfig{})
	d.gen = d.serve()
	return d, nil
}

// generation is one run of the DCs' MTProto servers: what they know of auth keys lives
// and dies with it.
type generation struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// serve starts a generation of servers, one per DC, on the DCs' listeners.
func (d *DC) serve() *generation {
	ctx, cancel := context.WithCancel(context.Background())
	g := &generation{cancel: cancel}
	handler := d.noteClients(tgtest.UnpackInvoke(tgtest.HandlerFunc(d.onMessage)))
	for i, l := range d.listeners {
		id := i + 1
		srv := tgtest.NewServer(tgtest.NewPrivateKey(d.key), handler, tgtest.ServerOptions{
			DC:          id,
			Logger:      log.With(d.opts.Logger, log.Int("dc_id", id)),
			ReadTimeout: readTimeout,
		})
		g.done.Add(1)
		go func() {
			defer g.done.Done()
			if err := srv.Serve(ctx, transport.Listen(l.view())); err != nil {
				d.log.Warn(ctx, "DC stopped", log.Int("dc_id", id), log.Error(err))
			}
		}()
	}
	return g
}

// stop ends g's servers, closing every connection, and waits for them.
func (d *DC) stop(g *generation, final bool) {
	g.cancel()
	d.conns.closeAll(final)
	g.done.Wait()
}

// Config returns what a client needs to reach the DCs.
func (d *DC) Config() Config {
	return d.cfg.clone()
}

// Close stops the DCs, closing every connection; held calls end.
func (d *DC) Close() error {
	d.closeOnce.Do(func() {
		d.genMu.Lock()
		d.stop(d.gen, true)
		d.genMu.Unlock()
		for _, l := range d.listeners {
			_ = l.Close()
		}
		d.running.Wait()
	})
	return nil
}

// Calls is how many calls of the named TL method (e.g. "auth.signIn") the
// DCs received, on any DC, counted on arrival.
func (d *DC) Calls(method string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[method]
}

// Hold makes the next call of the named TL method (e.g. "auth.signIn") block
// until release() is called or its connection dies (or the DC closes).
// Either way the call is then executed, as Telegram executes a request whose
// client vanished: a connection that died never gets the answer. Meanwhile
// the DC acknowledges the request (msgs_ack), so the client does not resend
// it, and serves the connection's other requests. Each Hold holds one call;
// release is idempotent, and releasing before the call arrives cancels it.
func (d *DC) Hold(method string) (release func()) {
	h := &hold{released: make(chan struct{})}
	d.mu.Lock()
	d.holds[method] = append(d.holds[method], h)
	d.mu.Unlock()
	return func() {
		h.once.Do(func() { close(h.released) })
		d.mu.Lock()
		defer d.mu.Unlock()
		pending := d.holds[method]
		for i, p := range pending {
			if p == h {
				d.holds[method] = append(pending[:i:i], pending[i+1:]...)
				break
			}
		}
	}
}

type hold struct {
	once     sync.Once
	released chan struct{}
}

// arrive counts a call and takes the hold waiting for it, if any.
func (d *DC) arrive(method string) *hold {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls[method]++
	pending := d.holds[method]
	if len(pending) == 0 {
		return nil
	}
	d.holds[method] = pending[1:]
	return pending[0]
}

// onMessage is the tgtest handler of every DC, after invokeWithLayer and
// initConnection are unwrapped.
func (d *DC) onMessage(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return err
	}
	if id == mt.MsgsAckTypeID {
		return nil // the client acknowledges our answers: nothing to answer
	}
	h := d.arrive(methodName(id))
	if h == nil {
		return d.answer(srv, req)
	}
	// The request's buffer belongs to the connection's read loop.
	held := *req
	held.Buf = &bin.Buffer{Buf: append([]byte(nil), req.Buf.Buf...)}
	d.running.Add(1)
	go func() {
		defer d.running.Done()
		d.waitHold(h, srv, &held)
		if err := d.answer(srv, &held); err != nil {
			d.log.Debug(held.RequestCtx, "Answer of a held call lost", log.Error(err))
		}
	}()
	return nil
}

// holdPoll is how often a held call checks that its connection lives.
const holdPoll = 100 * time.Millisecond

// waitHold blocks until h is released, the DC closes or the request's
// connection dies, which is noticed by acknowledging the request again and
// again: the send fails once the client is gone.
func (d *DC) waitHold(h *hold, srv *tgtest.Server, req *tgtest.Request) {
	t := time.NewTicker(holdPoll)
	defer t.Stop()
	for {
		if err := srv.SendAck(req.RequestCtx, req.Session, req.MsgID); err != nil {
			return
		}
		select {
		case <-h.released:
			return
		case <-req.RequestCtx.Done():
			return
		case <-t.C:
		}
	}
}

// answer executes a request and sends its result or RPC error.
func (d *DC) answer(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return err
	}
	switch id {
	case tg.HelpGetConfigRequestTypeID, tg.HelpGetCDNConfigRequestTypeID:
		return d.config.OnMessage(srv, req)
	}
	c := call{dc: req.DC, key: req.Session.AuthKey.ID, srv: srv, session: req.Session}
	res, err := d.rpc.Handle(context.WithValue(req.RequestCtx, callKey{}, c), req.Buf)
	if err != nil {
		var rpcErr *tgerr.Error
		if !errors.As(err, &rpcErr) {
			d.log.Warn(req.RequestCtx, "Request failed", log.String("method", methodName(id)), log.Error(err))
			rpcErr = tgerr.New(500, "INTERNAL")
		}
		return srv.SendErr(req, rpcErr)
	}
	return srv.SendResult(req, res)
}

// dispatcher routes the TL methods the test DC implements.
func (d *DC) dispatcher() *tg.ServerDispatcher {
	r := tg.NewServerDispatcher(func(context.Context, *bin.Buffer) (bin.Encoder, error) {
		return nil, services.ErrMethodNotImplemented
	})
	d.registerAuth(r)
	d.registerPassword(r)
	d.registerQR(r)
	d.registerMisc(r)
	d.registerAccount(r)
	return r
}

// call identifies the sender of a request; handlers find it in their ctx.
type call struct {
	dc      int
	key     [8]byte // auth key ID
	srv     *tgtest.Server
	session tgtest.Session
}

type callKey struct{}

func callOf(ctx context.Context) call {
	return ctx.Value(callKey{}).(call)
}

// typeNames maps TL type IDs to "name#id".
var typeNames = sync.OnceValue(tg.TypesMap)

// methodName is the TL name of a type ID, e.g. "auth.signIn".
func methodName(id uint32) string {
	name, _, _ := strings.Cut(typeNames()[id], "#")
	if name == "" {
		return fmt.Sprintf("%#x", id)
	}
	return name
}

// connSet records accepted connections so that Close and Restart can close them:
// tgtest's servers only stop reading a connection when it fails.
type connSet struct {
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

type trackedConn struct {
	net.Conn
	set *connSet
}

func (c *trackedConn) Close() error {
	c.set.mu.Lock()
	delete(c.set.conns, c)
	c.set.mu.Unlock()
	return c.Conn.Close()
}

func (s *connSet) add(c net.Conn) net.Conn {
	tc := &trackedConn{Conn: c, set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = c.Close()
		return tc
	}
	s.conns[tc] = struct{}{}
	return tc
}

// closeAll closes every connection; final also closes those added later.
func (s *connSet) closeAll(final bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = s.closed || final
	for c := range s.conns {
		_ = c.Conn.Close()
	}
}
