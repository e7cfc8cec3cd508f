package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rsc.io/qr"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// These tests run 'tgauth login' in a real pseudo-terminal, tmux's, and read the screen
// as a person sees it. The tgauth they run is this test binary (see TestMain).

// asTgauth makes the test binary run as tgauth when set in its environment.
const asTgauth = "TGAUTH_TEST_AS_TGAUTH"

// panicOn makes the tgauth of the terminal tests panic in the Telegram call it names.
const panicOn = "TGAUTH_TEST_PANIC_ON"

func TestMain(m *testing.M) {
	if os.Getenv(asTgauth) == "1" {
		if method := tgapi.Method(os.Getenv(panicOn)); method != "" {
			testHookOptions = func(o *machine.Options) { o.Telegram = panicking{o.Telegram, method} }
		}
		os.Exit(Run())
	}
	os.Exit(m.Run())
}

// panicking is a Telegram whose call of one method panics, as a bug would.
type panicking struct {
	tgapi.Connector
	method tgapi.Method
}

func (p panicking) Connect(ctx context.Context, id string, s tgapi.SessionStorage) (tgapi.API, error) {
	api, err := p.Connector.Connect(ctx, id, s)
	return panickingAPI{api, p.method}, err
}

type panickingAPI struct {
	tgapi.API
	method tgapi.Method
}

func (p panickingAPI) Invoke(ctx context.Context, req tgapi.Request) (any, error) {
	if req.Method() == p.method {
		panic("a bug in " + string(p.method))
	}
	return p.API.Invoke(ctx, req)
}

// pane is a tmux pane running one shell command line in a directory of its own, served
// by a tmux server of its own (socket).
type pane struct {
	t      *testing.T
	socket string
	dir    string
}

// inTmux runs tgauth with args in a new tmux pane of width x height cells, in dir; after
// it ends, the pane records the terminal's settings (stty -a) in stty.txt and writes
// done.txt. stdout, if not empty, is a file stdout goes to.
func inTmux(t *testing.T, dir string, width, height int, stdout string, args ...string) *pane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): the terminal tests need a real pseudo-terminal")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("%s=1 %s %s", asTgauth, exe, strings.Join(args, " "))
	if method := os.Getenv(panicOn); method != "" {
		line = panicOn + "=" + method + " " + line
	}
	if stdout != "" {
		line += " > " + stdout
	}
	line += "; stty -a > stty.txt; echo done > done.txt"
	p := &pane{t: t, socket: filepath.Join(t.TempDir(), "tmux"), dir: dir}
	p.tmux("-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "-c", dir, "sh", "-c", line+"; sleep 3600")
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", p.socket, "kill-server").Run() })
	return p
}

func (p *pane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is what the pane shows, its scrollback included.
func (p *pane) screen() string { return p.tmux("capture-pane", "-p", "-S", "-") }

// send types keys (tmux key names: Enter, C-c...).
func (p *pane) send(keys ...string) { p.tmux(append([]string{"send-keys"}, keys...)...) }

// waitFor waits until the screen satisfies cond and returns it; the deadline only keeps a
// broken test from hanging.
func (p *pane) waitFor(what string, cond func(screen string) bool) string {
	p.t.Helper()
	for end := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		s := p.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(end) {
			p.t.Fatalf("gave up waiting until %s; the screen:\n%s", what, s)
		}
	}
}

// waitText waits until the screen shows text.
func (p *pane) waitText(text string) string {
	p.t.Helper()
	return p.waitFor("the screen shows "+text, func(s string) bool { return strings.Contains(s, text) })
}

// ended waits until tgauth ended and returns the terminal's settings after it.
func (p *pane) ended() string {
	p.t.Helper()
	p.waitFor("tgauth ended", func(string) bool {
		_, err := os.Stat(filepath.Join(p.dir, "done.txt"))
		return err == nil
	})
	b, err := os.ReadFile(filepath.Join(p.dir, "stty.txt"))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(b)
}

// world writes a world file into dir and returns the --world flag.
func world(t *testing.T, dir, accounts string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "world.json"), []byte(`{"accounts": [`+accounts+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return "--world=world.json"
}

