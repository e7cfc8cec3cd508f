package machine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// This file is the engine's edge: it carries out what the pure core (core.go) decides.
// Load, decide, write ahead, call, outcome, persist, notify; nothing here decides anything
// about a login.

// settings returns the engine's rules for the core.
func (e *Engine) settings() Settings {
	return Settings{QRPoll: e.opts.QRPoll, MaxAttempts: e.opts.MaxAttempts}
}

// fire runs event ev on l (read at l.Version), with the driver's input in (nil for
// timers), until the login rests in a state that awaits input or is final.
func (e *Engine) fire(ctx context.Context, l *Login, ev Event, in Input) (Snapshot, error) {
	facts, err := e.facts(ctx, l, ev, in)
	if err != nil {
		return e.snapshot(l), err
	}
	st, err := decide(l, ev, in, e.now(), facts)
	if err != nil {
		return e.snapshot(l), err
	}
	if in != nil {
		e.observe(func(o Observer) { o.Input(l.ID, string(ev), in.Args()) })
	} else {
		e.observe(func(o Observer) { o.Timer(l.ID, string(ev)) })
	}
	// The write-ahead runs under the caller's context: if it is gone, nothing was done.
	if err := e.persist(ctx, st.Login, st.Entry); err != nil {
		return e.stored(ctx, st.Login), err
	}
	return e.carry(ctx, st.Login, st.Call)
}

// facts loads what the store knows beyond l that deciding ev needs: when ev leads to a
// Telegram call for a phone, the flood waits on that phone (and, for auth.sendCode, its
// logout tokens).
func (e *Engine) facts(ctx context.Context, l *Login, ev Event, in Input) (Facts, error) {
	to, ok := tr.Lookup(l.State, ev)
	if !ok || states.KindOf(to) != states.InFlight {
		return Facts{}, nil
	}
	phone := l.Phone
	if p, ok := in.(SubmitPhone); ok {
		phone = NormalizePhone(p.Phone)
	}
	if phone == "" {
		return Facts{}, nil
	}
	var f Facts
	var err error
	if f.FloodWaits, err = e.opts.Store.FloodWaits(ctx, phone, e.now()); err != nil {
		return Facts{}, fmt.Errorf("login %s: read flood waits: %w", l.ID, err)
	}
	if to == states.SendingCode {
		if f.LogoutTokens, err = e.opts.Store.LogoutTokens(ctx, phone); err != nil {
			return Facts{}, fmt.Errorf("login %s: read logout tokens: %w", l.ID, err)
		}
	}
	return f, nil
}

// carry makes call, the call of l's in-flight state (nil when l rests), and the calls
// after it, persisting each outcome, until the login rests. Once a call was made its
// outcome is persisted under a bounded context of the engine's own, whatever became of the
// caller's: a Ctrl-C or a cancelled request must not lose a code that was sent.
func (e *Engine) carry(ctx context.Context, l *Login, call tgapi.Request) (Snapshot, error) {
	var refused error
	for call != nil {
		res := e.invoke(ctx, l, call)
		out, err := outcome(l, res, e.now(), e.settings())
		if err != nil {
			return e.snapshot(l), err
		}
		if out.Then != nil {
			call = out.Then
			continue
		}
		if err := e.apply(ctx, l, out); err != nil {
			return e.stored(ctx, out.Login), err
		}
		refused = nil
		if !tr.Success(out.Entry.Event) {
			refused = &RefusedError{Outcome: out.Entry.Event, Problem: out.Login.Problem}
		}
		l, call = out.Login, out.Call
	}
	return e.snapshot(l), refused
}

// apply persists an outcome of a call made for l, with what it says beyond the login (a
// flood wait on the phone, a logout token), under a bounded context of the engine's own.
func (e *Engine) apply(ctx context.Context, l *Login, out Outcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CallTimeout)
	defer cancel()
	if f := out.Flood; f != nil {
		if err := e.opts.Store.AddFloodWait(ctx, f.Phone, f.Method, f.Until); err != nil {
			e.log.Warn("could not keep the flood wait for other logins of the phone", "login", l.ID, "err", err)
		}
	}
	if phone := vaultPhone(out.Login); len(out.KeepToken) > 0 && phone != "" {
		if err := e.opts.Store.AddLogoutToken(ctx, phone, out.KeepToken, MaxLogoutTokens); err != nil {
			e.log.Warn("could not keep the logout token", "login", l.ID, "err", err)
		}
	}
	return e.persist(ctx, out.Login, out.Entry)
}

// invoke makes one call for l under a bounded context of the engine's own: the caller's
// cancellation does not abandon the call, whose answer matters either way.
func (e *Engine) invoke(ctx context.Context, l *Login, call tgapi.Request) Result {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.CallTimeout)
	defer cancel()
	res := Result{Call: call}
	s := &sessions{store: e.opts.Store, id: l.ID}
	api, err := e.opts.Telegram.Connect(ctx, l.ID, s)
	if err != nil {
		res.Err, res.Local = fmt.Errorf("connect to Telegram: %w", err), true
		return res
	}
	res.Value, res.Err = api.Invoke(ctx, call)
	res.DC = api.DC()
	if res.Err != nil {
		res.Local = s.failed() || errors.Is(res.Err, tgapi.ErrLocal)
	}
	return res
}

