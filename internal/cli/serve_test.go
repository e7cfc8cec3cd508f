package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runIn(ctx, strings.NewReader(""), out, "serve", "--listen", "127.0.0.1:0", storeFlag, telegram,
			"--api-token-file", tokenFile)
	}()
	var base string
	for base == "" {
		select {
		case r := <-done:
			t.Fatalf("serve ended: %d %s %s", r.code, r.stdout, r.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
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
	cancel()
	if r := <-done; r.code != 0 || !strings.Contains(r.stdout, "stopped") {
		t.Fatalf("serve stopped with %d: %s %s", r.code, r.stdout, r.stderr)
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
