// Package scenario drives the engine against a recorded Telegram, without a network: the
// engine runs on a memory store and a settable clock, and every Telegram call is answered
// by a replay.Player. It backs `tgauth replay` (Replay re-drives a whole trace and checks
// that the engine walks the same states) and the testscript scenarios under
// testdata/scripts, whose Telegram side is a trace section in the same file.
package scenario

import (
	"context"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/store/memory"
)

// Harness is an engine over a memory store, a Clock and a Player. A call whose trace
// entry is lost stops the engine's goroutine there, as a killed process would; the harness
// then starts a new engine over the same store, as a restarted process would.
type Harness struct {
	Store  *memory.Store
	Clock  *clock.Fake
	Player *replay.Player

	opts   machine.Options
	mu     sync.Mutex
	engine *machine.Engine
	walked map[string][]string
}

// Options configure a Harness.
type Options struct {
	// Start is the clock's starting time.
	Start time.Time
	// Record, if set, receives a trace of everything the harness does (with the Player's
	// answers as Telegram's).
	Record io.Writer
	// Settings are engine settings (see machine.SettingsOf), as a trace header holds them.
	Settings map[string]string
}

// New returns a harness whose Telegram answers from the call entries of calls.
func New(calls []replay.Entry, opts Options) (*Harness, error) {
	h := &Harness{Store: memory.New(), Clock: clock.New(opts.Start.UTC()), Player: replay.NewPlayer(calls),
		walked: map[string][]string{}}
	// A lost call ends the goroutine making it; Do notices and restarts the engine.
	h.Player.OnLost = runtime.Goexit
	var settings machine.Options
	if err := machine.ApplySettings(&settings, opts.Settings); err != nil {
		return nil, err
	}
	observers := multi{walk{h}}
	connector := h.Player.Connector()
	if opts.Record != nil {
		rec := replay.NewRecorder(opts.Record, replay.RecorderOptions{Now: h.Clock.Now, Settings: machine.SettingsOf(settings)})
		observers = append(observers, rec)
		connector = rec.Connector(connector)
	}
	h.opts = settings
	h.opts.Store, h.opts.Telegram, h.opts.Observer, h.opts.Now = h.Store, connector, observers, h.Clock.Now
	// Timers fire in due order on the goroutine of Do, which the Player's calls need: it
	// answers in the trace's order, and a lost call ends the goroutine making it.
	h.opts.TickWorkers = 1
	h.Restart()
	return h, nil
}

// Restart replaces the engine with a new one over the same store and clock: what a
// process restart leaves behind.
func (h *Harness) Restart() {
	e, err := machine.New(h.opts)
	if err != nil {
		panic(err) // the options are complete by construction
	}
	h.mu.Lock()
	h.engine = e
	h.mu.Unlock()
}

// Engine returns the current engine.
func (h *Harness) Engine() *machine.Engine {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine
}

// Do runs f on the current engine. If the engine's goroutine stops inside a lost call,
// crashed is true and the harness has restarted the engine.
func (h *Harness) Do(f func(e *machine.Engine) (machine.Snapshot, error)) (snap machine.Snapshot, err error, crashed bool) {
	e := h.Engine()
	done := make(chan struct{})
	finished := false
	go func() {
		defer close(done)
		snap, err = f(e)
		finished = true
	}()
	<-done
	if !finished {
		h.Restart()
		return machine.Snapshot{}, nil, true
	}
	return snap, err, false
}

// Walked returns the states login id reached, in order.
func (h *Harness) Walked(id string) []string { return h.walkedFrom(id, 0) }

// walkedFrom returns the states login id reached from the n-th on (a copy).
func (h *Harness) walkedFrom(id string, n int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n >= len(h.walked[id]) {
		return nil
	}
	return append([]string(nil), h.walked[id][n:]...)
}

// Taken returns every (from, event) pair the harness's logins took, from their journals.
func (h *Harness) Taken(ctx context.Context) (map[[2]string]bool, error) {
	logins, err := h.Store.List(ctx, machine.ListOptions{})
	if err != nil {
		return nil, err
	}
	taken := map[[2]string]bool{}
	for _, l := range logins {
		journal, err := h.Store.Journal(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		for _, j := range journal {
			taken[[2]string{string(j.From), string(j.Event)}] = true
		}
	}
	return taken, nil
}

// walk records the states each login reaches.
type walk struct{ h *Harness }

func (w walk) Input(string, string, map[string]string) {}
func (w walk) Timer(string, string)                    {}
func (w walk) Reached(login, state string) {
	w.h.mu.Lock()
	defer w.h.mu.Unlock()
	w.h.walked[login] = append(w.h.walked[login], state)
}

// multi fans an observation out to several observers.
type multi []machine.Observer

func (m multi) Input(login, event string, args map[string]string) {
	for _, o := range m {
		o.Input(login, event, args)
	}
}

func (m multi) Timer(login, event string) {
	for _, o := range m {
		o.Timer(login, event)
	}
}

func (m multi) Reached(login, state string) {
	for _, o := range m {
		o.Reached(login, state)
	}
}
