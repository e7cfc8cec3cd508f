package main

import (
	"fmt"
	"strings"
	"time"
)

// result is what a section measured: its text (paragraphs and tables, in order), its
// figures and the targets it checked.
type result struct {
	text    []string
	figures []figure
	targets []target
}

// figure is one measured value.
type figure struct {
	name  string
	value float64
	unit  string
}

// target is a goal of the issue, with what was measured against it.
type target struct {
	what, want, got string
	met             bool
	note            string
}

// para adds a paragraph.
func (r *result) para(format string, args ...any) {
	r.text = append(r.text, fmt.Sprintf(format, args...))
}

// table adds a Markdown table; columns after the first are right-aligned.
func (r *result) table(header []string, rows [][]string) {
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|---")
	for range header[1:] {
		b.WriteString("|---:")
	}
	b.WriteString("|\n")
	for _, row := range rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	r.text = append(r.text, strings.TrimSuffix(b.String(), "\n"))
}

// figure records a measured value and returns it formatted.
func (r *result) figure(name string, value float64, unit string) string {
	r.figures = append(r.figures, figure{name: name, value: value, unit: unit})
	return num(value)
}

// target records a goal and whether the measured value met it.
func (r *result) target(what, want, got string, met bool, note string) {
	r.targets = append(r.targets, target{what: what, want: want, got: got, met: met, note: note})
}

// num formats a figure with thin grouping and sensible precision.
func num(v float64) string {
	switch {
	case v >= 100:
		return group(fmt.Sprintf("%.0f", v))
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// group puts a space between each group of three digits of an integer.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// page is the whole report.
type page struct {
	cfg      config
	machine  machineInfo
	sections []section
	results  []*result
}

// add appends a section's result.
func (p *page) add(s section, r *result) {
	p.sections = append(p.sections, s)
	p.results = append(p.results, r)
}

// markdown renders the report.
func (p *page) markdown() string {
	var b strings.Builder
	b.WriteString("# Performance\n\n")
	b.WriteString("Written by `bench/report` (do not edit by hand): each section measures in rounds, each round\n")
	b.WriteString("running every contender of the section once in turn, and shows medians. The machine is\n")
	b.WriteString("shared with other work, so read the ratios measured side by side, not the absolute figures.\n\n")
	fmt.Fprintf(&b, "- Command: `%s`\n", p.cfg.command)
	fmt.Fprintf(&b, "- Date: %s\n", p.machine.start.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "- Machine: %s, %d cores (GOMAXPROCS %d), %s, %s/%s\n", p.machine.cpu, p.machine.cores,
		p.machine.procs, p.machine.goVersion, p.machine.goos, p.machine.goarch)
	fmt.Fprintf(&b, "- Load average at the start: %s\n", p.machine.load)
	fmt.Fprintf(&b, "- Rounds per section: %d%s\n", p.cfg.rounds, map[bool]string{true: " (-quick: a smoke run, not figures to quote)"}[p.cfg.quick])
	b.WriteString("\n## Targets\n\n")
	b.WriteString("| target | wanted | measured | |\n|---|---|---|---|\n")
	for _, r := range p.results {
		for _, t := range r.targets {
			verdict := "met"
			if !t.met {
				verdict = "**missed**"
			}
			if t.note != "" {
				verdict += ": " + t.note
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.what, t.want, t.got, verdict)
		}
	}
	for i, s := range p.sections {
		fmt.Fprintf(&b, "\n## %s\n", s.title)
		for _, t := range p.results[i].text {
			b.WriteString("\n" + t + "\n")
		}
	}
	b.WriteString("\n## Not measured by this command\n\n")
	b.WriteString("The bounded load run of `tgauth serve` (phone logins through the HTTP API against testdc in the\n")
	b.WriteString("same process) takes many minutes and is run by hand:\n")
	b.WriteString("`go test -count=1 -timeout 40m -run TestLoad -v ./drivers/web -args -load 500 -load-concurrency 4`.\n")
	b.WriteString("Its last figures are in this file's history (2026-11-30: 500 logins, 0 errors).\n")
	return b.String()
}
