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
// flight; another serve over the same store recovers the login by the recovery rule of
// its state, and the page's API shows where it is.
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
	dc, telegram := startTestDC(t)
	storeFlag, _ := sqliteStore(t)

	a := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", storeFlag, telegram)
	a.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
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

	baseB, stop := startServe(t, Env{}, "--listen", "127.0.0.1:0", storeFlag, telegram)
	defer stop()
	got := call(baseB, "GET", "/api/v1/login/"+id, "")
	step, _ := got["step"].(map[string]any)
	if got["state"] == "CheckingCode" || step == nil || step["type"] == "display_and_wait" {
		t.Fatalf("B did not recover the login: %v", got)
	}
	t.Logf("recovered to %v (%v)", got["state"], step["problem_text"])
}
