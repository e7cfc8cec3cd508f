package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	tr "github.com/tgauth/tgauth/transitions"
)

// EnginesConfig sizes TwoEngines.
type EnginesConfig struct {
	// Logins is how many logins to drive (default 1000).
	Logins int
	// Workers is how many logins are driven at once (default 32).
	Workers int
	// TickEvery is how long, on average, each scheduler pauses between two Ticks
	// (default 2ms).
	TickEvery time.Duration
	// Wait bounds, in real time, each wait for the engines to get somewhere, so that a
	// test that would hang fails instead (default 60s). Nothing is asserted about time.
	Wait time.Duration
}

func (c *EnginesConfig) setDefaults() {
	if c.Logins <= 0 {
		c.Logins = 1000
	}
	if c.Workers <= 0 {
		c.Workers = 32
	}
	if c.TickEvery <= 0 {
		c.TickEvery = 2 * time.Millisecond
	}
	if c.Wait <= 0 {
		c.Wait = time.Minute
	}
}

// enginesOrigin is where the clock of TwoEngines starts: whole seconds, so that times
// the test compares survive a store that keeps microseconds.
var enginesOrigin = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// enginesTTL is the engines' Options.LoginTTL in TwoEngines.
const enginesTTL = time.Hour

// TwoEngines is the conformance test of a store under engines: it drives cfg.Logins logins
// through two engines, a over store a and b over store b, which must be two handles on one
// new, empty database, as two replicas (or two processes) would hold them; a store of one
// process, such as the memory store, passes itself twice. The engines have distinct
// owners, share a mock Telegram (see Telegram) and a fake clock, and both run their
// schedulers (Tick in a loop) all along.
//
// Each login has a plan that fixes where it must end (see planOf): phone logins that are
// authorized (some after a wrong code, some with the right code sent through both
// engines at once), cancelled, or abandoned in CodeSent until their TTL expires them;
// QR logins whose tokens expire rounds times (cancelRound times for those cancelled).
// Every input goes through a random one of the two engines, and is sent again on
// ErrConflict or *BusyError, as the engine's contract asks. The clock moves on by
// QRTokenLife per QR round while phone logins are being driven, then past the logins' TTL.
//
// It then checks, for every login: the final state; no lost update (Version is 1 plus
// the number of journal entries, whose versions run 2, 3, ... with no gap and whose
// states chain from New to the final state); the exact journal, so every timer fired
// exactly once (one ttl for an expired login, one qr_expired per token that expired, none
// fired early); the exact Telegram calls (one auth.exportLoginToken per token, one
// auth.signIn per code sent, however many engines raced); and that both handles read
// the same record. No assertion is about time: the clock is fake, and real time only
// bounds the waits (cfg.Wait).
func TwoEngines(t testing.TB, a, b machine.Store, cfg EnginesConfig) {
	t.Helper()
	cfg.setDefaults()
	ctx := t.Context()
	clk := clock.New(enginesOrigin)
	d := &driver{t: t, cfg: cfg, ctx: ctx, clock: clk, tg: NewTelegram(clk), store: a}
	for i, s := range []machine.Store{a, b} {
		e, err := machine.New(machine.Options{
			Store: s, Telegram: d.tg.Connector(), Now: clk.Now, Observer: &d.timers[i],
			LoginTTL: enginesTTL,
			// Leases (twice this) outlast the test's fake time: no login is taken over from
			// a live engine because the clock was moved on during its call.
			CallTimeout: 2 * enginesTTL,
			Owner:       fmt.Sprintf("engine-%c", 'a'+i),
		})
		if err != nil {
			t.Fatal(err)
		}
		d.engines[i] = e
	}

	stop := make(chan struct{})
	var schedulers sync.WaitGroup
	for i := range d.engines {
		schedulers.Go(func() { d.schedule(i, stop) })
	}
	stopSchedulers := sync.OnceFunc(func() { close(stop); schedulers.Wait() })
	defer stopSchedulers()

	var phones, qrs []plan
	plans := make([]plan, cfg.Logins)
	for i := range plans {
		plans[i] = planOf(i)
		if plans[i].qr() {
			qrs = append(qrs, plans[i])
		} else {
			phones = append(phones, plans[i])
		}
	}

	// The QR logins first, so that their tokens expire while the phone logins are driven.
	d.each(qrs, d.startQR)
	if t.Failed() {
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { d.each(phones, d.walkPhone) })
	wg.Go(func() { d.qrRounds(qrs) })
	wg.Wait()
	if t.Failed() {
		return
	}

	// Past every login's TTL: the abandoned phone logins and the QR logins still waiting
	// expire, by the schedulers alone.
	clk.Advance(2 * enginesTTL)
	want := map[string]machine.State{}
	for _, p := range plans {
		want[p.id] = p.final()
	}
	if !d.waitFor("every login to reach its final state", func() (bool, string) {
		ls, err := a.List(ctx, machine.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		if len(ls) != len(plans) {
			return false, fmt.Sprintf("%d logins stored, want %d", len(ls), len(plans))
		}
		for _, l := range ls {
			if l.State != want[l.ID] {
				return false, fmt.Sprintf("%s is %s, want %s", l.ID, l.State, want[l.ID])
			}
		}
		return true, ""
	}) {
		return
	}
	stopSchedulers()

	// Nothing is left to fire, however late it gets.
	clk.Advance(24 * time.Hour)
	for i, e := range d.engines {
		if err := e.Tick(ctx); err != nil {
			t.Errorf("engine %d: last Tick: %v", i, err)
		}
	}
	d.check(plans, b)
}

// driver runs TwoEngines.
type driver struct {
	t       testing.TB
	cfg     EnginesConfig
	ctx     context.Context
	clock   *clock.Fake
	tg      *Telegram
	store   machine.Store
	engines [2]*machine.Engine
	timers  [2]timerCount

	conflicts, busy, doubles, ticks atomic.Int64
}

// timerCount is an Observer that counts the timers an engine fires (tries to fire: a
// timer whose write-ahead lost a race is counted but not applied).
type timerCount struct{ n atomic.Int64 }

func (c *timerCount) Input(string, string, map[string]string) {}
func (c *timerCount) Timer(string, string)                    { c.n.Add(1) }
func (c *timerCount) Reached(string, string)                  {}

// schedule is engine i's scheduler until stop is closed. Tick gets the test's context,
// not one stop cancels: a Tick cut off between a write-ahead and its outcome would leave
// a login in flight.
func (d *driver) schedule(i int, stop <-chan struct{}) {
	for {
		if err := d.engines[i].Tick(d.ctx); err != nil && d.ctx.Err() == nil {
			d.t.Errorf("engine %d: Tick: %v", i, err)
		}
		d.ticks.Add(1)
		select {
		case <-stop:
			return
		case <-time.After(rand.N(2 * d.cfg.TickEvery)): // jittered, so that either engine may come first
		}
	}
}

// each runs fn on every plan, cfg.Workers at a time.
func (d *driver) each(plans []plan, fn func(plan)) {
	work := make(chan plan)
	var wg sync.WaitGroup
	for range min(d.cfg.Workers, len(plans)) {
		wg.Go(func() {
			for p := range work {
				fn(p)
			}
		})
	}
	for _, p := range plans {
		work <- p
	}
	close(work)
	wg.Wait()
}

// engine returns engine i, or a random one for i < 0.
func (d *driver) engine(i int) *machine.Engine {
	if i < 0 {
		i = rand.IntN(len(d.engines))
	}
	return d.engines[i]
}

// send sends in to login id through engine first (a random one if first < 0), and again
// through a random one for as long as the answer is ErrConflict or *BusyError.
func (d *driver) send(id string, in machine.Input, first int) (machine.Snapshot, error) {
	deadline := time.Now().Add(d.cfg.Wait)
	for e := first; ; e = -1 {
		snap, err := d.engine(e).Send(d.ctx, id, in)
		var busy *machine.BusyError
		switch {
		case errors.Is(err, machine.ErrConflict):
			d.conflicts.Add(1)
		case errors.As(err, &busy):
			d.busy.Add(1)
			time.Sleep(100 * time.Microsecond) // the call in flight is quick in real time
		default:
			return snap, err
		}
		if time.Now().After(deadline) {
			return snap, fmt.Errorf("still refused after %s: %w", d.cfg.Wait, err)
		}
	}
}

// expect reports a step whose result is not what the plan says.
func (d *driver) expect(id, step string, snap machine.Snapshot, err error, wantState machine.State, wantErr error) bool {
	if snap.State == wantState && (errors.Is(err, wantErr) || err == nil && wantErr == nil) {
		return true
	}
	d.t.Errorf("%s: %s: state %s, err %v; want %s, err %v", id, step, snap.State, err, wantState, wantErr)
	return false
}

func (d *driver) start(p plan) bool {
	snap, err := d.engine(-1).Start(d.ctx, machine.StartOptions{ID: p.id})
	return d.expect(p.id, "start", snap, err, states.New, nil)
}

// startQR starts a QR login and shows its first token.
func (d *driver) startQR(p plan) {
	if !d.start(p) {
		return
	}
	snap, err := d.send(p.id, machine.StartQR{}, -1)
	d.expect(p.id, "start QR", snap, err, states.QRWaiting, nil)
}

// walkPhone drives a phone login as far as its plan goes.
func (d *driver) walkPhone(p plan) {
	if !d.start(p) {
		return
	}
	snap, err := d.send(p.id, machine.SubmitPhone{Phone: p.phone}, -1)
	if !d.expect(p.id, "phone", snap, err, states.CodeSent, nil) {
		return
	}
	if p.wrong {
		snap, err = d.send(p.id, machine.SubmitCode{Code: WrongCode}, -1)
		if !d.expect(p.id, "wrong code", snap, err, states.CodeSent, machine.ErrRefused) {
			return
		}
	}
	switch p.kind {
	case phoneCancelled:
		snap, err = d.send(p.id, machine.Cancel{}, -1)
		d.expect(p.id, "cancel", snap, err, states.Cancelled, nil)
	case phoneAuthorized:
		if !p.double {
			snap, err = d.send(p.id, machine.SubmitCode{Code: RightCode}, -1)
			d.expect(p.id, "right code", snap, err, states.Authorized, nil)
			return
		}
		// The same code through both engines at once: exactly one gets it through, the
		// other finds the login authorized already.
		d.doubles.Add(1)
		var (
			snaps [2]machine.Snapshot
			errs  [2]error
			wg    sync.WaitGroup
		)
		for i := range snaps {
			wg.Go(func() { snaps[i], errs[i] = d.send(p.id, machine.SubmitCode{Code: RightCode}, i) })
		}
		wg.Wait()
		var notAllowed *machine.NotAllowedError
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				d.expect(p.id, "right code", snaps[i], err, states.Authorized, nil)
			case !errors.As(err, &notAllowed) || snaps[i].State != states.Authorized:
				d.t.Errorf("%s: right code through engine %d at the same time as the other: state %s, err %v; want Authorized and nil or NotAllowedError",
					p.id, i, snaps[i].State, err)
			}
		}
		if won != 1 {
			d.t.Errorf("%s: the right code sent through both engines at once got through %d times, want 1", p.id, won)
		}
	}
}

