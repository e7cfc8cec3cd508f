package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

// An input the state takes but Telegram does not allow now answers 409
// TGAUTH_NOT_AVAILABLE with the step, and the step does not offer it.
func TestInputNotAvailableNow(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]string{"phone": "+9996621234"}, loginstep.StepIDCode)
	if strings.Contains(strings.Join(st.Step.UserInput.Actions, " "), "resend") {
		t.Fatalf("actions %v: resend offered although Telegram named no next type", st.Step.UserInput.Actions)
	}
	r := s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/user_input", map[string]string{"action": "resend"})
	s.expect(r, http.StatusConflict, loginstep.StepIDCode)
	if r.err.ErrCode != "TGAUTH_NOT_AVAILABLE" || !strings.Contains(r.err.Error, "no other way") {
		t.Fatalf("error %s: %s", r.err.ErrCode, r.err.Error)
	}
}

// except_ids in the QR start body reach Telegram: a user named there cannot accept the
// code. A malformed list is a 400.
func TestQRStartExceptIDs(t *testing.T) {
	s := newServer(t, web.Options{})
	r := s.do("POST", "/api/v1/login/start/qr", map[string]string{"except_ids": "12,x"})
	if r.status != http.StatusBadRequest || !strings.Contains(r.err.Error, `"x" is not a user ID`) {
		t.Fatalf("bad except_ids: %d %s", r.status, r.err.Error)
	}
	st := s.start("qr", map[string]string{"except_ids": "9996625555"}, loginstep.StepIDQR)
	st = s.waitStep(st, loginstep.StepIDQR)
	for st.Step.DisplayAndWait == nil || st.Step.DisplayAndWait.Type != "qr" {
		st = s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/display_and_wait", nil).step
	}
	err := testdc.Scan(s.ctx, s.dc.Config(), "+9996625555", "", st.Step.DisplayAndWait.Data)
	if err == nil || !strings.Contains(err.Error(), "AUTH_TOKEN_EXCEPTION") {
		t.Fatalf("scan by a user in except_ids: %v", err)
	}
}

// The page shows a paid sign-in's price, gets the payment link, and once the test DC was
// paid, checks it and goes on to the code.
func TestBrowserPaidSignIn(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, typeAndSubmit("#f-phone", "+9996620010"), chromedp.WaitVisible(chromedp.CSS("#pay")))
	if got := textOf(t, ctx, "#instructions"); !strings.Contains(got, "1.99 USD for 7 days of Telegram Premium") {
		t.Errorf("payment instructions %q", got)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#pay")), chromedp.WaitVisible(chromedp.CSS("#pay-link")))
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#pay-link"), "href"))
	if err != nil || !strings.HasPrefix(href.Value, "https://pay.testdc.invalid/form/") {
		t.Fatalf("payment link %q, %v", href.Value, err)
	}
	if err := testdc.Pay(s.ctx, s.dc.Config(), "+9996620010"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#check-paid")), typeAndSubmit("#f-code", "22222"))
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as") {
		t.Errorf("done %q", got)
	}
}

// The recovery form takes a new password and hint, which the next login asks for.
func TestBrowserRecoveryWithNewPassword(t *testing.T) {
	s := newServer(t, web.Options{})
	ctx := browser(t)
	openLink(t, s, ctx)
	do(t, ctx, typeAndSubmit("#f-phone", "+9996620018"), typeAndSubmit("#f-code", "22222"),
		chromedp.WaitVisible(chromedp.CSS("#forgot")), chromedp.Click(chromedp.CSS("#forgot")),
		chromedp.WaitVisible(chromedp.CSS("#f-new_password")),
		chromedp.SendKeys(chromedp.CSS("#f-new_password"), "n3w-pw"), chromedp.SendKeys(chromedp.CSS("#f-hint"), "new hint"),
		typeAndSubmit("#f-code", "222222"))
	if got := textOf(t, ctx, "#done"); !strings.Contains(got, "Logged in as") {
		t.Fatalf("done %q", got)
	}
	snap, err := s.engine.Start(s.ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996620018"}})
	if err == nil {
		snap, err = s.engine.Send(s.ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	}
	if snap.Prompt.Password == nil || snap.Prompt.Password.Hint != "new hint" {
		t.Fatalf("next login: %s %+v, %v; want the new hint", snap.State, snap.Prompt.Password, err)
	}
}
