package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// defaultKeyPool is how many auth keys per DC 'tgauth serve' keeps made ahead of time.
const defaultKeyPool = 8

// keyPoolFlags are the flags of the auth-key pool of 'tgauth serve'.
type keyPoolFlags struct {
	size   int
	maxAge time.Duration
}

func (f *keyPoolFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.size, "key-pool", defaultKeyPool, "keep `N` MTProto auth keys per DC made ahead of time in the store, so that a login's first answer costs no key exchange (0: none)")
	fs.DurationVar(&f.maxAge, "key-pool-max-age", mtproto.DefaultKeyMaxAge, "drop auth keys of the pool older than `D`")
}

func (f *keyPoolFlags) check() error {
	if f.size < 0 {
		return fmt.Errorf("--key-pool %d: want a number of keys per DC, 0 for none", f.size)
	}
	if f.maxAge <= 0 {
		return fmt.Errorf("--key-pool-max-age %s: want a positive duration, e.g. 24h", f.maxAge)
	}
	return nil
}

// newConnector returns the MTProto connector of a command: with the flags of 'tgauth serve',
// its auth-key pool is kept in the store (sealed like sessions) and filled by the engine's
// Run; for 'tgauth login', one key of the first DC is made at once, in memory. The
// function returned closes the connector, and stops the making of a key not taken.
func newConnector(ctx context.Context, opts mtproto.Options, store machine.Store, use engineUse) (*mtproto.Connector, func(), error) {
	switch {
	case use.keyPool != nil && use.keyPool.size > 0:
		pool, ok := store.(tgapi.KeyPool)
		if !ok {
			return nil, nil, fmt.Errorf("the store keeps no auth-key pool: pass --key-pool 0")
		}
		opts.Keys, opts.KeyPoolSize, opts.KeyMaxAge = pool, use.keyPool.size, use.keyPool.maxAge
	case use.warmKey:
		opts.Keys = memory.New()
	}
	c := mtproto.NewConnector(opts)
	if !use.warmKey {
		return c, func() { _ = c.Close() }, nil
	}
	warm, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.MakeKeys(warm, 0, 1) // on failure the login makes its key itself
	}()
	return c, func() { stop(); <-done; _ = c.Close() }, nil
}
