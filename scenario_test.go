package tgauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tgauth/tgauth/internal/cli"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/scenario"
	"github.com/tgauth/tgauth/transitions"
)

var record = flag.Bool("record", false, "write each scenario's trace to testdata/traces/NAME.jsonl")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tgauth": func() { os.Exit(cli.Run()) },
	})
}

// coverage collects the (state, event) pairs every scenario took.
var coverage = struct {
	sync.Mutex
	taken   map[[2]string]bool
	scripts int
}{taken: map[[2]string]bool{}}

// TestScenarios runs testdata/scripts/*.txtar, then checks that together they take every
// transition of the table.
func TestScenarios(t *testing.T) {
	t.Run("scripts", func(t *testing.T) {
		testscript.Run(t, testscript.Params{
			Dir:                 "testdata/scripts",
			Setup:               setupScenario,
			Cmds:                scenarioCommands,
			RequireExplicitExec: true,
		})
	})
	all, _ := filepath.Glob("testdata/scripts/*.txtar")
	if t.Failed() || coverage.scripts < len(all) {
		return // coverage means something only when every scenario ran and passed
	}
	var missing []string
	for _, row := range transitions.Table() {
		if !coverage.taken[[2]string{string(row.From), string(row.Event)}] {
			missing = append(missing, fmt.Sprintf("%s --%s--> %s", row.From, row.Event, row.To))
		}
	}
	n := len(transitions.Table())
	t.Logf("transitions covered: %d/%d", n-len(missing), n)
	fmt.Printf("transitions covered: %d/%d\n", n-len(missing), n)
	if len(missing) > 0 {
		t.Errorf("%d transitions no scenario takes:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

// script is the state of one running scenario.
type script struct {
	h       *scenario.Harness
	logins  map[string]string // scenario name -> login ID
	current string
	last    machine.Snapshot
}

const telegramFile = "telegram.jsonl"

func setupScenario(env *testscript.Env) error {
	coverage.Lock()
	coverage.scripts++
	coverage.Unlock()
	path := filepath.Join(env.WorkDir, telegramFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil // a script of tgauth commands only (exec tgauth ...)
	}
	tr, err := replay.ReadFile(path)
	if err != nil {
		return err
	}
	opts := scenario.Options{Start: tr.Header.Created, Settings: tr.Header.Settings}
	var traceFile *os.File
	if *record {
		name := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
		if traceFile, err = os.Create(filepath.Join("testdata", "traces", name+".jsonl")); err != nil {
			return err
		}
		opts.Record = traceFile
	}
	h, err := scenario.New(tr.Entries, opts)
	if err != nil {
		return err
	}
	s := &script{h: h, logins: map[string]string{}}
	env.Values["script"] = s
	env.Defer(func() {
		if traceFile != nil {
			traceFile.Close()
		}
		taken, err := s.h.Taken(context.Background())
		if err != nil {
			env.T().Fatal(err)
		}
		coverage.Lock()
		for k := range taken {
			coverage.taken[k] = true
		}
		coverage.Unlock()
		if rest := s.h.Player.Remaining(); len(rest) > 0 {
			env.T().Fatal(fmt.Sprintf("the scenario ended with %d Telegram answers unused; the first: %s", len(rest), rest[0].Method))
		}
	})
	return nil
}

func scriptOf(ts *testscript.TestScript) *script {
	s, ok := ts.Value("script").(*script)
	if !ok {
		ts.Fatalf("this scenario has no %s section, so no engine to drive", telegramFile)
	}
	return s
}

var scenarioCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// start [NAME]: create a login (in state New) and make it the current one.
	"start": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		name := "a"
		if len(args) > 0 {
			name = args[0]
		}
		snap, err := s.h.Engine().Start(context.Background(), machine.StartOptions{})
		ts.Check(err)
		s.logins[name], s.current, s.last = snap.ID, name, snap
	},
	// use NAME: make another login current.
	"use": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		if len(args) != 1 || s.logins[args[0]] == "" {
			ts.Fatalf("usage: use NAME (of a login started earlier)")
		}
		s.current = args[0]
	},
	// send EVENT [key=value...]: send an input to the current login. It fails if the engine
	// refuses it outright (not allowed, bad input, busy); Telegram refusing it is an outcome.
	"send": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		if len(args) < 1 {
			ts.Fatalf("usage: send EVENT [key=value...]")
		}
		kv := map[string]string{}
		for _, a := range args[1:] {
			k, v, _ := strings.Cut(a, "=")
			kv[k] = v
		}
		in, err := machine.ParseInput(machine.Event(args[0]), kv)
		ts.Check(err)
		id := s.id(ts)
		snap, err, crashed := s.h.Do(func(e *machine.Engine) (machine.Snapshot, error) {
			return e.Send(context.Background(), id, in)
		})
		s.checkPlayer(ts)
		if crashed {
			fmt.Fprintf(ts.Stdout(), "crashed during the call\n")
			return
		}
		s.last = snap
		fmt.Fprintf(ts.Stdout(), "state: %s\n", snap.State)
		if err != nil && errors.Is(err, machine.ErrRefused) {
			fmt.Fprintf(ts.Stdout(), "refused: %v\n", err)
			err = nil
		}
		switch {
		case err != nil && !neg:
			ts.Fatalf("send %s: %v", args[0], err)
		case err == nil && neg:
			ts.Fatalf("send %s was taken; expected it to be refused", args[0])
		case err != nil:
			fmt.Fprintf(ts.Stderr(), "%v\n", err)
		}
	},
	// state STATE: the current login is in STATE.
	"state": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		if len(args) != 1 {
			ts.Fatalf("usage: state STATE")
		}
		snap, err := s.h.Engine().Get(context.Background(), s.id(ts))
		ts.Check(err)
		if (string(snap.State) == args[0]) == neg {
			ts.Fatalf("login %s is in state %s; want %s%s", s.current, snap.State, map[bool]string{true: "not "}[neg], args[0])
		}
	},
	// prompt: print the current login's prompt as JSON, for stdout assertions.
	"prompt": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		snap, err := s.h.Engine().Get(context.Background(), s.id(ts))
		ts.Check(err)
		b, err := json.MarshalIndent(snap.Prompt, "", "  ")
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "%s\n", b)
	},
	// advance DURATION: move the clock.
	"advance": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: advance DURATION")
		}
		d, err := time.ParseDuration(args[0])
		ts.Check(err)
		scriptOf(ts).h.Clock.Advance(d)
	},
	// tick: one scheduler round (due timers fire, stale calls are recovered).
	"tick": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		_, err, crashed := s.h.Do(func(e *machine.Engine) (machine.Snapshot, error) {
			return machine.Snapshot{}, e.Tick(context.Background())
		})
		s.checkPlayer(ts)
		if crashed {
			fmt.Fprintf(ts.Stdout(), "crashed during the call\n")
		}
		ts.Check(err)
	},
	// restart: a new engine over the same store, as after a process restart.
	"restart": func(ts *testscript.TestScript, neg bool, args []string) {
		scriptOf(ts).h.Restart()
	},
	// journal: print the current login's transitions, one per line.
	"journal": func(ts *testscript.TestScript, neg bool, args []string) {
		s := scriptOf(ts)
		entries, err := s.h.Engine().Journal(context.Background(), s.id(ts))
		ts.Check(err)
		for _, j := range entries {
			fmt.Fprintf(ts.Stdout(), "%s --%s--> %s", j.From, j.Event, j.To)
			if j.Note != "" {
				fmt.Fprintf(ts.Stdout(), " (%s)", j.Note)
			}
			fmt.Fprintln(ts.Stdout())
		}
	},
}

func (s *script) id(ts *testscript.TestScript) string {
	id := s.logins[s.current]
	if id == "" {
		ts.Fatalf("no login started yet: begin the script with 'start'")
	}
	return id
}

func (s *script) checkPlayer(ts *testscript.TestScript) {
	if err := s.h.Player.Err(); err != nil {
		ts.Fatalf("%v", err)
	}
}

// TestScenarioNamesSayOneBehaviour keeps the suite readable: every script starts with a
// comment that says what it shows, and is named in snake_case.
func TestScenarioNamesSayOneBehaviour(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txtar")
		if strings.ToLower(name) != name || strings.ContainsAny(name, " -") {
			t.Errorf("%s: name scenarios in snake_case", f)
		}
		b, _ := os.ReadFile(f)
		if !strings.HasPrefix(string(b), "# ") {
			t.Errorf("%s: start with a '# ' comment saying what the scenario shows", f)
		}
	}
}
