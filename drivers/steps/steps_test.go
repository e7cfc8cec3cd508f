package steps

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/tgapi"
)

// The problem a result shows is the refused input's own, never one an earlier input left.
func TestSentShowsTheRefusalsProblem(t *testing.T) {
	stale := &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 1, MaxAttempts: 5}
	wrong := &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 2, MaxAttempts: 5,
		Telegram: &tgapi.Error{Code: 400, Type: "PHONE_CODE_INVALID"}}
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		err   error
		want  *machine.Problem
		error string
	}{
		{name: "taken", err: nil, want: stale},
		{name: "refused by Telegram", err: &machine.RefusedError{Outcome: "code_invalid", Problem: wrong}, want: wrong,
			error: "Wrong code (PHONE_CODE_INVALID), attempt 2 of 5; enter it again."},
		{name: "flood wait running", err: &machine.FloodWaitError{Until: until},
			want:  &machine.Problem{Code: machine.ProblemFloodWait, RetryAt: until},
			error: "Telegram asked to wait: try again after 2030-01-02T03:04:05Z"},
		{name: "busy", err: fmt.Errorf("login x: %w", &machine.BusyError{ID: "x", State: "CheckingCode", Until: until}),
			error: "login x: login x is busy: a Telegram call (auth.signIn) is in flight; try again after 2030-01-02T03:04:05Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := machine.Snapshot{ID: "x", State: "CodeSent", Prompt: machine.Prompt{Kind: machine.AskCode, Problem: stale}}
			r := Sent(snap, tc.err)
			if got, want := fmt.Sprint(r.Prompt.Problem), fmt.Sprint(tc.want); got != want || r.Error != tc.error {
				t.Fatalf("Sent: problem %s, error %q; want %s, %q", got, r.Error, want, tc.error)
			}
			b, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				ID     string         `json:"id"`
				Prompt machine.Prompt `json:"prompt"`
				Error  string         `json:"error"`
			}
			if err := json.Unmarshal(b, &back); err != nil || back.ID != "x" || back.Error != tc.error ||
				fmt.Sprint(back.Prompt.Problem) != fmt.Sprint(tc.want) {
				t.Fatalf("JSON %s does not carry the result (%v)", b, err)
			}
		})
	}
}

func TestText(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r := Sent(machine.Snapshot{ID: "x", State: "CodeSent", DC: 2, Prompt: machine.Prompt{
		Kind: machine.AskCode, Message: "Enter the code.", Accepts: []machine.Event{"cancel", "submit_code"},
		Code:     &machine.CodePrompt{Phone: "+9996621234", Type: "app", Length: 5},
		Attempts: 1, MaxAttempts: 5,
		RetryAt: now.Add(-time.Second), RetryInput: "submit_code",
	}}, &machine.RefusedError{Problem: &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 1, MaxAttempts: 5}})
	want := strings.Join([]string{
		"login: x",
		"state: CodeSent",
		"dc: 2",
		"prompt: Enter the code.",
		"code: app, 5 digits, sent to +9996621234",
		"problem: Wrong code, attempt 1 of 5; enter it again.",
		"attempts: 1 of 5",
		"accepts: cancel, submit_code",
	}, "\n") + "\n"
	if got := r.Text(now); got != want {
		t.Fatalf("Text:\n%s\nwant:\n%s", got, want)
	}
	if got := r.Body(now); got != strings.TrimPrefix(want, Heading("x")) {
		t.Fatalf("Body is not Text without the Heading:\n%s", got)
	}
}

// The login paths' facts, a line each: a word code's beginning, an e-mail code's reset,
// a paid sign-in's price, link and support address.
func TestTextLoginPaths(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	word := Sent(machine.Snapshot{ID: "w", State: "CodeSent", Prompt: machine.Prompt{Kind: machine.AskCode,
		Code: &machine.CodePrompt{Phone: "+9996620013", Type: tgapi.CodeSMSWord, Pattern: "b"}}}, nil).Body(now)
	email := Sent(machine.Snapshot{ID: "e", State: "CodeSent", Prompt: machine.Prompt{Kind: machine.AskCode,
		Code: &machine.CodePrompt{Phone: "+9996620011", Type: tgapi.CodeEmail, Length: 5, EmailPattern: "g***@example.org",
			EmailReset: &machine.EmailReset{PendingAt: now.Add(time.Hour)}}}}, nil).Body(now)
	paid := Sent(machine.Snapshot{ID: "p", State: "PaymentRequired", Prompt: machine.Prompt{Kind: machine.AskPayment,
		Payment: &machine.PaymentPrompt{Price: "1.99 USD", PremiumDays: 7, URL: "https://pay.example.org/1",
			SupportEmail: "sms@example.org", SupportSubject: "Sign-in"}}}, nil).Body(now)
	for body, lines := range map[string][]string{
		word:  {"code: sms_word, sent to +9996620013", "pattern: b"},
		email: {"code: email, 5 digits, sent to +9996620011", "e-mail: g***@example.org", "e-mail reset: at 2030-01-01T01:00:00Z"},
		paid:  {"price: 1.99 USD for 7 days of Telegram Premium", "pay at: https://pay.example.org/1", `support: sms@example.org, subject "Sign-in"`},
	} {
		for _, l := range lines {
			if !strings.Contains(body, "\n"+l+"\n") {
				t.Errorf("no line %q in:\n%s", l, body)
			}
		}
	}
}