// stored returns the snapshot of the login as the store has it, after a write of l failed
// (l then holds what was not written: another input may have won the race); l's own if the
// store cannot be read either.
func (e *Engine) stored(ctx context.Context, l *Login) Snapshot {
	if cur, err := e.opts.Store.Get(context.WithoutCancel(ctx), l.ID); err == nil {
		return e.snapshot(cur)
	}
	return e.snapshot(l)
}

// persist writes l (read at l.Version) with one journal entry: the write-ahead before a
// call, or the result after it. It takes or drops the in-flight lease, re-computes the next
// timer, and tells observers and watchers.
func (e *Engine) persist(ctx context.Context, l *Login, entry JournalEntry) error {
	now := e.now()
	l.UpdatedAt = now
	if l.Kind() == states.InFlight {
		l.LeaseOwner, l.LeaseUntil = e.opts.Owner, now.Add(2*e.opts.CallTimeout)
	} else {
		l.LeaseOwner, l.LeaseUntil = "", time.Time{}
	}
	if l.Kind() == states.Final {
		scrub(l)
	}
	schedule(l, now)
	entry.At, entry.Version = now, l.Version+1
	if err := e.opts.Store.Update(ctx, l, entry); err != nil {
		return fmt.Errorf("login %s: %s --%s--> %s: %w", l.ID, entry.From, entry.Event, entry.To, err)
	}
	e.log.Info("login transition", "login", l.ID, "from", entry.From, "event", entry.Event, "to", entry.To, "version", l.Version)
	e.observe(func(o Observer) { o.Reached(l.ID, string(l.State)) })
	e.notify(l.ID)
	return nil
}

// recover resolves a login found in an in-flight state whose lease lapsed: the process
// that made the call stopped before it wrote the outcome. The state's recovery rule
// (transitions.RulesOf) says what happens. On success l holds the recovered login.
func (e *Engine) recover(ctx context.Context, l *Login) error {
	out := recovery(l, e.now(), e.settings())
	if out.Then != nil {
		var err error
		if out, err = outcome(l, e.invoke(ctx, l, out.Then), e.now(), e.settings()); err != nil {
			return err
		}
	}
	e.observe(func(o Observer) { o.Timer(l.ID, string(out.Entry.Event)) })
	if err := e.apply(ctx, l, out); err != nil {
		return err
	}
	*l = *out.Login
	return nil
}

// sessions binds a login's MTProto session to the store, and remembers whether the store
// failed: such a call failed for a local reason, not for want of an answer.
type sessions struct {
	store Store
	id    string

	mu  sync.Mutex
	err error
}

func (s *sessions) LoadSession(ctx context.Context) ([]byte, error) {
	b, err := s.store.LoadSession(ctx, s.id)
	if err != nil && !errors.Is(err, tgapi.ErrNoSession) {
		s.fail(err)
	}
	return b, err
}

func (s *sessions) StoreSession(ctx context.Context, data []byte) error {
	err := s.store.StoreSession(ctx, s.id, data)
	if err != nil {
		s.fail(err)
	}
	return err
}

func (s *sessions) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *sessions) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil
}

// vaultPhone is the phone a login's logout token is kept under.
func vaultPhone(l *Login) string {
	if l.Phone != "" {
		return l.Phone
	}
	if l.User != nil && l.User.Phone != "" {
		return NormalizePhone(l.User.Phone)
	}
	return ""
}

// schedule sets l's next timer from its deadlines: the TTL in any state that takes it, and
// in QRWaiting the next poll or the token's expiry, never before a flood wait ends. The
// earliest fires first, except that an overdue TTL beats everything.
func schedule(l *Login, now time.Time) {
	l.TimerAt, l.TimerEvent = time.Time{}, ""
	consider := func(at time.Time, ev Event) {
		if at.IsZero() {
			return
		}
		if _, ok := tr.Lookup(l.State, ev); !ok {
			return
		}
		if ev != tr.TTL && at.Before(l.RetryAt) {
			at = l.RetryAt
		}
		if l.TimerAt.IsZero() || at.Before(l.TimerAt) {
			l.TimerAt, l.TimerEvent = at, ev
		}
	}
	if len(l.QRToken) > 0 {
		consider(l.QRExpiresAt, tr.QRExpired)
	}
	consider(l.QRPollAt, tr.QRPoll)
	consider(l.ExpiresAt, tr.TTL)
	if _, ok := tr.Lookup(l.State, tr.TTL); ok && !l.ExpiresAt.IsZero() && !l.ExpiresAt.After(now) {
		l.TimerAt, l.TimerEvent = l.ExpiresAt, tr.TTL // an overdue TTL ends the login first
	}
}
