package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/postgres"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/sqlite"
)

// DefaultStore is the store commands use when neither --store nor TGAUTH_STORE names one.
const DefaultStore = "sqlite:tgauth.db"

// storeUsage describes --store, the same in every command.
const storeUsage = "where logins are kept: sqlite:PATH, postgres://... or memory: (default $TGAUTH_STORE, else " + DefaultStore + ")"

// storeFlag defines --store on a command that takes no other engine flag.
func storeFlag(fs *flag.FlagSet) *string {
	return fs.String("store", "", storeUsage)
}

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

// isMemory reports whether spec names the memory store, which lives as long as its process.
func isMemory(spec string) bool { return spec == "memory:" || spec == "memory" }

// storeUse says what a command does with the store.
type storeUse struct {
	// create: a SQLite file that does not exist is created (commands that start logins);
	// else it is an error, and nothing is created.
	create bool
	// write: the command changes logins and stores sessions, so the key of a SQLite file
	// that holds no session yet may be created beside it.
	write bool
	// sessions: the command reads or writes MTProto sessions, so it needs their key. A
	// command without it gets a store whose sessions cannot be read.
	sessions bool
}

// The uses of the commands.
var (
	starting  = storeUse{create: true, write: true, sessions: true} // login, start, serve-timers
	stepping  = storeUse{write: true, sessions: true}               // step commands, status
	exporting = storeUse{sessions: true}                            // export
	reading   = storeUse{}                                          // list, history
)

// openStore opens the store named by spec: "sqlite:PATH", "postgres://..." (or
// "postgresql://...") or "memory:". MTProto sessions in SQLite and PostgreSQL are sealed
// with AES-GCM under TGAUTH_KEY; for SQLite without it, under a key file beside the
// database, PATH.key (see sqliteKey).
func openStore(ctx context.Context, env Env, spec string, use storeUse) (machine.Store, func(), error) {
	switch {
	case isMemory(spec):
		return memory.New(), func() {}, nil
	case strings.HasPrefix(spec, "sqlite:"):
		return openSQLite(ctx, env, strings.TrimPrefix(spec, "sqlite:"), use)
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		var key []byte
		if use.sessions {
			var err error
			if key, err = envKey(env); err != nil {
				return nil, nil, err
			}
			if key == nil {
				return nil, nil, fmt.Errorf("set %s (64 hex digits) to encrypt sessions in PostgreSQL; every replica needs the same key", sealed.EnvKey)
			}
		}
		s, err := postgres.Open(ctx, spec)
		if err != nil {
			return nil, nil, err
		}
		st, err := sealWith(s, key)
		if err != nil {
			_ = s.Close()
			return nil, nil, err
		}
		return st, func() { _ = s.Close() }, nil
	}
	return nil, nil, fmt.Errorf("store %q: want sqlite:PATH, postgres://... or memory:", spec)
}

// openSQLite opens the SQLite store at path for use.
func openSQLite(ctx context.Context, env Env, path string, use storeUse) (machine.Store, func(), error) {
	if path == "" {
		return nil, nil, errors.New("store sqlite: needs a file, e.g. sqlite:tgauth.db")
	}
	existed, err := exists(path)
	if err != nil {
		return nil, nil, err
	}
	if !existed && !use.create {
		return nil, nil, fmt.Errorf("no store at %s (--store or TGAUTH_STORE names the store)", path)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	var key []byte
	if use.sessions {
		key, err = sqliteKey(ctx, env, s, path, existed, use.write)
	}
	var st machine.Store
	if err == nil {
		st, err = sealWith(s, key)
	}
	if err != nil {
		_ = s.Close()
		return nil, nil, err
	}
	return st, func() { _ = s.Close() }, nil
}

// sealWith wraps s so that sessions are sealed under key; with no key, so that they
// cannot be read or written at all.
func sealWith(s machine.Store, key []byte) (machine.Store, error) {
	if key == nil {
		return noSessions{s}, nil
	}
	sealer, err := sealed.New(key)
	if err != nil {
		return nil, err
	}
	return sealed.Wrap(s, sealer), nil
}

// exists reports whether there is a file at path.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// noSessions is a store opened without the sessions' key: the command reads none.
type noSessions struct{ machine.Store }

var errNoSessionKey = errors.New("this command opened the store without the sessions' key")

// LoadSession implements machine.Store: it refuses.
func (noSessions) LoadSession(context.Context, string) ([]byte, error) { return nil, errNoSessionKey }

// StoreSession implements machine.Store: it refuses.
func (noSessions) StoreSession(context.Context, string, []byte) error { return errNoSessionKey }
