package terminal

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"rsc.io/qr"

	"github.com/tgauth/tgauth/machine"
)

func TestParse(t *testing.T) {
	code := machine.Prompt{Kind: machine.AskCode, Accepts: []machine.Event{"cancel", "resend_code", "submit_code"},
		Code: &machine.CodePrompt{Type: "app", Length: 5}}
	start := machine.Prompt{Kind: machine.AskStart, Accepts: []machine.Event{"cancel", "start_qr", "submit_bot_token", "submit_phone"}}
	for _, tc := range []struct {
		p    machine.Prompt
		line string
		want machine.Input
	}{
		{code, " 12345 ", machine.SubmitCode{Code: "12345"}},
		{code, "12 345", machine.SubmitCode{Code: "12345"}},
		{code, "resend", machine.Resend{}},
		{code, "CANCEL", machine.Cancel{}},
		{start, "qr", machine.StartQR{}},
		{start, "123:ABCdef_ghij", machine.SubmitBotToken{Token: "123:ABCdef_ghij"}},
		{start, "+1 555 0100", machine.SubmitPhone{Phone: "+1 555 0100"}},
		{start, "", nil},
	} {
		got, err := parse(tc.p, tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parse(%s, %q) = %#v, %v; want %#v", tc.p.Kind, tc.line, got, err, tc.want)
		}
	}
	for _, bad := range []string{"1234", "123456", "abcde"} {
		if in, err := parse(code, bad); err == nil {
			t.Errorf("code %q taken as %#v", bad, in)
		}
	}
	if _, err := parse(machine.Prompt{Kind: machine.Wait}, "x"); err == nil {
		t.Error("typing while waiting: no error")
	}
}

// The words of the login paths: reset (the login e-mail), pay and check (a paid sign-in)
// where the prompt accepts them; resend while its timeout runs; a word or phrase code.
func TestParsePaths(t *testing.T) {
	email := machine.Prompt{Kind: machine.AskCode, Accepts: []machine.Event{"cancel", "reset_email", "submit_code"},
		Code: &machine.CodePrompt{Type: "email", Length: 5}}
	timed := machine.Prompt{Kind: machine.AskCode, Accepts: []machine.Event{"cancel", "submit_code"},
		Code: &machine.CodePrompt{Type: "app", Length: 5, NextType: "sms"}}
	noNext := machine.Prompt{Kind: machine.AskCode, Accepts: []machine.Event{"cancel", "submit_code"},
		Code: &machine.CodePrompt{Type: "app", Length: 5}}
	word := machine.Prompt{Kind: machine.AskCode, Accepts: []machine.Event{"cancel", "submit_code"},
		Code: &machine.CodePrompt{Type: "sms_phrase", Pattern: "bravo"}}
	pay := machine.Prompt{Kind: machine.AskPayment, Accepts: []machine.Event{"cancel", "check_paid", "pay"}}
	for _, tc := range []struct {
		p    machine.Prompt
		line string
		want machine.Input
	}{
		{email, "reset", machine.ResetEmail{}},
		{timed, "resend", machine.Resend{}},
		{word, " Bravo  delta echo", machine.SubmitCode{Code: "Bravo delta echo"}},
		{pay, "pay", machine.Pay{}},
		{pay, "Check", machine.CheckPaid{}},
	} {
		got, err := parse(tc.p, tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parse(%s, %q) = %#v, %v; want %#v", tc.p.Kind, tc.line, got, err, tc.want)
		}
	}
	for p, line := range map[*machine.Prompt]string{&noNext: "resend", &pay: "22222", &word: "delta echo"} {
		if in, err := parse(*p, line); err == nil {
			t.Errorf("parse(%s, %q) took %#v", p.Kind, line, in)
		}
	}
}

// The recovery form asks the code, a new password (hidden) and, only with one, a hint.
func TestRecoveryForm(t *testing.T) {
	p := machine.Prompt{Kind: machine.AskRecoveryCode, Accepts: []machine.Event{"cancel", "submit_recovery_code"}}
	f := &form{prompt: p}
	for _, a := range []string{"222222", " n3w pw "} {
		if in, err := f.answer(a); in != nil || err != nil {
			t.Fatalf("answer %q: %#v, %v; want the next question", a, in, err)
		}
	}
	if q, _ := f.question(); q.label != "Hint (optional): " {
		t.Fatalf("third question %q", q.label)
	}
	if qs := f.questions(); !qs[1].hidden || qs[0].hidden {
		t.Errorf("the new password must be typed hidden, the code not: %+v", qs)
	}
	in, err := f.answer(" first pet ")
	if want := (machine.SubmitRecoveryCode{Code: "222222", NewPassword: " n3w pw ", Hint: "first pet"}); err != nil || in != want {
		t.Fatalf("recovery with a new password: %#v, %v; want %#v", in, err, want)
	}
	f = &form{prompt: p}
	_, _ = f.answer("222222")
	if in, err := f.answer(""); err != nil || in != (machine.SubmitRecoveryCode{Code: "222222"}) {
		t.Fatalf("recovery without a new password: %#v, %v", in, err)
	}
}

// The QR code keeps the quiet zone of four light modules on every side, and is not drawn
// in a terminal too small for it.
func TestDrawQR(t *testing.T) {
	const url = "tg://login?token=dG9rZW4tdG9rZW4tdG9rZW4tdG9rZW4tdG9rZW4="
	code, _ := qr.Encode(url, qr.L)
	n := code.Size + 2*quietZone
	r := lipgloss.NewRenderer(io.Discard) // no colours: light modules are the foreground
	text := drawQR(url, n, n, r)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != (n+1)/2 {
		t.Fatalf("%d lines for %d modules:\n%s", len(lines), n, text)
	}
	light := strings.Repeat("█", n)
	zone := strings.Repeat("█", quietZone)
	if lines[0] != light || lines[1] != light { // module rows 0 to 3
		t.Errorf("the top quiet zone is not all light:\n%s", text)
	}
	for i, l := range lines {
		if len([]rune(l)) != n || !strings.HasPrefix(l, zone) || !strings.HasSuffix(l, zone) {
			t.Errorf("line %d lacks the side quiet zones: %q", i, l)
		}
	}
	if drawQR(url, n-1, n, r) != "" || drawQR(url, n, (n+1)/2-1, r) != "" {
		t.Error("drawn in a terminal too small for it")
	}
}
