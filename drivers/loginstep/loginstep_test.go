package loginstep_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// TestOf: every prompt kind renders to its step, with the fields the step takes.
func TestOf(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		flow   string
		prompt machine.Prompt
		typ    loginstep.StepType
		id     string
		fields string
	}{
		{"", machine.Prompt{Kind: machine.AskStart}, loginstep.StepUserInput, loginstep.StepIDPhone, "phone"},
		{loginstep.FlowBot, machine.Prompt{Kind: machine.AskStart}, loginstep.StepUserInput, loginstep.StepIDBotToken, "token"},
		{"", machine.Prompt{Kind: machine.AskCode, Code: &machine.CodePrompt{Length: 5}}, loginstep.StepUserInput, loginstep.StepIDCode, "code"},
		{"", machine.Prompt{Kind: machine.AskNewCode}, loginstep.StepUserInput, loginstep.StepIDCodeExpired, ""},
		{"", machine.Prompt{Kind: machine.AskSignUp}, loginstep.StepUserInput, loginstep.StepIDSignUp, "first_name last_name accept_tos"},
		{"", machine.Prompt{Kind: machine.AskPassword, Password: &machine.PasswordPrompt{Hint: "h"}}, loginstep.StepUserInput, loginstep.StepIDPassword, "password"},
		{"", machine.Prompt{Kind: machine.AskRecoveryCode}, loginstep.StepUserInput, loginstep.StepIDRecoveryCode, "code"},
		{"", machine.Prompt{Kind: machine.AskEmail}, loginstep.StepUserInput, loginstep.StepIDEmail, "email"},
		{"", machine.Prompt{Kind: machine.AskEmailCode}, loginstep.StepUserInput, loginstep.StepIDEmailCode, "code"},
		{"", machine.Prompt{Kind: machine.ShowQR, QR: &machine.QRPrompt{URL: "tg://login?token=AA==", Expires: at}}, loginstep.StepDisplayAndWait, loginstep.StepIDQR, ""},
		{"", machine.Prompt{Kind: machine.Wait}, loginstep.StepDisplayAndWait, loginstep.StepIDWait, ""},
		{"", machine.Prompt{Kind: machine.ShowDone, User: &machine.User{ID: 42}}, loginstep.StepComplete, loginstep.StepIDComplete, ""},
		{"", machine.Prompt{Kind: machine.ShowClosed}, loginstep.StepClosed, loginstep.StepIDClosed, ""},
		{"", machine.Prompt{Kind: machine.AskPasswordEmailCode, Account: &machine.AccountPrompt{CodeLength: 6}}, loginstep.StepUserInput, loginstep.StepIDPasswordEmailCode, "code"},
	} {
		st := loginstep.Of(tc.flow, machine.Snapshot{ID: "l", Version: 7, Prompt: tc.prompt})
		var fields []string
		if st.UserInput != nil {
			for _, f := range st.UserInput.Fields {
				fields = append(fields, f.ID)
			}
		}
		if st.Type != tc.typ || st.StepID != tc.id || strings.Join(fields, " ") != tc.fields || st.TxnID != "7" {
			t.Errorf("%s: got %s %s [%s] txn %s, want %s %s [%s]", tc.prompt.Kind, st.Type, st.StepID,
				strings.Join(fields, " "), st.TxnID, tc.typ, tc.id, tc.fields)
		}
	}
	qr := loginstep.Of("", machine.Snapshot{Prompt: machine.Prompt{Kind: machine.ShowQR, QR: &machine.QRPrompt{URL: "tg://login?token=AA==", Expires: at}}})
	if qr.DisplayAndWait.Type != "qr" || qr.DisplayAndWait.Data != "tg://login?token=AA==" || qr.DisplayAndWait.Expires != "2026-11-30T12:00:00Z" {
		t.Errorf("qr %+v", qr.DisplayAndWait)
	}
	done := loginstep.Of("", machine.Snapshot{Prompt: machine.Prompt{Kind: machine.ShowDone, User: &machine.User{ID: 42}}})
	if done.Complete.UserLoginID != "42" {
		t.Errorf("complete %+v", done.Complete)
	}
}

// TestInputFor: fields and actions map to the engine's inputs; what a step does not take
// is an *InputError.
func TestInputFor(t *testing.T) {
	for _, tc := range []struct {
		step   string
		values map[string]string
		want   machine.Input
	}{
		{loginstep.StepIDPhone, map[string]string{"phone": "+9996621234"}, machine.SubmitPhone{Phone: "+9996621234"}},
		{loginstep.StepIDPhone, map[string]string{"action": "qr"}, machine.StartQR{}},
		{loginstep.StepIDCode, map[string]string{"action": "resend"}, machine.Resend{}},
		{loginstep.StepIDPassword, map[string]string{"action": "recover"}, machine.RequestRecovery{}},
		{loginstep.StepIDPasswordEmailCode, map[string]string{"code": "222222"}, machine.SubmitPasswordEmailCode{Code: "222222"}},
		{loginstep.StepIDPasswordEmailCode, map[string]string{"action": "resend"}, machine.ResendPasswordEmail{}},
		{loginstep.StepIDPasswordEmailCode, map[string]string{"action": "cancel"}, machine.CancelPasswordEmail{}},
		{loginstep.StepIDEmail, map[string]string{"action": "cancel"}, machine.Cancel{}},
		{loginstep.StepIDSignUp, map[string]string{"first_name": "Ada", "accept_tos": "true"}, machine.SubmitSignUp{FirstName: "Ada", AcceptTerms: true}},
		{loginstep.StepIDEmailCode, map[string]string{"code": "222222"}, machine.SubmitEmailCode{Code: "222222"}},
	} {
		got, err := loginstep.InputFor(tc.step, tc.values)
		if err != nil || got != tc.want {
			t.Errorf("%s %v: got %#v, %v; want %#v", tc.step, tc.values, got, err, tc.want)
		}
	}
	var bad *machine.InputError
	for _, tc := range []struct {
		step   string
		values map[string]string
	}{
		{loginstep.StepIDCode, map[string]string{}},
		{loginstep.StepIDCode, map[string]string{"action": "recover"}},
		{loginstep.StepIDQR, map[string]string{"code": "1"}},
		{loginstep.StepIDSignUp, map[string]string{"last_name": "L"}},
	} {
		if _, err := loginstep.InputFor(tc.step, tc.values); !errors.As(err, &bad) {
			t.Errorf("%s %v: error %v, want an *InputError", tc.step, tc.values, err)
		}
	}
}
