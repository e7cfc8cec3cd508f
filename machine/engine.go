// Package machine is the tgauth engine: it keeps each login as a record with an explicit
// state in a Store, runs driver inputs, Telegram outcomes and timers through the transition
// table (package transitions), and makes the one Telegram call each in-flight state stands
// for through a tgapi.Connector.
//
// One input goes like this, and nothing else moves a login: load the login; the table
// accepts or refuses the event; if the new state is in flight, persist it first (the
// write-ahead), then make the call; map the answer to an outcome event; apply it, persist,
// notify watchers. A crash between write-ahead and outcome leaves an in-flight state on
// disk, which Run (or the next Send) resolves by that state's recovery rule.
package machine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/transitions"
)

// Options configure an Engine. Store and Telegram are required.
type Options struct {
	Store    Store
	Telegram tgapi.Connector
	// Observer, if set, sees every input, timer and state (package replay records traces).
	Observer Observer
	// Logger gets one line per transition; nil discards. No secret is ever logged.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// LoginTTL is how long a login may take before it expires (default 30m).
	LoginTTL time.Duration
	// CallTimeout bounds one Telegram call; the in-flight lease lasts twice as long
	// (default 1m).
	CallTimeout time.Duration
	// QRPoll, if set, makes a waiting QR login ask Telegram again that often. Each ask
	// exports a new token, so the QR code shown changes; by default (0) the engine asks
	// only when the token expires and when Telegram pushes updateLoginToken
	// (LoginTokenScanned), as Telegram's apps do.
	QRPoll time.Duration
	// MaxAttempts is how many wrong codes or passwords fail the login (default 5).
	MaxAttempts int
	// Tick is how often Run looks for due timers and stale calls (default 1s).
	Tick time.Duration
	// TickWorkers is how many due timers and stale logins a Tick handles at once
	// (default 64): their writes then share the store's commits. 1 handles them one at a
	// time, in the order the store returns them (due time, then ID), which replaying a
	// trace needs.
	TickWorkers int
	// Owner names this engine in in-flight leases. The default is
	// host/boot/pidns/pid/random: the host name, the boot id
	// (/proc/sys/kernel/random/boot_id), the PID namespace as /proc/self/ns/pid names it
	// (e.g. "pid:[4026531836]"), the process id in that namespace and 8 random hex
	// digits; without /proc, boot and pidns are empty. On Linux, a lease whose owner names
	// this host, boot and PID namespace and a process that is gone (or a zombie) is taken
	// over at once; any other lease is busy until it lapses.
	Owner string
	// TelegramID names the Telegram that Telegram reaches: "production", "test" (Telegram's
	// test DCs) or a test DC identified by its keys. Every new login records it, and a
	// login recorded with another is refused (*WrongTelegramError): its session belongs to
	// that Telegram.
	TelegramID string
}

// Engine runs logins. It is safe for concurrent use, and several engines (in one process or
// many) may share one Store: inputs to one login never both apply.
type Engine struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	watchers map[string]map[chan struct{}]struct{}
}

// New returns an engine over opts.Store and opts.Telegram.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil || opts.Telegram == nil {
		return nil, errors.New("machine: Options.Store and Options.Telegram are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.setDefaults()
	if opts.Owner == "" {
		opts.Owner = defaultOwner()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{opts: opts, log: log, watchers: map[string]map[chan struct{}]struct{}{}}
	if u, ok := opts.Telegram.(tgapi.Updater); ok {
		u.OnUpdate(e.update)
	}
	return e, nil
}

// update turns a push from Telegram into the event it means for the login that got it.
// It runs apart from the connection that delivered it, which must not wait for the call
// the event makes.
func (e *Engine) update(id string, u tgapi.Update) {
	if u != tgapi.LoginTokenUpdated {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*e.opts.CallTimeout)
		defer cancel()
		if _, err := e.Send(ctx, id, LoginTokenScanned{}); err != nil && !errors.Is(err, ErrRefused) {
			e.log.Info("updateLoginToken not applied", "login", id, "err", err)
		}
	}()
}

