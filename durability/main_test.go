// Package durability_test runs tgauth as real processes over one SQLite store and a test
// DC in the test process (reached with --telegram testdc:FILE, as a background 'tgauth
// testdc' is), and kills or interrupts (SIGINT, as Ctrl-C) them in the middle of Telegram
// calls: what the state chart promises about crashes, interrupts, flood waits, attempts and
// concurrent inputs must hold for processes, not only for engines in one test binary.
//
// TestMain builds cmd/tgauth once (with -race if -binrace is given); every test
// starts its own testdc, so tests and subtests run in parallel.
package durability_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gotd/td/session"

	"github.com/tgauth/tgauth/internal/syncbuf"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/sealed"
	"github.com/tgauth/tgauth/store/sqlite"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

// tgauthBin is the tgauth binary TestMain built.
var tgauthBin string

// binRace builds the tgauth binary with -race too. It is off by default: a race-enabled
// tgauth takes about a second to start, which makes the suite several times slower; the
// test process (test DC, probes) runs under -race either way.
var binRace = flag.Bool("binrace", false, "build the tgauth binary the tests run with -race")

// binPath runs a tgauth binary built elsewhere (an older or a deliberately broken one, to
// see which tests catch it) instead of building ./cmd/tgauth.
var binPath = flag.String("tgauth", "", "run this tgauth binary instead of building ./cmd/tgauth")

