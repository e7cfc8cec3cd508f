// Command stepsrate sets durable engine steps against the disk's fsync rate, measured in
// the same run. A step is scale.Stepper's: a wrong code sent to a login in CodeSent, so
// the write-ahead of CheckingCode, a (mock) auth.signIn and the outcome back in CodeSent:
// two durable writes. It makes -k steps on a SQLite file in -dir (synchronous=FULL) and,
// unless -postgres is empty, on PostgreSQL (a schema of its own, dropped at the end), and
// times -fsyncs fsyncs and fdatasyncs of 4 KiB in a file in -dir; it does that -rounds
// times, interleaved, so that the disk's mood is shared, and prints the medians, one line
// per figure:
//
//	go run ./bench/stepsrate [-k 500] [-fsyncs 1000] [-rounds 3] [-dir DIR] [-postgres DSN]
//
// -postgres defaults to $TGAUTH_TEST_POSTGRES. Each round's figures go to stderr as it
// ends. SQLite commits with fsync; PostgreSQL (wal_sync_method fdatasync on Linux) with
// fdatasync, on whatever disk holds its data directory: the command says whether that is
// the disk of -dir when it can tell.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/bench/internal/report"
	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/postgres"
	"github.com/tgauth/tgauth/store/sqlite"
)

func main() {
	k := flag.Int("k", 500, "durable steps per store per round")
	fsyncs := flag.Int("fsyncs", 1000, "fsyncs (and as many fdatasyncs) per round")
	rounds := flag.Int("rounds", 3, "rounds; the medians are printed")
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure: the SQLite file and the fsync file go there")
	dsn := flag.String("postgres", os.Getenv(report.DSNEnv), "PostgreSQL DSN; empty skips PostgreSQL")
	flag.Parse()
	log.SetFlags(0)
	if err := run(context.Background(), *k, *fsyncs, *rounds, *dir, *dsn); err != nil {
		log.Fatalf("stepsrate: %v", err)
	}
}

// target is a store steps are measured on.
type target struct {
	name  string
	step  *scale.Stepper
	rates []float64
}

func run(ctx context.Context, k, fsyncs, rounds int, dir, dsn string) error {
	if k <= 0 || fsyncs <= 0 || rounds <= 0 {
		return fmt.Errorf("-k, -fsyncs and -rounds must be positive")
	}
	work, err := os.MkdirTemp(dir, "tgauth-stepsrate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	lite, err := sqlite.Open(ctx, filepath.Join(work, "steps.db"))
	if err != nil {
		return err
	}
	defer lite.Close()
	targets := []*target{{name: "sqlite"}}
	stores := []machine.Store{lite}
	if dsn != "" {
		schemaDSN, drop, err := report.Schema(ctx, dsn, "tgauth_stepsrate_")
		if err != nil {
			return err
		}
		defer func() {
			if err := drop(); err != nil {
				log.Print(err)
			}
		}()
		pg, err := postgres.Open(ctx, schemaDSN)
		if err != nil {
			return err
		}
		defer pg.Close()
		targets = append(targets, &target{name: "postgres"})
		stores = append(stores, pg)
		sameDisk(ctx, dsn, work)
	}
	for i, t := range targets {
		if t.step, err = scale.NewStepper(ctx, stores[i], "stepsrate"); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		for range 10 { // warm up: connections, statements, pages
			if err := t.step.Step(ctx); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
	}

	var fsyncRates, fdatasyncRates []float64
	for r := 1; r <= rounds; r++ {
		fs, err := report.FsyncRate(work, fsyncs, false)
		if err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
		fds, err := report.FsyncRate(work, fsyncs, true)
		if err != nil {
			return fmt.Errorf("fdatasync: %w", err)
		}
		fsyncRates, fdatasyncRates = append(fsyncRates, fs), append(fdatasyncRates, fds)
		line := fmt.Sprintf("round %d: %.0f fsyncs/s, %.0f fdatasyncs/s", r, fs, fds)
		for _, t := range targets {
			start := time.Now()
			for range k {
				if err := t.step.Step(ctx); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
			}
			rate := float64(k) / time.Since(start).Seconds()
			t.rates = append(t.rates, rate)
			line += fmt.Sprintf(", %s %.0f steps/s", t.name, rate)
		}
		log.Print(line)
	}

	fs, fds := report.Median(fsyncRates), report.Median(fdatasyncRates)
	fmt.Printf("dir %s\n", dir)
	fmt.Printf("rounds %d (medians below; %d steps per store and %d fsyncs per round)\n", rounds, k, fsyncs)
	fmt.Printf("fsyncs/s %.0f\n", fs)
	fmt.Printf("fdatasyncs/s %.0f\n", fds)
	for _, t := range targets {
		steps := report.Median(t.rates)
		fmt.Printf("%s steps/s %.0f\n", t.name, steps)
		fmt.Printf("%s writes/s %.0f\n", t.name, steps*scale.StepWrites)
		fmt.Printf("%s steps/s per fsync/s %.3f\n", t.name, steps/fs)
		fmt.Printf("%s writes/s per fsync/s %.3f\n", t.name, steps*scale.StepWrites/fs)
	}
	return nil
}

// sameDisk says on stderr whether PostgreSQL's data directory is on the disk of dir, when
// the server tells where it is and this process can see it.
func sameDisk(ctx context.Context, dsn, dir string) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir); err != nil {
		log.Printf("postgres: data directory not known (%v)", err)
		return
	}
	pgDev, err1 := report.Device(dataDir)
	dirDev, err2 := report.Device(dir)
	if err1 != nil || err2 != nil {
		log.Printf("postgres: data directory %s; whether it is on the disk of %s is not known", dataDir, dir)
		return
	}
	log.Printf("postgres: data directory %s, on the disk of %s: %v", dataDir, dir, pgDev == dirDev)
}