func (o *Options) setDefaults() {
	setDefault(&o.LoginTTL, 30*time.Minute)
	setDefault(&o.CallTimeout, time.Minute)
	setDefault(&o.Tick, time.Second)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.TickWorkers <= 0 {
		o.TickWorkers = 64
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

func (e *Engine) now() time.Time { return e.opts.Now().UTC() }

// StartOptions describe a new login.
type StartOptions struct {
	// ID is the login's ID; empty means a new random UUID.
	ID string
	// Input, if set, is sent at once: SubmitPhone, SubmitBotToken or StartQR.
	Input Input
}

// Start creates a login in state New and, if opts.Input is set, sends it.
func (e *Engine) Start(ctx context.Context, opts StartOptions) (Snapshot, error) {
	if opts.Input != nil {
		if err := opts.Input.validate(); err != nil {
			return Snapshot{}, err
		}
	}
	id := opts.ID
	if id == "" {
		id = uuid.NewString()
	}
	now := e.now()
	l := &Login{ID: id, State: states.New, Telegram: e.opts.TelegramID, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(e.opts.LoginTTL)}
	schedule(l, now)
	if err := e.opts.Store.Create(ctx, l); err != nil {
		return Snapshot{}, fmt.Errorf("start login: %w", err)
	}
	e.observe(func(o Observer) { o.Reached(l.ID, string(l.State)) })
	if opts.Input == nil {
		return e.snapshot(l), nil
	}
	return e.Send(ctx, id, opts.Input)
}

// Get returns a login's snapshot.
func (e *Engine) Get(ctx context.Context, id string) (Snapshot, error) {
	l, err := e.opts.Store.Get(ctx, id)
	if err != nil {
		return Snapshot{}, fmt.Errorf("get login %s: %w", id, err)
	}
	return e.snapshot(l), nil
}

// Resolve returns a login's snapshot after recovering it, if it was left in flight by an
// engine whose lease lapsed or whose process is gone. A call still in flight under a live
// lease is left alone: the snapshot then shows it waiting.
func (e *Engine) Resolve(ctx context.Context, id string) (Snapshot, error) {
	l, err := e.load(ctx, id)
	var busy *BusyError
	if errors.As(err, &busy) {
		return e.snapshot(l), nil
	}
	if err != nil {
		if l != nil {
			return e.snapshot(l), err
		}
		return Snapshot{}, err
	}
	return e.snapshot(l), nil
}

// List returns the snapshots of the stored logins, oldest first (see ListOptions).
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]Snapshot, error) {
	logins, err := e.opts.Store.List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list logins: %w", err)
	}
	out := make([]Snapshot, len(logins))
	for i, l := range logins {
		out[i] = e.snapshot(l)
	}
	return out, nil
}

// Session returns the MTProto session (gotd's session JSON) of an authorized login, to
// hand to a client that goes on with it (see package sessionfmt). A login in any other
// state has no session worth exporting: that is an error naming its state.
func (e *Engine) Session(ctx context.Context, id string) ([]byte, error) {
	l, err := e.opts.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", id, err)
	}
	if l.State != states.Authorized {
		return nil, fmt.Errorf("login %s is %s, not Authorized: it has no session to export", id, l.State)
	}
	data, err := e.opts.Store.LoadSession(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("login %s: load session: %w", id, err)
	}
	return data, nil
}

// Journal returns a login's transitions, oldest first.
func (e *Engine) Journal(ctx context.Context, id string) ([]JournalEntry, error) {
	return e.opts.Store.Journal(ctx, id)
}

// Send applies one input to a login and returns where it ended up. Errors:
// *InputError (bad value), *NotAllowedError (not in this state), *BusyError (a call is in
// flight elsewhere), *FloodWaitError (Telegram asked to wait), ErrConflict (another input
// won the race), ErrNotFound; and an error matching ErrRefused when the input was taken
// but Telegram refused it. Except for ErrNotFound, the snapshot shows the login as it is.
func (e *Engine) Send(ctx context.Context, id string, in Input) (Snapshot, error) {
	l, err := e.load(ctx, id)
	if err != nil {
		if l != nil {
			return e.snapshot(l), err
		}
		return Snapshot{}, err
	}
	if err := in.validate(); err != nil {
		return e.snapshot(l), err
	}
	if c, isCode := in.(SubmitCode); isCode && l.State == states.CodeSent {
		// A code of the wrong shape is refused here: it would spend an attempt.
		code, err := CheckCode(codePrompt(l), c.Code)
		if err != nil {
			return e.snapshot(l), err
		}
		in = SubmitCode{Code: code}
	}
	if e.overdue(l) {
		// The TTL passed and no scheduler fired it yet: the login is over, whatever the input.
		snap, err := e.fire(ctx, l, transitions.TTL, nil)
		if err != nil {
			return snap, err
		}
		return snap, &NotAllowedError{State: snap.State, Event: in.Event()}
	}
	return e.fire(ctx, l, in.Event(), in)
}

// load reads a login for a step. A login whose call is in flight under a live lease is
// busy; one whose lease lapsed is recovered first.
func (e *Engine) load(ctx context.Context, id string) (*Login, error) {
	l, err := e.opts.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", id, err)
	}
	if err := e.ours(l); err != nil {
		return l, err
	}
	if l.Kind() != states.InFlight {
		return l, nil
	}
	if l.LeaseUntil.After(e.now()) && !ownerGone(l.LeaseOwner) {
		return l, &BusyError{ID: l.ID, State: l.State, Until: l.LeaseUntil}
	}
	if err := e.recover(ctx, l); err != nil {
		return l, err
	}
	return l, nil
}

// ours refuses a login started on another Telegram than the engine's.
func (e *Engine) ours(l *Login) error {
	if l.Telegram != e.opts.TelegramID {
		return &WrongTelegramError{ID: l.ID, Login: l.Telegram, Engine: e.opts.TelegramID}
	}
	return nil
}

