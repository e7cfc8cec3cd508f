package terminal

import (
	"io"
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
		if err != nil || got != tc.want {
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
