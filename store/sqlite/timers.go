package sqlite

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
)

// inFlight is the SQL list of the in-flight states, for Stale.
var inFlight = func() string {
	var names []string
	for _, info := range states.All {
		if info.Kind == states.InFlight {
			names = append(names, "'"+strings.ReplaceAll(string(info.Name), "'", "''")+"'")
		}
	}
	return strings.Join(names, ", ")
}()

// Due implements machine.Store. It claims the logins it returns for ClaimWindow from now;
// see the package documentation.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	out, err := s.claim(ctx, `UPDATE logins SET due_claimed_until = ?1
		WHERE id IN (
			SELECT id FROM logins
			WHERE timer_at <= ?2 AND (due_claimed_until IS NULL OR due_claimed_until <= ?2)
			ORDER BY timer_at, id LIMIT ?3)
		RETURNING version, doc`, now, limit)
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
	out, err := s.claim(ctx, `UPDATE logins SET stale_claimed_until = ?1
		WHERE id IN (
			SELECT id FROM logins
			WHERE state IN (`+inFlight+`)
				AND (lease_until IS NULL OR lease_until <= ?2)
				AND (stale_claimed_until IS NULL OR stale_claimed_until <= ?2)
			ORDER BY lease_until, id LIMIT ?3)
		RETURNING version, doc`, now, limit)
	if err != nil {
		return nil, wrap("stale logins", err)
	}
	slices.SortFunc(out, func(a, b *machine.Login) int {
		return cmp.Or(a.LeaseUntil.Compare(b.LeaseUntil), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// claim runs an UPDATE ... RETURNING version, doc whose parameters are the claim's end,
// now and the limit, and returns the logins it claimed, in no particular order.
func (s *Store) claim(ctx context.Context, query string, now time.Time, limit int) ([]*machine.Login, error) {
	var out []*machine.Login
	err := s.write(ctx, func(ctx context.Context, tx txn) error {
		rows, err := tx.QueryContext(ctx, query, nanos(now.Add(ClaimWindow)), nanos(now), limitArg(limit))
		if err != nil {
			return err
		}
		out, err = scanLogins(rows)
		return err
	})
	return out, err
}
