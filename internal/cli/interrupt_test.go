package cli

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/internal/syncbuf"
)

// start prints the login's ID before its first Telegram call: here while auth.sendCode is
// held by the test DC.
func TestStartPrintsLoginIDBeforeItsCall(t *testing.T) {
	t.Parallel()
	dc, telegram := startTestDC(t)
	store, _ := sqliteStore(t)
	release := dc.Hold("auth.sendCode")
	defer release()
	var out syncbuf.Buffer
	done := make(chan result, 1)
	go func() {
		done <- runIn(context.Background(), strings.NewReader(""), &out, "start", "--phone", "+9996621234", telegram, store)
	}()
	waitFor(t, "auth.sendCode arrives", func() bool { return dc.Calls("auth.sendCode") == 1 })
	if !loginLine.MatchString(out.String()) {
		t.Fatalf("auth.sendCode is in flight, but start printed no 'login: ID' yet: %q", out.String())
	}
	release()
	r := <-done
	if r.code != 0 || !strings.HasPrefix(r.stdout, "login: ") || strings.Count(r.stdout, "login: ") != 1 ||
		!strings.Contains(r.stdout, "\nstate: CodeSent\n") {
		t.Fatalf("start: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A step command interrupted during its call waits for Telegram's answer, keeps it, and
// exits 130 saying so: the login is where the answer put it.
func TestInterruptedStepKeepsTelegramsAnswer(t *testing.T) {
	t.Parallel()
	dc, telegram := startTestDC(t)
	store, _ := sqliteStore(t)
	r := tgauth("start", "--phone", "+9996621234", telegram, store)
	id := loginID(t, r.stdout)

	release := dc.Hold("auth.signIn")
	defer release()
	ctx, interrupt := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- runIn(ctx, strings.NewReader(""), nil, "code", id, "22222", telegram, store) }()
	waitFor(t, "auth.signIn arrives", func() bool { return dc.Calls("auth.signIn") == 1 })
	interrupt()
	release()
	r = <-done
	if r.code != 130 || !strings.Contains(r.stderr, "interrupted; the Telegram call was finished and its answer kept") ||
		!strings.Contains(r.stdout, "state: Authorized\n") {
		t.Fatalf("interrupted code: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantState(t, id, "Authorized", telegram, store)
}

// Ctrl-C in 'tgauth login' while the code is being sent: the call finishes, then the code
// is cancelled with auth.cancelCode, and the command exits 130.
func TestInterruptedLoginCancelsTheCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		typed string
	}{
		{name: "phone flag", args: []string{"--phone", "+9996621234"}},
		{name: "phone typed", typed: "+9996621234\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dc, telegram := startTestDC(t)
			store, _ := sqliteStore(t)
			release := dc.Hold("auth.sendCode")
			defer release()
			stdin, typing := io.Pipe()
			defer typing.Close()
			ctx, interrupt := context.WithCancel(context.Background())
			var out syncbuf.Buffer
			done := make(chan result, 1)
			go func() {
				done <- runIn(ctx, stdin, &out, append([]string{"login", telegram, store}, tc.args...)...)
			}()
			if tc.typed != "" {
				waitFor(t, "the phone is asked for", func() bool { return strings.Contains(out.String(), "Phone number") })
				_, _ = io.WriteString(typing, tc.typed)
			}
			waitFor(t, "auth.sendCode arrives", func() bool { return dc.Calls("auth.sendCode") == 1 })
			interrupt()
			release()
			r := <-done
			if r.code != 130 || !strings.Contains(r.stderr, "interrupted") || dc.Calls("auth.cancelCode") != 1 {
				t.Fatalf("interrupted login: exit %d, %d auth.cancelCode\n%s%s", r.code, dc.Calls("auth.cancelCode"), r.stdout, r.stderr)
			}
			wantState(t, loginID(t, r.stdout), "Cancelled", telegram, store)
		})
	}
}