// qrRounds moves the clock on by QRTokenLife rounds times. After each move it waits until
// every QR login still waiting has a new token, and after cancelRound it cancels the
// logins planned to be cancelled.
func (d *driver) qrRounds(qrs []plan) {
	active := qrs
	for r := 1; r <= rounds; r++ {
		d.clock.Advance(QRTokenLife)
		if !d.waitFor(fmt.Sprintf("QR round %d: every waiting login's token to be replaced", r), func() (bool, string) {
			for _, p := range active {
				if n := len(d.tg.Tokens(p.id)); n < r+1 {
					return false, fmt.Sprintf("%s exported %d tokens, want %d", p.id, n, r+1)
				}
				l, err := d.store.Get(d.ctx, p.id)
				if err != nil {
					return false, err.Error()
				}
				if l.State != states.QRWaiting {
					return false, fmt.Sprintf("%s is %s", p.id, l.State)
				}
			}
			return true, ""
		}) {
			return
		}
		if r == cancelRound {
			var rest, cancel []plan
			for _, p := range active {
				if p.kind == qrCancelled {
					cancel = append(cancel, p)
				} else {
					rest = append(rest, p)
				}
			}
			d.each(cancel, func(p plan) {
				snap, err := d.send(p.id, machine.Cancel{}, -1)
				d.expect(p.id, "cancel QR", snap, err, states.Cancelled, nil)
			})
			active = rest
		}
	}
}

