package cli

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeKilledDuringACall: a serve process is killed (SIGKILL) while auth.signIn is in
// flight; another serve over the same store (SQLite, and PostgreSQL when
// TGAUTH_TEST_POSTGRES names one) recovers the login by the recovery rule of its state,
// and the API shows where it is.
func TestServeKilledDuringACall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tgauth and runs it as a process")
	}
	bin := filepath.Join(t.TempDir(), "tgauth")
	build := exec.Command("go", "build", "-o", bin, "./cmd/tgauth")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("SQLite", func(t *testing.T) {
		storeFlag, _ := sqliteStore(t)
		killDuringACall(t, bin, storeFlag, nil)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := os.Getenv("TGAUTH_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("TGAUTH_TEST_POSTGRES is not set")
		}
		killDuringACall(t, bin, "--store="+freshSchema(t, dsn), map[string]string{"TGAUTH_KEY": strings.Repeat("cd", 32)})
	})
}

// killDuringACall runs serve A as a process of bin over storeFlag, kills it during
// auth.signIn, and reads the login through serve B in this process.
func killDuringACall(t *testing.T, bin, storeFlag string, vars map[string]string) {
	dc, telegram := startTestDC(t)
	a := exec.Command(bin, "serve", "--key-pool", "0", "--listen", "127.0.0.1:0", storeFlag, telegram)
	a.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range vars {
		a.Env = append(a.Env, k+"="+v)
	}
	out, err := a.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Process.Kill(); _ = a.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatal("serve A printed nothing")
	}
	m := servingLine.FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("serve A: %q", lines.Text())
	}
	baseA := m[1]

	call := func(base, method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(res.Body).Decode(&v)
		return v
	}
	id := call(baseA, "POST", "/api/v1/login/start/phone", `{"phone":"+9996621234"}`)["login_id"].(string)
	release := dc.Hold("auth.signIn")
	defer release()
	go func() { // its answer never comes: A dies first
		req, _ := http.NewRequest("POST", baseA+"/api/v1/login/step/"+id+"/tgauth.code/user_input", strings.NewReader(`{"code":"22222"}`))
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	for call(baseA, "GET", "/api/v1/login/"+id, "")["state"] != "CheckingCode" {
		time.Sleep(20 * time.Millisecond)
	}
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	release() // Telegram executes the call; nobody hears the answer

	baseB, stop := startServe(t, Env{Getenv: func(k string) string { return vars[k] }}, "--listen", "127.0.0.1:0", storeFlag, telegram)
	defer stop()
	got := call(baseB, "GET", "/api/v1/login/"+id, "")
	step, _ := got["step"].(map[string]any)
	if got["state"] == "CheckingCode" || step == nil || step["type"] == "display_and_wait" {
		t.Fatalf("B did not recover the login: %v", got)
	}
	t.Logf("recovered to %v (%v)", got["state"], step["problem_text"])
}
