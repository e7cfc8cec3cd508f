package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// benchFigures are one go test benchmark's medians over the rounds.
type benchFigures struct{ ns, bytes, allocs []float64 }

// goBenchmarks runs the benchmarks named by names in pkgs with go test once per round
// (each round runs them all, one after the other) and returns their figures by name,
// with the go test command it ran.
func goBenchmarks(ctx context.Context, env *env, pkgs, names []string, benchtime string) (map[string]*benchFigures, string, error) {
	args := append([]string{"test", "-run", "^$", "-bench", "^(" + strings.Join(names, "|") + ")$", "-benchmem",
		"-benchtime", benchtime, "-count", "1"}, pkgs...)
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, "", err
	}
	out := map[string]*benchFigures{}
	for _, n := range names {
		out[n] = &benchFigures{}
	}
	for range env.cfg.rounds {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		text, err := cmd.CombinedOutput()
		if err != nil {
			return nil, "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, text)
		}
		for _, n := range names {
			ns, bytes, allocs, err := benchLine(string(text), n)
			if err != nil {
				return nil, "", err
			}
			f := out[n]
			f.ns, f.bytes, f.allocs = append(f.ns, ns), append(f.bytes, bytes), append(f.allocs, allocs)
		}
	}
	return out, "go " + strings.Join(args, " "), nil
}

// benchTable adds a table of benchmarks (name and what it is) to res, each set against
// the first.
func benchTable(res *result, figures map[string]*benchFigures, rows [][2]string, against string) {
	base := median(figures[rows[0][0]].ns)
	var out [][]string
	for _, r := range rows {
		f := figures[r[0]]
		ns := median(f.ns)
		out = append(out, []string{"`" + r[0] + "`: " + r[1], res.figure(r[0]+" ns/op", ns, "ns"),
			num(median(f.bytes)), num(median(f.allocs)), num(ns / base)})
	}
	res.table([]string{"benchmark", "ns/op", "B/op", "allocs/op", "× " + against}, out)
}

// benchSection measures the benchmarks rows name (with what each is) in pkgs, once per
// round, sets each against the first, which is what against names, and says how it was
// run, then note.
func benchSection(ctx context.Context, env *env, pkgs []string, rows [][2]string, against, benchtime, note string) (*result, error) {
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r[0]
	}
	figures, command, err := goBenchmarks(ctx, env, pkgs, names, benchtime)
	if err != nil {
		return nil, err
	}
	res := &result{}
	benchTable(res, figures, rows, against)
	res.para("Each round is one `%s`; %d rounds, medians. %s", command, env.cfg.rounds, note)
	return res, nil
}

// engineStep sets one engine step against a bare looplab/fsm Event on the same transition
// table: the project's own benchmarks, machine.BenchmarkStep and
// transitions.BenchmarkFSMEvent.
func engineStep(ctx context.Context, env *env) (*result, error) {
	return benchSection(ctx, env, []string{"./machine", "./transitions"}, [][2]string{
		{"BenchmarkFSMEvent", "a bare looplab/fsm `Event` on our table (CodeSent, submit_code)"},
		{"BenchmarkStep", "`Engine.Send` of a wrong code on the memory store: load, decide, write-ahead, (mock) auth.signIn, outcome, persist, notify"},
	}, "bare Event", env.cfg.pick("1s", "100ms"), "The engine step is two transitions on looplab/fsm plus copying "+
		"the record, building the problem, two persists with a journal entry each and the call's bounded context, "+
		"on the memory store: the engine's own cost, not a disk's.")
}

// benchLine finds the result line of benchmark name in go test's output and returns its
// ns/op, B/op and allocs/op.
func benchLine(out, name string) (ns, bytes, allocs float64, err error) {
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) < 8 || (f[0] != name && !strings.HasPrefix(f[0], name+"-")) {
			continue
		}
		values := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return 0, 0, 0, fmt.Errorf("%s: %q: %w", name, line, err)
			}
			values[f[i+1]] = v
		}
		return values["ns/op"], values["B/op"], values["allocs/op"], nil
	}
	return 0, 0, 0, fmt.Errorf("no result for %s in go test's output:\n%s", name, out)
}