// deadline bounds every wait of these tests. It is generous: the tests must not fail on a
// slow, busy machine, only when something never happens.
const deadline = 90 * time.Second

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	if *binPath != "" {
		abs, err := filepath.Abs(*binPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		tgauthBin = abs
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "tgauth-durability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tgauthBin = filepath.Join(dir, "tgauth")
	args := []string{"build", "-o", tgauthBin}
	if *binRace {
		args = append(args, "-race") // the processes are checked for data races too
	}
	build := exec.Command("go", append(args, "./cmd/tgauth")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/tgauth: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// env is one test's world: a test DC in this process, its config file and one SQLite
// store in a temporary directory, shared by every tgauth process the test runs.
type env struct {
	t   *testing.T
	dc  *testdc.DC
	dir string
	cfg string // the test DC's config file
	db  string // the SQLite store
}

func newEnv(t *testing.T, opts testdc.Options) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	dc, err := testdc.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	dir := t.TempDir()
	e := &env{t: t, dc: dc, dir: dir, cfg: filepath.Join(dir, "dc.json"), db: filepath.Join(dir, "x.db")}
	if err := dc.Config().WriteFile(e.cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// world is a testdc world of accounts.
func world(accounts ...testdc.Account) testdc.Options {
	return testdc.Options{World: testdc.World{Accounts: accounts}}
}

// engineCommands are the commands that take --telegram.
var engineCommands = []string{"start", "phone", "bot-token", "qr", "code", "password", "signup", "resend", "cancel",
	"recover", "recovery-code", "email", "email-code", "logout", "status", "serve-timers", "login", "2fa", "sessions"}

// command returns a tgauth process over e's store (and test DC, for the commands that
// talk to Telegram), not yet started.
func (e *env) command(args ...string) *exec.Cmd {
	if slices.Contains(engineCommands, args[0]) {
		args = append(slices.Clone(args), "--telegram", "testdc:"+e.cfg)
	}
	return e.bare(args...)
}

// bare returns a tgauth process over e's store with exactly args (no --telegram), and an
// environment without TGAUTH_ and TG_API_ variables, not yet started.
func (e *env) bare(args ...string) *exec.Cmd {
	args = append(slices.Clone(args), "--store", "sqlite:"+e.db)
	cmd := exec.Command(tgauthBin, args...)
	cmd.Dir = e.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TGAUTH_") && !strings.HasPrefix(kv, "TG_API_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// result is what a finished process did.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("tgauth %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs a tgauth command to its end.
func (e *env) run(args ...string) result {
	e.t.Helper()
	return e.runIn("", args...)
}

// runIn runs a tgauth command with stdin to its end.
func (e *env) runIn(stdin string, args ...string) result {
	e.t.Helper()
	p := e.startIn(stdin, args...)
	return p.wait()
}

// ok runs a tgauth command that must exit 0.
func (e *env) ok(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("%v", r)
	}
	return r
}

// step runs a step command with --json that must exit 0 and returns the snapshot it printed.
func (e *env) step(args ...string) machine.Snapshot {
	e.t.Helper()
	return e.stepIn("", args...)
}

func (e *env) stepIn(stdin string, args ...string) machine.Snapshot {
	e.t.Helper()
	r := e.runIn(stdin, append(args, "--json")...)
	if r.code != 0 {
		e.t.Fatalf("%v", r)
	}
	return snapshotOf(e.t, r)
}

// stepTo runs a step command that must bring the login to state want.
func (e *env) stepTo(want machine.State, args ...string) machine.Snapshot {
	e.t.Helper()
	snap := e.step(args...)
	if snap.State != want {
		e.t.Fatalf("tgauth %s: login %s is %s, want %s (prompt: %+v)", strings.Join(args, " "), snap.ID, snap.State, want, snap.Prompt)
	}
	return snap
}

func snapshotOf(t *testing.T, r result) machine.Snapshot {
	t.Helper()
	var snap machine.Snapshot
	if err := json.Unmarshal([]byte(r.stdout), &snap); err != nil {
		t.Fatalf("%v\nnot one JSON snapshot: %v", r, err)
	}
	return snap
}

// proc is a running tgauth process.
type proc struct {
	t              *testing.T
	cmd            *exec.Cmd
	args           []string       // tgauth's arguments, for messages
	stdout, stderr syncbuf.Buffer // read while the process writes
	done           chan struct{}  // closed when the process ended and was reaped
	err            error          // Wait's error; read after done
}

func (e *env) start(args ...string) *proc {
	e.t.Helper()
	return e.startIn("", args...)
}

func (e *env) startIn(stdin string, args ...string) *proc {
	e.t.Helper()
	cmd := e.command(args...)
	return e.startCmd(cmd, strings.NewReader(stdin), cmd.Args[1:])
}

// startCmd starts cmd (a tgauth process) with stdin, and kills it at the test's end if
// it is still running.
func (e *env) startCmd(cmd *exec.Cmd, stdin io.Reader, args []string) *proc {
	e.t.Helper()
	p := &proc{t: e.t, cmd: cmd, args: args, done: make(chan struct{})}
	p.cmd.Stdin = stdin
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	// Once the process ended, its output is copied for at most this long: a child it left
	// holding the pipes must not keep the test waiting.
	p.cmd.WaitDelay = 10 * time.Second
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	e.t.Cleanup(func() { p.kill() })
	return p
}

// exited reports whether the process ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits for the process to end by itself.
func (p *proc) wait() result {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(deadline):
		p.kill()
		p.t.Fatalf("tgauth %s did not end within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(p.args, " "), deadline, &p.stdout, &p.stderr)
	}
	return p.result()
}

func (p *proc) result() result {
	r := result{args: p.args, stdout: p.stdout.String(), stderr: p.stderr.String()}
	var exit *exec.ExitError
	switch {
	case p.err == nil:
	case errors.As(p.err, &exit):
		r.code = exit.ExitCode()
	default:
		p.t.Fatalf("tgauth %s: %v", strings.Join(r.args, " "), p.err)
	}
	return r
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would, and reaps it.
func (p *proc) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// waitCalls waits until the test DC received n calls of method in all; p, if not nil, must
// not end meanwhile (it is the process expected to make the call).
func (e *env) waitCalls(p *proc, method string, n int) {
	e.t.Helper()
	end := time.Now().Add(deadline)
	for e.dc.Calls(method) < n {
		if p != nil && p.exited() {
			e.t.Fatalf("the process ended before %s was called %d times (%d)\n%v", method, n, e.dc.Calls(method), p.result())
		}
		if time.Now().After(end) {
			e.t.Fatalf("%s was not called %d times within %v (%d)", method, n, deadline, e.dc.Calls(method))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, deadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listed returns the logins `tgauth list --json` prints: ID -> state.
func (e *env) listed() map[string]machine.State {
	e.t.Helper()
	r := e.ok("list", "--json")
	out := map[string]machine.State{}
	for line := range strings.Lines(r.stdout) {
		var l struct {
			ID    string        `json:"id"`
			State machine.State `json:"state"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			e.t.Fatalf("%v\nbad line %q: %v", r, line, err)
		}
		out[l.ID] = l.State
	}
	return out
}

// onlyLogin returns the ID of the one login in the store.
func (e *env) onlyLogin() string {
	e.t.Helper()
	logins := e.listed()
	if len(logins) != 1 {
		e.t.Fatalf("want one login in the store, have %v", logins)
	}
	for id := range logins {
		return id
	}
	return ""
}

// history returns the journal of a login, one "From --event--> To" per transition (the
// time, version and note dropped), and the full output.
func (e *env) history(id string) ([]string, string) {
	e.t.Helper()
	r := e.ok("history", id)
	var steps []string
	for line := range strings.Lines(r.stdout) {
		m := historyLine.FindStringSubmatch(line)
		if m == nil {
			e.t.Fatalf("history line %q has an unexpected form", line)
		}
		steps = append(steps, m[1])
	}
	return steps, r.stdout
}

var historyLine = regexp.MustCompile(`^\S+\s+v\d+\s+(\S+ --\S+--> \S+)`)

// storedLogin reads a login's record straight from the SQLite file.
func (e *env) storedLogin(id string) *machine.Login {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	st, err := sqlite.Open(ctx, e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	l, err := st.Get(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

// contextWithDeadline is a context bounded by deadline.
func contextWithDeadline() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), deadline)
}

// sealedStore opens the SQLite store as tgauth does: sealed under the key file beside it.
func (e *env) sealedStore(ctx context.Context) (machine.Store, func(), error) {
	st, err := sqlite.Open(ctx, e.db)
	if err != nil {
		return nil, nil, err
	}
	key, err := sealed.LoadOrCreateKeyFile(e.db + ".key")
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	sealer, err := sealed.New(key)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return sealed.Wrap(st, sealer), func() { st.Close() }, nil
}

// sealedLogin reads a login's record from the store, its sealed fields (phone_code_hash,
// QR token) unsealed.
func (e *env) sealedLogin(id string) *machine.Login {
	e.t.Helper()
	ctx, cancel := contextWithDeadline()
	defer cancel()
	st, closeStore, err := e.sealedStore(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	defer closeStore()
	l, err := st.Get(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

// session returns a login's MTProto session bytes from the store, unsealed.
func (e *env) session(ctx context.Context, id string) ([]byte, error) {
	st, closeStore, err := e.sealedStore(ctx)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	data, err := st.LoadSession(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load the session of login %s: %w", id, err)
	}
	return data, nil
}

// sessionDC returns the DC of a login's stored session, 0 if it has none.
func (e *env) sessionDC(id string) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	data, err := e.session(ctx, id)
	if errors.Is(err, tgapi.ErrNoSession) {
		return 0
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var mem session.StorageMemory
	if err := mem.StoreSession(ctx, data); err != nil {
		e.t.Fatal(err)
	}
	d, err := (&session.Loader{Storage: &mem}).Load(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return d.DC
}

// authorized asks the test DC whether the login's stored session (its auth key) is
// authorized, with users.getUsers [inputUserSelf] from this process: the question the
// recovery of a CheckAuthorized state asks. The session is read from the store and used
// from memory; nothing is written back.
func (e *env) authorized(id string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	data, err := e.session(ctx, id)
	if err != nil {
		return false, err
	}
	cfg := e.dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		return false, err
	}
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "durability-probe",
		DCList: cfg.DCList(), PublicKeys: keys, Resolver: cfg.Resolver()})
	defer conn.Close()
	api, err := conn.Connect(ctx, id, &memSession{data: data})
	if err != nil {
		return false, err
	}
	_, err = tgapi.Invoke[tgapi.User](ctx, api, tgapi.GetSelf{})
	var tgErr *tgapi.Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &tgErr) && tgErr.Code == 401:
		return false, nil
	}
	return false, err
}

// waitAuthorized waits until Telegram says the login's session is authorized (want) or
// not: until the test DC executed a held call whose client died.
func (e *env) waitAuthorized(id string, want bool) {
	e.t.Helper()
	end := time.Now().Add(deadline)
	for {
		got, err := e.authorized(id)
		if err == nil && got == want {
			return
		}
		if time.Now().After(end) {
			e.t.Fatalf("the session of login %s is not authorized=%v within %v (last: %v, %v)", id, want, deadline, got, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// memSession is a tgapi.SessionStorage in memory.
type memSession struct{ data []byte }

func (m *memSession) LoadSession(context.Context) ([]byte, error) {
	if m.data == nil {
		return nil, tgapi.ErrNoSession
	}
	return m.data, nil
}

func (m *memSession) StoreSession(_ context.Context, data []byte) error {
	m.data = slices.Clone(data)
	return nil
}
