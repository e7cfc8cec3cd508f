package sealed_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/store/sealed"
)

// testKey returns a key made of b repeated.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, sealed.KeySize) }

// mustNew returns a Sealer for key or fails the test.
func mustNew(t *testing.T, key []byte) *sealed.Sealer {
	t.Helper()
	s, err := sealed.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var plaintext = []byte("auth key of a Telegram account: SECRET-SESSION-BYTES")

func TestSealOpen(t *testing.T) {
	s := mustNew(t, testKey(1))
	for _, pt := range [][]byte{plaintext, {}, bytes.Repeat([]byte{0}, 100_000)} {
		env := s.Seal(pt, []byte("login-1"))
		got, err := s.Open(env, []byte("login-1"))
		if err != nil {
			t.Fatalf("Open(%d bytes): %v", len(pt), err)
		}
		if !bytes.Equal(got, pt) {
			t.Errorf("Open returned %d bytes, want the %d sealed", len(got), len(pt))
		}
		if bytes.Contains(env, pt) && len(pt) > 0 {
			t.Errorf("the envelope holds the plaintext")
		}
	}
}

func TestEnvelopeLayout(t *testing.T) {
	key := testKey(2)
	s := mustNew(t, key)
	a, b := s.Seal(plaintext, nil), s.Seal(plaintext, nil)
	if bytes.Equal(a, b) {
		t.Error("two Seals of one plaintext are equal: the nonce is not fresh")
	}
	if bytes.Equal(a[5:17], b[5:17]) {
		t.Error("two Seals used the same nonce")
	}
	sum := sha256.Sum256(key)
	if a[0] != 1 || !bytes.Equal(a[1:5], sum[:4]) {
		t.Errorf("header = % x, want version 1 and key id % x", a[:5], sum[:4])
	}
	if want := 1 + 4 + 12 + len(plaintext) + 16; len(a) != want {
		t.Errorf("envelope is %d bytes, want %d", len(a), want)
	}
	if s.KeyID() != fmt.Sprintf("%x", sum[:4]) {
		t.Errorf("KeyID = %s, want %x", s.KeyID(), sum[:4])
	}
}

func TestWrongKey(t *testing.T) {
	a, b := mustNew(t, testKey(3)), mustNew(t, testKey(4))
	_, err := b.Open(a.Seal(plaintext, []byte("id")), []byte("id"))
	if !errors.Is(err, sealed.ErrWrongKey) {
		t.Fatalf("Open under another key: err = %v, want ErrWrongKey", err)
	}
	if errors.Is(err, sealed.ErrCorrupt) {
		t.Error("a wrong key also reads as corrupt")
	}
	var wk *sealed.WrongKeyError
	if !errors.As(err, &wk) {
		t.Fatalf("err is %T, want *WrongKeyError", err)
	}
	want := fmt.Sprintf("sealed: written under a different key (key id %s, have %s); set TGAUTH_KEY to the key it was written with", a.KeyID(), b.KeyID())
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
}

// TestTamper flips every bit of an envelope, and truncates it at every length: Open must
// fail every time, with ErrCorrupt, or ErrWrongKey where the key ID was hit.
func TestTamper(t *testing.T) {
	s := mustNew(t, testKey(5))
	ad := []byte("login-5")
	env := s.Seal([]byte("short secret"), ad)
	check := func(what string, got []byte, err error, keyID bool) {
		t.Helper()
		switch {
		case err == nil:
			t.Fatalf("%s: Open succeeded with %q", what, got)
		case got != nil:
			t.Errorf("%s: Open returned bytes with its error", what)
		case keyID && !errors.Is(err, sealed.ErrWrongKey):
			t.Errorf("%s: err = %v, want ErrWrongKey", what, err)
		case !keyID && !errors.Is(err, sealed.ErrCorrupt):
			t.Errorf("%s: err = %v, want ErrCorrupt", what, err)
		}
		if strings.Contains(err.Error(), "short secret") {
			t.Errorf("%s: the error repeats the plaintext", what)
		}
	}
	for i := range env {
		for bit := range 8 {
			bad := bytes.Clone(env)
			bad[i] ^= 1 << bit
			got, err := s.Open(bad, ad)
			check(fmt.Sprintf("bit %d of byte %d flipped", bit, i), got, err, i >= 1 && i < 5)
		}
	}
	for n := range len(env) {
		got, err := s.Open(env[:n], ad)
		check(fmt.Sprintf("cut to %d bytes", n), got, err, false)
	}
	got, err := s.Open(append(bytes.Clone(env), 0), ad)
	check("a byte appended", got, err, false)
	got, err = s.Open(env, []byte("login-6"))
	check("other associated data", got, err, false)
}

func TestNewRejectsBadKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := sealed.New(make([]byte, n)); err == nil {
			t.Errorf("New with a %d-byte key succeeded", n)
		}
	}
}
