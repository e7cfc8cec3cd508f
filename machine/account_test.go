package machine

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// Table tests of the account chart's part of the pure core.

// authorizedWith returns an Authorized login whose last sessions list is sessions.
func authorizedWith(sessions ...Session) *Login {
	l := loginIn(states.Authorized)
	l.User = &User{ID: 42, FirstName: "Ann"}
	if sessions != nil {
		l.Account = &Account{Sessions: sessions, SessionsAt: coreNow.Add(-time.Minute)}
	}
	return l
}

// run decides in on l and feeds the call's answer (and a follow-up's) to outcome.
func run(t *testing.T, l *Login, in Input, answer func(tgapi.Request) (any, error)) (Step, Outcome) {
	t.Helper()
	st, err := decide(l, in.Event(), in, coreNow, Facts{})
	if err != nil {
		t.Fatalf("decide(%s, %s): %v", l.State, in.Event(), err)
	}
	call := st.Call
	for {
		v, err := answer(call)
		o, oerr := outcome(st.Login, Result{Call: call, Value: v, Err: err}, coreNow, coreSet)
		if oerr != nil {
			t.Fatal(oerr)
		}
		if o.Then == nil {
			return st, o
		}
		call = o.Then
	}
}

func TestAccountTasks(t *testing.T) {
	current := Session{Hash: 0, Current: true, Device: "tgauth", Created: coreNow.Add(-2 * time.Hour)}
	phone := Session{Hash: 7, Device: "iPhone", Created: coreNow.Add(-72 * time.Hour)}
	fresh := Session{Hash: 9, Device: "Pixel", Unconfirmed: true, Created: coreNow.Add(-time.Minute)}
	ok := func(tgapi.Request) (any, error) { return nil, nil }
	fails := func(msg string) func(tgapi.Request) (any, error) {
		return func(tgapi.Request) (any, error) { return nil, tgapi.NewError(400, msg) }
	}
	cases := []struct {
		name     string
		login    *Login
		in       Input
		answer   func(tgapi.Request) (any, error)
		call     tgapi.Request
		state    State
		problem  ProblemCode
		retryAt  time.Time
		sessions []int64 // hashes kept on the record; nil: not checked
		email    string
	}{
		{name: "set a password with a recovery e-mail waits for its code",
			login: authorizedWith(), in: SetPassword{New: "n3w", Hint: "hint", Email: " ann@example.org "}, answer: fails("EMAIL_UNCONFIRMED_6"),
			call: tgapi.UpdatePasswordSettings{New: "n3w", Hint: "hint", Email: "ann@example.org"}, state: states.PasswordEmailCodeSent, email: "ann@example.org"},
		{name: "change the password",
			login: authorizedWith(), in: SetPassword{Current: "old", New: "n3w"}, answer: ok,
			call: tgapi.UpdatePasswordSettings{Current: "old", New: "n3w"}, state: states.Authorized},
		{name: "a wrong current password is refused without counting attempts",
			login: authorizedWith(), in: RemovePassword{Current: "bad"}, answer: fails("PASSWORD_HASH_INVALID"),
			call: tgapi.UpdatePasswordSettings{Current: "bad"}, state: states.Authorized, problem: ProblemPasswordInvalid},
		{name: "the e-mail's code confirms it",
			login: pendingEmail(), in: SubmitPasswordEmailCode{Code: " 222222 "}, answer: ok,
			call: tgapi.ConfirmPasswordEmail{Code: "222222"}, state: states.Authorized},
		{name: "a wrong e-mail code is asked again",
			login: pendingEmail(), in: SubmitPasswordEmailCode{Code: "111111"}, answer: fails("CODE_INVALID"),
			call: tgapi.ConfirmPasswordEmail{Code: "111111"}, state: states.PasswordEmailCodeSent, problem: ProblemCodeInvalid, email: "ann@example.org"},
		{name: "an e-mail code Telegram forgot ends the confirmation",
			login: pendingEmail(), in: SubmitPasswordEmailCode{Code: "222222"}, answer: fails("EMAIL_HASH_EXPIRED"),
			call: tgapi.ConfirmPasswordEmail{Code: "222222"}, state: states.Authorized, problem: ProblemCodeExpired},
		{name: "cancelling an e-mail Telegram forgot is done",
			login: pendingEmail(), in: CancelPasswordEmail{}, answer: fails("EMAIL_HASH_EXPIRED"),
			call: tgapi.CancelPasswordEmail{}, state: states.Authorized},
		{name: "list sessions keeps them on the record",
			login: authorizedWith(), in: ListSessions{},
			answer: func(tgapi.Request) (any, error) {
				return tgapi.Authorizations{Sessions: []Session{current, phone, fresh}}, nil
			},
			call: tgapi.GetAuthorizations{}, state: states.Authorized, sessions: []int64{0, 7, 9}},
		{name: "terminate one session",
			login: authorizedWith(current, phone, fresh), in: TerminateSession{Hash: 7}, answer: ok,
			call: tgapi.ResetAuthorization{Hash: 7}, state: states.Authorized, sessions: []int64{0, 9}},
		{name: "terminate others keeps the current one",
			login: authorizedWith(current, phone, fresh), in: TerminateOtherSessions{}, answer: ok,
			call: tgapi.ResetAuthorizations{}, state: states.Authorized, sessions: []int64{0}},
		{name: "a fresh session may not terminate others: retry when it is 24 hours old",
			login: authorizedWith(), in: TerminateOtherSessions{},
			answer: func(r tgapi.Request) (any, error) {
				if _, ok := r.(tgapi.GetAuthorizations); ok {
					return tgapi.Authorizations{Sessions: []Session{current, phone}}, nil
				}
				return nil, tgapi.NewError(406, "FRESH_RESET_AUTHORISATION_FORBIDDEN")
			},
			call: tgapi.ResetAuthorizations{}, state: states.Authorized, problem: ProblemTooFresh,
			retryAt: current.Created.Add(24 * time.Hour), sessions: []int64{0, 7}},
		{name: "too fresh, and the sessions cannot be listed: no retry time",
			login: authorizedWith(), in: TerminateSession{Hash: 7},
			answer: func(r tgapi.Request) (any, error) {
				if _, ok := r.(tgapi.GetAuthorizations); ok {
					return nil, tgapi.NewError(500, "INTERNAL")
				}
				return nil, tgapi.NewError(406, "FRESH_RESET_AUTHORISATION_FORBIDDEN")
			},
			call: tgapi.ResetAuthorization{Hash: 7}, state: states.Authorized, problem: ProblemTooFresh},
		{name: "confirm an unconfirmed session",
			login: authorizedWith(current, fresh), in: ConfirmSession{Hash: 9}, answer: ok,
			call: tgapi.ChangeAuthorizationSettings{Hash: 9}, state: states.Authorized, sessions: []int64{0, 9}},
		{name: "an unknown hash is refused",
			login: authorizedWith(), in: ConfirmSession{Hash: 5}, answer: fails("HASH_INVALID"),
			call: tgapi.ChangeAuthorizationSettings{Hash: 5}, state: states.Authorized, problem: ProblemRejected},
		{name: "invalidate leaked codes",
			login: authorizedWith(), in: InvalidateCodes{Codes: []string{" 22222", "33333 "}}, answer: ok,
			call: tgapi.InvalidateSignInCodes{Codes: []string{"22222", "33333"}}, state: states.Authorized},
		{name: "a session terminated elsewhere ends the login",
			login: authorizedWith(), in: ListSessions{},
			answer: func(tgapi.Request) (any, error) { return nil, tgapi.NewError(401, "SESSION_REVOKED") },
			call:   tgapi.GetAuthorizations{}, state: states.LoggedOut, problem: ProblemSessionRevoked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, o := run(t, c.login, c.in, c.answer)
			if !reflect.DeepEqual(st.Call, c.call) {
				t.Errorf("call %#v, want %#v", st.Call, c.call)
			}
			if doc := fmt.Sprintf("%+v %+v", *st.Login, *o.Login); containsAny(doc, "n3w", "old", "bad", "222222", "111111", "33333") {
				t.Errorf("a secret reached the record: %s", doc)
			}
			l := o.Login
			if l.State != c.state {
				t.Fatalf("state %s via %s (problem %+v), want %s", l.State, o.Entry.Event, l.Problem, c.state)
			}
			var code ProblemCode
			if l.Problem != nil {
				code = l.Problem.Code
				if !l.Problem.RetryAt.Equal(c.retryAt) {
					t.Errorf("retry at %v, want %v", l.Problem.RetryAt, c.retryAt)
				}
				if text := l.Problem.Text(); strings.Contains(text, "attempt") {
					t.Errorf("problem text %q counts attempts: Telegram counts them for account tasks", text)
				}
			}
			if code != c.problem {
				t.Errorf("problem %+v, want %s", l.Problem, c.problem)
			}
			if c.sessions != nil {
				var got []int64
				for _, s := range l.Account.Sessions {
					got = append(got, s.Hash)
					if s.Hash == 9 && c.in.Event() == tr.ConfirmSession && s.Unconfirmed {
						t.Errorf("session 9 still unconfirmed after confirm")
					}
				}
				if !reflect.DeepEqual(got, c.sessions) {
					t.Errorf("sessions kept %v, want %v", got, c.sessions)
				}
			}
			if got := l.account().PasswordEmail; got != c.email {
				t.Errorf("password e-mail %q, want %q", got, c.email)
			}
		})
	}
}

