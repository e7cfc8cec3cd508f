package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

func TestFlows(t *testing.T) {
	s := newServer(t, web.Options{})
	r := s.do("GET", "/api/v1/login/flows", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
}

func TestPhoneLogin(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", nil, loginstep.StepIDPhone)
	st = s.input(st, map[string]any{"phone": "+999 662 1234"}, http.StatusOK, loginstep.StepIDCode)
	if c := st.Prompt.Code; c == nil || c.Length != 5 || st.UserInput.Fields[0].Pattern != "^[0-9]{5}$" {
		t.Fatalf("code step %+v", st)
	}
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDComplete)
	if st.Type != loginstep.StepComplete || st.Complete.UserLoginID != "9996621234" {
		t.Fatalf("complete %+v", st.Complete)
	}
	r := s.do("GET", "/api/v1/login/"+st.LoginID, nil)
	if r.status != http.StatusOK {
		t.Fatalf("get: %d", r.status)
	}
	// Logging out ends the login: its link dies with it.
	r = s.do("POST", "/api/v1/logout/"+st.LoginID, nil)
	s.expect(r, http.StatusOK, loginstep.StepIDClosed)
	if r.step.State != "LoggedOut" {
		t.Fatalf("after logout: %s", r.step.State)
	}
	if r := s.do("GET", s.handler.LinkPath(st.LoginID)+"/login", nil); r.status != http.StatusGone {
		t.Fatalf("link of a logged-out login: %d", r.status)
	}
}

func TestTwoFactorWrongThenRight(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620001"}, loginstep.StepIDCode)
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDPassword)
	if st.Prompt.Password.Hint != "the usual" || !strings.Contains(strings.Join(st.UserInput.Actions, " "), loginstep.ActionRecover) {
		t.Fatalf("password step %+v", st.UserInput)
	}
	st = s.input(st, map[string]any{"password": "nope", "txn_id": st.TxnID}, http.StatusOK, loginstep.StepIDPassword)
	if p := st.Prompt.Problem; p == nil || p.Code != machine.ProblemPasswordInvalid || st.ProblemText == "" {
		t.Fatalf("problem %+v", p)
	}
	if strings.Contains(st.ProblemText, "nope") {
		t.Fatal("the password is in the answer")
	}
	s.input(st, map[string]any{"password": "hunter2", "txn_id": st.TxnID}, http.StatusOK, loginstep.StepIDComplete)
}

func TestSignUp(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620003"}, loginstep.StepIDCode)
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDSignUp)
	if st.Prompt.Terms == nil || st.Prompt.Terms.Text == "" {
		t.Fatal("no terms of service in the sign-up step")
	}
	s.input(st, map[string]any{"first_name": "Ada"}, http.StatusBadRequest, loginstep.StepIDSignUp)
	st = s.input(st, map[string]any{"first_name": "Ada", "last_name": "Lovelace", "accept_tos": true}, http.StatusOK, loginstep.StepIDComplete)
	if st.Complete.User.FirstName != "Ada" {
		t.Fatalf("user %+v", st.Complete.User)
	}
}

func TestPasswordRecovery(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620001"}, loginstep.StepIDCode)
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDPassword)
	st = s.input(st, map[string]any{"action": "recover"}, http.StatusOK, loginstep.StepIDRecoveryCode)
	st = s.input(st, map[string]any{"code": "111111"}, http.StatusOK, loginstep.StepIDRecoveryCode)
	if st.Prompt.Problem == nil || st.Prompt.Problem.Code != machine.ProblemCodeInvalid {
		t.Fatalf("problem %+v", st.Prompt.Problem)
	}
	s.input(st, map[string]any{"code": "222222"}, http.StatusOK, loginstep.StepIDComplete)
}

func TestLoginEmail(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620007"}, loginstep.StepIDEmail)
	st = s.input(st, map[string]any{"email": "ada@example.org"}, http.StatusOK, loginstep.StepIDEmailCode)
	st = s.input(st, map[string]any{"code": "222222"}, http.StatusOK, loginstep.StepIDCode)
	s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDComplete)
}

func TestBotToken(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("bot", nil, loginstep.StepIDBotToken)
	st = s.input(st, map[string]any{"token": "0:AAAAAAAAAAAAAAAA"}, http.StatusOK, loginstep.StepIDBotToken)
	if st.Prompt.Problem == nil || st.Prompt.Problem.Telegram.Type != "ACCESS_TOKEN_INVALID" {
		t.Fatalf("problem %+v", st.Prompt.Problem)
	}
	st = s.input(st, map[string]any{"token": "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}, http.StatusOK, loginstep.StepIDComplete)
	if !st.Complete.User.Bot {
		t.Fatalf("user %+v", st.Complete.User)
	}
}

func TestQRScanned(t *testing.T) {
	for _, tc := range []struct{ name, phone, password string }{
		{"SameDC", "+9996625555", ""},
		{"MigrateThenTwoFactor", "+9996630002", "s3cond"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, web.Options{})
			st := s.start("qr", nil, loginstep.StepIDQR)
			st = s.waitStep(st, loginstep.StepIDQR)
			for st.DisplayAndWait.Type != "qr" {
				st = s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/display_and_wait", nil).step
			}
			if !strings.HasPrefix(st.DisplayAndWait.Data, "tg://login?token=") {
				t.Fatalf("qr data %q", st.DisplayAndWait.Data)
			}
			if err := testdc.Scan(s.ctx, s.dc.Config(), tc.phone, tc.password, st.DisplayAndWait.Data); err != nil {
				t.Fatal(err)
			}
			if tc.password == "" {
				s.waitStep(st, loginstep.StepIDComplete)
				return
			}
			st = s.waitStep(st, loginstep.StepIDPassword)
			s.input(st, map[string]any{"password": tc.password}, http.StatusOK, loginstep.StepIDComplete)
		})
	}
}

