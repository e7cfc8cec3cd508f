package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuickReport runs every section of the report in -quick mode (one round, small
// sizes, 2 000 pending logins) into a file, and checks that each section measured at
// least one figure, that the file shows every section and every target with a verdict,
// and that nothing was left in the work directory. It asserts no speed: the figures of
// a quick run on a loaded machine mean nothing. PostgreSQL figures are measured when
// TGAUTH_TEST_POSTGRES is set.
func TestQuickReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tgauth, starts a test DC and logs in over MTProto")
	}
	out := filepath.Join(t.TempDir(), "performance.md")
	dir := t.TempDir()
	cfg := config{quick: true, out: out, dir: dir, dsn: os.Getenv(dsnEnv), pending: 2000, command: "go test ./bench/report"}
	p, err := measure(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte(p.markdown()), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(p.sections) != len(sections) {
		t.Fatalf("%d sections measured, want %d", len(p.sections), len(sections))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	targets := 0
	for i, s := range p.sections {
		r := p.results[i]
		if len(r.figures) == 0 {
			t.Errorf("section %s measured no figure", s.name)
		}
		for _, f := range r.figures {
			if f.value <= 0 {
				t.Errorf("section %s: figure %q is %v", s.name, f.name, f.value)
			}
		}
		if !strings.Contains(page, "## "+s.title+"\n") {
			t.Errorf("the report has no section %q", s.title)
		}
		for _, tg := range r.targets {
			targets++
			if !strings.Contains(page, "| "+tg.what+" | "+tg.want+" | "+tg.got+" | ") {
				t.Errorf("the report does not show the target %q with its measure %q", tg.what, tg.got)
			}
		}
	}
	if want := 6 + btoi(cfg.dsn != ""); targets != want {
		t.Errorf("%d targets checked, want %d", targets, want)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("%d files left in the work directory, e.g. %s", len(left), left[0].Name())
	}
}

// btoi is 1 for true.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
