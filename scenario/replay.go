package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
)

// Divergence is where a replay stopped walking the recorded path.
type Divergence struct {
	// Step is the 1-based index of the trace entry (after the header) being replayed.
	Step int
	// What describes that entry: "input submit_code at 1.2s".
	What string
	// Reason is the difference: a call the trace does not have, or a state not reached.
	Reason string
}

func (d *Divergence) Error() string {
	return fmt.Sprintf("replay diverged at entry %d (%s):\n%s", d.Step, d.What, d.Reason)
}

// Placeholders stand in for redacted input arguments when a trace is replayed: they pass
// the engine's validation, and the Player matches them since it compares requests
// redacted. Masked phone digits ('*') are replayed as '0'.
var Placeholders = map[string]string{
	"code":     "00000",
	"password": "replayed-password",
}

// unredact turns recorded (redacted, masked) arguments into ones the engine accepts.
func unredact(args map[string]string) map[string]string {
	out := make(map[string]string, len(args))
	for k, v := range args {
		switch {
		case v == replay.Redacted && Placeholders[k] != "":
			v = Placeholders[k]
		case k == "token" && strings.HasSuffix(v, ":"+replay.Redacted):
			v = strings.TrimSuffix(v, replay.Redacted) + "REPLAYEDTOKEN"
		case k == "phone":
			v = strings.ReplaceAll(v, "*", "0")
		}
		out[k] = v
	}
	return out
}

// Replay re-drives the engine from trace t: each recorded input is sent again and each
// timer fired at the recorded time, Telegram's answers come from the recorded calls, and
// the states every login reaches must be the recorded ones. It returns the harness (for
// inspection) and a *Divergence at the first difference. It runs in time linear in the
// trace: each recorded state is compared once.
func Replay(ctx context.Context, t *replay.Trace) (*Harness, error) {
	h, err := New(t.Entries, Options{Start: t.Header.Created, Settings: t.Header.Settings})
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	w := &walkCheck{h: h, ids: map[string]string{}, want: map[string][]string{}, checked: map[string]int{}}
	for i, en := range t.Entries {
		step := i + 1
		at := t.Header.Created.Add(time.Duration(en.T) * time.Millisecond)
		what := fmt.Sprintf("%s %s at %s", en.Type, en.Event, time.Duration(en.T)*time.Millisecond)
		if en.Type != replay.TypeInput && en.Type != replay.TypeTimer {
			continue
		}
		h.Clock.Set(at)
		id, seen := w.ids[en.Login]
		var err error
		switch {
		case en.Type == replay.TypeTimer:
			if seen {
				_, err, _ = h.Do(func(e *machine.Engine) (machine.Snapshot, error) { return machine.Snapshot{}, e.Tick(ctx) })
			}
		default:
			if !seen {
				snap, startErr := h.Engine().Start(ctx, machine.StartOptions{})
				if startErr != nil {
					return h, fmt.Errorf("replay: start a login: %w", startErr)
				}
				id, w.ids[en.Login] = snap.ID, snap.ID
			}
			in, perr := machine.ParseInput(machine.Event(en.Event), unredact(en.Args))
			if perr != nil {
				return h, &Divergence{Step: step, What: what, Reason: perr.Error()}
			}
			_, err, _ = h.Do(func(e *machine.Engine) (machine.Snapshot, error) { return e.Send(ctx, id, in) })
		}
		if perr := h.Player.Err(); perr != nil {
			return h, &Divergence{Step: step, What: what, Reason: perr.Error()}
		}
		if err != nil && !isOutcome(err) {
			return h, &Divergence{Step: step, What: what, Reason: "the engine refused it: " + err.Error()}
		}
		if d := w.advance(t.Entries, i); d != "" {
			return h, &Divergence{Step: step, What: what, Reason: d}
		}
	}
	if d := w.finish(); d != "" {
		return h, &Divergence{Step: len(t.Entries), What: "end of trace", Reason: d}
	}
	if rest := h.Player.Remaining(); len(rest) > 0 {
		return h, &Divergence{Step: len(t.Entries), What: "end of trace",
			Reason: fmt.Sprintf("the engine made %d calls fewer than the trace; the next one expected: %s", len(rest), rest[0].Method)}
	}
	return h, nil
}

// isOutcome reports errors that are part of a recorded walk: Telegram refusing an input
// and the engine mapping that to a state is what traces record.
func isOutcome(err error) bool { return errors.Is(err, machine.ErrRefused) }

// walkCheck compares the states the logins reach with the recorded ones as the replay goes.
type walkCheck struct {
	h   *Harness
	ids map[string]string // recorded login ID -> replayed
	// want holds each recorded login's states read from the trace so far; next is the
	// index of the first trace entry not read yet.
	want map[string][]string
	next int
	// checked counts each recorded login's states already found equal.
	checked map[string]int
}

// advance reads the recorded states up to (and including) entry upTo and the ones after
// it up to the next input or timer, and compares the logins whose recorded walk grew.
// Before the end a login may have walked further than the trace says so far: one
// scheduler round fires the timers of every login, which a trace records one timer entry
// at a time.
func (w *walkCheck) advance(entries []replay.Entry, upTo int) string {
	grew := map[string]bool{}
	for ; w.next < len(entries); w.next++ {
		en := entries[w.next]
		if w.next > upTo && (en.Type == replay.TypeInput || en.Type == replay.TypeTimer) {
			break
		}
		if en.Type == replay.TypeState {
			w.want[en.Login] = append(w.want[en.Login], en.State)
			grew[en.Login] = true
		}
	}
	for rec := range grew {
		if d := w.compare(rec, false); d != "" {
			return d
		}
	}
	return ""
}

// finish compares every login's whole walk with the whole trace.
func (w *walkCheck) finish() string {
	for rec := range w.ids {
		if d := w.compare(rec, true); d != "" {
			return d
		}
	}
	return ""
}

// compare checks login rec's states not yet found equal against the recorded ones.
func (w *walkCheck) compare(rec string, end bool) string {
	id, ok := w.ids[rec]
	if !ok {
		return ""
	}
	want, from := w.want[rec], w.checked[rec]
	got := w.h.walkedFrom(id, from)
	for i := 0; from+i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			return fmt.Sprintf("login %s: expected state %s next, the engine stopped at %s", rec, want[from+i], lastOf(want[:from], got))
		case from+i >= len(want) && !end:
			w.checked[rec] = from + i // ahead of the trace so far: fine until the end
			return ""
		case from+i >= len(want):
			return fmt.Sprintf("login %s: the engine went on to %s, the trace stops at %s", rec, got[i], last(want))
		case got[i] != want[from+i]:
			return fmt.Sprintf("login %s: expected state %s, got %s (after %s)", rec, want[from+i], got[i],
				strings.Join(append(append([]string(nil), want[:from]...), got[:i]...), " -> "))
		}
	}
	w.checked[rec] = from + len(got)
	return ""
}

// lastOf is the last state of the walk made of done (already compared) and then got.
func lastOf(done, got []string) string {
	if len(got) > 0 {
		return got[len(got)-1]
	}
	return last(done)
}

func last(s []string) string {
	if len(s) == 0 {
		return "(nothing)"
	}
	return s[len(s)-1]
}