func TestIdempotentTxnID(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620001"}, loginstep.StepIDCode)
	txn := st.TxnID
	next := s.input(st, map[string]any{"code": "22222", "txn_id": txn}, http.StatusOK, loginstep.StepIDPassword)
	again := s.input(st, map[string]any{"code": "22222", "txn_id": txn}, http.StatusOK, loginstep.StepIDPassword)
	if again.TxnID != next.TxnID {
		t.Fatalf("the retried input was applied again: txn %s, then %s", next.TxnID, again.TxnID)
	}
	if n := s.dc.Calls("auth.signIn"); n != 1 {
		t.Fatalf("auth.signIn called %d times, want 1", n)
	}
}

func TestErrors(t *testing.T) {
	s := newServer(t, web.Options{PerLogin: web.Limit{Burst: 3, Every: 1e12}})
	if r := s.do("GET", "/api/v1/logins", nil, "Authorization", ""); r.status != 401 || r.err.ErrCode != "M_MISSING_TOKEN" {
		t.Fatalf("no token: %d %s", r.status, r.err.ErrCode)
	}
	if r := s.do("GET", "/api/v1/logins", nil, "Authorization", "Bearer nope"); r.status != 401 || r.err.ErrCode != "M_UNKNOWN_TOKEN" {
		t.Fatalf("bad token: %d %s", r.status, r.err.ErrCode)
	}
	if r := s.do("GET", "/api/v1/login/nope", nil); r.status != 404 {
		t.Fatalf("unknown login: %d", r.status)
	}
	if r := s.do("POST", "/api/v1/login/start/fax", nil); r.status != 404 {
		t.Fatalf("unknown flow: %d", r.status)
	}
	st := s.start("phone", map[string]any{"phone": "+9996621234"}, loginstep.StepIDCode)
	// A stale step answers 409 with the current step.
	r := s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+loginstep.StepIDPassword+"/user_input", map[string]any{"password": "x"})
	s.expect(r, http.StatusConflict, loginstep.StepIDCode)
	// Cancelled: 410 from then on.
	r = s.do("POST", "/api/v1/login/cancel/"+st.LoginID, nil)
	s.expect(r, http.StatusOK, loginstep.StepIDClosed)
	r = s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+loginstep.StepIDCode+"/user_input", map[string]any{"code": "22222"})
	if r.status != http.StatusGone {
		t.Fatalf("input to a cancelled login: %d", r.status)
	}
	if r := s.do("POST", "/api/v1/login/"+st.LoginID+"/link", nil); r.status != http.StatusGone {
		t.Fatalf("link of a cancelled login: %d", r.status)
	}
	// Rate limit per login: the fourth input is refused with Retry-After.
	st = s.start("phone", nil, loginstep.StepIDPhone)
	for range 3 {
		s.input(st, map[string]any{"phone": "12"}, http.StatusBadRequest, loginstep.StepIDPhone)
	}
	r = s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/user_input", map[string]any{"phone": "12"})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("rate limit: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
}

func TestFloodWait(t *testing.T) {
	s := newServer(t, web.Options{})
	r := s.do("POST", "/api/v1/login/start/phone", map[string]any{"phone": "+9996620004"})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.step.Prompt == nil ||
		r.step.Prompt.Problem == nil || r.step.Prompt.Problem.Code != machine.ProblemFloodWait {
		t.Fatalf("flood wait: %d, Retry-After %q, step %+v", r.status, r.header.Get("Retry-After"), r.step)
	}
}

func TestLinks(t *testing.T) {
	s := newServer(t, web.Options{})
	a := s.start("phone", nil, loginstep.StepIDPhone)
	b := s.start("phone", nil, loginstep.StepIDPhone)
	linkA := s.handler.LinkPath(a.LoginID)
	res, err := s.srv.Client().Get(s.srv.URL + linkA)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("link: %v %v", err, res.Status)
	}
	res.Body.Close()
	// Another login's ID with A's MAC, and a made-up secret, are both unknown links.
	mac := linkA[strings.LastIndexByte(linkA, '.')+1:]
	for _, path := range []string{"/l/" + b.LoginID + "." + mac, "/l/" + a.LoginID + ".AAAA", "/l/nothing"} {
		res, err := s.srv.Client().Get(s.srv.URL + path + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %s, want 404", path, res.Status)
		}
	}
}

func TestForeignOriginRefused(t *testing.T) {
	s := newServer(t, web.Options{})
	r := s.do("POST", "/api/v1/login/start/phone", nil, "Origin", "https://evil.example")
	if r.status != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", r.status)
	}
	st := s.start("phone", nil, loginstep.StepIDPhone)
	// The page's own POST without its cookie is refused too.
	link := s.handler.LinkPath(st.LoginID)
	req, _ := http.NewRequest("POST", s.srv.URL+link+"/step/"+loginstep.StepIDPhone+"/user_input", strings.NewReader(`{"phone":"+9996621234"}`))
	req.Header.Set("Origin", s.srv.URL)
	res, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("page POST without cookie: %s", res.Status)
	}
}
