package durability_test

import (
	"fmt"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// The account chart's crash and interrupt cases: a login is authorized (and, for the
// recovery e-mail's calls, waits for the e-mail's code), then the account command runs
// while the test DC holds its call.

const recoveryEmail = "ann@example.org"

// authorized logs phone in and returns the login's ID, in Authorized.
func authorized(phone string) func(e *env) string {
	return func(e *env) string {
		id := codeSent(phone)(e)
		e.stepTo(states.Authorized, "code", id, "22222")
		return id
	}
}

// emailPending logs phone in and sets a password with a recovery e-mail: the login waits
// for the e-mail's code.
func emailPending(phone string) func(e *env) string {
	return func(e *env) string {
		id := authorized(phone)(e)
		if snap := e.stepIn(password+"\n", "2fa", "set", id, "--email", recoveryEmail); snap.State != states.PasswordEmailCodeSent {
			e.t.Fatalf("2fa set --email: %s, want PasswordEmailCodeSent", snap.State)
		}
		return id
	}
}

// sessionsWorld is a test DC where phone's logins may terminate sessions at once, with an
// older session 11 and an unconfirmed one 12.
func sessionsWorld(phone string) testdc.Options {
	return world(testdc.Account{Phone: phone, NewSessionAge: "25h", Sessions: []testdc.WorldSession{
		{Hash: 11, Device: "iPhone 15", Age: "72h"}, {Hash: 12, Device: "Pixel 9", Age: "1h", Unconfirmed: true}}})
}

// refusedAs runs a step command that Telegram refuses (exit 1) and checks where the login
// is and the problem's code.
func refusedAs(t *testing.T, e *env, state machine.State, code machine.ProblemCode, args ...string) {
	t.Helper()
	r := e.run(append(args, "--json")...)
	snap := snapshotOf(t, r)
	if r.code != 1 || snap.State != state || snap.Prompt.Problem == nil || snap.Prompt.Problem.Code != code {
		t.Fatalf("want a refusal leaving %s with problem %s:\n%v", state, code, r)
	}
}

// sessionHashes lists the login's sessions and returns their hashes, with whether each
// is unconfirmed.
func sessionHashes(e *env, id string) map[int64]bool {
	out := map[int64]bool{}
	for _, s := range e.step("sessions", "list", id).Prompt.Account.Sessions {
		out[s.Hash] = s.Unconfirmed
	}
	return out
}

// accountCrashCases: a crash during an account call leaves the login where it took the
// input, the answer lost; what Telegram did is seen by asking again.
func accountCrashCases() []crashCase {
	lost := func(kind machine.PromptKind, call tgapi.Method) func(t *testing.T, snap machine.Snapshot) {
		return func(t *testing.T, snap machine.Snapshot) { t.Helper(); wantAnswerLost(t, snap, kind, call) }
	}
	return []crashCase{{
		name: "UpdatingPassword", flight: states.UpdatingPassword, method: "account.updatePasswordSettings",
		before: authorized("+9996624101"),
		crash:  func(id string) (string, []string) { return password + "\n", []string{"2fa", "set", id} },
		want:   states.Authorized, wantStep: "UpdatingPassword --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "account.updatePasswordSettings")(t, snap)
			// The DC set it: it is the current password to remove it.
			e.stepIn(password+"\n", "2fa", "remove", id)
		},
	}, {
		name: "ConfirmingPasswordEmail", flight: states.ConfirmingPasswordEmail, method: "account.confirmPasswordEmail",
		before: emailPending("+9996624102"),
		crash:  func(id string) (string, []string) { return "", []string{"2fa", "confirm-email", id, "222222"} },
		want:   states.PasswordEmailCodeSent, wantStep: "ConfirmingPasswordEmail --interrupted--> PasswordEmailCodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.AskPasswordEmailCode, "account.confirmPasswordEmail")(t, snap)
			// The DC confirmed it: nothing waits for a code any more.
			refusedAs(t, e, states.Authorized, machine.ProblemCodeExpired, "2fa", "confirm-email", id, "222222")
		},
	}, {
		name: "ResendingPasswordEmail", flight: states.ResendingPasswordEmail, method: "account.resendPasswordEmail",
		before: emailPending("+9996624103"),
		crash:  func(id string) (string, []string) { return "", []string{"2fa", "resend-email", id} },
		want:   states.PasswordEmailCodeSent, wantStep: "ResendingPasswordEmail --interrupted--> PasswordEmailCodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.AskPasswordEmailCode, "account.resendPasswordEmail")(t, snap)
			e.stepTo(states.Authorized, "2fa", "confirm-email", id, "222222")
		},
	}, {
		name: "CancellingPasswordEmail", flight: states.CancellingPasswordEmail, method: "account.cancelPasswordEmail",
		before: emailPending("+9996624104"),
		crash:  func(id string) (string, []string) { return "", []string{"2fa", "cancel-email", id} },
		want:   states.PasswordEmailCodeSent, wantStep: "CancellingPasswordEmail --interrupted--> PasswordEmailCodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.AskPasswordEmailCode, "account.cancelPasswordEmail")(t, snap)
			// The DC cancelled it; cancelling again is done all the same.
			e.stepTo(states.Authorized, "2fa", "cancel-email", id)
		},
	}, {
		name: "ListingSessions", flight: states.ListingSessions, method: "account.getAuthorizations",
		before: authorized("+9996624105"),
		crash:  func(id string) (string, []string) { return "", []string{"sessions", "list", id} },
		want:   states.Authorized, wantStep: "ListingSessions --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "account.getAuthorizations")(t, snap)
			if s := sessionHashes(e, id); len(s) != 1 {
				t.Fatalf("sessions %v; want the login's own", s)
			}
		},
	}, {
		name: "TerminatingSession", flight: states.TerminatingSession, method: "account.resetAuthorization",
		dc:     sessionsWorld("9996624106"),
		before: authorized("+9996624106"),
		crash:  func(id string) (string, []string) { return "", []string{"sessions", "terminate", id, "11"} },
		want:   states.Authorized, wantStep: "TerminatingSession --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "account.resetAuthorization")(t, snap)
			refusedAs(t, e, states.Authorized, machine.ProblemRejected, "sessions", "terminate", id, "11")
		},
	}, {
		name: "TerminatingOtherSessions", flight: states.TerminatingOtherSessions, method: "auth.resetAuthorizations",
		dc:     sessionsWorld("9996624107"),
		before: authorized("+9996624107"),
		crash:  func(id string) (string, []string) { return "", []string{"sessions", "terminate-others", id} },
		want:   states.Authorized, wantStep: "TerminatingOtherSessions --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "auth.resetAuthorizations")(t, snap)
			if s := sessionHashes(e, id); len(s) != 1 {
				t.Fatalf("sessions %v; want the login's own only", s)
			}
		},
	}, {
		name: "ConfirmingSession", flight: states.ConfirmingSession, method: "account.changeAuthorizationSettings",
		dc:     sessionsWorld("9996624108"),
		before: authorized("+9996624108"),
		crash:  func(id string) (string, []string) { return "", []string{"sessions", "confirm", id, "12"} },
		want:   states.Authorized, wantStep: "ConfirmingSession --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "account.changeAuthorizationSettings")(t, snap)
			if unconfirmed, ok := sessionHashes(e, id)[12]; !ok || unconfirmed {
				t.Fatalf("session 12 listed %v, unconfirmed %v; want it confirmed", ok, unconfirmed)
			}
		},
	}, {
		name: "InvalidatingCodes", flight: states.InvalidatingCodes, method: "account.invalidateSignInCodes",
		before: authorized("+9996624109"),
		crash:  func(id string) (string, []string) { return "", []string{"sessions", "invalidate-codes", id, "22222"} },
		want:   states.Authorized, wantStep: "InvalidatingCodes --interrupted--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			lost(machine.ShowDone, "account.invalidateSignInCodes")(t, snap)
			e.stepTo(states.Authorized, "sessions", "invalidate-codes", id, "22222")
		},
	}}
}

