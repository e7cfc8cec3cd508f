package sealed

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvKey is the environment variable KeyFromEnv reads.
const EnvKey = "TGAUTH_KEY"

// ErrNoKey is what KeyFromEnv returns when TGAUTH_KEY is not set.
var ErrNoKey = errors.New("sealed: TGAUTH_KEY is not set")

// KeyFromEnv returns the key in TGAUTH_KEY: 64 hex digits, or the base64 (standard or
// URL alphabet, padded or not) of 32 bytes. It returns ErrNoKey when the variable is unset
// or empty, and an error that does not repeat the value when it is malformed.
func KeyFromEnv() ([]byte, error) {
	v := strings.TrimSpace(os.Getenv(EnvKey))
	if v == "" {
		return nil, ErrNoKey
	}
	key, err := ParseKey(v)
	if err != nil {
		return nil, fmt.Errorf("sealed: %s: %w", EnvKey, err)
	}
	return key, nil
}

// ParseKey decodes a key written as 64 hex digits or as the base64 of 32 bytes;
// surrounding white space is ignored. Its errors do not repeat s.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil && len(key) == KeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("a key must be %d hex digits or the base64 of %d bytes (got %d characters that are neither)", 2*KeySize, KeySize, len(s))
}

// LoadOrCreateKeyFile returns the key kept in the file at path, as 64 hex digits. If
// there is no such file it creates one, with a new random key and mode 0600 (and its
// directory with mode 0700), atomically: processes racing to create it all end up with
// the same key. An existing file readable or writable by group or others is refused
// (except on Windows, which has no such modes).
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, KeySize)
	rand.Read(key)
	if err := createKeyFile(path, key); errors.Is(err, fs.ErrExist) {
		return readKeyFile(path) // another process made it first: use its key
	} else if err != nil {
		return nil, fmt.Errorf("sealed: create key file %s: %w", path, err)
	}
	return key, nil
}

// readKeyFile reads a key file, refusing one others may read.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("sealed: key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("sealed: key file %s has mode %04o, so others may read the key; it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sealed: read key file: %w", err)
	}
	key, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("sealed: key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes key to a temporary file beside path and links it into place, so
// that no reader sees a half-written key; it fails with fs.ErrExist if path exists.
func createKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tgauth-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// No hard links here (some file systems): fall back to an exclusive create.
		return createExclusive(path, key)
	}
	if d, err := os.Open(dir); err == nil { // make the new name durable too
		d.Sync()
		d.Close()
	}
	return nil
}

// createExclusive creates path with key, failing with fs.ErrExist if it exists.
func createExclusive(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
