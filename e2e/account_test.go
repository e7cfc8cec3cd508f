package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
)

// The account chart over real MTProto: every task of an Authorized login against the
// rules testdc enforces (SRP password changes, the recovery e-mail's code, sessions, the
// 24-hour rule, unconfirmed sessions, leaked codes).

func init() {
	world.Accounts = append(world.Accounts,
		testdc.Account{Phone: "9996620041"},
		testdc.Account{Phone: "9996620042", Sessions: []testdc.WorldSession{
			{Hash: 11, Device: "iPhone 15", Age: "72h"},
			{Hash: 12, Device: "Pixel 9", Age: "1h", Unconfirmed: true},
		}},
		testdc.Account{Phone: "9996620043"},
	)
}

// login logs phone in with its code (and password, if it has one) on eng.
func (e *env) login(eng *machine.Engine, phone, password string) machine.Snapshot {
	e.t.Helper()
	snap := e.start(eng, machine.SubmitPhone{Phone: phone})
	if password == "" {
		return e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
	}
	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	return e.send(eng, snap.ID, machine.SubmitPassword{Password: password}, states.Authorized)
}

func wantProblem(t *testing.T, snap machine.Snapshot, code machine.ProblemCode) {
	t.Helper()
	if p := snap.Prompt.Problem; p == nil || p.Code != code {
		t.Fatalf("problem %+v, want %s", p, code)
	}
}

