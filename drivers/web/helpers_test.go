package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi/mtproto"
)

func registered(b bool) *bool { return &b }

// world holds the accounts the tests use, beyond the implicit 99966XYYYY ones.
var world = testdc.World{Accounts: []testdc.Account{
	{Phone: "9996620001", Password: "hunter2", Hint: "the usual", RecoveryEmail: "alice@example.org"},
	{Phone: "9996630002", Password: "s3cond"},
	{Phone: "9996620003", Registered: registered(false)},
	{Phone: "9996620004", FloodWait: 30},
	{Phone: "9996620007", CodeType: "setup_email_required"},
	// The login paths of today (paths_test.go).
	{Phone: "9996620010", PaidAuth: &testdc.PaidAuth{Amount: 199, Currency: "USD", PremiumDays: 7}},
	{Phone: "9996620018", Password: "old-pw", Hint: "old", RecoveryEmail: "bob@example.org"},
}}

const token = "test-token"

// server is a web.Handler over an engine over a test DC, served on loopback.
type server struct {
	t       *testing.T
	ctx     context.Context
	dc      *testdc.DC
	engine  *machine.Engine
	handler *web.Handler
	srv     *httptest.Server
}

func newServer(t *testing.T, opts web.Options) *server {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	if d, ok := t.Deadline(); ok && d.After(deadline) { // a long run (-load) under -timeout
		deadline = d
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	dc, err := testdc.Start(ctx, testdc.Options{World: world})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() })
	cfg := dc.Config()
	keys, err := cfg.PublicKeys()
	if err != nil {
		t.Fatal(err)
	}
	conn := mtproto.NewConnector(mtproto.Options{AppID: 1, AppHash: "web", DCList: cfg.DCList(), PublicKeys: keys,
		Resolver: cfg.Resolver()})
	t.Cleanup(func() { _ = conn.Close() })
	eng, err := machine.New(machine.Options{Store: memory.New(), Telegram: conn, Tick: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	opts.Engine = eng
	if opts.Token == "" {
		opts.Token = token
	}
	opts.LinkKey = []byte("0123456789abcdef0123456789abcdef")
	if opts.LongPoll == 0 {
		opts.LongPoll = 20 * time.Second
	}
	h := web.New(opts)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &server{t: t, ctx: ctx, dc: dc, engine: eng, handler: h, srv: srv}
}

// reply is one answer of the API.
type reply struct {
	status int
	header http.Header
	step   web.StepResponse // the body, or the body's "step" for an error
	err    web.ErrorResponse
}

// do sends a request with the bearer token (header "Authorization" in hdr overrides it).
func (s *server) do(method, path string, body any, hdr ...string) reply {
	s.t.Helper()
	r, err := s.try(method, path, body, hdr...)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// try is do for goroutines other than the test's: it returns the error.
func (s *server) try(method, path string, body any, hdr ...string) (reply, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return reply{}, err
		}
	}
	req, err := http.NewRequestWithContext(s.ctx, method, s.srv.URL+path, bytes.NewReader(data))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	if data, err = io.ReadAll(res.Body); err != nil {
		return reply{}, err
	}
	out := reply{status: res.StatusCode, header: res.Header}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &out.step); err != nil {
			return out, fmt.Errorf("%s %s: %v in %s", method, path, err, data)
		}
		return out, nil
	}
	if err := json.Unmarshal(data, &out.err); err != nil {
		return out, fmt.Errorf("%s %s: %d %v in %s", method, path, res.StatusCode, err, data)
	}
	if out.err.Step != nil {
		out.step = *out.err.Step
	}
	return out, nil
}

// start starts a login of flow and expects step.
func (s *server) start(flow string, body any, step string) web.StepResponse {
	s.t.Helper()
	r := s.do("POST", "/api/v1/login/start/"+flow, body)
	s.expect(r, http.StatusOK, step)
	return r.step
}

// input sends values to the step and expects status and the next step.
func (s *server) input(st web.StepResponse, values map[string]any, status int, next string) web.StepResponse {
	s.t.Helper()
	r := s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/user_input", values)
	s.expect(r, status, next)
	return r.step
}

func (s *server) expect(r reply, status int, step string) {
	s.t.Helper()
	if r.status != status || r.step.StepID != step {
		s.t.Fatalf("got %d %s (%s: %s; problem %q), want %d %s", r.status, r.step.StepID, r.err.ErrCode, r.err.Error,
			r.step.ProblemText, status, step)
	}
}

// waitStep long-polls display_and_wait until the login is at step want.
func (s *server) waitStep(st web.StepResponse, want string) web.StepResponse {
	s.t.Helper()
	for st.StepID != want {
		r := s.do("POST", "/api/v1/login/step/"+st.LoginID+"/"+st.StepID+"/display_and_wait", nil)
		if r.status != http.StatusOK {
			s.t.Fatalf("display_and_wait: %d %s %s", r.status, r.err.ErrCode, r.err.Error)
		}
		st = r.step
		if st.Type == loginstep.StepUserInput && st.StepID != want {
			s.t.Fatalf("at step %s, want %s", st.StepID, want)
		}
	}
	return st
}
