package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the bare SQLite transactions' driver

	"github.com/tgauth/tgauth/bench/scale"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/sqlite"
)

// inFlight are the numbers of logins stepping at once that durableSteps measures.
var inFlight = []int{1, 8, 64}

// durableStore is a store durable steps are measured on, with its bare twin: the same
// writes as plain transactions on the same database.
type durableStore struct {
	name  string
	store machine.Store
	stats func() (writes, commits int64)
	bare  bareWriter
	// rates per in-flight count: engine steps/s and bare steps/s, per round; and the
	// writes and commits of the engine's measurements.
	engine, plain   map[int][]float64
	writes, commits map[int]int64
}

// bareWriter writes what one persist of the engine writes (the login's row and a journal
// entry) in one transaction of its own, as a program without group commit would.
type bareWriter interface {
	write(ctx context.Context, id string, version int64, doc string) error
}

// durableSteps measures durable engine steps (scale.Stepper: a wrong code, so the
// write-ahead of CheckingCode, a mock auth.signIn and the outcome, two writes) with 1, 8
// and 64 logins stepping at once, on SQLite and PostgreSQL, against the same writes made
// as bare transactions on the same database, one transaction per write.
func durableSteps(ctx context.Context, env *env) (*result, error) {
	res := &result{}
	total := env.cfg.size(768, 64) // steps per measurement
	stores, err := openDurableStores(ctx, env, res)
	if err != nil {
		return nil, err
	}
	steppers := map[string]map[int][]*scale.Stepper{}
	docs := map[string]string{}
	for _, s := range stores {
		steppers[s.name] = map[int][]*scale.Stepper{}
		for _, n := range inFlight {
			for i := range n {
				st, err := scale.NewStepper(ctx, s.store, fmt.Sprintf("step-%d-%d", n, i))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", s.name, err)
				}
				steppers[s.name][n] = append(steppers[s.name][n], st)
				l := &machine.Login{ID: fmt.Sprintf("bare-%d-%d", n, i), State: states.CodeSent, CreatedAt: time.Now()}
				if err := s.store.Create(ctx, l); err != nil {
					return nil, fmt.Errorf("%s: %w", s.name, err)
				}
			}
		}
		l, err := s.store.Get(ctx, "step-1-0")
		if err != nil {
			return nil, err
		}
		doc, err := json.Marshal(l) // a document of about the size of the store's
		if err != nil {
			return nil, err
		}
		docs[s.name] = string(doc)
	}

	var fsyncs []float64
	for r := range env.cfg.rounds {
		fs, err := fsyncRate(env.work, env.cfg.size(500, 50))
		if err != nil {
			return nil, err
		}
		fsyncs = append(fsyncs, fs)
		for _, s := range stores {
			for _, n := range inFlight {
				w0, c0 := s.stats()
				rate, err := inParallel(n, total, func(i, k int) error { return steppers[s.name][n][i].Step(ctx) })
				if err != nil {
					return nil, fmt.Errorf("%s, %d in flight: %w", s.name, n, err)
				}
				w1, c1 := s.stats()
				s.engine[n] = append(s.engine[n], rate)
				s.writes[n] += w1 - w0
				s.commits[n] += c1 - c0
				rate, err = inParallel(n, total, func(i, k int) error {
					id := fmt.Sprintf("bare-%d-%d", n, i)
					for w := range int64(scale.StepWrites) {
						v := int64(r*total+k)*scale.StepWrites + w + 2
						if err := s.bare.write(ctx, id, v, docs[s.name]); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					return nil, fmt.Errorf("%s bare, %d in flight: %w", s.name, n, err)
				}
				s.plain[n] = append(s.plain[n], rate)
			}
		}
	}

	var rows [][]string
	for _, s := range stores {
		for _, n := range inFlight {
			eng, bare := median(s.engine[n]), median(s.plain[n])
			perCommit := "–"
			if s.commits[n] > 0 {
				perCommit = num(float64(s.writes[n]) / float64(s.commits[n]))
			}
			rows = append(rows, []string{fmt.Sprintf("%s, %d in flight", s.name, n),
				res.figure(fmt.Sprintf("%s engine steps/s at %d", s.name, n), eng, "steps/s"),
				num(bare), num(eng / bare), perCommit})
		}
	}
	res.table([]string{"store, logins stepping at once", "engine steps/s", "bare steps/s", "engine ÷ bare", "writes per commit (engine)"}, rows)
	res.para("A step is `scale.Stepper.Step`: a wrong code sent through `Engine.Send`, so the write-ahead of "+
		"CheckingCode, a mock auth.signIn and the outcome back in CodeSent: %d durable writes, each the login's row "+
		"and a journal entry. The bare contender makes the same two writes per step (an UPDATE of the row with a "+
		"document of the same size, an INSERT into the journal) in one transaction each, on the same database, "+
		"the same number of goroutines at once: SQLite through database/sql with one connection (writers queue "+
		"in Go rather than in SQLite's busy handler), PostgreSQL through a pgx pool of the same size as the store's. "+
		"Each measurement is %d steps split among the goroutines; %d rounds, medians. The disk's fsync rate, "+
		"measured in each round beside the SQLite file: %s fsyncs/s (median).",
		scale.StepWrites, total, env.cfg.rounds, num(median(fsyncs)))
	for _, s := range stores {
		one, many := median(s.engine[1]), median(s.engine[64])
		switch s.name {
		case "SQLite":
			res.target("SQLite steps/s, 64 in flight ÷ 1 at a time", "≥ 3×", num(many/one)+"×", many >= 3*one,
				sqliteNote(many/one))
		case "PostgreSQL":
			note := ""
			if many < 2000 {
				note = fmt.Sprintf("short by %.0f %%, with %s writes sharing each commit: the server, on the same cores "+
					"(load average %s now), runs the statements", 100*(1-many/2000),
					num(float64(s.writes[64])/float64(max(s.commits[64], 1))), describeMachine().load)
			}
			res.target("PostgreSQL steps/s, 64 in flight", "≥ 2 000", num(many), many >= 2000, note)
		}
	}
	return res, nil
}

// sqliteNote explains a missed SQLite ratio.
func sqliteNote(ratio float64) string {
	if ratio >= 3 {
		return ""
	}
	return fmt.Sprintf("short by %.0f %%: on this disk a commit's fsync is cheap next to the CPU of a step, which group commit does not share", 100*(1-ratio/3))
}

// openDurableStores opens the SQLite store (and the PostgreSQL one, when there is a
// DSN) with their bare twins, noting in res what is skipped.
func openDurableStores(ctx context.Context, env *env, res *result) ([]*durableStore, error) {
	path := env.path("steps.db")
	lite, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	env.cleanup = append(env.cleanup, lite.Close)
	db, err := bareSQLite(path)
	if err != nil {
		return nil, err
	}
	env.cleanup = append(env.cleanup, db.Close)
	stores := []*durableStore{{name: "SQLite", store: lite, bare: sqliteBare{db},
		stats: func() (int64, int64) { st := lite.Stats(); return st.Writes, st.Commits }}}
	pg, dsn, err := env.postgres(ctx, res)
	if err != nil {
		return nil, err
	}
	if pg != nil {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, err
		}
		env.cleanup = append(env.cleanup, func() error { pool.Close(); return nil })
		stores = append(stores, &durableStore{name: "PostgreSQL", store: pg, bare: pgBare{pool},
			stats: func() (int64, int64) { st := pg.Stats(); return st.Writes, st.Commits }})
	}
	for _, s := range stores {
		s.engine, s.plain = map[int][]float64{}, map[int][]float64{}
		s.writes, s.commits = map[int]int64{}, map[int]int64{}
	}
	return stores, nil
}

