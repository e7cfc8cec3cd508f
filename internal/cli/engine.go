package cli

import (
	"context"
	"errors"
	"flag"
	"os"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/tgapi"
)

// engineFlags are the flags of every command that runs the engine: where logins are kept,
// which Telegram to talk to, and an optional trace.
type engineFlags struct {
	telegramFlags
	store string
	trace string
}

func (f *engineFlags) register(fs *flag.FlagSet) {
	f.telegramFlags.register(fs)
	fs.StringVar(&f.store, "store", "", storeUsage)
	fs.StringVar(&f.trace, "trace", "", "record what the engine does to a trace `FILE` (JSON Lines, secrets redacted; created 0600)")
}

// engineUse says how a command runs the engine.
type engineUse struct {
	store storeUse
	// embedded: with no Telegram given, start an embedded test DC ('tgauth login'); else
	// that is errNoTelegram.
	embedded bool
	// scheduler: run the engine's scheduler (timers, crash recovery) until close.
	scheduler bool
	// instrument, if set, may wrap opts.Telegram and set opts.Observer before the engine
	// is built ('tgauth serve' counts calls and steps for /metrics).
	instrument func(opts *machine.Options)
	// keyPool, if set, keeps auth keys made ahead of time in the store ('tgauth serve').
	keyPool *keyPoolFlags
	// warmKey makes one auth key for the first DC at once, kept in memory, for the login
	// about to start ('tgauth login', while the person types the phone).
	warmKey bool
}

// testHookOptions, set by tests only, changes an engine's options before it is built (the
// terminal tests make a Telegram call panic, to see the terminal restored).
var testHookOptions func(opts *machine.Options)

// errNoTelegram is what a command that needs a named Telegram says when it has none.
var errNoTelegram = errors.New("pass --telegram testdc:FILE (a running 'tgauth testdc') or --api-id and --api-hash " +
	"(or TG_API_ID and TG_API_HASH; with --test-dc for Telegram's own test DCs); an embedded test DC starts only for 'tgauth login'")

// running is an engine with what it runs on; close releases all of it.
type running struct {
	engine *machine.Engine
	close  func()
}

// start checks the flags, prepares Telegram (an embedded test DC is started now, since
// the logins it serves record its keys; any other Telegram is dialled once, so that one
// that does not answer is reported before anything is touched), opens the store and
// builds the engine.
func (f *engineFlags) start(ctx context.Context, env Env, use engineUse) (*running, error) {
	if err := f.check(env); err != nil {
		return nil, err
	}
	if !f.given() && !use.embedded {
		return nil, errNoTelegram
	}
	var closers []func()
	stopScheduler := func() {}
	r := &running{close: func() {
		stopScheduler() // first, so no timer fires into a closed connection
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}}
	fail := func(err error) (*running, error) {
		r.close()
		return nil, err
	}
	tg, err := f.connect(ctx, env.Stderr)
	if err != nil {
		return nil, err
	}
	closers = append(closers, tg.release)
	if f.given() {
		if err := reachable(ctx, tg.opts); err != nil {
			return fail(err)
		}
	}
	store, closeStore, err := openStore(ctx, env, storeSpec(env, f.store), use.store)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, closeStore)
	connector, closeConnector, err := newConnector(ctx, tg.opts, store, use)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, closeConnector)
	opts := machine.Options{Store: store, Telegram: connector, TelegramID: tg.id}
	if f.trace != "" {
		file, err := createTrace(f.trace)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, func() { _ = file.Close() })
		rec := replay.NewRecorder(file, replay.RecorderOptions{Settings: machine.SettingsOf(opts)})
		opts.Telegram, opts.Observer = rec.Connector(connector), rec
	}
	if use.instrument != nil {
		use.instrument(&opts)
	}
	if testHookOptions != nil {
		testHookOptions(&opts)
	}
	if r.engine, err = machine.New(opts); err != nil {
		return fail(err)
	}
	if use.scheduler {
		runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); _ = r.engine.Run(runCtx) }()
		stopScheduler = func() { stop(); <-done }
	}
	return r, nil
}

// createTrace creates (or truncates) a trace file readable by its owner only: a trace
// has no secret, but phone numbers and account names.
func createTrace(path string) (*os.File, error) {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := file.Chmod(0o600); err != nil { // a file that was there keeps its mode otherwise
		_ = file.Close()
		return nil, err
	}
	return file, nil
}

// offline is the Telegram of commands that only read the store through the engine.
var offline = tgapi.ConnectorFunc(func(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
	return nil, errors.New("this command reaches no Telegram")
})

// reader returns an engine over the store named by spec for commands that only read it
// (list, history, export), and what closes the store. It creates no file and no key.
func reader(ctx context.Context, env Env, spec string, use storeUse) (*machine.Engine, func(), error) {
	store, closeStore, err := openStore(ctx, env, storeSpec(env, spec), use)
	if err != nil {
		return nil, nil, err
	}
	e, err := machine.New(machine.Options{Store: store, Telegram: offline})
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return e, closeStore, nil
}
