// Package web is tgauth's HTTP front-end: an http.Handler any Go server can mount, serving
// a JSON API shaped like mautrix bridgev2's provisioning API under /api/v1, a login page
// for the person logging in, and live events (Server-Sent Events). It imports the engine
// (package machine) only: a login started here can be finished by any other driver, and
// the other way round.
//
// The API (Authorization: Bearer TOKEN when Options.Token is set):
//
//	GET  /api/v1/login/flows                                   the flows: phone, qr, bot
//	POST /api/v1/login/start/{flow}                            a new login and its first step
//	POST /api/v1/login/step/{login_id}/{step_id}/user_input    the step's fields -> the next step
//	POST /api/v1/login/step/{login_id}/{step_id}/display_and_wait
//	                                                           waits until the step changes
//	POST /api/v1/login/cancel/{login_id}, /api/v1/logout/{login_id}
//	GET  /api/v1/logins, /api/v1/login/{login_id}              snapshots with their steps
//	GET  /api/v1/login/{login_id}/events                       Server-Sent Events of them
//	GET  /api/v1/login/{login_id}/qr.png                       the QR code to show, as a PNG
//	POST /api/v1/login/{login_id}/link                         a capability link for the page
//
// A step is a loginstep.Step (see loginstep.Of). user_input takes a JSON object of field values, or
// {"action": NAME} for one of the step's actions (resend, recover, qr, cancel), plus an
// optional "txn_id": the step's txn_id, the login's version it was rendered from. An input
// whose txn_id is no longer the login's version is not applied again: the answer is the
// current step (so a retried request is idempotent). A step_id that is not the current
// step answers 409 with the current step. A refused input (a wrong code) answers the step
// again with prompt.problem set. Errors are {"errcode", "error"} (and "step" where there is
// one): 400 bad input, 401 no or bad token, 403 foreign Origin, 404 unknown login, 409 not
// in this state or busy, 410 the login is over, 429 rate limits and flood waits (with
// Retry-After).
//
// The page lives at the capability link /l/{secret}: the secret is the login's ID and a
// MAC of it under Options.LinkKey, so a link opens its own login only, and every replica
// sharing the key honours it. The page's requests go to /l/{secret}/... with a SameSite
// cookie the page set and an Origin header naming this server.
package web

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tgauth/tgauth/machine"
)

// Options configure a Handler. Engine and LinkKey are required.
type Options struct {
	Engine *machine.Engine
	// Token, if set, is the bearer token the API requires; empty leaves the API open
	// (for a listener only trusted clients reach).
	Token string
	// LinkKey signs capability links (32 random bytes or more). Replicas share it.
	LinkKey []byte
	// BaseURL, if set, is how clients reach the server ("https://login.example.org"): it
	// prefixes minted links and is an allowed Origin. Empty means the request's own host.
	BaseURL string
	// LongPoll bounds a display_and_wait request (default 30s).
	LongPoll time.Duration
	// PerLogin and PerClient rate-limit inputs per login and requests per client address
	// (defaults: a burst of 20 then one every 3s per login; a burst of 120 then 2 a
	// second per address). A negative Burst turns that limit off.
	PerLogin, PerClient Limit
	// Logger gets one line per request (its route, never its URL, which may hold a
	// capability link); nil discards.
	Logger *slog.Logger
}

// Handler serves the API, the page and the events.
type Handler struct {
	opts      Options
	engine    *machine.Engine
	log       *slog.Logger
	mux       *http.ServeMux
	perLogin  *limiter
	perClient *limiter

	closeOnce sync.Once
	closing   chan struct{} // closed by Close
}

// New returns a Handler over opts.Engine.
func New(opts Options) *Handler {
	if opts.LongPoll <= 0 {
		opts.LongPoll = 30 * time.Second
	}
	if opts.PerLogin == (Limit{}) {
		opts.PerLogin = Limit{Burst: 20, Every: 3 * time.Second}
	}
	if opts.PerClient == (Limit{}) {
		opts.PerClient = Limit{Burst: 120, Every: 500 * time.Millisecond}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, engine: opts.Engine, log: log, mux: http.NewServeMux(),
		perLogin: newLimiter(opts.PerLogin), perClient: newLimiter(opts.PerClient), closing: make(chan struct{})}
	h.routes()
	return h
}

func (h *Handler) routes() {
	api := func(pattern string, f func(http.ResponseWriter, *http.Request)) {
		h.mux.HandleFunc(pattern, h.apiAuth(f))
	}
	api("GET /api/v1/login/flows", h.flows)
	// start/{flow}, cancel/{login_id} and {login_id}/link share a shape: one route.
	api("POST /api/v1/login/{a}/{b}", h.loginPost)
	api("POST /api/v1/login/step/{login_id}/{step_id}/user_input", h.withID(h.userInput))
	api("POST /api/v1/login/step/{login_id}/{step_id}/display_and_wait", h.withID(h.displayAndWait))
	api("POST /api/v1/logout/{login_id}", h.withID(h.logout))
	api("GET /api/v1/logins", h.logins)
	api("GET /api/v1/login/{login_id}", h.withID(h.get))
	api("GET /api/v1/login/{login_id}/events", h.withID(h.events))
	api("GET /api/v1/login/{login_id}/qr.png", h.withID(h.qrImage))
	api("POST /api/v1/account/{login_id}/{task}", h.withID(h.account))

	page := func(pattern string, f func(http.ResponseWriter, *http.Request, string)) {
		h.mux.HandleFunc(pattern, h.pageAuth(f))
	}
	page("GET /l/{secret}", h.page)
	page("GET /l/{secret}/login", h.get)
	page("GET /l/{secret}/events", h.events)
	page("GET /l/{secret}/qr.png", h.qrImage)
	page("POST /l/{secret}/step/{step_id}/user_input", h.userInput)
	page("POST /l/{secret}/step/{step_id}/display_and_wait", h.displayAndWait)
	page("POST /l/{secret}/cancel", h.cancel)
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(h.static)))
}

// Close ends the event streams and long polls being served, so that a server shutting
// down (http.Server.RegisterOnShutdown) is not held by them. Other requests finish.
func (h *Handler) Close() { h.closeOnce.Do(func() { close(h.closing) }) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if !h.allow(sw, h.perClient, clientAddr(r)) {
		return
	}
	if !h.sameOrigin(r) {
		writeError(sw, http.StatusForbidden, "TGAUTH_FOREIGN_ORIGIN", "requests from another site are refused", nil)
		return
	}
	h.mux.ServeHTTP(sw, r) // sets r.Pattern, the route: the URL may hold a capability
	h.log.Info("http", "method", r.Method, "route", r.Pattern, "status", sw.status, "took", time.Since(start))
}

// statusWriter remembers the status for the log line; it passes Flush on for events.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
