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
// inspection) and a *Divergence at the first difference.
func Replay(ctx context.Context, t *replay.Trace) (*Harness, error) {
	h, err := New(t.Entries, Options{Start: t.Header.Created, Settings: t.Header.Settings})
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	ids := map[string]string{} // recorded login ID -> replayed
	for i, en := range t.Entries {
		step := i + 1
		at := t.Header.Created.Add(time.Duration(en.T) * time.Millisecond)
		what := fmt.Sprintf("%s %s at %s", en.Type, en.Event, time.Duration(en.T)*time.Millisecond)
		if en.Type != replay.TypeInput && en.Type != replay.TypeTimer {
			continue
		}
		h.Clock.Set(at)
		id, seen := ids[en.Login]
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
				id, ids[en.Login] = snap.ID, snap.ID
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
		if d := h.compareStates(t, ids, i, false); d != "" {
			return h, &Divergence{Step: step, What: what, Reason: d}
		}
	}
	if d := h.compareStates(t, ids, len(t.Entries), true); d != "" {
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

// compareStates checks that every login has walked the states the trace recorded up to
// (and including) entry upTo, and the ones after it up to the next input or timer. Before
// the end a login may have walked further: one scheduler round fires the timers of every
// login, which a trace records one timer entry at a time.
func (h *Harness) compareStates(t *replay.Trace, ids map[string]string, upTo int, end bool) string {
	want := map[string][]string{}
	for i, en := range t.Entries {
		if i > upTo && (en.Type == replay.TypeInput || en.Type == replay.TypeTimer) {
			break
		}
		if en.Type == replay.TypeState {
			want[en.Login] = append(want[en.Login], en.State)
		}
	}
	for rec, id := range ids {
		got := h.Walked(id)
		w := want[rec]
		for i := 0; i < len(w) || i < len(got); i++ {
			switch {
			case i >= len(got):
				return fmt.Sprintf("login %s: expected state %s next, the engine stopped at %s", rec, w[i], last(got))
			case i >= len(w) && !end:
				i = len(got) // ahead of the trace so far: fine until the end
			case i >= len(w):
				return fmt.Sprintf("login %s: the engine went on to %s, the trace stops at %s", rec, got[i], last(w))
			case got[i] != w[i]:
				return fmt.Sprintf("login %s: expected state %s, got %s (after %s)", rec, w[i], got[i], strings.Join(got[:i], " -> "))
			}
		}
	}
	return ""
}

func last(s []string) string {
	if len(s) == 0 {
		return "(nothing)"
	}
	return s[len(s)-1]
}