// During a 5 s resend countdown the prompt is drawn once: the countdown moves on the
// status line alone, and what is being typed stays as it was.
func TestTTYResendCountdownDrawsThePromptOnce(t *testing.T) {
	dir := t.TempDir()
	w := world(t, dir, `{"phone": "9996620005", "code_type": "app", "next_type": "sms", "timeout": 5}`)
	p := inTmux(t, dir, 100, 30, "", "login", w, "--store=memory:", "--phone=+9996620005")
	p.waitText("Code:")
	p.send("222")
	p.waitText("Code: 222")
	seen := map[string]bool{}
	countdown := regexp.MustCompile(`Type 'resend' to get it by SMS( in \d+s)?\.`)
	p.waitFor("the countdown ends", func(s string) bool {
		for _, what := range []string{"Enter the 5-digit code sent in your Telegram app.", "Code: 222", "Type 'resend'"} {
			if n := strings.Count(s, what); n != 1 {
				t.Fatalf("%q is on the screen %d times; want once:\n%s", what, n, s)
			}
		}
		m := countdown.FindString(s)
		seen[m] = true
		return m == "Type 'resend' to get it by SMS."
	})
	if len(seen) < 2 { // not a failure: a machine slow enough may miss the whole countdown
		t.Logf("the countdown was never seen running: %v", seen)
	}
	p.send("22", "Enter")
	p.waitText("Logged in as Test 0005")
	p.ended()
}

// During a flood wait the refusal is printed once and the wait counts down on the status
// line, under the one phone prompt.
func TestTTYFloodWaitCountsDownUnderOnePrompt(t *testing.T) {
	dir := t.TempDir()
	w := world(t, dir, `{"phone": "9996620004", "flood_wait": 600}`)
	p := inTmux(t, dir, 100, 30, "", "login", w, "--store=memory:", "--phone=+9996620004")
	wait := regexp.MustCompile(`Telegram asks to wait (\d+m)?\d+s before trying again\.`)
	first := wait.FindString(p.waitFor("the flood wait counts down", func(s string) bool { return wait.MatchString(s) }))
	s := p.waitFor("the countdown moves", func(s string) bool { return wait.FindString(s) != first })
	for _, what := range []string{"FLOOD_WAIT_600", "Phone number (international format)", "Telegram asks to wait"} {
		if n := strings.Count(s, what); n != 1 {
			t.Errorf("%q is on the screen %d times; want once:\n%s", what, n, s)
		}
	}
	p.send("C-c")
	p.ended()
}

// Ctrl-C at the hidden password prompt, or Ctrl-D on an empty line, cancels the login and
// leaves the terminal with echo on.
func TestTTYCtrlCAndCtrlDAtPasswordRestoreEcho(t *testing.T) {
	for _, key := range []string{"C-c", "C-d"} {
		t.Run(key, func(t *testing.T) {
			dir := t.TempDir()
			w := world(t, dir, `{"phone": "9996627777", "password": "cobol", "hint": "first pet"}`)
			p := inTmux(t, dir, 100, 30, "", "login", w, "--store=memory:", "--phone=+9996627777")
			p.waitText("Code:")
			p.send("22222", "Enter")
			p.waitText("Password:")
			if key == "C-c" {
				p.send("cob") // typed, not shown
			}
			p.send(key)
			stty := p.ended()
			if !regexp.MustCompile(`(^|\s)echo(\s|$)`).MatchString(stty) || strings.Contains(stty, "-echo ") {
				t.Errorf("after %s the terminal has no echo:\n%s", key, stty)
			}
			s := p.screen()
			if strings.Contains(s, "cob") || !strings.Contains(s, "The login was cancelled.") {
				t.Errorf("the screen after %s:\n%s", key, s)
			}
		})
	}
}

