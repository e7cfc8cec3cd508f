package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/postgres"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/sqlite"
)

// DefaultStore is the store commands use when neither --store nor TGAUTH_STORE names one.
const DefaultStore = "sqlite:tgauth.db"

// storeSpec returns the store named by the flag, else by TGAUTH_STORE, else DefaultStore.
func storeSpec(env Env, flag string) string {
	if flag != "" {
		return flag
	}
	if s := env.Getenv("TGAUTH_STORE"); s != "" {
		return s
	}
	return DefaultStore
}

// openStore opens the store named by spec: "sqlite:PATH", "postgres://..." (or
// "postgresql://...") or "memory:". MTProto sessions in SQLite and PostgreSQL are sealed
// with AES-GCM under TGAUTH_KEY; for SQLite without it, under a key file created (0600)
// beside the database on first use, PATH.key.
func openStore(ctx context.Context, env Env, spec string) (machine.Store, func(), error) {
	switch {
	case spec == "memory:" || spec == "memory":
		return memory.New(), func() {}, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if path == "" {
			return nil, nil, errors.New("store sqlite: needs a file, e.g. sqlite:tgauth.db")
		}
		sealer, err := sealerFor(env, path+".key")
		if err != nil {
			return nil, nil, err
		}
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, nil, err
		}
		return sealed.Wrap(s, sealer), func() { _ = s.Close() }, nil
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		sealer, err := sealerFor(env, "")
		if err != nil {
			return nil, nil, err
		}
		s, err := postgres.Open(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		return sealed.Wrap(s, sealer), func() { _ = s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("store %q: want sqlite:PATH, postgres://... or memory:", spec)
}

// sealerFor returns the sealer for sessions: TGAUTH_KEY if set, else the key file (none
// for PostgreSQL, whose replicas must share one key).
func sealerFor(env Env, keyFile string) (*sealed.Sealer, error) {
	var key []byte
	var err error
	switch v := env.Getenv(sealed.EnvKey); {
	case v != "":
		key, err = sealed.ParseKey(v)
	case keyFile != "":
		key, err = sealed.LoadOrCreateKeyFile(filepath.Clean(keyFile))
	default:
		err = fmt.Errorf("set %s (64 hex digits) to encrypt sessions in PostgreSQL; every replica needs the same key", sealed.EnvKey)
	}
	if err != nil {
		return nil, err
	}
	return sealed.New(key)
}
