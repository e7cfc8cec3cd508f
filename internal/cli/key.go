package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/tgapi"
)

// envKey returns the key in TGAUTH_KEY, or nil when it is not set.
func envKey(env Env) ([]byte, error) {
	v := env.Getenv(sealed.EnvKey)
	if v == "" {
		return nil, nil
	}
	key, err := sealed.ParseKey(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sealed.EnvKey, err)
	}
	return key, nil
}

// sqliteKey returns the key of the sessions in the SQLite store s at path: TGAUTH_KEY if
// set, else the key file PATH.key. A missing key file is created (0600) only by a command
// that writes, and only if the database is new or holds no session yet: a key made anew
// could not open the sessions sealed under the lost one.
func sqliteKey(ctx context.Context, env Env, s machine.Store, path string, existed, write bool) ([]byte, error) {
	if key, err := envKey(env); key != nil || err != nil {
		return key, err
	}
	file := filepath.Clean(path + ".key")
	there, err := exists(file)
	if err != nil {
		return nil, err
	}
	switch {
	case there:
		// The file exists, so this loads it and creates nothing.
		return sealed.LoadOrCreateKeyFile(file)
	case !write:
		return nil, fmt.Errorf("no key file %s beside %s (and %s is not set): the sessions cannot be opened; restore the key file or set %s",
			file, path, sealed.EnvKey, sealed.EnvKey)
	}
	if existed {
		held, err := holdsSessions(ctx, s)
		if err != nil {
			return nil, err
		}
		if held {
			return nil, fmt.Errorf("%s holds sealed sessions, but their key file %s is missing (and %s is not set); restore the key file or set %s: a new key could not open them",
				path, file, sealed.EnvKey, sealed.EnvKey)
		}
	}
	return sealed.LoadOrCreateKeyFile(file)
}

// holdsSessions reports whether any login in s has a session stored.
func holdsSessions(ctx context.Context, s machine.Store) (bool, error) {
	logins, err := s.List(ctx, machine.ListOptions{})
	if err != nil {
		return false, err
	}
	for _, l := range logins {
		_, err := s.LoadSession(ctx, l.ID)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, tgapi.ErrNoSession) {
			return false, err
		}
	}
	return false, nil
}
