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
// has a request, the call's request redacted as a Recorder would redact it (as the call
// table says, tgapi.Call.Redact) equals the entry's as JSON values. Phones are compared
// masked when the trace's phone is masked, as they are when it is not. On a match the
// entry is consumed and its outcome answered: the result decoded into a value of the
// call's result type (nil for a call that answers nothing; see decodeResult for redacted
// secrets), the *tgapi.Error, or an error with the
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

// Connector returns a connector whose APIs answer from the trace, for any login ID. It
// delivers no updates (it is no tgapi.Updater).
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

// answer matches one call of c and returns the consumed entry.
func (p *Player) answer(login string, c tgapi.Call, req tgapi.Request) (Entry, error) {
	method := string(c.Method)
	_, actual, _, err := canonicalRequest(c, req, false)
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
		p.err = &MismatchError{Step: step, Actual: renderMasked(c, actual)}
		return Entry{}, p.err
	}
	e := p.calls[p.next]
	if e.Method != method {
		p.err = &MismatchError{Step: step, Expected: renderExpected(e), Actual: renderMasked(c, actual)}
		return Entry{}, p.err
	}
	if e.Request != nil && !isNull(e.Request) {
		if m := compareRequest(e, c, actual); m != nil {
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

// compareRequest compares a recorded request of call c with an actual one (redacted,
// phones not masked yet); nil if they match.
func compareRequest(e Entry, c tgapi.Call, actual map[string]any) *MismatchError {
	var want map[string]any
	if err := json.Unmarshal(e.Request, &want); err != nil {
		return &MismatchError{Expected: e.Method + " " + string(e.Request) + " (not a JSON object)", Actual: e.Method}
	}
	redactObject(want, reflect.TypeOf(c.Request), c.Redact, false)
	// Compare phones as the trace holds them: masked if masked.
	for k, how := range c.Redact {
		w, _ := want[k].(string)
		a, ok := actual[k].(string)
		if how == tgapi.Phone && ok && strings.Contains(w, "*") {
			actual[k] = MaskPhone(a)
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
	if c, ok := tgapi.LookupCall(tgapi.Method(e.Method)); ok {
		redactObject(m, reflect.TypeOf(c.Request), c.Redact, false)
	}
	return render(e.Method, m)
}

// renderMasked renders an actual call of c with its phones masked.
func renderMasked(c tgapi.Call, req map[string]any) string {
	m := maps.Clone(req)
	redactObject(m, reflect.TypeOf(c.Request), c.Redact, true)
	return render(string(c.Method), m)
}

func render(method string, req map[string]any) string {
	b, err := marshal(req)
	if err != nil {
		return method + " ?"
	}
	return method + " " + string(b)
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

// Invoke implements tgapi.API: it answers req's call from the next entry (see Player).
func (a *playerAPI) Invoke(_ context.Context, req tgapi.Request) (any, error) {
	c, err := lookup(req)
	if err != nil {
		return nil, err
	}
	e, err := a.p.answer(a.login, c, req)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Lost:
		if a.p.OnLost != nil {
			a.p.OnLost()
		}
		return nil, fmt.Errorf("replay: %s: the answer was lost (the recording process died during the call)", c.Method)
	case e.Error != nil:
		copied := *e.Error
		return nil, &copied
	case e.TransportError != "":
		switch e.TransportError {
		case context.Canceled.Error():
			return nil, context.Canceled
		case context.DeadlineExceeded.Error():
			return nil, context.DeadlineExceeded
		}
		return nil, errors.New(e.TransportError)
	}
	res, err := decodeResult(c, e.Result, false)
	if err != nil {
		err = fmt.Errorf("replay: %s: recorded result does not decode: %w", c.Method, err)
		a.p.mu.Lock()
		if a.p.err == nil {
			a.p.err = err
		}
		a.p.mu.Unlock()
		return nil, err
	}
	return res, nil
}

// DC implements tgapi.API: the DC of the last entry answered for the login.
func (a *playerAPI) DC() int { return a.p.dc(a.login) }
