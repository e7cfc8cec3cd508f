package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/tgauth/tgauth/tgapi"
)

// defaultDC is what a Player's API reports before it answered any call for its login.
const defaultDC = 2

// Player answers Telegram calls from a trace. Its Connector hands out an API for any
// login ID; all of them take their answers from one queue, the trace's call entries in
// order, whichever login asks. Login IDs are not compared (a replay's IDs are new).
//
// A call matches the next unconsumed entry if the method is the same and, when the entry
// has a request, the call's request redacted as a Recorder would redact it equals the
// entry's as JSON values. Phones are compared masked when the trace's phone is masked, as
// they are when it is not. On a match the entry is consumed and its outcome answered: the
// result decoded into the tgapi type, the *tgapi.Error, or an error with the
// transport_error's text ("context canceled" and "context deadline exceeded" answer
// context.Canceled and context.DeadlineExceeded). On the first mismatch every call from
// then on fails with the same *MismatchError, which Err returns.
//
// A Player is safe for concurrent use.
type Player struct {
	// OnLost is called instead of answering a call whose entry is lost: the process that
	// recorded the trace died during that call. A scenario runner calls runtime.Goexit
	// here, to die at the same point. If OnLost is nil, or returns, the call fails with a
	// transport error. Set it before the first call.
	OnLost func()

	mu    sync.Mutex
	calls []Entry
	next  int
	err   error
	dcs   map[string]int
}

// NewPlayer returns a Player for the call entries among entries; the others are ignored.
func NewPlayer(entries []Entry) *Player {
	p := &Player{dcs: make(map[string]int)}
	for _, e := range entries {
		if e.Type == TypeCall {
			p.calls = append(p.calls, e)
		}
	}
	return p
}

// Connector returns a connector whose APIs answer from the trace, for any login ID.
func (p *Player) Connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(_ context.Context, loginID string, _ tgapi.SessionStorage) (tgapi.API, error) {
		return &playerAPI{p: p, login: loginID}, nil
	})
}

// Err returns the first mismatch (a *MismatchError), or an error about a recorded result
// that does not decode, or nil.
func (p *Player) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Remaining returns the call entries not consumed yet.
func (p *Player) Remaining() []Entry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls[p.next:])
}

// MismatchError is the call a Player was asked for, when the trace expected another one.
type MismatchError struct {
	// Step is the 1-based index of the expected call among the trace's call entries.
	Step int
	// Expected and Actual render the expected and the asked-for call on one line:
	// `auth.signIn {"code":"[redacted]","phone":"+999*****34","phone_code_hash":"a1"}`.
	// Expected is empty when the trace had no more calls.
	Expected, Actual string
	// Fields names the top-level request fields that differ, when only the requests do.
	Fields []string
}

// Error renders the mismatch as a diff of the expected and the actual call.
func (e *MismatchError) Error() string {
	prefix := fmt.Sprintf("replay: call %d: ", e.Step)
	if e.Expected == "" {
		return prefix + "expected no more calls, got " + e.Actual
	}
	pad := strings.Repeat(" ", len(prefix))
	s := prefix + "expected " + e.Expected + "\n" + pad + "got      " + e.Actual
	if len(e.Fields) > 0 {
		s += "\n" + pad + "(request differs in " + strings.Join(e.Fields, ", ") + ")"
	}
	return s
}

