package cli

import (
	"context"
	"flag"
	"os"
	"sync"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mtproto"
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
	fs.StringVar(&f.store, "store", "", "where logins are kept: sqlite:PATH, postgres://... or memory: (default $TGAUTH_STORE, else "+DefaultStore+")")
	fs.StringVar(&f.trace, "trace", "", "record what the engine does to a trace `FILE` (JSON Lines, secrets redacted)")
}

// running is an engine with what it runs on; close releases all of it.
type running struct {
	engine *machine.Engine
	store  machine.Store
	close  func()
}

// start opens the store, reaches Telegram and builds the engine. With scheduler set it
// also runs the engine's scheduler (timers, crash recovery) until close.
func (f *engineFlags) start(ctx context.Context, env Env, scheduler bool) (*running, error) {
	var (
		mu            sync.Mutex
		closers       []func()
		stopScheduler = func() {}
	)
	addCloser := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		closers = append(closers, f)
	}
	r := &running{close: func() {
		stopScheduler() // first, so no timer fires into a closed connection
		mu.Lock()
		defer mu.Unlock()
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}}
	if err := f.telegramFlags.check(env); err != nil {
		return nil, err
	}
	store, closeStore, err := openStore(ctx, env, storeSpec(env, f.store))
	if err != nil {
		return nil, err
	}
	addCloser(closeStore)
	// Telegram is reached on the first call only: commands that end up making none (status
	// of a login at rest, a refused input) start no test DC and open no connection.
	var (
		once      sync.Once
		connector *mtproto.Connector
		connErr   error
	)
	lazy := tgapi.ConnectorFunc(func(cctx context.Context, id string, s tgapi.SessionStorage) (tgapi.API, error) {
		once.Do(func() {
			opts, release, err := f.connect(context.WithoutCancel(ctx), env, env.Stderr)
			if err != nil {
				connErr = err
				return
			}
			opts.OnLoginToken = func(id string) {
				go func() { _, _ = r.engine.Send(context.WithoutCancel(ctx), id, machine.LoginTokenScanned{}) }()
			}
			connector = mtproto.NewConnector(opts)
			addCloser(release)
			addCloser(func() { _ = connector.Close() })
		})
		if connErr != nil {
			return nil, connErr
		}
		return connector.Connect(cctx, id, s)
	})
	engineOpts := machine.Options{Store: store}
	var telegram tgapi.Connector = lazy
	if f.trace != "" {
		file, err := os.Create(f.trace)
		if err != nil {
			r.close()
			return nil, err
		}
		addCloser(func() { _ = file.Close() })
		rec := replay.NewRecorder(file, replay.RecorderOptions{Settings: machine.SettingsOf(engineOpts)})
		telegram, engineOpts.Observer = rec.Connector(lazy), rec
	}
	engineOpts.Telegram = telegram
	if r.engine, err = machine.New(engineOpts); err != nil {
		r.close()
		return nil, err
	}
	r.store = store
	if scheduler {
		runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); _ = r.engine.Run(runCtx) }()
		stopScheduler = func() { stop(); <-done }
	}
	return r, nil
}
