// Command pendingmem shows that pending logins live in the store, not in the engine's
// memory. It fills a SQLite file (and, unless -postgres is empty, a PostgreSQL schema)
// with -n logins waiting for their code (state CodeSent, their only timer the TTL a year
// away, as scale.PendingLogin makes them), and an empty one beside it. For each store it
// then starts a process of its own (this command again, with -measure) that opens the
// store, starts an engine with its scheduler (Run, ticking every 50ms) over it, runs
// -ticks Ticks more itself, collects garbage and returns freed memory to the OS, and
// reports its resident memory (VmRSS from /proc/self/status) and the Go heap in use
// (runtime.MemStats.HeapInuse). A process per store keeps the fill's own memory out of
// the figures. It prints one line per figure:
//
//	sqlite pending=0 vmrss_kib=...
//	sqlite pending=0 heap_inuse_kib=...
//	sqlite pending=0 tick_ms=...
//	sqlite pending=100000 vmrss_kib=...
//	...
//
// tick_ms is the median time of one Tick (the Stale and Due queries: nothing is due), and
// store_mib the size of the store (the SQLite file; the PostgreSQL tables with their
// indexes), where the pending logins are.
//
// Usage:
//
//	go run ./bench/pendingmem [-n 100000] [-ticks 5] [-dir DIR] [-fill-dir DIR] [-postgres DSN]
//
// -postgres defaults to $TGAUTH_TEST_POSTGRES; its stores are schemas of their own, dropped
// at the end. Filling is not what is measured, so it skips durability: the SQLite file is
// filled in -fill-dir (default /dev/shm, a RAM disk, when there is one; a fill is one synced
// commit per login) and then copied to -dir, and PostgreSQL is filled with
// synchronous_commit off.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/bench/internal/report"
	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/internal/clock"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/postgres"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/store/storetest"
)

// ttl is the pending logins' time to live: far enough that no timer is due.
const ttl = 365 * 24 * time.Hour

// storeEnv names the store a -measure process opens (sqlite:PATH or postgres:DSN); an
// environment variable rather than an argument, so that no DSN shows in the process list.
const storeEnv = "TGAUTH_PENDINGMEM_STORE"

func main() {
	n := flag.Int("n", 100000, "pending logins to create")
	ticks := flag.Int("ticks", 5, "Ticks to run before measuring")
	dir := flag.String("dir", os.TempDir(), "directory for the SQLite files that are measured")
	fillDir := flag.String("fill-dir", defaultFillDir(), "directory the SQLite file is filled in before it is copied to -dir")
	dsn := flag.String("postgres", os.Getenv(report.DSNEnv), "PostgreSQL DSN; empty skips PostgreSQL")
	measure := flag.Bool("measure", false, "internal: measure the store $"+storeEnv+" names in this process, print JSON")
	pending := flag.Int("pending", 0, "internal, with -measure: how many pending logins the store holds")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	if *measure {
		if err := child(ctx, os.Getenv(storeEnv), *pending, *ticks); err != nil {
			log.Fatalf("pendingmem -measure: %v", err)
		}
		return
	}
	if err := run(ctx, *n, *ticks, *dir, *fillDir, *dsn); err != nil {
		log.Fatalf("pendingmem: %v", err)
	}
}

func defaultFillDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// figures are what a -measure process reports.
type figures struct {
	VmRSSKiB     int64   `json:"vmrss_kib"`
	HeapInuseKiB int64   `json:"heap_inuse_kib"`
	TickMS       float64 `json:"tick_ms"`
}

