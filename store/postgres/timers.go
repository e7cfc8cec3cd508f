package postgres

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// inFlight names the in-flight states, for Stale.
var inFlight = func() []string {
	var names []string
	for _, info := range states.All {
		if info.Kind == states.InFlight {
			names = append(names, string(info.Name))
		}
	}
	return names
}()

// Due implements machine.Store. It claims the logins it returns for ClaimWindow from now;
// see the package documentation.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	out, err := collectLogins(s.pool.Query(ctx, `WITH picked AS (
			SELECT id FROM logins
			WHERE timer_at <= $2 AND (due_claimed_until IS NULL OR due_claimed_until <= $2)
			ORDER BY timer_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE logins l SET due_claimed_until = $1
		FROM picked WHERE l.id = picked.id
		RETURNING l.version, l.doc`,
		now.Add(ClaimWindow), now, optLimit(limit)))
	if err != nil {
		return nil, wrap("due logins", err)
	}
	slices.SortFunc(out, func(a, b *machine.Login) int {
		return cmp.Or(a.TimerAt.Compare(b.TimerAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Stale implements machine.Store. It claims the logins it returns for ClaimWindow from
// now; see the package documentation.
func (s *Store) Stale(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	out, err := collectLogins(s.pool.Query(ctx, `WITH picked AS (
			SELECT id FROM logins
			WHERE state = ANY ($4)
				AND (lease_until IS NULL OR lease_until <= $2)
				AND (stale_claimed_until IS NULL OR stale_claimed_until <= $2)
			ORDER BY lease_until NULLS FIRST, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE logins l SET stale_claimed_until = $1
		FROM picked WHERE l.id = picked.id
		RETURNING l.version, l.doc`,
		now.Add(ClaimWindow), now, optLimit(limit), inFlight))
	if err != nil {
		return nil, wrap("stale logins", err)
	}
	slices.SortFunc(out, func(a, b *machine.Login) int {
		return cmp.Or(a.LeaseUntil.Compare(b.LeaseUntil), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}
