package durability_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/states"
)

// loserReason is what a process whose input did not apply says on stderr: the login was
// busy (another process's call in flight) or changed under it (it lost the write race).
var loserReason = regexp.MustCompile(`is busy: a Telegram call \(auth\.signIn\) is in flight|was changed by another input at the same time`)

// TestConcurrentCodeProcessesOneApplies starts N `tgauth code ID 22222` processes at once on
// one login over one SQLite file, while the test DC holds auth.signIn so that they overlap:
// exactly one applies (Authorized, exit 0), every other exits 1 saying why, Telegram sees
// one auth.signIn, and the journal one CheckingCode.
func TestConcurrentCodeProcessesOneApplies(t *testing.T) {
	for i, n := range []int{2, 2, 2, 4} {
		t.Run(fmt.Sprintf("%d_processes/%d", n, i), func(t *testing.T) {
			t.Parallel()
			testConcurrentCodes(t, n, 9996622000+int64(i))
		})
	}
}

func testConcurrentCodes(t *testing.T, n int, phone int64) {
	e := newEnv(t, world())
	id := e.stepTo(states.CodeSent, "start", "--phone", fmt.Sprintf("+%d", phone)).ID

	signIns := e.dc.Calls("auth.signIn")
	release := e.dc.Hold("auth.signIn")
	defer release()
	procs := make([]*proc, n)
	for i := range procs {
		procs[i] = e.start("code", id, "22222")
	}

	// One process reaches Telegram; the others end while its call is held.
	e.waitCalls(nil, "auth.signIn", signIns+1)
	waitFor(t, fmt.Sprintf("%d of %d processes ended", n-1, n), func() bool {
		ended := 0
		for _, p := range procs {
			if p.exited() {
				ended++
			}
		}
		return ended >= n-1
	})
	if got := e.dc.Calls("auth.signIn") - signIns; got != 1 {
		t.Fatalf("auth.signIn called %d times while held; want 1", got)
	}
	release()

	winners := 0
	for _, p := range procs {
		r := p.wait()
		switch {
		case r.code == 0:
			winners++
			if !strings.Contains(r.stdout, "state: Authorized") {
				t.Errorf("the process that applied did not end Authorized:\n%v", r)
			}
		case r.code == 1 && loserReason.MatchString(r.stderr):
			// It shows the login as it was when it gave up: the winner's call in flight.
			if !strings.Contains(r.stdout, "state: CheckingCode\n") {
				t.Errorf("a refused process must show the login as the store has it (CheckingCode):\n%v", r)
			}
			t.Logf("refused: %s", strings.TrimSpace(r.stderr))
		default:
			t.Errorf("a process that did not apply must exit 1 saying the login was busy or changed:\n%v", r)
		}
	}
	if winners != 1 {
		t.Fatalf("%d processes applied the code; want exactly 1", winners)
	}
	if got := e.dc.Calls("auth.signIn") - signIns; got != 1 {
		t.Fatalf("auth.signIn called %d times; want 1", got)
	}
	wantUser(phone)(t, e, id, e.step("status", id))
	steps, history := e.history(id)
	checking := 0
	for _, s := range steps {
		if strings.HasSuffix(s, "--> CheckingCode") {
			checking++
		}
	}
	want := []string{"New --submit_phone--> SendingCode", "SendingCode --code_sent--> CodeSent",
		"CodeSent --submit_code--> CheckingCode", "CheckingCode --signed_in--> Authorized"}
	if checking != 1 || strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Fatalf("history has %d CheckingCode; want one, and the walk\n  %s\ngot:\n%s", checking, strings.Join(want, "\n  "), history)
	}
}
