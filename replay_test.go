package tgauth_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/internal/cli"
)

// TestReplayTraces replays every recorded trace under testdata/traces through
// `tgauth replay`, in-process: each must walk exactly its recorded states.
func TestReplayTraces(t *testing.T) {
	files, err := filepath.Glob("testdata/traces/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces under testdata/traces: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".jsonl"), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), cli.Env{Stdout: &stdout, Stderr: &stderr}, []string{"replay", f})
			if code != 0 || !strings.Contains(stdout.String(), "walked the same") {
				t.Fatalf("tgauth replay %s: exit %d\n%s%s", f, code, stdout.String(), stderr.String())
			}
		})
	}
}
