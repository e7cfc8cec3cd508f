package terminal

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/tgauth/tgauth/machine"
)

// typeLine types text into the model and presses Enter.
func typeLine(m *model, text string) tea.Cmd {
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text)})
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	return cmd
}

// The model of the terminal program, driven by messages as Bubble Tea would: a code of
// the wrong shape is refused on the spot; a sent one is printed above the view with the
// refusal it gets, once; Ctrl-C during the call waits for the answer.
func TestModel(t *testing.T) {
	snap := machine.Snapshot{ID: "x", Version: 3, State: "CodeSent", Prompt: machine.Prompt{
		Kind: machine.AskCode, Message: "Enter the 5-digit code sent in your Telegram app.",
		Accepts: []machine.Event{"cancel", "resend_code", "submit_code"},
		Code:    &machine.CodePrompt{Type: "app", Length: 5, NextType: "sms", ResendAt: time.Now().Add(time.Hour)},
	}}
	m := newModel(context.Background(), nil, snap, nil, lipgloss.NewRenderer(io.Discard))
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	view := m.View()
	for _, want := range []string{"Enter the 5-digit code", "Code: ", "Type 'resend' to get it by SMS in "} {
		if strings.Count(view, want) != 1 {
			t.Errorf("view lacks %q once:\n%s", want, view)
		}
	}

	typeLine(m, "1234")
	if m.busy || !strings.Contains(strings.Join(m.log, "\n"), "the code has 5 digits, not 4") {
		t.Fatalf("a short code: busy %v, printed %q", m.busy, m.log)
	}
	m.Update(printedMsg{})

	if cmd := typeLine(m, "22222"); cmd == nil || !m.busy {
		t.Fatal("the code was not sent")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if m.done || !strings.Contains(m.View(), "stopping once Telegram answers") {
		t.Fatalf("Ctrl-C during the call ended the program before the answer:\n%s", m.View())
	}

	refused := snap
	refused.Version = 5
	problem := &machine.Problem{Code: machine.ProblemCodeInvalid, Attempt: 1, MaxAttempts: 5}
	refused.Prompt.Problem = problem
	m.Update(sentMsg{snap: refused, err: &machine.RefusedError{Problem: problem}})
	if n := strings.Count(strings.Join(m.log, "\n"), problem.Text()); n != 1 {
		t.Errorf("the refusal printed %d times; want once: %q", n, m.log)
	}
	if m.busy || !m.done || m.View() != "" || m.snap.Version != 5 || m.err != context.Canceled {
		t.Errorf("after the answer: busy %v, done %v, version %d, err %v", m.busy, m.done, m.snap.Version, m.err)
	}
}

// Sign-up asks its questions in turn, keeping the answers on screen until the input is sent.
func TestModelSignUp(t *testing.T) {
	snap := machine.Snapshot{ID: "x", State: "SignUpRequired", Prompt: machine.Prompt{
		Kind: machine.AskSignUp, Message: "This number has no Telegram account.",
		Accepts: []machine.Event{"cancel", "submit_signup"}, Terms: &machine.TermsOfService{Text: "Be nice."},
	}}
	m := newModel(context.Background(), nil, snap, nil, lipgloss.NewRenderer(io.Discard))
	m.Init()
	typeLine(m, "Mary Ann")
	typeLine(m, "")
	if v := m.View(); !strings.Contains(v, "First name: Mary Ann\nLast name (optional): \nAccept the terms of service? [y/N]: ") ||
		!strings.Contains(v, "Be nice.") {
		t.Fatalf("view:\n%s", v)
	}
	if typeLine(m, "y"); !m.busy {
		t.Fatal("not sent after y")
	}
}
