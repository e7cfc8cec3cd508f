package sealed

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Wrap returns a machine.Store that keeps the secrets it is given in s sealed by sealer:
// MTProto sessions (associated data: the login ID), a login's PhoneCodeHash and QRToken
// (the secret's name and the login ID) and logout tokens (the phone). Create, Update,
// StoreSession and AddLogoutToken seal; Get, List, Due, Stale, LoadSession and
// LogoutTokens open, failing with an error that names the secret and wraps ErrWrongKey or
// ErrCorrupt rather than handing out bad bytes. The caller's logins are not changed, but
// for the Version that Create and Update set. Every other method is s's own. Close s
// itself when done.
//
// Inside a login and in the vault, a sealed secret starts with "sealed:" (then, in a
// PhoneCodeHash, the envelope in base64; in a QRToken or a logout token, the envelope).
// A secret without that mark was stored before Wrap sealed it, and is returned as it is;
// a login's are sealed at its next Update.
//
// When s is a machine.ChangeFeed (store/postgres), so is the wrapper: watchers still hear
// of other processes' changes at once.
func Wrap(s machine.Store, sealer *Sealer) machine.Store {
	w := &store{Store: s, sealer: sealer}
	if feed, ok := s.(machine.ChangeFeed); ok {
		return &feedStore{store: w, feed: feed}
	}
	return w
}

// feedStore is the wrapper of a store that is a machine.ChangeFeed.
type feedStore struct {
	*store
	feed machine.ChangeFeed
}

// Changed implements machine.ChangeFeed with the wrapped store's.
func (f *feedStore) Changed(ctx context.Context, id string, poke func()) {
	f.feed.Changed(ctx, id, poke)
}

// store is the machine.Store Wrap returns.
type store struct {
	machine.Store
	sealer *Sealer
}

// mark starts a secret sealed inside a login or in the logout-token vault.
const mark = "sealed:"

// The names of a login's sealed secrets, as errors give them and as their associated
// data begins.
const (
	phoneCodeHash = "phone_code_hash"
	qrToken       = "qr_token"
	logoutToken   = "logout_token"
)

// ad is the associated data of the secret name of whose (a login ID or a phone).
func ad(name, whose string) []byte { return []byte(name + "\x00" + whose) }

// LoadSession implements machine.Store.
func (s *store) LoadSession(ctx context.Context, id string) ([]byte, error) {
	envelope, err := s.Store.LoadSession(ctx, id)
	if err != nil {
		return nil, err
	}
	data, err := s.sealer.Open(envelope, []byte(id))
	if err != nil {
		return nil, fmt.Errorf("session of login %s: %w", id, err)
	}
	return data, nil
}

// StoreSession implements machine.Store.
func (s *store) StoreSession(ctx context.Context, id string, data []byte) error {
	return s.Store.StoreSession(ctx, id, s.sealer.Seal(data, []byte(id)))
}

// Create implements machine.Store.
func (s *store) Create(ctx context.Context, l *machine.Login) error {
	c := s.seal(l)
	err := s.Store.Create(ctx, c)
	l.Version = c.Version
	return err
}

// Update implements machine.Store.
func (s *store) Update(ctx context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	c := s.seal(l)
	err := s.Store.Update(ctx, c, journal...)
	l.Version = c.Version
	return err
}

// Get implements machine.Store.
func (s *store) Get(ctx context.Context, id string) (*machine.Login, error) {
	l, err := s.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.open(l); err != nil {
		return nil, err
	}
	return l, nil
}

// List implements machine.Store.
func (s *store) List(ctx context.Context, opts machine.ListOptions) ([]*machine.Login, error) {
	return s.openAll(s.Store.List(ctx, opts))
}

// Due implements machine.Store.
func (s *store) Due(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	return s.openAll(s.Store.Due(ctx, now, limit))
}

// Stale implements machine.Store.
func (s *store) Stale(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	return s.openAll(s.Store.Stale(ctx, now, limit))
}

// LogoutTokens implements machine.Store.
func (s *store) LogoutTokens(ctx context.Context, phone string) ([][]byte, error) {
	tokens, err := s.Store.LogoutTokens(ctx, phone)
	if err != nil {
		return nil, err
	}
	for i, t := range tokens {
		if tokens[i], err = s.openBytes(t, ad(logoutToken, phone)); err != nil {
			return nil, fmt.Errorf("logout token %d of %d kept for the phone: %w", i+1, len(tokens), err)
		}
	}
	return tokens, nil
}

// AddLogoutToken implements machine.Store.
func (s *store) AddLogoutToken(ctx context.Context, phone string, token []byte, max int) error {
	return s.Store.AddLogoutToken(ctx, phone, s.sealBytes(token, ad(logoutToken, phone)), max)
}

// seal returns a copy of l with its secrets sealed.
func (s *store) seal(l *machine.Login) *machine.Login {
	c := l.Clone()
	if c.PhoneCodeHash != "" {
		env := s.sealer.Seal([]byte(c.PhoneCodeHash), ad(phoneCodeHash, c.ID))
		c.PhoneCodeHash = mark + base64.RawStdEncoding.EncodeToString(env)
	}
	if len(c.QRToken) > 0 {
		c.QRToken = s.sealBytes(c.QRToken, ad(qrToken, c.ID))
	}
	return c
}

// open opens the secrets of l, a login the inner store returned, in place.
func (s *store) open(l *machine.Login) error {
	if rest, ok := strings.CutPrefix(l.PhoneCodeHash, mark); ok {
		env, err := base64.RawStdEncoding.DecodeString(rest)
		if err != nil {
			return fmt.Errorf("%s of login %s: %w: not base64: %v", phoneCodeHash, l.ID, ErrCorrupt, err)
		}
		hash, err := s.sealer.Open(env, ad(phoneCodeHash, l.ID))
		if err != nil {
			return fmt.Errorf("%s of login %s: %w", phoneCodeHash, l.ID, err)
		}
		l.PhoneCodeHash = string(hash)
	}
	token, err := s.openBytes(l.QRToken, ad(qrToken, l.ID))
	if err != nil {
		return fmt.Errorf("%s of login %s: %w", qrToken, l.ID, err)
	}
	l.QRToken = token
	return nil
}

// openAll opens the secrets of logins the inner store returned with err.
func (s *store) openAll(logins []*machine.Login, err error) ([]*machine.Login, error) {
	if err != nil {
		return nil, err
	}
	for _, l := range logins {
		if err := s.open(l); err != nil {
			return nil, err
		}
	}
	return logins, nil
}

// sealBytes returns secret sealed, marked.
func (s *store) sealBytes(secret, associatedData []byte) []byte {
	return append([]byte(mark), s.sealer.Seal(secret, associatedData)...)
}

// openBytes opens what sealBytes made, and returns an unmarked secret as it is.
func (s *store) openBytes(b, associatedData []byte) ([]byte, error) {
	env, ok := bytes.CutPrefix(b, []byte(mark))
	if !ok {
		return b, nil
	}
	return s.sealer.Open(env, associatedData)
}
