package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/testdc"
)

// chromium is Debian's browser; the tests never download one.
const chromium = "/usr/bin/chromium"

// browser starts a headless Chromium with a fresh profile for the test. When the test
// fails, it saves a screenshot of the page to testdata/output/NAME.png.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no " + chromium + ": install Debian's chromium (apt-get install chromium) to run the browser tests")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915), // a phone's screen
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		name := filepath.Join("testdata", "output", strings.ReplaceAll(t.Name(), "/", "_")+".png")
		if err := os.WriteFile(name, shot, 0o644); err == nil {
			t.Logf("screenshot: %s", name)
		}
	})
	return bctx
}

// openLink starts a login through the API and opens its capability link; it returns the
// login's ID.
func openLink(t *testing.T, s *server, ctx context.Context) string {
	t.Helper()
	st := s.start("phone", nil, loginstep.StepIDPhone)
	r := s.do("POST", "/api/v1/login/"+st.LoginID+"/link", nil)
	if r.status != 200 {
		t.Fatalf("link: %d", r.status)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.srv.URL+s.handler.LinkPath(st.LoginID))); err != nil {
		t.Fatal(err)
	}
	return st.LoginID
}

// typeAndSubmit types text into the field and presses the form's button.
func typeAndSubmit(sel chromedp.CSS, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(sel),
		chromedp.SendKeys(sel, text),
		chromedp.Click(chromedp.CSS("#submit")),
	)
}

// textOf waits for the element and reads its text.
func textOf(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("%s never shown: %v", sel, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// do runs steps, failing the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserPhoneAndTwoFactor(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, typeAndSubmit("#f-phone", "+999 662 0001"), chromedp.WaitVisible(chromedp.CSS("#f-code")))
	if got := textOf(t, ctx, "#instructions"); !strings.Contains(got, "5-digit code") {
		t.Errorf("code instructions %q", got)
	}
	if got := textOf(t, ctx, "#resend"); !strings.Contains(got, "Didn't get it?") {
		t.Errorf("resend %q", got)
	}
	do(t, ctx, typeAndSubmit("#f-code", "22222"), chromedp.WaitVisible(chromedp.CSS("#f-password")))
	if got := textOf(t, ctx, "#f-password-hint"); !strings.Contains(got, "the usual") {
		t.Errorf("password hint %q", got)
	}
	do(t, ctx, typeAndSubmit("#f-password", "nope"))
	if got := textOf(t, ctx, "#problem"); !strings.Contains(got, "Wrong password") || strings.Contains(got, "nope") {
		t.Errorf("problem %q", got)
	}
	do(t, ctx, typeAndSubmit("#f-password", "hunter2"))
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as") || !strings.Contains(got, "9996620001") {
		t.Errorf("final screen %q", got)
	}
}

func TestBrowserBotToken(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#tab-bot")), chromedp.Click(chromedp.CSS("#tab-bot")),
		typeAndSubmit("#f-token", "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"))
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as") || !strings.Contains(got, "id 777000") {
		t.Errorf("final screen %q", got)
	}
}

func TestBrowserSignUp(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, typeAndSubmit("#f-phone", "+9996620003"), typeAndSubmit("#f-code", "22222"))
	if got := textOf(t, ctx, "#terms"); got == "" {
		t.Error("the terms of service are not shown")
	}
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Ada"), chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Lovelace"),
		chromedp.Click(chromedp.CSS("#f-accept_tos")), chromedp.Click(chromedp.CSS("#submit")))
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as Ada Lovelace") {
		t.Errorf("final screen %q", got)
	}
}

func TestBrowserQRScanned(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	id := openLink(t, s, ctx)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#tab-qr")), chromedp.Click(chromedp.CSS("#tab-qr")),
		chromedp.WaitVisible(chromedp.CSS("#submit")), chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#qr")))
	// The image shown is the login's QR code: scan the token it carries.
	loaded := `(() => { const img = document.getElementById("qr"); return img.complete && img.naturalWidth > 0; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](loaded, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("the QR image did not load: %v", err)
	}
	r := s.do("GET", "/api/v1/login/"+id, nil) // a View: its prompt is the snapshot's
	if r.status != 200 || r.step.Prompt == nil || r.step.Prompt.QR == nil {
		t.Fatalf("get: %d %+v", r.status, r.step.Prompt)
	}
	if err := testdc.Scan(s.ctx, s.dc.Config(), "+9996625555", "", r.step.Prompt.QR.URL); err != nil {
		t.Fatal(err)
	}
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as") || !strings.Contains(got, "9996625555") {
		t.Errorf("final screen %q", got)
	}
}

func TestBrowserFloodWaitCountdown(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#f-phone")), chromedp.SendKeys(chromedp.CSS("#f-phone"), "+9996620004\r")) // Enter submits
	if got := textOf(t, ctx, "#problem"); !strings.Contains(got, "Telegram asked to wait") {
		t.Errorf("problem %q", got)
	}
	if got := textOf(t, ctx, "#submit"); !strings.HasPrefix(got, "Wait ") {
		t.Errorf("the button shows %q during the flood wait, want a countdown", got)
	}
}
