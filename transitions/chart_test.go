package transitions_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	tr "github.com/tgauth/tgauth/transitions"
)

var update = flag.Bool("update", false, "rewrite docs/statechart.md from the table")

const chartFile = "../docs/statechart.md"

// TestStatechartIsCurrent fails when docs/statechart.md differs from what the table
// renders. Regenerate with: go test ./transitions -run Statechart -update
func TestStatechartIsCurrent(t *testing.T) {
	got := tr.Markdown()
	if *update {
		if err := os.WriteFile(chartFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(chartFile)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./transitions -run Statechart -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s is stale: regenerate with go test ./transitions -run Statechart -update", chartFile)
	}
}

func TestMarkdownIsStableAndComplete(t *testing.T) {
	a, b := tr.Markdown(), tr.Markdown()
	if a != b {
		t.Fatal("two renderings differ")
	}
	for _, row := range tr.Table() {
		line := "    " + string(row.From) + " --> " + string(row.To) + ": " + string(row.Event) + "\n"
		if !strings.Contains(a, line) {
			t.Errorf("chart lacks %q", line)
		}
	}
}
