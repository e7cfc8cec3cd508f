package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// StepResponse is the answer to start and to a step: the login and its (next) step, as
// bridgev2's RespSubmitLogin.
type StepResponse struct {
	LoginID string `json:"login_id"`
	loginstep.Step
}

// ErrorResponse is the body of every error: bridgev2's {"errcode", "error"}, and the
// login's current step where the error concerns one.
type ErrorResponse struct {
	ErrCode string        `json:"errcode"`
	Error   string        `json:"error"`
	Step    *StepResponse `json:"step,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string, step *StepResponse) {
	writeJSON(w, status, ErrorResponse{ErrCode: code, Error: msg, Step: step})
}

func (h *Handler) internal(w http.ResponseWriter, err error) {
	h.log.Error("web: internal error", "err", err)
	writeError(w, http.StatusInternalServerError, "M_UNKNOWN", "internal error", nil)
}

func stepResponse(flow string, s machine.Snapshot) *StepResponse {
	return &StepResponse{LoginID: s.ID, Step: loginstep.Of(flow, s)}
}

// closed reports whether the login ended without an account (cancelled, expired, failed,
// logged out).
func closed(s machine.Snapshot) bool { return s.Prompt.Kind == machine.ShowClosed }

// answer writes what Engine.Send returned: the next step, or the error it maps to. A
// refused input answers its step with the refusal's problem; a flood wait answers 429. A
// login that ended without an account answers 410, unless ending it was the point
// (cancel, logout).
func (h *Handler) answer(w http.ResponseWriter, flow string, snap machine.Snapshot, err error, ending bool) {
	var (
		refused  *machine.RefusedError
		flood    *machine.FloodWaitError
		input    *machine.InputError
		notAllow *machine.NotAllowedError
		unavail  *machine.UnavailableError
		busy     *machine.BusyError
		wrongTG  *machine.WrongTelegramError
	)
	if errors.Is(err, machine.ErrNotFound) {
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such login", nil)
		return
	}
	switch {
	case err == nil:
	case errors.As(err, &refused):
		snap.Prompt.Problem = refused.Problem
		if p := refused.Problem; p != nil && p.Code == machine.ProblemFloodWait {
			retryAfter(w, time.Until(p.RetryAt))
			writeError(w, http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", p.Text(), stepResponse(flow, snap))
			return
		}
	case errors.As(err, &flood):
		snap.Prompt.Problem = &machine.Problem{Code: machine.ProblemFloodWait, RetryAt: flood.Until}
		retryAfter(w, time.Until(flood.Until))
		writeError(w, http.StatusTooManyRequests, "M_LIMIT_EXCEEDED", err.Error(), stepResponse(flow, snap))
		return
	case errors.As(err, &input):
		snap.Prompt.Problem = nil
		writeError(w, http.StatusBadRequest, "M_INVALID_PARAM", err.Error(), stepResponse(flow, snap))
		return
	case errors.As(err, &notAllow):
		snap.Prompt.Problem = nil
		if closed(snap) {
			writeError(w, http.StatusGone, "TGAUTH_LOGIN_CLOSED", snap.Prompt.Message, stepResponse(flow, snap))
			return
		}
		writeError(w, http.StatusConflict, "TGAUTH_BAD_STATE", err.Error(), stepResponse(flow, snap))
		return
	case errors.As(err, &unavail):
		snap.Prompt.Problem = nil
		if !unavail.Until.IsZero() {
			retryAfter(w, time.Until(unavail.Until))
		}
		writeError(w, http.StatusConflict, "TGAUTH_NOT_AVAILABLE", err.Error(), stepResponse(flow, snap))
		return
	case errors.As(err, &busy):
		retryAfter(w, time.Until(busy.Until))
		writeError(w, http.StatusConflict, "TGAUTH_BUSY", err.Error(), stepResponse(flow, snap))
		return
	case errors.Is(err, machine.ErrConflict):
		writeError(w, http.StatusConflict, "TGAUTH_CONFLICT", err.Error(), stepResponse(flow, snap))
		return
	case errors.As(err, &wrongTG):
		writeError(w, http.StatusConflict, "TGAUTH_WRONG_TELEGRAM", err.Error(), nil)
		return
	default:
		h.internal(w, err)
		return
	}
	if closed(snap) && !ending {
		writeError(w, http.StatusGone, "TGAUTH_LOGIN_CLOSED", snap.Prompt.Message, stepResponse(flow, snap))
		return
	}
	writeJSON(w, http.StatusOK, stepResponse(flow, snap))
}
