package keypool_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/bench/keypool"
	"github.com/tgauth/tgauth/internal/cli"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// childEnv makes the test binary 'tgauth testdc --config-out $value' instead of running
// the tests: the test DC in a process of its own.
const childEnv = "TGAUTH_KEYPOOL_TESTDC_CONFIG"

func TestMain(m *testing.M) {
	if file := os.Getenv(childEnv); file != "" {
		os.Args = []string{"tgauth", "testdc", "--config-out", file}
		os.Exit(cli.Run())
	}
	os.Exit(m.Run())
}

// spawnTestDC runs a test DC in a child process until the test ends.
func spawnTestDC(tb testing.TB) testdc.Config {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "dc.json")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+file)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, stop, err := keypool.StartTestDC(ctx, cmd, file)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("test DC process: %v", err)
		}
	})
	return cfg
}

// BenchmarkCodeSent times submit_phone to CodeSent with a cold and a warm key pool,
// b.N rounds of each, interleaved, against a test DC in its own process; it reports the
// medians and their ratio (target: warm at most 0.2x cold).
//
//	go test -run '^$' -bench CodeSent -benchtime 10x ./bench/keypool
func BenchmarkCodeSent(b *testing.B) {
	cfg := spawnTestDC(b)
	f, err := keypool.Measure(b.Context(), cfg, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(f.Cold.Microseconds())/1000, "cold-ms")
	b.ReportMetric(float64(f.Warm.Microseconds())/1000, "warm-ms")
	b.ReportMetric(f.Ratio(), "warm/cold")
	b.Log(f)
}

// Measure's figures are those of logins that reached CodeSent on either path.
func TestMeasure(t *testing.T) {
	cfg := spawnTestDC(t)
	f, err := keypool.Measure(t.Context(), cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if f.Rounds != 1 || f.Cold <= 0 || f.Warm <= 0 {
		t.Fatalf("figures %+v", f)
	}
}

// concurrentLogins is how many fresh phone logins TestConcurrentLoginsWarmPool runs at once.
const concurrentLogins = 200

// 200 fresh phone logins at once against one test DC in its own process all reach
// Authorized, each on a key of a warm pool (made before they start; none is left, and
// none made after).
func TestConcurrentLoginsWarmPool(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 200 auth keys")
	}
	cfg := spawnTestDC(t)
	opts, err := keypool.Options(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pool := memory.New()
	opts.Keys, opts.KeyMakers = pool, 2
	// Generous: 200 key exchanges and 400 calls share 2 cores with the test DC.
	opts.MigrationTimeout = 5 * time.Minute
	conn := mtproto.NewConnector(opts)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	began := time.Now()
	if err := conn.MakeKeys(ctx, mtproto.DefaultDC, concurrentLogins); err != nil {
		t.Fatalf("warm the pool: %v", err)
	}
	t.Logf("%d keys made in %s", concurrentLogins, time.Since(began).Round(time.Second))
	began = time.Now()
	defer func() { t.Logf("%d logins in %s", concurrentLogins, time.Since(began).Round(time.Millisecond)) }()
	eng, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn, CallTimeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, concurrentLogins)
	for i := range concurrentLogins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			phone := fmt.Sprintf("+999662%04d", 1000+i)
			snap, err := eng.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: phone}})
			if err == nil && snap.State == states.CodeSent {
				snap, err = eng.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
			}
			if err != nil || snap.State != states.Authorized {
				errs <- fmt.Errorf("login of %s ended %s: %v", phone, snap.State, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		failed++
		t.Error(err)
	}
	if failed > 0 {
		t.Fatalf("%d of %d logins did not reach Authorized", failed, concurrentLogins)
	}
	if n, err := pool.CountKeys(ctx, mtproto.DefaultDC, time.Time{}); err != nil || n != 0 {
		t.Fatalf("%d keys left in the pool (%v): not every login took one", n, err)
	}
}
