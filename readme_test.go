package tgauth_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tgauth/tgauth/internal/syncbuf"
)

// TestREADMECommands runs every command README.md shows after "$ " in a console block, as
// written, one after the other in a directory holding the README's world.json, with the
// test binary as tgauth on $PATH ("go run ./cmd/tgauth" stands for it). A command must
// exit 0 and print each line shown under it ("..." standing for any text); a command
// ending in "&" runs in the background until the test ends, when it is interrupted and
// must exit 0.
func TestREADMECommands(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	world := regexp.MustCompile("(?s)A world file \\(world.json\\) adds accounts:\n\n```json\n(.*?)```").FindSubmatch(readme)
	if world == nil {
		t.Fatal("README.md has no world.json block")
	}
	if err := os.WriteFile(filepath.Join(dir, "world.json"), world[1], 0o644); err != nil {
		t.Fatal(err)
	}
	cmds := consoleCommands(string(readme))
	if len(cmds) < 5 {
		t.Fatalf("found %d commands in README.md", len(cmds))
	}
	for _, c := range cmds {
		t.Logf("$ %s", c.line)
		line := strings.ReplaceAll(c.line, "go run ./cmd/tgauth", "tgauth")
		if bg, ok := strings.CutSuffix(line, "&"); ok {
			out := background(t, dir, bg)
			waitLines(t, c, out.String)
			continue
		}
		cmd := shell(dir, line)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("$ %s\n%s: %v", c.line, b, err)
		}
		if missing := missingLines(c, string(b)); missing != "" {
			t.Errorf("$ %s\nprinted no line %q:\n%s", c.line, missing, b)
		}
	}
}

// command is a command shown in a console block and the lines shown under it.
type command struct {
	line string
	want []string
}

// consoleCommands are the commands of README's console blocks, in order.
func consoleCommands(readme string) []command {
	var cmds []command
	for _, block := range regexp.MustCompile("(?s)```console\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		for _, l := range strings.Split(strings.TrimSuffix(block[1], "\n"), "\n") {
			if cmd, ok := strings.CutPrefix(l, "$ "); ok {
				cmds = append(cmds, command{line: strings.TrimSpace(cmd)})
			} else if len(cmds) > 0 {
				cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, l)
			}
		}
	}
	return cmds
}

// missingLines returns the first line c shows that out lacks; "" when it has them all.
func missingLines(c command, out string) string {
	for _, w := range c.want {
		parts := strings.Split(w, "...")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		if !regexp.MustCompile("(?m)^" + strings.Join(parts, ".*") + "$").MatchString(out) {
			return w
		}
	}
	return ""
}

// shell is bash running line in dir, with no Telegram credentials and no store in the
// environment, so that the README's defaults apply.
func shell(dir, line string) *exec.Cmd {
	cmd := exec.Command("bash", "-c", line)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TG_API_") && !strings.HasPrefix(kv, "TGAUTH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// background starts line in the background for the rest of the test and returns its
// output so far; at the end of the test it is interrupted and must exit 0.
func background(t *testing.T, dir, line string) *syncbuf.Buffer {
	t.Helper()
	out := &syncbuf.Buffer{}
	cmd := shell(dir, "exec "+line)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		if err := cmd.Wait(); err != nil {
			t.Errorf("$ %s &: %v\n%s", line, err, out.String())
		}
	})
	return out
}

// waitLines waits until the output of a background command has the lines shown under it.
func waitLines(t *testing.T, c command, out func() string) {
	t.Helper()
	for end := time.Now().Add(60 * time.Second); missingLines(c, out()) != ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("$ %s\nprinted no line %q:\n%s", c.line, missingLines(c, out()), out())
		}
	}
}
