package cli

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/internal/syncbuf"
)

// TestChatOffersTheServeLink: with --server, 'tgauth chat' offers the login page of its
// login, minted by that running 'tgauth serve' over the same store; the login is finished
// through serve's API and the chat, run again, sees it done.
func TestChatOffersTheServeLink(t *testing.T) {
	s := startServed(t)
	base, stop, tokenFile, storeFlag, telegram := s.base, s.stop, s.tokenFile, s.storeFlag, s.telegram
	defer stop()

	chatCmd := func(lines string) result {
		t.Helper()
		r := runIn(t.Context(), strings.NewReader(lines), nil, "chat", storeFlag, telegram,
			"--server", base, "--api-token-file", tokenFile, "--images", t.TempDir())
		if r.code != 0 {
			t.Fatalf("chat: %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		return r
	}
	r := chatCmd("login +9996621234\nstatus\n")
	link := regexp.MustCompile(`web page instead, so that it never passes through this chat: (http://\S+/l/(\S+?)\.\S+)`).FindStringSubmatch(r.stdout)
	id := regexp.MustCompile(`Login (\S+): CodeSent`).FindStringSubmatch(r.stdout)
	if link == nil || id == nil || link[2] != id[1] {
		t.Fatalf("no link to the login's page:\n%s", r.stdout)
	}
	res, err := http.Get(link[1])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Log in to Telegram") {
		t.Fatalf("the link opens %d", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/login/step/"+id[1]+"/tgauth.code/user_input", strings.NewReader(`{"code":"22222"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("code through the API: %v %v", err, res.Status)
	}
	res.Body.Close()
	if r := chatCmd("status\n"); !strings.Contains(r.stdout, "Logged in as Test 1234") {
		t.Fatalf("the chat does not see the login finished on the web:\n%s", r.stdout)
	}
}

// TestChatGoesOnOnPostgres: the conversation is found again through PostgreSQL: a second
// 'tgauth chat' (a restarted or another host) goes on with the login the first started.
func TestChatGoesOnOnPostgres(t *testing.T) {
	dsn := os.Getenv("TGAUTH_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("TGAUTH_TEST_POSTGRES is not set")
	}
	dsn = freshSchema(t, dsn)
	_, telegram := startTestDC(t)
	chatCmd := func(lines string) string {
		t.Helper()
		var out, errb syncbuf.Buffer
		env := Env{Stdin: strings.NewReader(lines), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
			return map[string]string{"TGAUTH_KEY": strings.Repeat("cd", 32)}[k]
		}}
		if code := Main(t.Context(), env, []string{"chat", "--room", "!ops", "--user", "@ada", "--store", dsn, telegram}); code != 0 {
			t.Fatalf("chat: %d\n%s\n%s", code, out.String(), errb.String())
		}
		return out.String()
	}
	if out := chatCmd("login +9996621234\n"); !strings.Contains(out, "Enter the 5-digit code") {
		t.Fatalf("first host:\n%s", out)
	}
	if out := chatCmd("2 2 2 2 2\n"); !strings.Contains(out, "Logged in as Test 1234") || !strings.Contains(out, "[delete: message 1]") {
		t.Fatalf("second host:\n%s", out)
	}
}
