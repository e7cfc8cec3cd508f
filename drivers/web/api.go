package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// View is a login as GET /login/{id} and the events show it: the engine's snapshot and
// the step it renders to.
type View struct {
	machine.Snapshot
	Step loginstep.Step `json:"step"`
}

func (h *Handler) flows(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]loginstep.Flow{"flows": loginstep.Flows})
}

// loginPost routes POST /login/start/{flow}, /login/cancel/{login_id} and
// /login/{login_id}/link.
func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "start":
		h.start(w, r, b)
	case a == "cancel":
		h.cancel(w, r, b)
	case b == "link":
		h.link(w, r, a)
	default:
		writeError(w, http.StatusNotFound, "M_UNRECOGNIZED", "no such endpoint", nil)
	}
}

// start creates a login for a flow. A QR login asks Telegram for its first code at once
// (with {"except_ids": "ID,ID"}, the users already logged in); a phone or bot login waits
// for its first step, unless the body already holds its field ({"phone": ...} or
// {"token": ...}).
func (h *Handler) start(w http.ResponseWriter, r *http.Request, flow string) {
	values, err := decodeInput(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "M_NOT_JSON", err.Error(), nil)
		return
	}
	var in machine.Input
	switch flow {
	case loginstep.FlowQR:
		// {"except_ids": "1001,1002"}: users already logged in (auth.exportLoginToken).
		ids, err := machine.ParseIDs(values["except_ids"])
		if err != nil {
			writeError(w, http.StatusBadRequest, "M_INVALID_PARAM", err.Error(), nil)
			return
		}
		in = machine.StartQR{ExceptIDs: ids}
	case loginstep.FlowPhone:
		if values["phone"] != "" {
			in = machine.SubmitPhone{Phone: values["phone"]}
		}
	case loginstep.FlowBot:
		if values["token"] != "" {
			in = machine.SubmitBotToken{Token: values["token"]}
		}
	default:
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", fmt.Sprintf("no flow %q; see GET /api/v1/login/flows", flow), nil)
		return
	}
	snap, err := h.engine.Start(r.Context(), machine.StartOptions{Input: in})
	var bad *machine.InputError
	if errors.As(err, &bad) && snap.ID == "" {
		writeError(w, http.StatusBadRequest, "M_INVALID_PARAM", err.Error(), nil)
		return
	}
	h.answer(w, flow, snap, err, false)
}

// userInput sends a step's fields (or action) to its login.
func (h *Handler) userInput(w http.ResponseWriter, r *http.Request, id string) {
	if !h.allow(w, h.perLogin, id) {
		return
	}
	values, err := decodeInput(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "M_NOT_JSON", err.Error(), nil)
		return
	}
	stepID := r.PathValue("step_id")
	flow := flowOf(stepID)
	cur, ok := h.current(w, r.Context(), id, flow)
	if !ok {
		return
	}
	if txn := values["txn_id"]; txn != "" && txn != cur.TxnID {
		writeJSON(w, http.StatusOK, cur) // applied already, or the login moved on
		return
	}
	if !cur.Is(stepID) {
		writeError(w, http.StatusConflict, "TGAUTH_STALE_STEP",
			fmt.Sprintf("the login is at step %s, not %s", cur.StepID, stepID), cur)
		return
	}
	in, err := loginstep.InputFor(stepID, values)
	if err != nil {
		writeError(w, http.StatusBadRequest, "M_INVALID_PARAM", err.Error(), cur)
		return
	}
	snap, err := h.engine.Send(r.Context(), id, in)
	h.answer(w, flow, snap, err, in.Event() == machine.Cancel{}.Event())
}

// current loads the login's current step: 404 for an unknown login, 410 for one that is
// over.
func (h *Handler) current(w http.ResponseWriter, ctx context.Context, id, flow string) (*StepResponse, bool) {
	snap, err := h.engine.Get(ctx, id)
	switch {
	case errors.Is(err, machine.ErrNotFound):
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such login", nil)
		return nil, false
	case err != nil:
		h.internal(w, err)
		return nil, false
	}
	cur := stepResponse(flow, snap)
	if closed(snap) {
		writeError(w, http.StatusGone, "TGAUTH_LOGIN_CLOSED", snap.Prompt.Message, cur)
		return nil, false
	}
	return cur, true
}

