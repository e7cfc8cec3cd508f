package transitions_test

import (
	"testing"

	"github.com/tgauth/tgauth/states"
	tr "github.com/tgauth/tgauth/transitions"
)

// Every event the rules can fire must be a row of the table from that state: a rule that
// names an exit the state lacks would strand a login in flight.
func TestRulesNameExitsOfTheirState(t *testing.T) {
	for _, st := range states.All {
		r, ok := tr.RulesOf(st.Name)
		if ok != (st.Kind == states.InFlight) {
			t.Errorf("%s (%s): has rules = %v", st.Name, st.Kind, ok)
			continue
		}
		if !ok {
			continue
		}
		events := []tr.Event{r.Recovery.Otherwise, tr.FloodWait, tr.Interrupted}
		if r.Recovery.CheckAuthorized {
			events = append(events, r.Recovery.IfAuthorized)
		}
		for errType, ev := range r.Errors {
			if ev == "" {
				t.Errorf("%s: error %s maps to no event", st.Name, errType)
			}
			events = append(events, ev)
		}
		for _, ev := range events {
			if st.Name == states.CancellingCode && ev == tr.FloodWait {
				continue // cancelling is done whatever Telegram answers
			}
			if _, ok := tr.Lookup(st.Name, ev); !ok {
				t.Errorf("%s: a rule fires %s, which the table does not accept there", st.Name, ev)
			}
		}
	}
}

func TestErrorEvent(t *testing.T) {
	for _, c := range []struct {
		from    states.State
		code    int
		errType string
		want    tr.Event
	}{
		{states.CheckingCode, 400, "PHONE_CODE_INVALID", tr.CodeInvalid},
		{states.CheckingCode, 400, "PHONE_CODE_EXPIRED", tr.CodeExpiredEv},
		{states.CheckingCode, 401, "SESSION_PASSWORD_NEEDED", tr.PasswordNeeded},
		{states.CheckingCode, 420, "FLOOD_WAIT", tr.FloodWait},
		{states.SendingCode, 420, "FLOOD_PREMIUM_WAIT", tr.FloodWait},
		{states.SendingCode, 400, "PHONE_NUMBER_BANNED", tr.Fatal},
		{states.SendingCode, 400, "PHONE_NUMBER_INVALID", tr.Rejected},
		{states.SendingCode, 500, "INTERNAL", tr.Interrupted},
		{states.CheckingCode, 400, "SOMETHING_NEW", tr.Interrupted}, // no rejected exit there
		{states.CheckingPassword, 400, "PASSWORD_HASH_INVALID", tr.PasswordInvalid},
		{states.CheckingPassword, 400, "PHONE_CODE_INVALID", tr.Interrupted}, // another state's rule
		{states.CheckingRecovery, 400, "PASSWORD_RECOVERY_EXPIRED", tr.CodeExpiredEv},
		// Paid sign-in and the login e-mail reset.
		{states.CheckingPaidAuth, 420, "FLOOD_WAIT", tr.PaymentPending}, // not paid yet, no refusal
		{states.CheckingPaidAuth, 420, "FLOOD_PREMIUM_WAIT", tr.FloodWait},
		{states.SendingCode, 400, "PHONE_NUMBER_APP_SIGNUP_FORBIDDEN", tr.Fatal},
		{states.ResettingEmail, 400, "TASK_ALREADY_EXISTS", tr.Rejected},
		{states.ResettingEmail, 400, "PHONE_CODE_EXPIRED", tr.CodeExpiredEv},
	} {
		if got := tr.ErrorEvent(c.from, c.code, c.errType); got != c.want {
			t.Errorf("ErrorEvent(%s, %d %s) = %s, want %s", c.from, c.code, c.errType, got, c.want)
		}
	}
}