func TestAccountPasswordSetWithEmailChangeRemove(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	const phone = "+9996620041"
	a := e.login(eng, phone, "")

	// Set, with a recovery e-mail: the change waits for the e-mail's code.
	snap := e.send(eng, a.ID, machine.SetPassword{New: "first-pw", Hint: "one", Email: "ann@example.org"}, states.PasswordEmailCodeSent)
	if v := snap.Prompt.Account; snap.Prompt.Kind != machine.AskPasswordEmailCode || v == nil || v.PasswordEmail != "ann@example.org" || v.CodeLength != 6 {
		t.Fatalf("prompt %+v", snap.Prompt)
	}
	snap = e.send(eng, a.ID, machine.SubmitPasswordEmailCode{Code: "111111"}, states.PasswordEmailCodeSent)
	wantProblem(t, snap, machine.ProblemCodeInvalid)
	e.send(eng, a.ID, machine.ResendPasswordEmail{}, states.PasswordEmailCodeSent)
	e.send(eng, a.ID, machine.SubmitPasswordEmailCode{Code: "222222"}, states.Authorized)

	// The next login is asked for it, with its hint and recovery.
	b := e.start(eng, machine.SubmitPhone{Phone: phone})
	b = e.send(eng, b.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	if pw := b.Prompt.Password; pw.Hint != "one" || !pw.HasRecovery {
		t.Fatalf("password prompt after setting it: %+v", pw)
	}
	e.send(eng, b.ID, machine.SubmitPassword{Password: "first-pw"}, states.Authorized)

	// Change it: the wrong current password is refused, the right one changes it.
	snap = e.send(eng, b.ID, machine.SetPassword{Current: "nope", New: "second-pw", Hint: "two"}, states.Authorized)
	wantProblem(t, snap, machine.ProblemPasswordInvalid)
	snap = e.send(eng, b.ID, machine.SetPassword{Current: "first-pw", New: "second-pw", Hint: "two"}, states.Authorized)
	if snap.Prompt.Problem != nil {
		t.Fatalf("change refused: %s", snap.Prompt.Problem.Text())
	}
	c := e.start(eng, machine.SubmitPhone{Phone: phone})
	c = e.send(eng, c.ID, machine.SubmitCode{Code: "22222"}, states.PasswordNeeded)
	c = e.send(eng, c.ID, machine.SubmitPassword{Password: "first-pw"}, states.PasswordNeeded)
	wantProblem(t, c, machine.ProblemPasswordInvalid)
	e.send(eng, c.ID, machine.SubmitPassword{Password: "second-pw"}, states.Authorized)

	// A change waiting for a new e-mail's code, cancelled, leaves the password as it was.
	e.send(eng, c.ID, machine.SetPassword{Current: "second-pw", New: "third-pw", Email: "bob@example.org"}, states.PasswordEmailCodeSent)
	e.send(eng, c.ID, machine.CancelPasswordEmail{}, states.Authorized)

	// Remove it: the next login needs the code only.
	e.send(eng, c.ID, machine.RemovePassword{Current: "second-pw"}, states.Authorized)
	e.login(eng, phone, "")

	for _, l := range []string{a.ID, b.ID, c.ID} {
		journal, err := eng.Journal(e.ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range journal {
			if j.Problem != nil && (strings.Contains(j.Problem.Text(), "first-pw") || strings.Contains(j.Problem.Text(), "second-pw")) {
				t.Fatalf("a password in the journal: %+v", j)
			}
		}
	}
}

func TestAccountSessionsListTerminateConfirm(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	const phone = "+9996620042"
	a := e.login(eng, phone, "")

	snap := e.send(eng, a.ID, machine.ListSessions{}, states.Authorized)
	sessions := snap.Prompt.Account.Sessions
	if len(sessions) != 3 || !sessions[0].Current || sessions[0].Hash != 0 || !sessions[0].Unconfirmed ||
		sessions[1].Device != "iPhone 15" || sessions[2].Hash != 12 || !sessions[2].Unconfirmed {
		t.Fatalf("sessions %+v", sessions)
	}
	created := sessions[0].Created
	if sessions[0].Device == "" || time.Since(created) > time.Minute {
		t.Fatalf("the login's own session: %+v", sessions[0])
	}

	// The 24-hour rule: refused, with the time it becomes possible.
	for _, in := range []machine.Input{machine.TerminateOtherSessions{}, machine.TerminateSession{Hash: 11}} {
		snap = e.send(eng, a.ID, in, states.Authorized)
		wantProblem(t, snap, machine.ProblemTooFresh)
		if got := snap.Prompt.Problem.RetryAt; !got.Equal(created.Add(24 * time.Hour)) {
			t.Fatalf("%s: retry at %v, want %v", in.Event(), got, created.Add(24*time.Hour))
		}
	}

	e.clock.Advance(25 * time.Hour)
	e.send(eng, a.ID, machine.TerminateSession{Hash: 11}, states.Authorized)
	snap = e.send(eng, a.ID, machine.ConfirmSession{Hash: 12}, states.Authorized)
	snap = e.send(eng, a.ID, machine.ListSessions{}, states.Authorized)
	if s := snap.Prompt.Account.Sessions; len(s) != 2 || s[1].Hash != 12 || s[1].Unconfirmed {
		t.Fatalf("after terminating 11 and confirming 12: %+v", s)
	}
	snap = e.send(eng, a.ID, machine.ConfirmSession{Hash: 99}, states.Authorized)
	wantProblem(t, snap, machine.ProblemRejected)

	// A second login is a new, unconfirmed session; terminating the others ends it.
	b := e.login(eng, phone, "")
	snap = e.send(eng, a.ID, machine.ListSessions{}, states.Authorized)
	if s := snap.Prompt.Account.Sessions; len(s) != 3 || !s[2].Unconfirmed {
		t.Fatalf("with a second login: %+v", s)
	}
	e.send(eng, a.ID, machine.TerminateOtherSessions{}, states.Authorized)
	snap = e.send(eng, b.ID, machine.ListSessions{}, states.LoggedOut)
	wantProblem(t, snap, machine.ProblemSessionRevoked)
	if snap.Prompt.Reason == "" || !strings.Contains(snap.Prompt.Reason, "terminated") {
		t.Fatalf("closed reason %q", snap.Prompt.Reason)
	}
}

func TestAccountInvalidateLeakedCode(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	const phone = "+9996620043"
	a := e.login(eng, phone, "")
	b := e.start(eng, machine.SubmitPhone{Phone: phone})
	expect(t, b, states.CodeSent)
	e.send(eng, a.ID, machine.InvalidateCodes{Codes: []string{"22222"}}, states.Authorized)
	snap := e.send(eng, b.ID, machine.SubmitCode{Code: "22222"}, states.CodeExpired)
	wantProblem(t, snap, machine.ProblemCodeExpired)
}