func run(ctx context.Context, n, ticks int, dir, fillDir, dsn string) error {
	if n <= 0 {
		return errors.New("-n must be positive")
	}
	work, err := os.MkdirTemp(dir, "tgauth-pendingmem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	fill, err := os.MkdirTemp(fillDir, "tgauth-pendingmem-fill-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(fill)

	for _, pending := range []int{0, n} {
		path, err := sqliteStore(ctx, work, fill, pending)
		if err != nil {
			return fmt.Errorf("sqlite, %d pending: %w", pending, err)
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if err := measure(ctx, "sqlite", "sqlite:"+path, pending, ticks, st.Size()); err != nil {
			return err
		}
	}
	if dsn == "" {
		return nil
	}
	for _, pending := range []int{0, n} {
		schemaDSN, drop, err := report.Schema(ctx, dsn, "tgauth_pendingmem_")
		if err != nil {
			return err
		}
		size, err := postgresStore(ctx, schemaDSN, pending)
		if err == nil {
			err = measure(ctx, "postgres", "postgres:"+schemaDSN, pending, ticks, size)
		}
		if dropErr := drop(); dropErr != nil {
			log.Print(dropErr)
		}
		if err != nil {
			return fmt.Errorf("postgres, %d pending: %w", pending, err)
		}
	}
	return nil
}

// sqliteStore makes a SQLite file in work holding n pending logins, filled in fill.
func sqliteStore(ctx context.Context, work, fill string, n int) (string, error) {
	name := fmt.Sprintf("pending-%d.db", n)
	s, err := sqlite.Open(ctx, filepath.Join(fill, name))
	if err != nil {
		return "", err
	}
	if err := fillStore(ctx, "sqlite", s, n, 1); err != nil {
		s.Close()
		return "", err
	}
	// Closing the last connection checkpoints the WAL into the file and removes it.
	if err := s.Close(); err != nil {
		return "", err
	}
	dst := filepath.Join(work, name)
	for _, suffix := range []string{"", "-wal"} {
		err := report.CopyFile(dst+suffix, filepath.Join(fill, name+suffix))
		if err != nil && (suffix == "" || !errors.Is(err, os.ErrNotExist)) {
			return "", err
		}
	}
	return dst, nil
}

// postgresStore fills the schema dsn names with n pending logins (with
// synchronous_commit off and 32 connections) and returns the size of its tables.
func postgresStore(ctx context.Context, dsn string, n int) (int64, error) {
	fillDSN, err := report.WithParams(dsn, map[string]string{"synchronous_commit": "off", "pool_max_conns": "32"})
	if err != nil {
		return 0, err
	}
	s, err := postgres.Open(ctx, fillDSN)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if err := fillStore(ctx, "postgres", s, n, 32); err != nil {
		return 0, err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var size int64
	err = conn.QueryRow(ctx, `SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c
		WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace`).Scan(&size)
	return size, err
}

// pendingID names the i-th pending login.
func pendingID(i int) string { return fmt.Sprintf("pending-%07d", i) }

// fillStore creates n pending logins in s, workers at a time, and checks that s lists
// them all.
func fillStore(ctx context.Context, name string, s machine.Store, n, workers int) error {
	if n == 0 {
		return nil
	}
	tmpl, err := scale.PendingLogin(ctx, time.Now(), ttl)
	if err != nil {
		return err
	}
	start := time.Now()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				l := tmpl.Clone()
				l.ID, l.Phone = pendingID(i), fmt.Sprintf("+99966%07d", i)
				if err := s.Create(ctx, l); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("create %s: %w", l.ID, err))
					mu.Unlock()
					return
				}
				if (i+1)%20000 == 0 {
					log.Printf("%s: %d of %d pending logins created (%s)", name, i+1, n, time.Since(start).Round(time.Second))
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ls, err := s.List(ctx, machine.ListOptions{State: states.CodeSent})
	if err != nil {
		return err
	}
	if len(ls) != n {
		return fmt.Errorf("%d pending logins listed after creating %d", len(ls), n)
	}
	log.Printf("%s: %d pending logins created in %s", name, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// measure runs a -measure process on store and prints its figures.
func measure(ctx context.Context, name, store string, pending, ticks int, size int64) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, "-measure", "-pending", strconv.Itoa(pending), "-ticks", strconv.Itoa(ticks))
	cmd.Env = append(os.Environ(), storeEnv+"="+store)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s, %d pending: measuring process: %w", name, pending, err)
	}
	var f figures
	if err := json.Unmarshal(out, &f); err != nil {
		return fmt.Errorf("%s, %d pending: measuring process said %q: %w", name, pending, out, err)
	}
	fmt.Printf("%s pending=%d vmrss_kib=%d\n", name, pending, f.VmRSSKiB)
	fmt.Printf("%s pending=%d heap_inuse_kib=%d\n", name, pending, f.HeapInuseKiB)
	fmt.Printf("%s pending=%d tick_ms=%.2f\n", name, pending, f.TickMS)
	fmt.Printf("%s pending=%d store_mib=%.1f\n", name, pending, float64(size)/(1<<20))
	return nil
}

// child is a -measure process: it opens store, runs an engine's scheduler over it and
// prints its figures as JSON.
func child(ctx context.Context, store string, pending, ticks int) error {
	kind, where, _ := strings.Cut(store, ":")
	var s interface {
		machine.Store
		Close() error
	}
	var err error
	switch kind {
	case "sqlite":
		s, err = sqlite.Open(ctx, where)
	case "postgres":
		s, err = postgres.Open(ctx, where)
	default:
		err = fmt.Errorf("unknown store %q", store)
	}
	if err != nil {
		return err
	}
	defer s.Close()
	e, err := machine.New(machine.Options{Store: s, Telegram: storetest.NewTelegram(clock.New(time.Now())).Connector(),
		LoginTTL: ttl, Tick: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	if pending > 0 { // the engine sees them
		for _, id := range []string{pendingID(0), pendingID(pending - 1)} {
			snap, err := e.Get(ctx, id)
			if err != nil || snap.State != states.CodeSent {
				return fmt.Errorf("login %s: %s, %v; want CodeSent", id, snap.State, err)
			}
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	durations := make([]float64, 0, ticks)
	for range ticks {
		start := time.Now()
		if err := e.Tick(ctx); err != nil {
			stop()
			return err
		}
		durations = append(durations, float64(time.Since(start))/float64(time.Millisecond))
	}
	time.Sleep(200 * time.Millisecond) // Run ticks a few times as well
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, err := report.VmRSSKiB()
	stop()
	if runErr := <-done; runErr != nil {
		return runErr
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(figures{VmRSSKiB: rss, HeapInuseKiB: int64(ms.HeapInuse >> 10), TickMS: report.Median(durations)})
}
