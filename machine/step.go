package machine

import (
	"context"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/transitions"
)

// fire runs event ev on l (read at l.Version), with the driver's input in (nil for timers):
// the table decides, a flight state is written ahead of its call, the call is made and its
// outcome applied, until the login rests in a state that awaits input or is final.
func (e *Engine) fire(ctx context.Context, l *Login, ev Event, in Input) (Snapshot, error) {
	from := l.State
	to, err := transitions.Next(from, ev)
	if err != nil {
		return e.snapshot(l), err
	}
	now := e.now()
	// A flood wait holds back the input that was flooded, and only that one: Telegram's
	// waits are per method, and giving up (or entering the code after a flooded resend)
	// must stay possible.
	if in != nil && ev == l.RetryInput && l.RetryAt.After(now) {
		return e.snapshot(l), &FloodWaitError{Until: l.RetryAt}
	}
	if in != nil {
		e.observe(func(o Observer) { o.Input(l.ID, string(ev), in.Args()) })
		take(l, in)
	} else {
		e.observe(func(o Observer) { o.Timer(l.ID, string(ev)) })
	}
	l.State = to
	if err := e.persist(ctx, l, JournalEntry{From: from, Event: ev, To: to}); err != nil {
		return e.stored(ctx, l), err
	}
	var refused error
	for l.Kind() == states.InFlight {
		out := e.call(ctx, l, in)
		if out.event == transitions.FloodWait {
			out.retry = ev
		}
		in = nil
		if refused, err = e.settle(ctx, l, out); err != nil {
			return e.stored(ctx, l), err
		}
	}
	return e.snapshot(l), refused
}

// stored returns the snapshot of the login as the store has it, after a write of l failed
// (l then holds what was not written: another input may have won the race); l's own if the
// store cannot be read either.
func (e *Engine) stored(ctx context.Context, l *Login) Snapshot {
	if cur, err := e.opts.Store.Get(ctx, l.ID); err == nil {
		return e.snapshot(cur)
	}
	return e.snapshot(l)
}

// take copies what the record keeps of an input. Secrets (codes, passwords, bot tokens)
// are not kept: they travel to the call in memory only.
func take(l *Login, in Input) {
	l.LastError = ""
	switch in := in.(type) {
	case SubmitPhone:
		l.Method, l.Phone = MethodPhone, NormalizePhone(in.Phone)
	case SubmitBotToken:
		l.Method = MethodBot
	case StartQR:
		l.Method = MethodQR
	case SubmitEmail:
		l.Email = in.Email
	}
}

// settle applies the outcome of the call made for l's in-flight state and persists the
// result. It returns a *RefusedError when the outcome is a refusal of the input.
func (e *Engine) settle(ctx context.Context, l *Login, out outcome) (refused error, err error) {
	from := l.State
	to, err := transitions.Next(from, out.event)
	if err != nil {
		// The call mapped to an outcome the table lacks: a bug in the mapping. Treat the
		// answer as lost rather than leave the login in flight.
		out = outcome{event: transitions.Interrupted, note: fmt.Sprintf("internal: %v", err)}
		if to, err = transitions.Next(from, out.event); err != nil {
			return nil, err
		}
	}
	if out.apply != nil {
		out.apply(l)
	}
	if out.event == transitions.FloodWait {
		l.RetryInput = out.retry
	} else {
		l.RetryAt, l.RetryInput = time.Time{}, ""
	}
	l.LastError = out.note
	l.State = to
	if err := e.persist(ctx, l, JournalEntry{From: from, Event: out.event, To: to, Note: out.note}); err != nil {
		return nil, err
	}
	if !successes[out.event] {
		return &RefusedError{Outcome: out.event, Telegram: out.tg, Reason: out.note}, nil
	}
	return nil, nil
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
	e.schedule(l)
	entry.At, entry.Version = now, l.Version+1
	if err := e.opts.Store.Update(ctx, l, entry); err != nil {
		return fmt.Errorf("login %s: %s --%s--> %s: %w", l.ID, entry.From, entry.Event, entry.To, err)
	}
	e.log.Info("login transition", "login", l.ID, "from", entry.From, "event", entry.Event, "to", entry.To, "version", l.Version)
	e.observe(func(o Observer) { o.Reached(l.ID, string(l.State)) })
	e.notify(l.ID)
	return nil
}

// scrub drops what a finished login no longer needs.
func scrub(l *Login) {
	l.PhoneCodeHash, l.QRToken, l.QRMigrateDC = "", nil, 0
	l.QRPollAt, l.QRExpiresAt, l.ResendAt, l.RetryAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	l.RetryInput = ""
}

// schedule sets l's next timer from its deadlines: the TTL in any state that takes it, and
// in QRWaiting the next poll or the token's expiry, never before a flood wait ends. The
// earliest fires first, except that an overdue TTL beats everything.
func (e *Engine) schedule(l *Login) {
	l.TimerAt, l.TimerEvent = time.Time{}, ""
	consider := func(at time.Time, ev Event) {
		if at.IsZero() {
			return
		}
		if _, ok := transitions.Lookup(l.State, ev); !ok {
			return
		}
		if ev != transitions.TTL && at.Before(l.RetryAt) {
			at = l.RetryAt
		}
		if l.TimerAt.IsZero() || at.Before(l.TimerAt) {
			l.TimerAt, l.TimerEvent = at, ev
		}
	}
	if len(l.QRToken) > 0 {
		consider(l.QRExpiresAt, transitions.QRExpired)
	}
	consider(l.QRPollAt, transitions.QRPoll)
	consider(l.ExpiresAt, transitions.TTL)
	if _, ok := transitions.Lookup(l.State, transitions.TTL); ok && !l.ExpiresAt.IsZero() && !l.ExpiresAt.After(e.now()) {
		l.TimerAt, l.TimerEvent = l.ExpiresAt, transitions.TTL // an overdue TTL ends the login first
	}
}
