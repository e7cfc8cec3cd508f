package sealed_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/storetest"
	"github.com/tgauth/tgauth/tgapi"
)

// The wrapper is a conforming key pool.
func TestKeyPool(t *testing.T) {
	storetest.KeyPool(t, func(t *testing.T) tgapi.KeyPool {
		return sealed.Wrap(memory.New(), mustNew(t, testKey(9))).(tgapi.KeyPool)
	})
}

// A key of the pool is sealed at rest, bound to its DC, and opens only under the key it
// was sealed with.
func TestPoolKeySealed(t *testing.T) {
	ctx := context.Background()
	inner := memory.New()
	pool := sealed.Wrap(inner, mustNew(t, testKey(1))).(tgapi.KeyPool)
	secret := []byte("AUTH-KEY-SESSION-SECRET")
	made := time.Now()
	if err := pool.PutKey(ctx, tgapi.PoolKey{DC: 2, Made: made, Session: secret}); err != nil {
		t.Fatal(err)
	}
	raw, err := inner.TakeKey(ctx, 2, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw.Session, secret) {
		t.Fatal("the key's session is stored in the clear")
	}

	// Put back as the inner store holds it: it opens for its DC only, under its key only.
	for _, tc := range []struct {
		name    string
		dc      int
		sealer  []byte
		wantErr error
	}{
		{"other DC", 3, testKey(1), sealed.ErrCorrupt},
		{"other key", 2, testKey(2), sealed.ErrWrongKey},
		{"same DC and key", 2, testKey(1), nil},
	} {
		if err := inner.PutKey(ctx, tgapi.PoolKey{DC: tc.dc, Made: made, Session: raw.Session}); err != nil {
			t.Fatal(err)
		}
		p := sealed.Wrap(inner, mustNew(t, tc.sealer)).(tgapi.KeyPool)
		k, err := p.TakeKey(ctx, tc.dc, time.Time{})
		if !errors.Is(err, tc.wantErr) {
			t.Fatalf("%s: TakeKey: %v, want %v", tc.name, err, tc.wantErr)
		}
		if tc.wantErr == nil && !bytes.Equal(k.Session, secret) {
			t.Fatalf("%s: TakeKey opened %q", tc.name, k.Session)
		}
	}
}
