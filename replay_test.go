package tgauth_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/internal/cli"
)

// TestReplayTraces replays every recorded trace under testdata/traces through
// `tgauth replay`, in-process: each must walk exactly its recorded states. The traces
// named mtproto_* were recorded from real MTProto against testdc by the e2e tests
// (go test ./e2e -args -record); none may hold a secret.
func TestReplayTraces(t *testing.T) {
	files, err := filepath.Glob("testdata/traces/*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no traces under testdata/traces: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".jsonl"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// The secrets the recording tests (e2e) typed: none may be in a trace.
			for _, secret := range []string{"hunter2", "s3cond", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", `"22222"`, `"33333"`, `"222222"`} {
				if strings.Contains(string(b), secret) {
					t.Fatalf("%s holds the secret %s", f, secret)
				}
			}
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), cli.Env{Stdout: &stdout, Stderr: &stderr}, []string{"replay", f})
			if code != 0 || !strings.Contains(stdout.String(), "walked the same") {
				t.Fatalf("tgauth replay %s: exit %d\n%s%s", f, code, stdout.String(), stderr.String())
			}
		})
	}
}
