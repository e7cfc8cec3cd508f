package sealed_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/tgauth/tgauth/store/sealed"
)

func TestParseKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789ABCDEF")
	key[3], key[9] = 0xfb, 0xff // so that the two base64 alphabets differ
	for name, s := range map[string]string{
		"hex":             hex.EncodeToString(key),
		"HEX":             strings.ToUpper(hex.EncodeToString(key)),
		"base64":          base64.StdEncoding.EncodeToString(key),
		"raw base64":      base64.RawStdEncoding.EncodeToString(key),
		"base64url":       base64.URLEncoding.EncodeToString(key),
		"raw base64url":   base64.RawURLEncoding.EncodeToString(key),
		"hex and newline": " " + hex.EncodeToString(key) + "\n",
	} {
		got, err := sealed.ParseKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%s) = %x, %v; want %x", name, got, err, key)
		}
	}
	secret := hex.EncodeToString(key)
	for name, s := range map[string]string{
		"63 hex digits":      secret[:63],
		"65 hex digits":      secret + "a",
		"64 non-hex":         strings.Repeat("zz", 32),
		"base64 of 31 bytes": base64.StdEncoding.EncodeToString(key[:31]),
		"base64 of 33 bytes": base64.StdEncoding.EncodeToString(append(key, 1)),
		"empty":              "",
		"passphrase":         "correct horse battery staple",
	} {
		_, err := sealed.ParseKey(s)
		if err == nil {
			t.Errorf("ParseKey(%s) succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), "64 hex digits or the base64 of 32 bytes") {
			t.Errorf("ParseKey(%s): unclear error %q", name, err)
		}
		if len(s) > 8 && strings.Contains(err.Error(), strings.TrimSpace(s)) {
			t.Errorf("ParseKey(%s): the error repeats the key: %q", name, err)
		}
	}
}

func TestKeyFromEnv(t *testing.T) {
	t.Setenv(sealed.EnvKey, "")
	if _, err := sealed.KeyFromEnv(); !errors.Is(err, sealed.ErrNoKey) {
		t.Errorf("KeyFromEnv with TGAUTH_KEY empty: err = %v, want ErrNoKey", err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	t.Setenv(sealed.EnvKey, base64.StdEncoding.EncodeToString(key))
	if got, err := sealed.KeyFromEnv(); err != nil || !bytes.Equal(got, key) {
		t.Errorf("KeyFromEnv = %x, %v; want %x", got, err, key)
	}
	t.Setenv(sealed.EnvKey, "too-short-to-be-a-key")
	_, err := sealed.KeyFromEnv()
	if err == nil || !strings.Contains(err.Error(), "TGAUTH_KEY") || strings.Contains(err.Error(), "too-short") {
		t.Errorf("KeyFromEnv with a bad key: err = %v; want one naming TGAUTH_KEY, not its value", err)
	}
}

func TestKeyFileCreatedPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "tgauth.key")
	key, err := sealed.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatalf("LoadOrCreateKeyFile (create): %v", err)
	}
	if len(key) != sealed.KeySize || bytes.Equal(key, make([]byte, sealed.KeySize)) {
		t.Fatalf("created key %x", key)
	}
	if _, err := sealed.New(key); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", fi.Mode().Perm())
	}
	again, err := sealed.LoadOrCreateKeyFile(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("LoadOrCreateKeyFile (load) = %x, %v; want the key it created", again, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the key directory holds %d entries, want only the key file", len(entries))
	}
}

func TestKeyFileLoosePermissionsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	path := filepath.Join(t.TempDir(), "tgauth.key")
	if _, err := sealed.LoadOrCreateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := sealed.LoadOrCreateKeyFile(path)
		if err == nil {
			t.Errorf("a key file with mode %04o was accepted", mode)
			continue
		}
		if !strings.Contains(err.Error(), "chmod 600") || !strings.Contains(err.Error(), path) {
			t.Errorf("mode %04o: unclear error %q", mode, err)
		}
	}
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.LoadOrCreateKeyFile(path); err != nil {
		t.Errorf("a read-only key file (0400) was refused: %v", err)
	}
}

func TestKeyFileMalformed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tgauth.key")
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sealed.LoadOrCreateKeyFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "hex digits") {
		t.Errorf("malformed key file: err = %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "not a key\n" {
		t.Errorf("a malformed key file was overwritten")
	}
}

// TestKeyFileRace: creators racing on a missing file all get the one key that was kept.
func TestKeyFileRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tgauth.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := sealed.LoadOrCreateKeyFile(path)
			if err != nil {
				t.Errorf("creator %d: %v", i, err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	kept, err := sealed.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if !bytes.Equal(k, kept) {
			t.Errorf("creator %d got key %x, but the file keeps %x", i, k, kept)
		}
	}
}
