package sealed

import (
	"context"

	"github.com/tgauth/tgauth/machine"
)

// Wrap returns a machine.Store that keeps sessions in s sealed by sealer, with the login
// ID as associated data: StoreSession seals, LoadSession opens (failing with ErrWrongKey
// or ErrCorrupt rather than handing out bad bytes); every other method is s's own. Close
// s itself when done.
func Wrap(s machine.Store, sealer *Sealer) machine.Store {
	return &store{Store: s, sealer: sealer}
}

// store is the machine.Store Wrap returns.
type store struct {
	machine.Store
	sealer *Sealer
}

// LoadSession implements machine.Store.
func (s *store) LoadSession(ctx context.Context, id string) ([]byte, error) {
	envelope, err := s.Store.LoadSession(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.sealer.Open(envelope, []byte(id))
}

// StoreSession implements machine.Store.
func (s *store) StoreSession(ctx context.Context, id string, data []byte) error {
	return s.Store.StoreSession(ctx, id, s.sealer.Seal(data, []byte(id)))
}
