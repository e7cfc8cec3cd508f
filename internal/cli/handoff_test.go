package cli

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLoginWebHandsOffToThePage: 'tgauth login --web' starts a login in the store of a
// running serve and prints its capability link; the person finishes it on the page. The
// other way round, a login started through the serve's API is finished by a step command.
func TestLoginWebHandsOffToThePage(t *testing.T) {
	_, telegram := startTestDC(t)
	storeFlag, _ := sqliteStore(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := startServe(t, Env{}, "--listen", "127.0.0.1:0", storeFlag, telegram, "--api-token-file", tokenFile)
	defer stop()

	r := tgauth("login", "--web", "--phone", "+9996621234", "--server", base, "--api-token-file", tokenFile, storeFlag, telegram)
	link := regexp.MustCompile(`link: (\S+)`).FindStringSubmatch(r.stdout)
	if r.code != 0 || link == nil || !strings.Contains(r.stdout, "state: CodeSent") {
		t.Fatalf("login --web: %d %q %q", r.code, r.stdout, r.stderr)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	page := func(method, url, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Origin", base)
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(data)
	}
	if code, body := page("GET", link[1], ""); code != 200 || !strings.Contains(body, "Log in to Telegram") {
		t.Fatalf("page: %d", code)
	}
	if code, body := page("POST", link[1]+"/step/tgauth.code/user_input", `{"code":"22222"}`); code != 200 ||
		!strings.Contains(body, `"step_id":"tgauth.complete"`) {
		t.Fatalf("code on the page: %d %s", code, body)
	}
	wantState(t, loginID(t, r.stdout), "Authorized", storeFlag, telegram)

	req, _ := http.NewRequest("POST", base+"/api/v1/login/start/phone", strings.NewReader(`{"phone":"+9996621235"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	id := regexp.MustCompile(`"login_id":"([^"]+)"`).FindStringSubmatch(string(data))
	if id == nil {
		t.Fatalf("start through the API: %s", data)
	}
	if r := tgauth("code", id[1], "22222", storeFlag, telegram); r.code != 0 || !strings.Contains(r.stdout, "state: Authorized") {
		t.Fatalf("step command after the API: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
