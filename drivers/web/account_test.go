package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/machine"
)

// TestAccountTasks: an authorized login's account tasks through POST
// /api/v1/account/{login_id}/{task}, against testdc: a password with a recovery e-mail
// (its step takes the e-mail's code and resends it), the sessions list, the 24-hour rule
// as a problem of the answer, a bad task, a bad value, a task of a login that is not
// authorized, and no password in any answer.
func TestAccountTasks(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996621235"}, loginstep.StepIDCode)
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDComplete)
	task := func(name string, body any, status int) reply {
		t.Helper()
		r := s.do("POST", "/api/v1/account/"+st.LoginID+"/"+name, body)
		if r.status != status {
			t.Fatalf("%s: status %d (%+v), want %d", name, r.status, r.err, status)
		}
		return r
	}

	r := task("set_password", map[string]any{"new_password": "Nautilus-1", "hint": "ship", "email": "ann@example.org"}, http.StatusOK)
	es := r.step
	if es.State != "PasswordEmailCodeSent" || es.StepID != loginstep.StepIDPasswordEmailCode ||
		es.UserInput.Fields[0].Pattern != "^[0-9]{6}$" || es.Prompt.Account.PasswordEmail != "ann@example.org" {
		t.Fatalf("after set_password: %+v", es)
	}
	// The e-mail's step is a step like the login's: its code field, its resend action.
	es = s.input(es, map[string]any{"action": "resend"}, http.StatusOK, loginstep.StepIDPasswordEmailCode)
	es = s.input(es, map[string]any{"code": "111111"}, http.StatusOK, loginstep.StepIDPasswordEmailCode)
	if p := es.Prompt.Problem; p == nil || p.Code != machine.ProblemCodeInvalid {
		t.Fatalf("wrong e-mail code: problem %+v", p)
	}
	s.input(es, map[string]any{"code": "222222"}, http.StatusOK, loginstep.StepIDComplete)

	r = task("set_password", map[string]any{"current_password": "wrong-1", "new_password": "Cobol-2"}, http.StatusOK)
	if p := r.step.Prompt.Problem; p == nil || p.Code != machine.ProblemPasswordInvalid {
		t.Fatalf("wrong current password: problem %+v", p)
	}
	task("set_password", map[string]any{"current_password": "Nautilus-1", "new_password": "Cobol-2"}, http.StatusOK)

	view := task("list_sessions", nil, http.StatusOK).step
	if a := view.Prompt.Account; a == nil || len(a.Sessions) != 1 || !a.Sessions[0].Current {
		t.Fatalf("sessions %+v", view.Prompt.Account)
	}
	view = task("terminate_other_sessions", nil, http.StatusOK).step
	if p := view.Prompt.Problem; p == nil || p.Code != machine.ProblemTooFresh || p.RetryAt.IsZero() {
		t.Fatalf("terminate others from a fresh session: problem %+v", p)
	}
	task("terminate_session", map[string]any{"hash": "abc"}, http.StatusBadRequest)
	task("make_coffee", nil, http.StatusNotFound)

	other := s.start("phone", nil, loginstep.StepIDPhone)
	if r := s.do("POST", "/api/v1/account/"+other.LoginID+"/list_sessions", nil); r.status != http.StatusConflict {
		t.Fatalf("account task of a login in New: %d", r.status)
	}
	got := fmt.Sprintf("%+v", s.do("GET", "/api/v1/login/"+st.LoginID, nil))
	for _, secret := range []string{"Nautilus-1", "Cobol-2", "wrong-1"} {
		if strings.Contains(got, secret) {
			t.Fatalf("%s in the login's view", secret)
		}
	}
}
