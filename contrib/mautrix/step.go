package mautrix

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"maunium.net/go/mautrix/bridgev2"
	"maunium.net/go/mautrix/bridgev2/networkid"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// ActionField is the ID of the select field a step without fields of its own gets for its
// actions (the expired-code step: "resend"). bridgev2 has no actions, and its login
// command cannot ask for a step without fields.
const ActionField = "action"

// ErrCodeClosed is the bridgev2 error code of a login that ended without an account
// (cancelled, expired, failed): bridgev2 has no step for it.
const ErrCodeClosed = "TGAUTH.LOGIN_CLOSED"

// Flows are tgauth's login flows (loginstep.Flows) as bridgev2 LoginFlows: what a
// connector's GetLoginFlows returns.
func Flows() []bridgev2.LoginFlow {
	out := make([]bridgev2.LoginFlow, len(loginstep.Flows))
	for i, f := range loginstep.Flows {
		out[i] = bridgev2.LoginFlow{ID: f.ID, Name: f.Name, Description: f.Description}
	}
	return out
}

// convert turns the step loginstep.Of rendered into bridgev2's LoginStep. It only
// converts: the mapping from a prompt to a step is loginstep's. bridgev2 has no actions,
// so a step's actions (but cancel, which bridgev2 has) become values its first field also
// accepts, or a select field of their own when the step has no field (see package doc).
// A closed step is an error: bridgev2 has no step for a login that is over.
func convert(st loginstep.Step) (*bridgev2.LoginStep, error) {
	out := &bridgev2.LoginStep{StepID: st.StepID, TxnID: st.TxnID, Instructions: st.Instructions}
	if st.ProblemText != "" {
		out.Instructions = st.ProblemText + " " + st.Instructions
	}
	if st.Prompt != nil && st.Prompt.Terms != nil {
		// bridgev2 shows no more than the instructions: the terms to accept go there.
		out.Instructions += "\n\nTelegram's terms of service:\n" + st.Prompt.Terms.Text
	}
	switch st.Type {
	case loginstep.StepUserInput:
		out.Type = bridgev2.LoginStepTypeUserInput
		out.UserInputParams = &bridgev2.LoginUserInputParams{Fields: fields(st), CanCancel: canGoBack(st)}
	case loginstep.StepDisplayAndWait:
		out.Type = bridgev2.LoginStepTypeDisplayAndWait
		out.DisplayAndWaitParams = &bridgev2.LoginDisplayAndWaitParams{Type: bridgev2.LoginDisplayType(st.DisplayAndWait.Type),
			Data: st.DisplayAndWait.Data}
	case loginstep.StepComplete:
		out.Type = bridgev2.LoginStepTypeComplete
		out.CompleteParams = &bridgev2.LoginCompleteParams{UserLoginID: networkid.UserLoginID(st.Complete.UserLoginID)}
	default:
		return nil, bridgev2.RespError{ErrCode: ErrCodeClosed, Err: st.Instructions, StatusCode: http.StatusGone}
	}
	return out, nil
}

// fields converts the step's fields; the first one also takes the step's actions.
func fields(st loginstep.Step) []bridgev2.LoginInputDataField {
	actions := bridgeActions(st)
	if len(st.UserInput.Fields) == 0 {
		if len(actions) == 0 {
			return []bridgev2.LoginInputDataField{}
		}
		return []bridgev2.LoginInputDataField{{Type: bridgev2.LoginInputFieldTypeSelect, ID: ActionField, Name: "Next step",
			Description: describe(st, actions), Options: actions, Pattern: "^(?:" + strings.Join(actions, "|") + ")$"}}
	}
	out := make([]bridgev2.LoginInputDataField, len(st.UserInput.Fields))
	for i, f := range st.UserInput.Fields {
		out[i] = bridgev2.LoginInputDataField{Type: bridgev2.LoginInputFieldType(f.Type), ID: f.ID, Name: f.Name,
			Description: f.Description, Pattern: f.Pattern, Options: f.Options}
		if f.ID == "last_name" {
			out[i].Optional = true
		}
	}
	if len(actions) > 0 {
		first := &out[0]
		first.Description = strings.TrimSpace(stop(first.Description) + " " + describe(st, actions))
		if first.Pattern != "" {
			first.Pattern += "|^(?:" + strings.Join(actions, "|") + ")$"
		}
		first.Validate = acceptActions(*first, actions)
	}
	return out
}

// stop ends a sentence with a full stop, if it has none.
func stop(s string) string {
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// bridgeActions are the step's actions that bridgev2 does not have already.
func bridgeActions(st loginstep.Step) []string {
	var out []string
	for _, a := range st.UserInput.Actions {
		if a != loginstep.ActionCancel {
			out = append(out, a)
		}
	}
	return out
}

// acceptActions validates f as bridgev2 does for its type, but lets an action through.
func acceptActions(f bridgev2.LoginInputDataField, actions []string) func(string) (string, error) {
	f.FillDefaultValidate()
	return func(v string) (string, error) {
		for _, a := range actions {
			if strings.TrimSpace(v) == a {
				return a, nil
			}
		}
		return f.Validate(v)
	}
}

// describe says in words how to take each action, for the chat user who types it.
func describe(st loginstep.Step, actions []string) string {
	var parts []string
	for _, a := range actions {
		switch a {
		case loginstep.ActionResend:
			parts = append(parts, "Enter `resend` to have the code sent again"+resendWhen(st.Prompt)+".")
		case loginstep.ActionRecover:
			parts = append(parts, "Forgot it? Enter `recover` to get a recovery code by e-mail.")
		case loginstep.ActionQR:
			parts = append(parts, "Or enter `qr` to log in with a QR code instead.")
		default:
			parts = append(parts, fmt.Sprintf("Or enter `%s`.", a))
		}
	}
	return strings.Join(parts, " ")
}

// resendWhen says how and when a new code can come, when Telegram said.
func resendWhen(p *machine.Prompt) string {
	if p == nil || p.Code == nil {
		return ""
	}
	s := ""
	if p.Code.NextType != "" {
		s = " " + machine.CodeVia(p.Code.NextType)
	}
	if !p.Code.ResendAt.IsZero() {
		s += " (from " + p.Code.ResendAt.UTC().Format(time.TimeOnly) + " UTC)"
	}
	return s
}

// canGoBack says whether CancelStep can take the user back from the step: every step
// after the first, where going back means starting the login over (see Process.CancelStep).
func canGoBack(st loginstep.Step) bool {
	return st.Prompt != nil && st.Prompt.Kind != machine.AskStart
}

// actionValue turns a value of a step's first field that names one of its actions (but
// cancel) into the action, as loginstep.InputFor takes it.
func actionValue(st loginstep.Step, values map[string]string) map[string]string {
	if st.UserInput == nil || len(st.UserInput.Fields) == 0 || values["action"] != "" {
		return values
	}
	v := strings.TrimSpace(values[st.UserInput.Fields[0].ID])
	for _, a := range bridgeActions(st) {
		if v == a {
			return map[string]string{"action": a}
		}
	}
	return values
}
