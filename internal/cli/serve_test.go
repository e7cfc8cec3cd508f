package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tgauth/tgauth/internal/syncbuf"
)

var servingLine = regexp.MustCompile(`serving (http://[0-9.:]+)`)

// TestServe runs 'tgauth serve' in-process on a test DC: a phone login through the API,
// the link printed by 'tgauth link', health, readiness, metrics, and a clean stop.
func TestServe(t *testing.T) {
	_, telegram := startTestDC(t)
	storeFlag, _ := sqliteStore(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := startServe(t, Env{}, "--listen", "127.0.0.1:0", storeFlag, telegram, "--api-token-file", tokenFile)
	call := func(method, path, body string, auth bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if auth {
			req.Header.Set("Authorization", "Bearer s3cret")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(data)
	}
	if code, _ := call("GET", "/healthz", "", false); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	if code, _ := call("GET", "/readyz", "", false); code != 200 {
		t.Fatalf("readyz %d", code)
	}
	if code, _ := call("GET", "/api/v1/logins", "", false); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	code, body := call("POST", "/api/v1/login/start/phone", `{"phone":"+9996621234"}`, true)
	var step struct {
		LoginID string `json:"login_id"`
		StepID  string `json:"step_id"`
	}
	if err := json.Unmarshal([]byte(body), &step); code != 200 || err != nil || step.StepID != "tgauth.code" {
		t.Fatalf("start: %d %s", code, body)
	}
	r := tgauth("link", "--server", base, "--api-token-file", tokenFile, step.LoginID)
	if r.code != 0 || !strings.HasPrefix(r.stdout, base+"/l/"+step.LoginID+".") {
		t.Fatalf("link: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if code, page := call("GET", strings.TrimPrefix(strings.TrimSpace(r.stdout), base), "", false); code != 200 || !strings.Contains(page, "Log in to Telegram") {
		t.Fatalf("page: %d", code)
	}
	code, body = call("POST", "/api/v1/login/step/"+step.LoginID+"/tgauth.code/user_input", `{"code":"22222"}`, true)
	if code != 200 || !strings.Contains(body, `"step_id":"tgauth.complete"`) {
		t.Fatalf("code: %d %s", code, body)
	}
	code, metrics := call("GET", "/metrics", "", true)
	for _, want := range []string{
		`tgauth_telegram_calls_total{method="auth.signIn",result="ok"} 1`,
		`tgauth_logins{state="Authorized"} 1`,
		`tgauth_transitions_total{state="Authorized"} 1`,
		`tgauth_telegram_call_seconds_count{method="auth.sendCode"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics (%d) lack %s", code, want)
		}
	}
	if r := stop(); r.code != 0 || !strings.Contains(r.stdout, "stopped") {
		t.Fatalf("serve stopped with %d: %s %s", r.code, r.stdout, r.stderr)
	}
}

// startServe runs 'tgauth serve args' in-process with env's variables (Getenv nil: none)
// until stop, which interrupts it and returns what it did. It returns the URL it serves.
func startServe(t *testing.T, env Env, args ...string) (base string, stop func() result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out, errb := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	env.Stdin, env.Stdout, env.Stderr = strings.NewReader(""), out, errb
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	done := make(chan result, 1)
	go func() {
		code := Main(ctx, env, append([]string{"serve"}, args...))
		done <- result{code: code, stdout: out.String(), stderr: errb.String()}
	}()
	for {
		select {
		case r := <-done:
			t.Fatalf("serve ended: %d %s %s", r.code, r.stdout, r.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			var r result
			return m[1], func() result {
				once.Do(func() { cancel(); r = <-done })
				return r
			}
		}
	}
}

func TestServeRefusesAnOpenAPIOffLoopback(t *testing.T) {
	_, telegram := startTestDC(t)
	storeFlag, _ := sqliteStore(t)
	r := tgauth("serve", "--listen", "0.0.0.0:0", storeFlag, telegram)
	if r.code != 1 || !strings.Contains(r.stderr, "TGAUTH_API_TOKEN") {
		t.Fatalf("got %d %q", r.code, r.stderr)
	}
}

// TestServeReplicasOnPostgres: two serves share one PostgreSQL database. A login started
// through A is finished through B while an events stream opened on A shows every state it
// passes through, and a link minted by A opens the page on B.
func TestServeReplicasOnPostgres(t *testing.T) {
	dsn := os.Getenv("TGAUTH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("TGAUTH_TEST_POSTGRES is not set")
	}
	dsn = freshSchema(t, dsn)
	_, telegram := startTestDC(t)
	vars := map[string]string{"TGAUTH_KEY": strings.Repeat("ab", 32), "TGAUTH_API_TOKEN": "tok"}
	env := Env{Getenv: func(k string) string { return vars[k] }}
	a, stopA := startServe(t, env, "--listen", "127.0.0.1:0", "--store", dsn, telegram)
	b, stopB := startServe(t, env, "--listen", "127.0.0.1:0", "--store", dsn, telegram)
	defer stopA()
	defer stopB()

	post := func(url, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v %v", url, res.StatusCode, v, err)
		}
		return v
	}
	start := post(a+"/api/v1/login/start/phone", `{"phone":"+9996621234"}`)
	id := start["login_id"].(string)

	req, _ := http.NewRequest("GET", a+"/api/v1/login/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer tok")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	states := make(chan string, 16) // the first snapshot's state, then each transition's
	go func() {
		defer close(states)
		lines := bufio.NewScanner(res.Body)
		lines.Buffer(nil, 1<<20)
		first := true
		for lines.Scan() {
			if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				var v struct{ State, To string }
				if json.Unmarshal([]byte(data), &v) == nil && (first || v.To != "") {
					states <- v.State + v.To
					first = false
				}
			}
		}
	}()
	if s := <-states; s != "CodeSent" {
		t.Fatalf("first event on A: %q", s)
	}
	done := post(b+"/api/v1/login/step/"+id+"/tgauth.code/user_input", `{"code":"22222"}`)
	if done["step_id"] != "tgauth.complete" {
		t.Fatalf("code through B: %v", done)
	}
	var shown []string
	for s := range states {
		shown = append(shown, s)
		if s == "Authorized" {
			if !slices.Equal(shown, []string{"CheckingCode", "Authorized"}) {
				t.Fatalf("the events stream on A showed %v after CodeSent", shown)
			}
			link := post(a+"/api/v1/login/"+id+"/link", "")
			res, err := http.Get(b + link["path"].(string) + "/login")
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("A's link on B: %v %v", err, res.Status)
			}
			res.Body.Close()
			return
		}
	}
	t.Fatal("the events stream on A never showed Authorized")
}

// freshSchema creates a schema of the test's own in the database at dsn, dropped when the
// test ends, and returns a DSN whose search_path is that schema.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	schema := "tgauth_serve_" + strings.ToLower(rand.Text())
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			_ = conn.Close(ctx)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