// A panic while the password prompt is up (here in the call checking the password) still
// leaves the terminal with echo on, and says what happened.
func TestTTYPanicAtPasswordRestoresEcho(t *testing.T) {
	t.Setenv(panicOn, "auth.checkPassword")
	dir := t.TempDir()
	w := world(t, dir, `{"phone": "9996627777", "password": "cobol"}`)
	p := inTmux(t, dir, 100, 30, "", "login", w, "--store=memory:", "--phone=+9996627777")
	p.waitText("Code:")
	p.send("22222", "Enter")
	p.waitText("Password:")
	p.send("cobol", "Enter")
	stty := p.ended()
	if !regexp.MustCompile(`(^|\s)echo(\s|$)`).MatchString(stty) || !regexp.MustCompile(`(^|\s)icanon(\s|$)`).MatchString(stty) {
		t.Errorf("after a panic the terminal is not restored:\n%s", stty)
	}
	if s := p.screen(); !strings.Contains(s, "a bug in auth.checkPassword") || strings.Contains(s, "cobol") {
		t.Errorf("the screen after the panic:\n%s", s)
	}
}

// A refreshed QR code is drawn over the old one: one QR code on the screen, the new one.
func TestTTYQRRefreshDrawsOneQR(t *testing.T) {
	dir := t.TempDir()
	dc, err := testdc.Start(context.Background(), testdc.Options{QRTokenTTL: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	if err := dc.Config().WriteFile(filepath.Join(dir, "dc.json")); err != nil {
		t.Fatal(err)
	}
	// 30 lines: the code is drawn in half blocks, one text line for two module rows.
	p := inTmux(t, dir, 100, 30, "", "login", "--telegram=testdc:dc.json", "--store=memory:", "--qr")
	url := regexp.MustCompile(`QR: (tg://login\?token=\S+)`)
	first := url.FindStringSubmatch(p.waitText("QR: tg://login"))[1]
	// qrRows counts the lines of QR code on screen s, and the lines one code of the URL
	// shown takes (4 modules of quiet zone each side, two module rows a line).
	qrRows := func(s string) (rows, want int) {
		for _, l := range strings.Split(s, "\n") {
			// A line of the code is blocks only: half blocks in colour, or (with no
			// colours, as when CI is set) the four block characters.
			if l = strings.TrimRight(l, " "); l != "" && strings.Trim(l, " ▀▄█") == "" {
				rows++
			}
		}
		m := url.FindStringSubmatch(s)
		if m == nil {
			return rows, -1
		}
		code, err := qr.Encode(m[1], qr.L)
		if err != nil {
			t.Fatal(err)
		}
		return rows, (code.Size + 8 + 1) / 2
	}
	// The screen settles with the new code drawn once: a frame caught mid-redraw is not
	// the screen, so wait for the new URL with a whole code under it; two codes (the old
	// one left on screen) never settle and time out.
	s := p.waitFor("a new QR code, drawn once", func(s string) bool {
		m := url.FindStringSubmatch(s)
		rows, want := qrRows(s)
		return m != nil && m[1] != first && rows == want
	})
	if n := strings.Count(s, "QR: tg://login"); n != 1 {
		t.Errorf("%d QR URLs on the screen; want one:\n%s", n, s)
	}
	p.send("C-c")
	p.ended()
}

// Sign-up asks the first name on a line of its own: "Mary Ann" is the first name stored.
func TestTTYSignUpFirstNameOfTwoWords(t *testing.T) {
	dir := t.TempDir()
	w := world(t, dir, `{"phone": "9996620003", "registered": false}`)
	p := inTmux(t, dir, 100, 30, "out.json", "login", "--json", w, "--store=memory:", "--phone=+9996620003")
	p.waitText("Code:")
	p.send("22222", "Enter")
	p.waitText("First name:")
	p.send("Mary Ann", "Enter")
	p.waitText("Last name (optional):")
	p.send("Enter")
	p.waitText("Accept the terms of service? [y/N]:")
	p.send("y", "Enter")
	p.ended()
	b, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		State  string `json:"state"`
		Prompt struct {
			User struct {
				FirstName string `json:"first_name"`
				LastName  string `json:"last_name"`
			} `json:"user"`
		} `json:"prompt"`
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if snap.State != "Authorized" || snap.Prompt.User.FirstName != "Mary Ann" || snap.Prompt.User.LastName != "" {
		t.Fatalf("signed up as %+v:\n%s", snap, b)
	}
}