// accountInterruptCases: Ctrl-C during an account call keeps Telegram's answer.
func accountInterruptCases() []interruptCase {
	one := func(name string, flight machine.State, method string, phone string, dc testdc.Options,
		before func(string) func(*env) string, args func(id string) (string, []string), want machine.State,
		check func(t *testing.T, e *env, id string)) interruptCase {
		return interruptCase{name: name, flight: flight, method: method, dc: dc, before: before(phone), cmd: args,
			want: want, wantStep: fmt.Sprintf("%s --done--> %s", flight, want), check: check}
	}
	ids := func(args ...string) func(id string) (string, []string) {
		return func(id string) (string, []string) {
			return "", append(args[:2:2], append([]string{id}, args[2:]...)...)
		}
	}
	return []interruptCase{
		one("UpdatingPassword", states.UpdatingPassword, "account.updatePasswordSettings", "+9996624201", testdc.Options{}, authorized,
			func(id string) (string, []string) {
				return password + "\n", []string{"2fa", "set", id, "--hint", "horse"}
			},
			states.Authorized, func(t *testing.T, e *env, id string) { e.stepIn(password+"\n", "2fa", "remove", id) }),
		one("ConfirmingPasswordEmail", states.ConfirmingPasswordEmail, "account.confirmPasswordEmail", "+9996624202", testdc.Options{}, emailPending,
			ids("2fa", "confirm-email", "222222"), states.Authorized, nil),
		one("ResendingPasswordEmail", states.ResendingPasswordEmail, "account.resendPasswordEmail", "+9996624203", testdc.Options{}, emailPending,
			ids("2fa", "resend-email"), states.PasswordEmailCodeSent,
			func(t *testing.T, e *env, id string) {
				e.stepTo(states.Authorized, "2fa", "confirm-email", id, "222222")
			}),
		one("CancellingPasswordEmail", states.CancellingPasswordEmail, "account.cancelPasswordEmail", "+9996624204", testdc.Options{}, emailPending,
			ids("2fa", "cancel-email"), states.Authorized, nil),
		one("ListingSessions", states.ListingSessions, "account.getAuthorizations", "+9996624205", testdc.Options{}, authorized,
			ids("sessions", "list"), states.Authorized, func(t *testing.T, e *env, id string) {
				if a := e.step("status", id).Prompt.Account; a == nil || len(a.Sessions) != 1 {
					t.Fatalf("the interrupted list kept no sessions: %+v", a)
				}
			}),
		one("TerminatingSession", states.TerminatingSession, "account.resetAuthorization", "9996624206", sessionsWorld("9996624206"), authorized,
			ids("sessions", "terminate", "11"), states.Authorized, nil),
		one("TerminatingOtherSessions", states.TerminatingOtherSessions, "auth.resetAuthorizations", "9996624207", sessionsWorld("9996624207"), authorized,
			ids("sessions", "terminate-others"), states.Authorized, nil),
		one("ConfirmingSession", states.ConfirmingSession, "account.changeAuthorizationSettings", "9996624208", sessionsWorld("9996624208"), authorized,
			ids("sessions", "confirm", "12"), states.Authorized, nil),
		one("InvalidatingCodes", states.InvalidatingCodes, "account.invalidateSignInCodes", "+9996624209", testdc.Options{}, authorized,
			ids("sessions", "invalidate-codes", "22222"), states.Authorized, nil),
	}
}
