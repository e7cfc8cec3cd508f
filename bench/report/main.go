// Command report measures tgauth side by side with what its users would run instead, in
// one run, and writes docs/performance.md: the machine, each figure with how it was
// measured, and the targets met or missed.
//
// Usage, from the module's root:
//
//	go run ./bench/report [-quick] [-out docs/performance.md] [-postgres DSN] [-rounds N] [-pending N] [-only NAMES]
//
// Every section measures in rounds: a round runs each of the section's contenders once,
// in turn, so that the machine's mood is shared, and the report gives medians. -quick
// runs small sizes and one round: a smoke run, not figures to quote. -postgres defaults to
// $TGAUTH_TEST_POSTGRES; without it the PostgreSQL figures are skipped with a note. The
// stores are measured in a directory of their own under -dir, removed at the end, and in
// schemas of their own on PostgreSQL, dropped at the end.
//
// The sections are the list in sections.go, one file each: adding one is a function and
// a line there.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
)

func main() {
	var cfg config
	flag.BoolVar(&cfg.quick, "quick", false, "small sizes and one round: a smoke run")
	flag.StringVar(&cfg.out, "out", "docs/performance.md", "write the report to `FILE` (- for stdout)")
	flag.StringVar(&cfg.dsn, "postgres", os.Getenv(dsnEnv), "PostgreSQL `DSN` for the PostgreSQL figures; empty skips them")
	flag.IntVar(&cfg.rounds, "rounds", 0, "rounds per section (default 5, 1 with -quick)")
	flag.IntVar(&cfg.pending, "pending", 0, "pending logins for the restart figures (default 1000000, 20000 with -quick)")
	flag.StringVar(&cfg.dir, "dir", os.TempDir(), "`DIR` for the stores, on the disk to measure")
	only := flag.String("only", "", "comma-separated section `NAMES` to run (default all): "+strings.Join(sectionNames(), ","))
	flag.Parse()
	log.SetFlags(log.Ltime)
	if *only != "" {
		cfg.only = strings.Split(*only, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg.command = strings.TrimSpace("go run ./bench/report " + strings.Join(os.Args[1:], " "))
	if err := run(ctx, cfg); err != nil {
		log.Fatalf("report: %v", err)
	}
}

// config is what the flags say.
type config struct {
	quick           bool
	out, dsn, dir   string
	rounds, pending int
	only            []string
	command         string
}

// setDefaults fills in the sizes the flags left at zero.
func (c *config) setDefaults() {
	if c.rounds <= 0 {
		c.rounds = 5
		if c.quick {
			c.rounds = 1
		}
	}
	if c.pending <= 0 {
		c.pending = 1_000_000
		if c.quick {
			c.pending = 20_000
		}
	}
}

// pick returns full, or quick with -quick.
func (c *config) pick(full, quick string) string {
	if c.quick {
		return quick
	}
	return full
}

// size returns full, or quick with -quick.
func (c *config) size(full, quick int) int {
	if c.quick {
		return quick
	}
	return full
}

// run measures every section cfg selects and writes the report.
func run(ctx context.Context, cfg config) error {
	p, err := measure(ctx, cfg)
	if err != nil {
		return err
	}
	out := p.markdown()
	if cfg.out == "-" {
		_, err := os.Stdout.WriteString(out)
		return err
	}
	if err := os.WriteFile(cfg.out, []byte(out), 0o644); err != nil {
		return err
	}
	log.Printf("report written to %s", cfg.out)
	return nil
}

// measure runs every section cfg selects.
func measure(ctx context.Context, cfg config) (*page, error) {
	cfg.setDefaults()
	env, err := newEnv(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer env.close()
	p := &page{cfg: cfg, machine: describeMachine()}
	for _, s := range sections {
		if !cfg.selected(s.name) {
			continue
		}
		log.Printf("section %s: %s", s.name, s.title)
		res, err := s.run(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", s.name, err)
		}
		p.add(s, res)
	}
	return p, nil
}

// selected tells whether the section named name is to run.
func (c *config) selected(name string) bool {
	if len(c.only) == 0 {
		return true
	}
	for _, n := range c.only {
		if n == name {
			return true
		}
	}
	return false
}
