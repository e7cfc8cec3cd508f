package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/transitions"
)

// accountTasks are the inputs POST /api/v1/account/{login_id}/{task} takes: the account
// chart's events, named as the engine names them.
var accountTasks = []machine.Event{
	transitions.SetPassword, transitions.RemovePassword, transitions.SubmitPasswordEmailCode,
	transitions.ResendPasswordEmail, transitions.CancelPasswordEmail, transitions.ListSessions,
	transitions.TerminateSession, transitions.TerminateOtherSessions, transitions.ConfirmSession,
	transitions.InvalidateCodes,
}

// account runs one account task on an authorized login: POST
// /api/v1/account/{login_id}/{task}, the body the task's fields as a JSON object
// (set_password: current_password, new_password, hint, email; remove_password:
// current_password; submit_password_email_code: code; terminate_session and
// confirm_session: hash; invalidate_codes: codes, comma-separated). It answers as a
// step's user_input does: the login's step, whose prompt.account holds the sessions
// listed and the recovery e-mail waiting for its code; a refusal is 200 with
// prompt.problem, a flood wait 429, a login not Authorized 409, one that ended (its
// session terminated elsewhere) 410. API only: a capability link reaches no account task.
func (h *Handler) account(w http.ResponseWriter, r *http.Request, id string) {
	if !h.allow(w, h.perLogin, id) {
		return
	}
	task := machine.Event(r.PathValue("task"))
	if !slices.Contains(accountTasks, task) {
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", fmt.Sprintf("no account task %q; want one of %v", task, accountTasks), nil)
		return
	}
	values, err := decodeInput(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "M_NOT_JSON", err.Error(), nil)
		return
	}
	in, err := machine.ParseInput(task, values)
	if err != nil {
		writeError(w, http.StatusBadRequest, "M_INVALID_PARAM", err.Error(), nil)
		return
	}
	snap, err := h.engine.Send(r.Context(), id, in)
	h.answer(w, "", snap, err, false)
}
