// Package sealed encrypts the secrets a store keeps at rest: MTProto sessions, logins'
// phone_code_hash and QR login token, and the logout-token vault (see Wrap). A session
// holds the auth key of a Telegram account: whoever reads it is logged in as that account.
// A phone_code_hash lets whoever has the code sign in with it, a QR token lets whoever
// scans it in, and a logout token skips the code of the next login of its phone.
//
// A Sealer seals with AES-256-GCM under a 32-byte key. An envelope is
//
//	version (1 byte, 1) | key ID (4 bytes) | nonce (12 bytes, random) | ciphertext and tag
//
// where the key ID is the first 4 bytes of the key's SHA-256, so that an envelope sealed
// under another key is told apart from a damaged one. The version byte and key ID are
// authenticated with the caller's associated data; Wrap passes what the secret belongs to
// (the login, and which of its secrets; the phone of a logout token), so an envelope
// copied elsewhere does not open.
//
// Keys come from TGAUTH_KEY (KeyFromEnv) or from a key file created on first use
// (LoadOrCreateKeyFile).
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// version is the envelope version Seal writes.
const version = 1

const (
	idSize     = 4
	nonceSize  = 12
	headerSize = 1 + idSize
	overhead   = headerSize + nonceSize + 16 // and the GCM tag
)

// ErrWrongKey matches (with errors.Is) the error Open returns for an envelope sealed under
// another key; the error itself is a *WrongKeyError.
var ErrWrongKey = errors.New("sealed: written under a different key")

// ErrCorrupt is wrapped by the error Open returns for an envelope that is damaged,
// changed, or sealed for other associated data (another login, secret or phone).
var ErrCorrupt = errors.New("sealed: envelope is corrupt")

// WrongKeyError says which key an envelope was sealed with, and which the Sealer has.
type WrongKeyError struct {
	Sealed, Have [idSize]byte
}

// Error implements error.
func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("sealed: written under a different key (key id %x, have %x); set TGAUTH_KEY to the key it was written with", e.Sealed[:], e.Have[:])
}

// Is makes errors.Is(err, ErrWrongKey) true.
func (e *WrongKeyError) Is(target error) bool { return target == ErrWrongKey }

// Sealer seals and opens envelopes under one key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	id   [idSize]byte
}

// New returns a Sealer for key, which must be KeySize bytes.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealed: key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	s := &Sealer{aead: aead}
	sum := sha256.Sum256(key)
	copy(s.id[:], sum[:idSize])
	return s, nil
}

// KeyID returns the ID of the Sealer's key, in hex, as errors name it. It does not reveal
// the key.
func (s *Sealer) KeyID() string { return fmt.Sprintf("%x", s.id[:]) }

// Seal encrypts plaintext into a new envelope bound to associatedData, under a fresh
// random nonce.
func (s *Sealer) Seal(plaintext, associatedData []byte) []byte {
	out := make([]byte, headerSize+nonceSize, overhead+len(plaintext))
	out[0] = version
	copy(out[1:headerSize], s.id[:])
	rand.Read(out[headerSize:]) // never fails (crypto/rand panics rather)
	return s.aead.Seal(out, out[headerSize:], plaintext, s.ad(out[:headerSize], associatedData))
}

// Open decrypts an envelope Seal made with the same key and associated data. An envelope
// sealed under another key fails with a *WrongKeyError (errors.Is ErrWrongKey); any other
// failure wraps ErrCorrupt. Open never returns unauthenticated bytes.
func (s *Sealer) Open(envelope, associatedData []byte) ([]byte, error) {
	if len(envelope) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes is too short for an envelope", ErrCorrupt, len(envelope))
	}
	if envelope[0] != version {
		return nil, fmt.Errorf("%w: envelope version %d, this build reads version %d", ErrCorrupt, envelope[0], version)
	}
	var id [idSize]byte
	copy(id[:], envelope[1:headerSize])
	if id != s.id {
		return nil, &WrongKeyError{Sealed: id, Have: s.id}
	}
	if len(envelope) < overhead {
		return nil, fmt.Errorf("%w: %d bytes is too short for an envelope", ErrCorrupt, len(envelope))
	}
	nonce, ciphertext := envelope[headerSize:headerSize+nonceSize], envelope[headerSize+nonceSize:]
	plaintext, err := s.aead.Open(nil, nonce, ciphertext, s.ad(envelope[:headerSize], associatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: it fails authentication (changed, truncated, or sealed for another login, secret or phone)", ErrCorrupt)
	}
	if plaintext == nil {
		plaintext = []byte{}
	}
	return plaintext, nil
}

// ad is what GCM authenticates besides the ciphertext: the header, then the caller's data.
func (s *Sealer) ad(header, associatedData []byte) []byte {
	return append(append(make([]byte, 0, len(header)+len(associatedData)), header...), associatedData...)
}
