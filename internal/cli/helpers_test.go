package cli

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/internal/syncbuf"
	"github.com/tgauth/tgauth/testdc"
)

// result is what one command did.
type result struct {
	code           int
	stdout, stderr string
}

// runIn runs tgauth in-process, with stdin and no environment; out, if not nil, gets
// its stdout as it is written.
func runIn(ctx context.Context, stdin io.Reader, out *syncbuf.Buffer, args ...string) result {
	if out == nil {
		out = &syncbuf.Buffer{}
	}
	var errb syncbuf.Buffer
	env := Env{Stdin: stdin, Stdout: out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Main(ctx, env, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// tgauth runs a command to its end, with empty stdin.
func tgauth(args ...string) result {
	return runIn(context.Background(), strings.NewReader(""), nil, args...)
}

// startTestDC runs a test DC for the test and writes its config file; it returns the DC
// and the --telegram flag that reaches it.
func startTestDC(t *testing.T) (*testdc.DC, string) {
	t.Helper()
	dc, err := testdc.Start(context.Background(), testdc.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	file := filepath.Join(t.TempDir(), "dc.json")
	if err := dc.Config().WriteFile(file); err != nil {
		t.Fatal(err)
	}
	return dc, "--telegram=testdc:" + file
}

// sqliteStore is the --store flag of a new SQLite file in a directory of the test's own.
func sqliteStore(t *testing.T) (flag, path string) {
	path = filepath.Join(t.TempDir(), "t.db")
	return "--store=sqlite:" + path, path
}

var loginLine = regexp.MustCompile(`(?m)^login: ([0-9a-f-]{36})$`)

// loginID is the ID in the first "login: ID" line of out.
func loginID(t *testing.T, out string) string {
	t.Helper()
	m := loginLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no 'login: ID' line in:\n%s", out)
	}
	return m[1]
}

// waitFor waits until cond holds; the deadline only keeps a broken test from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

// wantState checks that status reports the login in state.
func wantState(t *testing.T, id, state string, flags ...string) {
	t.Helper()
	r := tgauth(append([]string{"status", id}, flags...)...)
	if !strings.Contains(r.stdout, "state: "+state+"\n") {
		t.Fatalf("status of %s: want state %s, got exit %d\n%s%s", id, state, r.code, r.stdout, r.stderr)
	}
}
