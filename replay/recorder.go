package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// KeepPhones writes phone numbers as they are instead of masking them (MaskPhone).
	// Secrets are redacted regardless.
	KeepPhones bool
	// Now is the clock entries are timed by; time.Now if nil. It is only called with the
	// recorder's lock held.
	Now func() time.Time
	// Version is the tgauth version written into the header; "dev" if empty.
	Version string
	// Settings are the engine settings written into the header (machine.SettingsOf).
	Settings map[string]string
}

// Recorder writes a trace as things happen: the header at once, then one line per input,
// timer, state reached (its Input, Timer and Reached methods make it an observer of the
// engine) and Telegram call (through the APIs of the Connector it wraps). Each line is
// written with one Write call, in the order the events happened; t never decreases from
// one line to the next. A call's line is written when its answer arrived.
//
// Every secret is redacted before it is written, and phones are masked unless
// KeepPhones: see Redacted and MaskPhone. Which fields of a call's request and result are
// secret or phones is the call table's word (tgapi.Call.Redact); the phones of the users
// in results are masked too, and the secrets a request held are scrubbed from the text of
// the transport errors its call returned. Input arguments are redacted again even though
// the engine redacts them already, by name: "code", "password", names ending in "_code" and
// names containing "password" become Redacted; "token" and names ending in "_token" are
// redacted like bot tokens ("123456:[redacted]"); "phone" and names ending in "_phone" are
// masked.
//
// A Recorder is safe for concurrent use. After the first error it writes nothing more;
// Err returns that error. Besides write errors, a call whose request is not of the call
// table is one: it cannot be redacted, so it is not written.
type Recorder struct {
	opts    RecorderOptions
	mu      sync.Mutex
	w       io.Writer
	start   time.Time // as Now returned it, with any monotonic reading
	created time.Time // start in UTC, to the millisecond: the header's created
	err     error
}

// NewRecorder returns a Recorder writing to w, and writes the header line.
func NewRecorder(w io.Writer, opts RecorderOptions) *Recorder {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	r := &Recorder{opts: opts, w: w}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start = opts.Now()
	r.created = r.start.UTC().Truncate(time.Millisecond)
	r.writeLocked(Header{Format: Format, TGAuth: opts.Version, Created: r.created, Settings: opts.Settings})
	return r
}

// Err returns the first error recording the trace (see Recorder), or nil.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Input records an input the engine accepted. The args are copied, redacted and masked.
func (r *Recorder) Input(login, event string, args map[string]string) {
	r.write(Entry{Type: TypeInput, Login: login, Event: event, Args: redactArgs(args, !r.opts.KeepPhones)})
}

// Timer records a deadline (or a recovery event) firing.
func (r *Recorder) Timer(login, event string) {
	r.write(Entry{Type: TypeTimer, Login: login, Event: event})
}

// Reached records the state a login reached.
func (r *Recorder) Reached(login, state string) {
	r.write(Entry{Type: TypeState, Login: login, State: state})
}

// write stamps e with its time and writes it.
func (r *Recorder) write(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.opts.Now()
	// now.Sub(start) uses the monotonic clock when both have it.
	e.T = (now.Sub(r.start) + r.start.Sub(r.created)).Milliseconds()
	r.writeLocked(e)
}

func (r *Recorder) writeLocked(v any) {
	if r.err != nil {
		return
	}
	b, err := marshal(v)
	if err != nil {
		r.err = err
		return
	}
	if _, err := r.w.Write(append(b, '\n')); err != nil {
		r.err = err
	}
}

func (r *Recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// Connector wraps inner: every call of the APIs it hands out is passed on to inner's API
// and recorded with its request, its outcome and the API's DC() after the call. Callers
// get inner's answers unchanged (secrets and phones are only removed from the trace).
// Connect itself is not recorded. If inner is a tgapi.Updater, so is the connector
// returned, and it passes OnUpdate on to inner: updates reach the subscriber unrecorded.
func (r *Recorder) Connector(inner tgapi.Connector) tgapi.Connector {
	c := recordedConnector{r: r, inner: inner}
	if u, ok := inner.(tgapi.Updater); ok {
		return recordedUpdater{c, u}
	}
	return c
}

// recordedConnector hands out recordedAPIs.
type recordedConnector struct {
	r     *Recorder
	inner tgapi.Connector
}

// Unwrap implements tgapi.Unwrapper: what the inner connector offers besides Connect
// (a tgapi.Filler) stays reachable.
func (c recordedConnector) Unwrap() tgapi.Connector { return c.inner }

// Connect implements tgapi.Connector.
func (c recordedConnector) Connect(ctx context.Context, loginID string, sessions tgapi.SessionStorage) (tgapi.API, error) {
	api, err := c.inner.Connect(ctx, loginID, sessions)
	if err != nil {
		return nil, err
	}
	return &recordedAPI{r: c.r, login: loginID, api: api}, nil
}

// recordedUpdater is a recordedConnector whose inner connector delivers updates.
type recordedUpdater struct {
	recordedConnector
	updater tgapi.Updater
}

// OnUpdate implements tgapi.Updater: f is subscribed to the inner connector.
func (c recordedUpdater) OnUpdate(f func(loginID string, u tgapi.Update)) { c.updater.OnUpdate(f) }

// recordedAPI is a tgapi.API that records the calls of the one it wraps.
type recordedAPI struct {
	r     *Recorder
	login string
	api   tgapi.API
}

// Invoke implements tgapi.API: it passes req on, records the call and hands the answer
// back unchanged.
func (a *recordedAPI) Invoke(ctx context.Context, req tgapi.Request) (any, error) {
	res, err := a.api.Invoke(ctx, req)
	a.record(req, res, err)
	return res, err
}

// DC implements tgapi.API.
func (a *recordedAPI) DC() int { return a.api.DC() }

// record writes the entry of one call: its request, and its result res or its error
// callErr. A request the call table does not know is not written (its secrets are not
// known); it fails the Recorder instead.
func (a *recordedAPI) record(req tgapi.Request, res any, callErr error) {
	c, err := lookup(req)
	if err != nil {
		a.r.fail(err)
		return
	}
	mask := !a.r.opts.KeepPhones
	reqJSON, _, pairs, err := canonicalRequest(c, req, mask)
	if err != nil {
		a.r.fail(fmt.Errorf("replay: %s request: %w", c.Method, err))
		return
	}
	e := Entry{Type: TypeCall, Login: a.login, Method: string(c.Method), Request: reqJSON}
	var tgErr *tgapi.Error
	switch {
	case callErr == nil:
		if e.Result, err = resultJSON(c, res, mask); err != nil {
			a.r.fail(fmt.Errorf("replay: %s result: %w", c.Method, err))
			return
		}
	case errors.As(callErr, &tgErr):
		copied := *tgErr
		e.Error = &copied
	default:
		e.TransportError = scrub(callErr.Error(), pairs)
	}
	e.DC = a.api.DC()
	a.r.write(e)
}

// scrub replaces the secrets a request held, should an error's text repeat them.
func scrub(text string, pairs []string) string {
	if len(pairs) == 0 {
		return text
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
