package replay

import (
	"context"
	"errors"
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
// KeepPhones: see Redacted and MaskPhone. Input arguments are redacted again even though
// the engine redacts them already, by name: "code", "password", names ending in "_code" and
// names containing "password" become Redacted; "token" and names ending in "_token" are
// redacted like bot tokens ("123456:[redacted]"); "phone" and names ending in "_phone" are
// masked.
//
// A Recorder is safe for concurrent use. After the first write error it writes nothing
// more; Err returns that error.
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

// Err returns the first error writing the trace, or nil.
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
// Connect itself is not recorded.
func (r *Recorder) Connector(inner tgapi.Connector) tgapi.Connector {
	return tgapi.ConnectorFunc(func(ctx context.Context, loginID string, sessions tgapi.SessionStorage) (tgapi.API, error) {
		api, err := inner.Connect(ctx, loginID, sessions)
		if err != nil {
			return nil, err
		}
		return &recordedAPI{r: r, login: loginID, api: api}, nil
	})
}

// recordedAPI is a tgapi.API that records the calls of the one it wraps.
type recordedAPI struct {
	r     *Recorder
	login string
	api   tgapi.API
}

// record writes the entry of one call. res is the call's result (as resultJSON takes it).
func (a *recordedAPI) record(method string, raw any, res any, callErr error) {
	mask := !a.r.opts.KeepPhones
	req, _, pairs, err := canonicalRequest(method, raw, mask)
	if err != nil {
		a.r.fail(err)
		return
	}
	if sc, ok := raw.(sendCodeRequest); ok {
		for _, t := range sc.LogoutTokens {
			if len(t) > 0 {
				pairs = append(pairs, string(t), Redacted)
			}
		}
	}
	e := Entry{Type: TypeCall, Login: a.login, Method: method, Request: req}
	var tgErr *tgapi.Error
	switch {
	case callErr == nil:
		if e.Result, err = resultJSON(res, mask); err != nil {
			a.r.fail(err)
			return
		}
	case errors.As(callErr, &tgErr):
		c := *tgErr
		e.Error = &c
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

// recorded records one call and hands its answer back unchanged.
func recorded[T any](a *recordedAPI, method string, raw any, res T, err error) (T, error) {
	a.record(method, raw, res, err)
	return res, err
}

func (a *recordedAPI) SendCode(ctx context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error) {
	res, err := a.api.SendCode(ctx, req)
	return recorded(a, MethodSendCode, sendCodeRequest{Phone: req.Phone, LogoutTokens: req.LogoutTokens}, res, err)
}

func (a *recordedAPI) ResendCode(ctx context.Context, req tgapi.CodeRef) (tgapi.SentCode, error) {
	res, err := a.api.ResendCode(ctx, req)
	return recorded(a, MethodResendCode, codeRef(req), res, err)
}

func (a *recordedAPI) CancelCode(ctx context.Context, req tgapi.CodeRef) error {
	err := a.api.CancelCode(ctx, req)
	a.record(MethodCancelCode, codeRef(req), nil, err)
	return err
}

func (a *recordedAPI) SignIn(ctx context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error) {
	res, err := a.api.SignIn(ctx, req)
	return recorded(a, MethodSignIn, signIn(req), res, err)
}

func (a *recordedAPI) SignUp(ctx context.Context, req tgapi.SignUpRequest) (tgapi.User, error) {
	res, err := a.api.SignUp(ctx, req)
	return recorded(a, MethodSignUp, signUp(req), res, err)
}

func (a *recordedAPI) PasswordInfo(ctx context.Context) (tgapi.PasswordInfo, error) {
	res, err := a.api.PasswordInfo(ctx)
	return recorded(a, MethodPasswordInfo, noRequest{}, res, err)
}

func (a *recordedAPI) CheckPassword(ctx context.Context, password string) (tgapi.User, error) {
	res, err := a.api.CheckPassword(ctx, password)
	return recorded(a, MethodCheckPassword, passwordRequest{Password: password}, res, err)
}

func (a *recordedAPI) RequestPasswordRecovery(ctx context.Context) (tgapi.PasswordRecovery, error) {
	res, err := a.api.RequestPasswordRecovery(ctx)
	return recorded(a, MethodRequestPasswordRecovery, noRequest{}, res, err)
}

func (a *recordedAPI) RecoverPassword(ctx context.Context, code string) (tgapi.User, error) {
	res, err := a.api.RecoverPassword(ctx, code)
	return recorded(a, MethodRecoverPassword, codeRequest{Code: code}, res, err)
}

func (a *recordedAPI) SendVerifyEmailCode(ctx context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error) {
	res, err := a.api.SendVerifyEmailCode(ctx, req)
	return recorded(a, MethodSendVerifyEmailCode, email(req), res, err)
}

func (a *recordedAPI) VerifyEmail(ctx context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error) {
	res, err := a.api.VerifyEmail(ctx, req)
	return recorded(a, MethodVerifyEmail, verifyEmail(req), res, err)
}

func (a *recordedAPI) ExportLoginToken(ctx context.Context) (tgapi.LoginToken, error) {
	res, err := a.api.ExportLoginToken(ctx)
	return recorded(a, MethodExportLoginToken, noRequest{}, res, err)
}

func (a *recordedAPI) ImportLoginToken(ctx context.Context, dc int, token []byte) (tgapi.LoginToken, error) {
	res, err := a.api.ImportLoginToken(ctx, dc, token)
	return recorded(a, MethodImportLoginToken, loginTokenRequest{DC: dc, Token: token}, res, err)
}

func (a *recordedAPI) ImportBotAuthorization(ctx context.Context, token string) (tgapi.User, error) {
	res, err := a.api.ImportBotAuthorization(ctx, token)
	return recorded(a, MethodImportBotAuthorization, botTokenRequest{Token: token}, res, err)
}

func (a *recordedAPI) LogOut(ctx context.Context) ([]byte, error) {
	res, err := a.api.LogOut(ctx)
	return recorded(a, MethodLogOut, noRequest{}, res, err)
}

func (a *recordedAPI) Self(ctx context.Context) (tgapi.User, error) {
	res, err := a.api.Self(ctx)
	return recorded(a, MethodSelf, noRequest{}, res, err)
}

func (a *recordedAPI) DC() int { return a.api.DC() }