// displayAndWait waits, at most Options.LongPoll, until the login moves on from the step
// (a new QR code, a scan, a call that ended), and answers the step it is at then. A login
// that is at another step already has moved on: its step is the answer at once.
func (h *Handler) displayAndWait(w http.ResponseWriter, r *http.Request, id string) {
	stepID := r.PathValue("step_id")
	cur, ok := h.current(w, r.Context(), id, flowOf(stepID))
	if !ok {
		return
	}
	if !cur.Is(stepID) {
		writeJSON(w, http.StatusOK, cur)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.LongPoll)
	defer cancel()
	go func() {
		select {
		case <-h.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	last := machine.Snapshot{}
	for s := range h.engine.Watch(ctx, id) {
		last = s
		if strconv.FormatInt(s.Version, 10) != cur.TxnID {
			break
		}
	}
	if last.ID == "" {
		writeJSON(w, http.StatusOK, cur)
		return
	}
	h.answer(w, flowOf(stepID), last, nil, false)
}

func (h *Handler) cancel(w http.ResponseWriter, r *http.Request, id string) {
	snap, err := h.engine.Send(r.Context(), id, machine.Cancel{})
	h.answer(w, "", snap, err, true)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, id string) {
	snap, err := h.engine.Send(r.Context(), id, machine.LogOut{})
	h.answer(w, "", snap, err, true)
}

func (h *Handler) logins(w http.ResponseWriter, r *http.Request) {
	snaps, err := h.engine.List(r.Context(), machine.ListOptions{State: machine.State(r.URL.Query().Get("state"))})
	if err != nil {
		h.internal(w, err)
		return
	}
	views := make([]View, len(snaps))
	for i, s := range snaps {
		views[i] = View{Snapshot: s, Step: loginstep.Of("", s)}
	}
	writeJSON(w, http.StatusOK, map[string][]View{"logins": views})
}

// get answers the login as it is, recovering it first when a process that died left it
// in flight (Engine.Resolve), so that another replica's crash does not show as a wait.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, id string) {
	snap, err := h.engine.Resolve(r.Context(), id)
	switch {
	case errors.Is(err, machine.ErrNotFound):
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such login", nil)
	case err != nil && snap.ID == "":
		h.internal(w, err)
	default:
		if err != nil {
			h.log.Warn("web: login not recovered", "login", id, "err", err)
		}
		writeJSON(w, http.StatusOK, View{Snapshot: snap, Step: loginstep.Of("", snap)})
	}
}

// LinkResponse is the answer to POST /login/{id}/link.
type LinkResponse struct {
	URL  string `json:"url"`
	Path string `json:"path"`
}

func (h *Handler) link(w http.ResponseWriter, r *http.Request, id string) {
	snap, err := h.engine.Get(r.Context(), id)
	switch {
	case errors.Is(err, machine.ErrNotFound):
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such login", nil)
	case err != nil:
		h.internal(w, err)
	case closed(snap):
		writeError(w, http.StatusGone, "TGAUTH_LOGIN_CLOSED", snap.Prompt.Message, nil)
	default:
		path := h.LinkPath(id)
		writeJSON(w, http.StatusOK, LinkResponse{URL: h.baseURL(r) + path, Path: path})
	}
}

// flowOf is the flow a step ID implies for a login that has not started yet.
func flowOf(stepID string) string {
	if stepID == loginstep.StepIDBotToken {
		return loginstep.FlowBot
	}
	return ""
}

// maxBody bounds a request body: fields are short.
const maxBody = 64 << 10

// decodeInput reads a JSON object of field values. Strings are taken as they are, and
// booleans and numbers as their JSON text (accept_tos: true); an empty body is no fields.
func decodeInput(body io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(io.LimitReader(body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(data) > maxBody {
		return nil, errors.New("body too large")
	}
	values := map[string]string{}
	if len(data) == 0 {
		return values, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return nil, errors.New("want a JSON object of field values")
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			values[k] = s
			continue
		}
		var scalar any
		if err := json.Unmarshal(v, &scalar); err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		switch scalar.(type) {
		case bool, float64:
			values[k] = string(v)
		default:
			return nil, fmt.Errorf("field %q: want a string", k)
		}
	}
	return values, nil
}
