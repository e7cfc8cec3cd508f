package machine_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// tickStore records the limits Tick asks Due for and how many Updates run at once.
type tickStore struct {
	*memory.Store
	mu           sync.Mutex
	limits       []int
	now, maxSeen int
}

func (s *tickStore) Due(ctx context.Context, now time.Time, limit int) ([]*machine.Login, error) {
	s.mu.Lock()
	s.limits = append(s.limits, limit)
	s.mu.Unlock()
	return s.Store.Due(ctx, now, limit)
}

func (s *tickStore) Update(ctx context.Context, l *machine.Login, journal ...machine.JournalEntry) error {
	s.mu.Lock()
	s.now++
	s.maxSeen = max(s.maxSeen, s.now)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.now--
		s.mu.Unlock()
	}()
	return s.Store.Update(ctx, l, journal...)
}

// TestTickClaimsWhatIsDue: one Tick fires all of 1000 due timers, claiming them in
// batches that double while they come back full (64, 128, ... until one comes back
// short), and never handles more than TickWorkers logins at once.
func TestTickClaimsWhatIsDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := &tickStore{Store: memory.New()}
	const logins, workers = 1000, 8
	e, err := machine.New(machine.Options{Store: store, Telegram: (&mock.API{}).Connector(), Now: c.Now,
		LoginTTL: time.Minute, TickWorkers: workers})
	if err != nil {
		t.Fatal(err)
	}
	for i := range logins {
		if _, err := e.Start(ctx, machine.StartOptions{ID: fmt.Sprintf("L%04d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Hour)
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	expired, err := e.List(ctx, machine.ListOptions{State: states.Expired})
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != logins {
		t.Errorf("%d of %d logins expired after one Tick", len(expired), logins)
	}
	if want := []int{64, 128, 256, 512, 1024}; !slices.Equal(store.limits, want) {
		t.Errorf("Due asked for %v, want %v", store.limits, want)
	}
	if store.maxSeen > workers {
		t.Errorf("%d Updates at once, want at most TickWorkers = %d", store.maxSeen, workers)
	}
}
