package tgauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tgauth/tgauth/internal/cli"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/replay"
	"github.com/tgauth/tgauth/scenario"
	"github.com/tgauth/tgauth/transitions"
)

var (
	record = flag.Bool("record", false, "write each scenario's trace to testdata/traces/NAME.jsonl")
	update = flag.Bool("update", false, "rewrite the files a scenario compares with cmp (want-journal...) to what it got")
)

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
	cmds := maps.Clone(scenarioCommands)
	maps.Copy(cmds, processCommands)
	t.Run("scripts", func(t *testing.T) {
		testscript.Run(t, testscript.Params{
			Dir:                 "testdata/scripts",
			Setup:               setupScenario,
			Cmds:                cmds,
			RequireExplicitExec: true,
			UpdateScripts:       *update,
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
			if j.Problem != nil {
				fmt.Fprintf(ts.Stdout(), " (%s)", j.Problem.Text())
			}
			fmt.Fprintln(ts.Stdout())
		}
	},
}

// processCommands serve scripts of tgauth processes (exec tgauth ..., no telegram.jsonl):
// waiting for a file a background process writes, taking a value from a command's output,
// decoding an exported session, and looking for a secret in files.
var processCommands = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// waitfile FILE: wait (up to 30s) until FILE exists and is not empty, e.g. the config a
	// background 'tgauth testdc --config-out FILE' writes.
	"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: waitfile FILE")
		}
		path := ts.MkAbs(args[0])
		for end := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
				return
			}
			if time.Now().After(end) {
				ts.Fatalf("%s did not appear within 30s", args[0])
			}
		}
	},
	// capture VAR REGEXP: set $VAR to the first group of REGEXP (multi-line mode) in the
	// last command's stdout.
	"capture": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 || neg {
			ts.Fatalf("usage: capture VAR REGEXP")
		}
		re, err := regexp.Compile("(?m)" + args[1])
		ts.Check(err)
		m := re.FindStringSubmatch(ts.ReadFile("stdout"))
		if len(m) < 2 {
			ts.Fatalf("no match for %q with a group in stdout", args[1])
		}
		ts.Setenv(args[0], m[1])
	},
	// telethon FILE [GOTD_FILE]: decode the Telethon StringSession in FILE with gotd's
	// session.TelethonSession and print its DC, address and auth key length; with
	// GOTD_FILE (a gotd session JSON), also check that both hold the same DC and auth key.
	"telethon": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 1 || len(args) > 2 || neg {
			ts.Fatalf("usage: telethon FILE [GOTD_FILE]")
		}
		d, err := session.TelethonSession(strings.TrimSpace(ts.ReadFile(args[0])))
		ts.Check(err)
		fmt.Fprintf(ts.Stdout(), "dc: %d\naddr: %s\nauth key: %d bytes\n", d.DC, d.Addr, len(d.AuthKey))
		if len(args) == 2 {
			var mem session.StorageMemory
			ts.Check(mem.StoreSession(context.Background(), []byte(ts.ReadFile(args[1]))))
			g, err := (&session.Loader{Storage: &mem}).Load(context.Background())
			ts.Check(err)
			if g.DC != d.DC || !bytes.Equal(g.AuthKey, d.AuthKey) {
				ts.Fatalf("the Telethon session (DC %d) and the gotd session (DC %d) hold different auth keys", d.DC, g.DC)
			}
			fmt.Fprintf(ts.Stdout(), "same DC and auth key as %s\n", args[1])
		}
	},
	// nosecret TEXT GLOB...: fail if TEXT occurs in the bytes of a file matching a GLOB
	// (at least one file must match); print the files looked at.
	"nosecret": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 2 || neg {
			ts.Fatalf("usage: nosecret TEXT GLOB...")
		}
		var files []string
		for _, g := range args[1:] {
			m, err := filepath.Glob(ts.MkAbs(g))
			ts.Check(err)
			files = append(files, m...)
		}
		if len(files) == 0 {
			ts.Fatalf("no file matches %q", args[1:])
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			ts.Check(err)
			if bytes.Contains(b, []byte(args[0])) {
				ts.Fatalf("%s holds the secret", filepath.Base(f))
			}
			fmt.Fprintf(ts.Stdout(), "no secret in %s (%d bytes)\n", filepath.Base(f), len(b))
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