// inParallel runs total calls of f split among n goroutines (f gets the goroutine's
// number and the call's) and returns the calls per second.
func inParallel(n, total int, f func(i, k int) error) (float64, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			for k := i; k < total; k += n {
				if err := f(i, k); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return 0, errs[0]
	}
	return float64(total) / time.Since(start).Seconds(), nil
}

// bareSQLite opens path as the store does (WAL is in the file already, synchronous=FULL,
// BEGIN IMMEDIATE) with one connection.
func bareSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// sqliteBare writes to the store's tables in plain transactions.
type sqliteBare struct{ db *sql.DB }

func (b sqliteBare) write(ctx context.Context, id string, version int64, doc string) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE logins SET state = 'CodeSent', version = ?, doc = ? WHERE id = ?`,
		version, doc, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
		VALUES (?, ?, ?, 'CodeSent', 'submit_code', 'CheckingCode', '')`, id, version, time.Now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

// pgBare writes to the store's tables in plain transactions.
type pgBare struct{ pool *pgxpool.Pool }

func (b pgBare) write(ctx context.Context, id string, version int64, doc string) error {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE logins SET state = 'CodeSent', version = $1, doc = $2 WHERE id = $3`,
		version, doc, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO journal (login_id, version, at, from_state, event, to_state, note)
		VALUES ($1, $2, now(), 'CodeSent', 'submit_code', 'CheckingCode', '')`, id, version); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
