package mtproto

import (
	"context"
	"errors"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/tgapi"
)

// sessionStorage adapts a tgapi.SessionStorage to gotd's session.Storage: the method sets
// are the same, only "nothing stored yet" is spelled differently.
type sessionStorage struct {
	s tgapi.SessionStorage
}

var _ session.Storage = sessionStorage{}

// LoadSession implements session.Storage.
func (s sessionStorage) LoadSession(ctx context.Context) ([]byte, error) {
	data, err := s.s.LoadSession(ctx)
	if errors.Is(err, tgapi.ErrNoSession) {
		return nil, session.ErrNotFound
	}
	return data, err
}

// StoreSession implements session.Storage.
func (s sessionStorage) StoreSession(ctx context.Context, data []byte) error {
	return s.s.StoreSession(ctx, data)
}

// storedDC returns the DC of the session stored in s, or 0 when there is none or it cannot
// be read.
func storedDC(ctx context.Context, s tgapi.SessionStorage) int {
	loader := session.Loader{Storage: sessionStorage{s}}
	data, err := loader.Load(ctx)
	if err != nil {
		return 0
	}
	if data.DC != 0 {
		return data.DC
	}
	return data.Config.ThisDC
}