// overdue reports whether l's TTL has passed in a state that expires.
func (e *Engine) overdue(l *Login) bool {
	_, expires := transitions.Lookup(l.State, transitions.TTL)
	return expires && !l.ExpiresAt.IsZero() && !l.ExpiresAt.After(e.now())
}

// Tick runs one round of the scheduler: it recovers in-flight logins whose lease lapsed
// and fires every due timer. Run calls it every Options.Tick; tests and one-shot tools
// call it directly. Logins are claimed in batches sized by what is due: the first claim
// asks for TickBatch, and each claim that comes back full asks for twice as many (up to
// MaxTickBatch), for as long as full batches come back and move, so a round takes what is
// due, however much that is. The logins of a batch are handled Options.TickWorkers at a
// time, so that their writes share the store's commits.
func (e *Engine) Tick(ctx context.Context) error {
	errs, err := e.batches(ctx, e.opts.Store.Stale, func(l *Login) error {
		return e.recover(ctx, l)
	})
	if err != nil {
		return fmt.Errorf("tick: stale logins: %w", err)
	}
	timerErrs, err := e.batches(ctx, e.opts.Store.Due, func(l *Login) error {
		now := e.now()
		schedule(l, now) // against the clock now: an overdue TTL goes first
		if l.TimerEvent == "" || l.TimerAt.After(now) {
			return errNotDue
		}
		if _, err := e.fire(ctx, l, l.TimerEvent, nil); err != nil && !errors.Is(err, ErrRefused) {
			return fmt.Errorf("timer %s of login %s: %w", l.TimerEvent, l.ID, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("tick: due timers: %w", err)
	}
	return errors.Join(append(errs, timerErrs...)...)
}

// The sizes of Tick's claims: the first asks for TickBatch logins, and each that comes
// back full asks for twice as many as the one before, up to MaxTickBatch.
const (
	TickBatch    = 64
	MaxTickBatch = 4096
)

// errNotDue says a login claimed by a batch had nothing to do after all.
var errNotDue = errors.New("not due")

// batches hands each login that fetch returns to handle, Options.TickWorkers at a time,
// skipping other Telegrams' logins, and fetches again, a batch twice as big (see
// TickBatch), while a full batch came back and some of it moved. It returns the errors of
// handle other than lost races, and fetch's error.
func (e *Engine) batches(ctx context.Context, fetch func(context.Context, time.Time, int) ([]*Login, error),
	handle func(*Login) error) (errs []error, err error) {
	for size := TickBatch; ; size = min(2*size, MaxTickBatch) {
		batch, err := fetch(ctx, e.now(), size)
		if err != nil {
			return errs, err
		}
		moved, batchErrs := e.handleAll(batch, handle)
		errs = append(errs, batchErrs...)
		if len(batch) < size || moved == 0 || ctx.Err() != nil {
			return errs, nil
		}
	}
}

// handleAll runs handle on each of the engine's logins in batch, Options.TickWorkers at a
// time, and returns how many moved and the errors other than lost races.
func (e *Engine) handleAll(batch []*Login, handle func(*Login) error) (moved int, errs []error) {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		next = make(chan *Login)
	)
	count := func(err error) {
		switch {
		case err == nil:
			moved++
		case errors.Is(err, ErrConflict), errors.Is(err, errNotDue):
		default:
			errs = append(errs, err)
		}
	}
	if e.opts.TickWorkers == 1 { // in order, on the caller's goroutine
		for _, l := range batch {
			if e.ours(l) == nil {
				count(handle(l))
			}
		}
		return moved, errs
	}
	for range min(e.opts.TickWorkers, len(batch)) {
		wg.Go(func() {
			for l := range next {
				err := handle(l)
				mu.Lock()
				count(err)
				mu.Unlock()
			}
		})
	}
	for _, l := range batch {
		if e.ours(l) == nil { // another Telegram's engine takes the others
			next <- l
		}
	}
	close(next)
	wg.Wait()
	return moved, errs
}

// Run resolves logins left in flight by a crash and fires timers until ctx is done. Timers
// are deadlines stored on each login, so a restarted Run picks up where the last one left.
// If the connector prepares things ahead of time (a tgapi.Filler, such as the auth-key
// pool of tgapi/mtproto), Run runs its Fill alongside and waits for it before returning.
func (e *Engine) Run(ctx context.Context) error {
	if f, ok := tgapi.FillerOf(e.opts.Telegram); ok {
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); f.Fill(ctx) }()
		defer func() { cancel(); <-done }()
	}
	t := time.NewTicker(e.opts.Tick)
	defer t.Stop()
	for {
		if err := e.Tick(ctx); err != nil {
			e.log.Warn("scheduler round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (e *Engine) observe(f func(Observer)) {
	if e.opts.Observer != nil {
		f(e.opts.Observer)
	}
}