// answer matches one call and returns the consumed entry.
func (p *Player) answer(login, method string, raw any) (Entry, error) {
	_, actualMap, _, err := canonicalRequest(method, raw, false)
	if err != nil {
		return Entry{}, fmt.Errorf("replay: %s: %w", method, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return Entry{}, p.err
	}
	step := p.next + 1
	if p.next >= len(p.calls) {
		p.err = &MismatchError{Step: step, Actual: renderMasked(method, actualMap)}
		return Entry{}, p.err
	}
	e := p.calls[p.next]
	if e.Method != method {
		p.err = &MismatchError{Step: step, Expected: renderExpected(e), Actual: renderMasked(method, actualMap)}
		return Entry{}, p.err
	}
	if e.Request != nil && !isNull(e.Request) {
		if m := compareRequest(e, actualMap); m != nil {
			m.Step = step
			p.err = m
			return Entry{}, p.err
		}
	}
	p.next++
	if e.DC != 0 {
		p.dcs[login] = e.DC
	}
	return e, nil
}

// compareRequest compares a recorded request with an actual one (redacted, phones not
// masked yet); nil if they match.
func compareRequest(e Entry, actual map[string]any) *MismatchError {
	var want map[string]any
	if err := json.Unmarshal(e.Request, &want); err != nil {
		return &MismatchError{Expected: e.Method + " " + string(e.Request) + " (not a JSON object)", Actual: e.Method}
	}
	redactRequest(e.Method, want, false)
	// Compare phones as the trace holds them: masked if masked.
	if w, ok := want["phone"].(string); ok && strings.Contains(w, "*") {
		if a, ok := actual["phone"].(string); ok {
			actual["phone"] = MaskPhone(a)
		}
	}
	if reflect.DeepEqual(want, actual) {
		return nil
	}
	var fields []string
	for k := range want {
		if !reflect.DeepEqual(want[k], actual[k]) {
			fields = append(fields, k)
		}
	}
	for k := range actual {
		if _, ok := want[k]; !ok {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	return &MismatchError{Expected: render(e.Method, want), Actual: render(e.Method, actual), Fields: fields}
}

// renderExpected renders a recorded call, its request redacted (in case the trace was
// written by hand) and its keys sorted.
func renderExpected(e Entry) string {
	if e.Request == nil || isNull(e.Request) {
		return e.Method + " (any request)"
	}
	var m map[string]any
	if err := json.Unmarshal(e.Request, &m); err != nil {
		return e.Method + " " + string(e.Request)
	}
	redactRequest(e.Method, m, false)
	return render(e.Method, m)
}

// renderMasked renders an actual call with its phone masked.
func renderMasked(method string, req map[string]any) string {
	m := maps.Clone(req)
	if p, ok := m["phone"].(string); ok {
		m["phone"] = MaskPhone(p)
	}
	return render(method, m)
}

func render(method string, req map[string]any) string {
	b, err := marshal(req)
	if err != nil {
		return method + " ?"
	}
	return method + " " + string(b)
}

// call answers one call into out (a pointer from methods[method], nil for CancelCode).
func (p *Player) call(login, method string, raw any, out any) error {
	e, err := p.answer(login, method, raw)
	if err != nil {
		return err
	}
	switch {
	case e.Lost:
		if p.OnLost != nil {
			p.OnLost()
		}
		return fmt.Errorf("replay: %s: the answer was lost (the recording process died during the call)", method)
	case e.Error != nil:
		c := *e.Error
		return &c
	case e.TransportError != "":
		switch e.TransportError {
		case context.Canceled.Error():
			return context.Canceled
		case context.DeadlineExceeded.Error():
			return context.DeadlineExceeded
		}
		return errors.New(e.TransportError)
	}
	if err := decodeResult(method, e.Result, out, false); err != nil {
		err = fmt.Errorf("replay: %s: recorded result does not decode: %w", method, err)
		p.mu.Lock()
		if p.err == nil {
			p.err = err
		}
		p.mu.Unlock()
		return err
	}
	return nil
}

// dc is the DC of the last call answered for login.
func (p *Player) dc(login string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if dc, ok := p.dcs[login]; ok {
		return dc
	}
	return defaultDC
}

// playerAPI is the tgapi.API of one login, answering from its Player.
type playerAPI struct {
	p     *Player
	login string
}

// played answers a call whose result is of type T.
func played[T any](a *playerAPI, method string, raw any) (T, error) {
	var res T
	err := a.p.call(a.login, method, raw, &res)
	return res, err
}

func (a *playerAPI) SendCode(_ context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error) {
	return played[tgapi.SendCodeResult](a, MethodSendCode, sendCodeRequest{Phone: req.Phone, LogoutTokens: req.LogoutTokens})
}

func (a *playerAPI) ResendCode(_ context.Context, req tgapi.CodeRef) (tgapi.SentCode, error) {
	return played[tgapi.SentCode](a, MethodResendCode, codeRef(req))
}

func (a *playerAPI) CancelCode(_ context.Context, req tgapi.CodeRef) error {
	return a.p.call(a.login, MethodCancelCode, codeRef(req), nil)
}

func (a *playerAPI) SignIn(_ context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error) {
	return played[tgapi.Authorization](a, MethodSignIn, signIn(req))
}

func (a *playerAPI) SignUp(_ context.Context, req tgapi.SignUpRequest) (tgapi.User, error) {
	return played[tgapi.User](a, MethodSignUp, signUp(req))
}

func (a *playerAPI) PasswordInfo(context.Context) (tgapi.PasswordInfo, error) {
	return played[tgapi.PasswordInfo](a, MethodPasswordInfo, noRequest{})
}

func (a *playerAPI) CheckPassword(_ context.Context, password string) (tgapi.User, error) {
	return played[tgapi.User](a, MethodCheckPassword, passwordRequest{Password: password})
}

func (a *playerAPI) RequestPasswordRecovery(context.Context) (tgapi.PasswordRecovery, error) {
	return played[tgapi.PasswordRecovery](a, MethodRequestPasswordRecovery, noRequest{})
}

func (a *playerAPI) RecoverPassword(_ context.Context, code string) (tgapi.User, error) {
	return played[tgapi.User](a, MethodRecoverPassword, codeRequest{Code: code})
}

func (a *playerAPI) SendVerifyEmailCode(_ context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error) {
	return played[tgapi.EmailCode](a, MethodSendVerifyEmailCode, email(req))
}

func (a *playerAPI) VerifyEmail(_ context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error) {
	return played[tgapi.SendCodeResult](a, MethodVerifyEmail, verifyEmail(req))
}

func (a *playerAPI) ExportLoginToken(context.Context) (tgapi.LoginToken, error) {
	return played[tgapi.LoginToken](a, MethodExportLoginToken, noRequest{})
}

func (a *playerAPI) ImportLoginToken(_ context.Context, dc int, token []byte) (tgapi.LoginToken, error) {
	return played[tgapi.LoginToken](a, MethodImportLoginToken, loginTokenRequest{DC: dc, Token: token})
}

func (a *playerAPI) ImportBotAuthorization(_ context.Context, token string) (tgapi.User, error) {
	return played[tgapi.User](a, MethodImportBotAuthorization, botTokenRequest{Token: token})
}

func (a *playerAPI) LogOut(context.Context) ([]byte, error) {
	return played[[]byte](a, MethodLogOut, noRequest{})
}

func (a *playerAPI) Self(context.Context) (tgapi.User, error) {
	return played[tgapi.User](a, MethodSelf, noRequest{})
}

func (a *playerAPI) DC() int { return a.p.dc(a.login) }