// waitFor polls cond until it holds, for at most cfg.Wait; on timeout it fails the test
// with cond's last reason and returns false.
func (d *driver) waitFor(what string, cond func() (bool, string)) bool {
	deadline := time.Now().Add(d.cfg.Wait)
	for {
		ok, why := cond()
		if ok {
			return true
		}
		if time.Now().After(deadline) || d.ctx.Err() != nil {
			d.t.Errorf("waited %s for %s: %s", d.cfg.Wait, what, why)
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// check verifies every login against its plan; other is the second handle on the store.
func (d *driver) check(plans []plan, other machine.Store) {
	t := d.t
	t.Helper()
	var (
		bad                          int
		entries, calls, ttls, qrExps int
		final                        = map[machine.State]int{}
	)
	for _, p := range plans {
		problems := d.checkLogin(p, other)
		if len(problems) > 0 {
			bad++
			if bad <= 20 {
				t.Errorf("login %s (%s):\n\t%s", p.id, p.describe(), strings.Join(problems, "\n\t"))
			}
			continue
		}
		final[p.final()]++
		entries += len(p.events())
		calls += len(p.calls())
		ttls += count(p.events(), tr.TTL)
		qrExps += count(p.events(), tr.QRExpired)
	}
	if bad > 0 {
		t.Errorf("%d of %d logins did not end as planned", bad, len(plans))
		return
	}
	t.Logf("%d logins through two engines: %d authorized (%d with the right code sent through both at once), %d cancelled, %d expired",
		len(plans), final[states.Authorized], d.doubles.Load(), final[states.Cancelled], final[states.Expired])
	t.Logf("%d journal entries, no version lost or repeated; %d timers fired exactly once (%d ttl, %d qr_expired), fired by engine a %d times and by engine b %d times",
		entries, ttls+qrExps, ttls, qrExps, d.timers[0].n.Load(), d.timers[1].n.Load())
	t.Logf("%d Telegram calls, each made once; %d ErrConflict and %d BusyError answers retried; %d scheduler rounds",
		calls, d.conflicts.Load(), d.busy.Load(), d.ticks.Load())
}

// checkLogin returns what is wrong with login p, if anything.
func (d *driver) checkLogin(p plan, other machine.Store) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	l, err := d.store.Get(d.ctx, p.id)
	if err != nil {
		return []string{err.Error()}
	}
	journal, err := d.store.Journal(d.ctx, p.id)
	if err != nil {
		return []string{err.Error()}
	}
	if l.State != p.final() {
		bad("state %s, want %s", l.State, p.final())
	}
	if want := int64(1 + len(journal)); l.Version != want {
		bad("version %d with %d journal entries, want %d: an update was lost", l.Version, len(journal), want)
	}
	from := states.New
	var events []machine.Event
	for k, e := range journal {
		if e.Version != int64(k+2) {
			bad("journal[%d] is version %d, want %d", k, e.Version, k+2)
		}
		if e.From != from {
			bad("journal[%d] leaves %s, but the entry before reached %s", k, e.From, from)
		}
		from = e.To
		events = append(events, e.Event)
	}
	if from != l.State {
		bad("the journal ends in %s, the record is %s", from, l.State)
	}
	if want := p.events(); !slices.Equal(events, want) {
		bad("journal events %v, want %v (ttl fired %d times, want %d; qr_expired %d times, want %d)",
			events, want, count(events, tr.TTL), count(want, tr.TTL), count(events, tr.QRExpired), count(want, tr.QRExpired))
	}
	if got, want := d.tg.Calls(p.id), p.calls(); !slices.Equal(got, want) {
		bad("Telegram calls %v, want %v", got, want)
	}
	if p.qr() {
		// The k-th qr_expired fired for the k-th token, not before it expired.
		tokens := d.tg.Tokens(p.id)
		k := 0
		for _, e := range journal {
			if e.Event != tr.QRExpired {
				continue
			}
			if k < len(tokens) && e.At.Before(tokens[k].Expires) {
				bad("qr_expired #%d fired at %s, before its token expired at %s", k+1, e.At, tokens[k].Expires)
			}
			k++
		}
		if len(l.QRToken) != 0 {
			bad("a final login keeps its QR token")
		}
	}
	if p.kind == phoneAuthorized && (l.User == nil || l.User.ID != UserOf(p.id).ID) {
		bad("authorized as %+v, want %+v", l.User, UserOf(p.id))
	}
	if l.Kind() == states.Final && !l.TimerAt.IsZero() {
		bad("a final login has a timer (%s at %s)", l.TimerEvent, l.TimerAt)
	}
	o, err := other.Get(d.ctx, p.id)
	switch {
	case err != nil:
		bad("the other handle: %v", err)
	case o.Version != l.Version || o.State != l.State:
		bad("the other handle reads %s at version %d, this one %s at %d", o.State, o.Version, l.State, l.Version)
	}
	return problems
}

func (p plan) describe() string {
	s := [...]string{"phone, authorized", "phone, cancelled", "phone, abandoned", "QR, cancelled", "QR, expired"}[p.kind]
	if p.wrong {
		s += ", wrong code first"
	}
	if p.double {
		s += ", right code through both engines"
	}
	return s
}

func count(events []machine.Event, ev machine.Event) int {
	n := 0
	for _, e := range events {
		if e == ev {
			n++
		}
	}
	return n
}
