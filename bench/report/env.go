package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/store/postgres"
	"github.com/tgauth/tgauth/testdc"
)

// dsnEnv names the PostgreSQL database used by default, as the store tests do.
const dsnEnv = "TGAUTH_TEST_POSTGRES"

// env is what the sections share: a work directory, PostgreSQL schemas, the tgauth
// binary and a test DC in a process of its own, each made when first needed and
// removed by close.
type env struct {
	cfg     config
	work    string
	cleanup []func() error

	binary string      // the tgauth binary, once built
	dc     *testDCProc // the test DC, once started
}

// newEnv makes the work directory.
func newEnv(ctx context.Context, cfg config) (*env, error) {
	work, err := os.MkdirTemp(cfg.dir, "tgauth-report-")
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, work: work}
	e.cleanup = append(e.cleanup, func() error { return os.RemoveAll(work) })
	return e, nil
}

// close undoes what the env made, newest first.
func (e *env) close() {
	for _, f := range slices.Backward(e.cleanup) {
		if err := f(); err != nil {
			log.Print(err)
		}
	}
}

// path returns a path in the work directory.
func (e *env) path(name string) string { return filepath.Join(e.work, name) }

// schema creates a PostgreSQL schema of its own, dropped by close, and returns a DSN
// whose search_path puts everything there, with params added.
func (e *env) schema(ctx context.Context, params map[string]string) (string, error) {
	name := "tgauth_report_" + strings.ToLower(rand.Text())
	conn, err := pgx.Connect(ctx, e.cfg.dsn)
	if err != nil {
		return "", fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	e.cleanup = append(e.cleanup, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, e.cfg.dsn)
		if err != nil {
			return fmt.Errorf("connect to drop schema %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", name, err)
		}
		return nil
	})
	all := map[string]string{"search_path": name}
	for k, v := range params {
		all[k] = v
	}
	return withParams(e.cfg.dsn, all)
}

// postgres opens a store/postgres Store in a schema of its own (see schema), closed by
// close, and returns it with its DSN. Without a DSN it returns a nil Store and says in
// res that the PostgreSQL figures are skipped.
func (e *env) postgres(ctx context.Context, res *result) (*postgres.Store, string, error) {
	if e.cfg.dsn == "" {
		res.para("PostgreSQL: skipped, no DSN (-postgres or $%s).", dsnEnv)
		return nil, "", nil
	}
	dsn, err := e.schema(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	e.cleanup = append(e.cleanup, s.Close)
	return s, dsn, nil
}

// withParams returns dsn (a URL or key=value string) with params set.
func withParams(dsn string, params map[string]string) (string, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse the PostgreSQL DSN: %w", err)
		}
		q := u.Query()
		for _, k := range keys {
			q.Set(k, params[k])
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	for _, k := range keys {
		dsn += fmt.Sprintf(" %s=%s", k, params[k])
	}
	return dsn, nil
}

// tgauth returns the path of a tgauth binary built from this module, building it once.
func (e *env) tgauth(ctx context.Context) (string, error) {
	if e.binary != "" {
		return e.binary, nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := e.path("tgauth")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/tgauth")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/tgauth: %w\n%s", err, out)
	}
	e.binary = bin
	return bin, nil
}

// moduleRoot returns the directory of this module (go list -m).
func moduleRoot(ctx context.Context) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module's root (go list -m): %w", err)
	}
	return strings.TrimSpace(string(root)), nil
}

// testDCProc is `tgauth testdc` running in a process of its own.
type testDCProc struct {
	cmd      *exec.Cmd
	config   testdc.Config
	file     string // the config file, for --telegram testdc:FILE
	telegram string // the Telegram ID logins started on it record
}

// testDC starts `tgauth testdc` with the report's world (see benchWorld) once, and
// returns it.
func (e *env) testDC(ctx context.Context) (*testDCProc, error) {
	if e.dc != nil {
		return e.dc, nil
	}
	bin, err := e.tgauth(ctx)
	if err != nil {
		return nil, err
	}
	world, err := json.Marshal(benchWorld())
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(e.path("world.json"), world, 0o600); err != nil {
		return nil, err
	}
	p := &testDCProc{file: e.path("testdc.json")}
	p.cmd = exec.Command(bin, "testdc", "--world", e.path("world.json"), "--config-out", p.file, "--json")
	p.cmd.Stderr = os.Stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	e.cleanup = append(e.cleanup, func() error { return stopProcess(p.cmd) })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("tgauth testdc said nothing: %w", err)
	}
	var said struct {
		Telegram string `json:"telegram"`
	}
	if err := json.Unmarshal([]byte(line), &said); err != nil {
		return nil, fmt.Errorf("tgauth testdc said %q: %w", line, err)
	}
	p.telegram = said.Telegram
	if p.config, err = testdc.ReadConfig(p.file); err != nil {
		return nil, err
	}
	e.dc = p
	return p, nil
}

// stopProcess interrupts cmd's process and waits for it to end.
func stopProcess(cmd *exec.Cmd) error {
	if err := cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled() {
			return nil
		}
		return err
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		return fmt.Errorf("%s did not stop within a minute of an interrupt; killed", cmd.Path)
	}
}