// pendingEmail is a login waiting for the code of a new recovery e-mail.
func pendingEmail() *Login {
	l := authorizedWith()
	l.State = states.PasswordEmailCodeSent
	l.Account = &Account{PasswordEmail: "ann@example.org", CodeLength: 6}
	return l
}

func TestAccountInputsValidateAndRedact(t *testing.T) {
	bad := []Input{SetPassword{}, SetPassword{New: "cat", Hint: "my cat"}, SetPassword{New: "x", Email: "nope"},
		RemovePassword{}, TerminateSession{}, ConfirmSession{}, InvalidateCodes{}, InvalidateCodes{Codes: []string{"12 34"}},
		SubmitPasswordEmailCode{Code: ""}}
	for _, in := range bad {
		if err := in.validate(); err == nil {
			t.Errorf("%#v: accepted", in)
		}
	}
	args := fmt.Sprint(SetPassword{Current: "old-pw", New: "new-pw", Hint: "h"}.Args(), RemovePassword{Current: "old-pw"}.Args(),
		InvalidateCodes{Codes: []string{"12345", "67890"}}.Args(), SubmitPasswordEmailCode{Code: "222222"}.Args())
	if containsAny(args, "old-pw", "new-pw", "12345", "67890", "222222") {
		t.Errorf("a secret in Args: %s", args)
	}
	if got := (InvalidateCodes{Codes: []string{"12345", "67890"}}).Args()["codes"]; got != Redacted+","+Redacted {
		t.Errorf("codes redacted as %q: want one placeholder per code", got)
	}
	for _, c := range []struct {
		ev   Event
		args map[string]string
		want Input
	}{
		{tr.SetPassword, map[string]string{"current_password": "a", "new_password": "b", "hint": "c", "email": "d@e.f"}, SetPassword{"a", "b", "c", "d@e.f"}},
		{tr.TerminateSession, map[string]string{"hash": "-42"}, TerminateSession{Hash: -42}},
		{tr.InvalidateCodes, map[string]string{"codes": "11111, 22222"}, InvalidateCodes{Codes: []string{"11111", "22222"}}},
	} {
		if in, err := ParseInput(c.ev, c.args); err != nil || !reflect.DeepEqual(in, c.want) {
			t.Errorf("ParseInput(%s, %v) = %#v, %v; want %#v", c.ev, c.args, in, err, c.want)
		}
	}
	if _, err := ParseInput(tr.ConfirmSession, map[string]string{"hash": "abc"}); err == nil {
		t.Error("ParseInput took a hash that is not a number")
	}
}
