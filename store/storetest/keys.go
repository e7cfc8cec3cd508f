package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// KeyPool checks a tgapi.KeyPool: keys come back oldest first, each once, per DC; keys
// made before the cut-off are dropped by TakeKey and not counted; concurrent takers never
// get one key twice. open returns a new, empty pool.
func KeyPool(t *testing.T, open func(t *testing.T) tgapi.KeyPool) {
	t.Run("OldestFirstPerDC", func(t *testing.T) { testKeysOldestFirst(t, open(t)) })
	t.Run("MaxAge", func(t *testing.T) { testKeysMaxAge(t, open(t)) })
	t.Run("ConcurrentTake", func(t *testing.T) { testKeysConcurrentTake(t, open(t)) })
}

// minute is i minutes after the suite's base time.
func minute(i int) time.Time { return at(time.Duration(i) * time.Minute) }

// key is the pool key i of dc, made at minute(i).
func key(dc, i int) tgapi.PoolKey {
	return tgapi.PoolKey{DC: dc, Made: minute(i), Session: fmt.Appendf(nil, "\x00session %d of DC %d\xff", i, dc)}
}

func putKeys(t *testing.T, p tgapi.KeyPool, keys ...tgapi.PoolKey) {
	t.Helper()
	for _, k := range keys {
		if err := p.PutKey(t.Context(), k); err != nil {
			t.Fatalf("PutKey(DC %d, %v): %v", k.DC, k.Made, err)
		}
	}
}

func countKeys(t *testing.T, p tgapi.KeyPool, dc int, notBefore time.Time) int {
	t.Helper()
	n, err := p.CountKeys(t.Context(), dc, notBefore)
	if err != nil {
		t.Fatalf("CountKeys(DC %d): %v", dc, err)
	}
	return n
}

func testKeysOldestFirst(t *testing.T, p tgapi.KeyPool) {
	ctx := t.Context()
	if _, err := p.TakeKey(ctx, 2, time.Time{}); !errors.Is(err, tgapi.ErrNoKey) {
		t.Fatalf("TakeKey of an empty pool: %v, want tgapi.ErrNoKey", err)
	}
	putKeys(t, p, key(2, 3), key(2, 1), key(3, 0), key(2, 2))
	if n := countKeys(t, p, 2, time.Time{}); n != 3 {
		t.Fatalf("CountKeys(DC 2) = %d, want 3", n)
	}
	for _, i := range []int{1, 2, 3} {
		k, err := p.TakeKey(ctx, 2, time.Time{})
		if err != nil {
			t.Fatalf("TakeKey(DC 2) #%d: %v", i, err)
		}
		if d := Diff(k, key(2, i)); d != "" {
			t.Fatalf("TakeKey(DC 2) #%d is not the oldest key left:\n%s", i, d)
		}
	}
	if _, err := p.TakeKey(ctx, 2, time.Time{}); !errors.Is(err, tgapi.ErrNoKey) {
		t.Fatalf("TakeKey after all of DC 2 were taken: %v, want tgapi.ErrNoKey", err)
	}
	if n := countKeys(t, p, 3, time.Time{}); n != 1 {
		t.Fatalf("CountKeys(DC 3) = %d after DC 2's keys were taken, want 1", n)
	}
}

func testKeysMaxAge(t *testing.T, p tgapi.KeyPool) {
	putKeys(t, p, key(1, 0), key(1, 1), key(1, 5))
	if n := countKeys(t, p, 1, minute(1)); n != 2 {
		t.Fatalf("CountKeys(DC 1, made from minute(1)) = %d, want 2", n)
	}
	k, err := p.TakeKey(t.Context(), 1, minute(2))
	if err != nil || Diff(k, key(1, 5)) != "" {
		t.Fatalf("TakeKey(DC 1, made from minute(2)) = made %v, %v; want the key made minute(5)", k.Made, err)
	}
	// The keys too old were dropped, not only skipped.
	if n := countKeys(t, p, 1, time.Time{}); n != 0 {
		t.Fatalf("CountKeys(DC 1) = %d after TakeKey dropped the old keys, want 0", n)
	}
}

func testKeysConcurrentTake(t *testing.T, p tgapi.KeyPool) {
	const keys, takers = 10, 30
	for i := range keys {
		putKeys(t, p, key(2, i))
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		taken = map[string]int{}
		errs  []error
	)
	for range takers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := p.TakeKey(t.Context(), 2, time.Time{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				taken[string(k.Session)]++
			case !errors.Is(err, tgapi.ErrNoKey):
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("TakeKey failed: %v", errors.Join(errs...))
	}
	if len(taken) != keys {
		t.Fatalf("%d takers got %d distinct keys, want all %d", takers, len(taken), keys)
	}
	for s, n := range taken {
		if n != 1 {
			t.Fatalf("key %q was handed out %d times", s, n)
		}
	}
}
