package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// engineStep sets one engine step against a bare looplab/fsm Event on the same transition
// table: the project's own benchmarks, machine.BenchmarkStep and
// transitions.BenchmarkFSMEvent, run by go test once per round.
func engineStep(ctx context.Context, env *env) (*result, error) {
	benchtime := "1s"
	if env.cfg.quick {
		benchtime = "100ms"
	}
	contenders := []struct {
		bench, what string
		ns, bytes   []float64
		allocs      []float64
	}{
		{bench: "BenchmarkFSMEvent", what: "a bare looplab/fsm `Event` on our table (CodeSent, submit_code)"},
		{bench: "BenchmarkStep", what: "`Engine.Send` of a wrong code on the memory store: load, decide, write-ahead, (mock) auth.signIn, outcome, persist, notify"},
	}
	args := []string{"test", "-run", "^$", "-bench", "^(BenchmarkStep|BenchmarkFSMEvent)$", "-benchmem",
		"-benchtime", benchtime, "-count", "1", "./machine", "./transitions"}
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	for range env.cfg.rounds {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		for i := range contenders {
			c := &contenders[i]
			ns, bytes, allocs, err := benchLine(string(out), c.bench)
			if err != nil {
				return nil, err
			}
			c.ns, c.bytes, c.allocs = append(c.ns, ns), append(c.bytes, bytes), append(c.allocs, allocs)
		}
	}
	res := &result{}
	bare := median(contenders[0].ns)
	var rows [][]string
	for _, c := range contenders {
		ns := median(c.ns)
		rows = append(rows, []string{"`" + c.bench + "`: " + c.what, res.figure(c.bench+" ns/op", ns, "ns"),
			num(median(c.bytes)), num(median(c.allocs)), num(ns / bare)})
	}
	res.table([]string{"benchmark", "ns/op", "B/op", "allocs/op", "× bare Event"}, rows)
	res.para("Each round is one `go %s` (both packages' benchmarks run one after the other); "+
		"%d rounds. The engine step is two transitions on looplab/fsm plus copying the record, "+
		"building the problem, two persists with a journal entry each and the call's bounded context, "+
		"on the memory store: the engine's own cost, not a disk's.", strings.Join(args, " "), env.cfg.rounds)
	return res, nil
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
