package machine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/tgapi"
	tr "github.com/tgauth/tgauth/transitions"
)

// These are table tests of the pure core: no store, no mock, no goroutine. Every
// (state, input) pair and every (flight state, outcome) row of the transition table is
// driven through decide and outcome.

var (
	coreNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	coreSet = Settings{MaxAttempts: 3}
)

// loginIn returns a login resting in state s, with what a login there has on record.
func loginIn(s State) *Login {
	return &Login{ID: "l", State: s, Version: 7, Phone: "+9996621234", PhoneCodeHash: "hash",
		Code: &CodeInfo{Type: tgapi.CodeSMS, Length: 5}, Email: "a@example.org",
		QRToken: []byte("tok"), QRMigrateDC: 2, ExpiresAt: coreNow.Add(time.Hour)}
}

// inputFor returns a valid input that fires ev, or nil for timers and updates.
func inputFor(ev Event) Input {
	args := map[string]string{"phone": "+9996621234", "token": "123456:ABCDEFGHIJ", "code": "22222",
		"password": "pw", "email": "a@example.org", "first_name": "Ann", "accept_terms": "true",
		"new_password": "pw2", "current_password": "pw", "hash": "7", "codes": "22222,33333"}
	in, err := ParseInput(ev, args)
	if err != nil {
		return nil
	}
	return in
}

func TestDecideEveryStateAndEvent(t *testing.T) {
	for _, st := range states.All {
		for _, ei := range tr.Events {
			if ei.Kind == tr.Outcome {
				continue // outcomes come from calls: see TestOutcomeEveryRow
			}
			l := loginIn(st.Name)
			before := l.Clone()
			step, err := decide(l, ei.Name, inputFor(ei.Name), coreNow, Facts{})
			if !reflect.DeepEqual(l, before) {
				t.Fatalf("decide(%s, %s) changed the login it was given", st.Name, ei.Name)
			}
			want, allowed := tr.Lookup(st.Name, ei.Name)
			if !allowed {
				var na *NotAllowedError
				if !errors.As(err, &na) {
					t.Errorf("decide(%s, %s) = %v, want NotAllowedError", st.Name, ei.Name, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("decide(%s, %s): %v", st.Name, ei.Name, err)
				continue
			}
			if step.Login.State != want || step.Entry.From != st.Name || step.Entry.To != want || step.Entry.Event != ei.Name {
				t.Errorf("decide(%s, %s) -> %s (entry %+v), want %s", st.Name, ei.Name, step.Login.State, step.Entry, want)
			}
			info, _ := states.Lookup(want)
			switch {
			case info.Kind == states.InFlight && (step.Call == nil || string(step.Call.Method()) != info.Call):
				t.Errorf("decide(%s, %s) -> %s calls %v, want %s", st.Name, ei.Name, want, step.Call, info.Call)
			case info.Kind != states.InFlight && step.Call != nil:
				t.Errorf("decide(%s, %s) -> %s (at rest) calls %s", st.Name, ei.Name, want, step.Call.Method())
			}
		}
	}
}

// Secrets travel to the call, never to the record.
func TestDecideKeepsSecretsOffTheRecord(t *testing.T) {
	for _, c := range []struct {
		from State
		in   Input
		want tgapi.Request
	}{
		{states.CodeSent, SubmitCode{Code: " 22222 "}, tgapi.SignIn{Phone: "+9996621234", PhoneCodeHash: "hash", Code: "22222"}},
		{states.PasswordNeeded, SubmitPassword{Password: "s3cret"}, tgapi.CheckPassword{Password: "s3cret"}},
		{states.New, SubmitBotToken{Token: "123456:ABCDEFGHIJ"}, tgapi.ImportBotAuthorization{Token: "123456:ABCDEFGHIJ"}},
		{states.RecoveryCodeSent, SubmitRecoveryCode{Code: "777"}, tgapi.RecoverPassword{Code: "777"}},
	} {
		step, err := decide(loginIn(c.from), c.in.Event(), c.in, coreNow, Facts{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(step.Call, c.want) {
			t.Errorf("%s: call %#v, want %#v", c.from, step.Call, c.want)
		}
		if doc := fmt.Sprintf("%+v", *step.Login); containsAny(doc, "22222", "s3cret", "ABCDEFGHIJ", "777") {
			t.Errorf("%s: a secret reached the record: %s", c.from, doc)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// candidates are results a call can come to: every kind of answer and of error.
func candidates(call tgapi.Request) []Result {
	user := tgapi.User{ID: 42, FirstName: "Ann", Phone: "9996621234"}
	values := []any{
		tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, PhoneCodeHash: "h2", Timeout: time.Minute}},
		tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeSetUpEmailRequired, PhoneCodeHash: "h3"}},
		tgapi.SendCodeResult{Authorized: &tgapi.Authorization{User: &user}},
		tgapi.SentCode{Type: tgapi.CodeCall, Length: 5, PhoneCodeHash: "h4"},
		tgapi.Authorization{User: &user},
		tgapi.Authorization{SignUpRequired: &tgapi.TermsOfService{Text: "terms"}},
		user,
		tgapi.PasswordRecovery{EmailPattern: "a***@example.org"},
		tgapi.EmailCode{EmailPattern: "a***@example.org", Length: 6},
		tgapi.LoginToken{Token: []byte("t2"), Expires: coreNow.Add(30 * time.Second)},
		tgapi.LoginToken{Token: []byte("t3"), MigrateDC: 4},
		tgapi.LoginToken{Authorized: &user},
		tgapi.LoggedOut{FutureAuthToken: []byte("future")},
		tgapi.Authorizations{Sessions: []tgapi.Session{{Hash: 0, Current: true, Created: coreNow.Add(-time.Hour)}, {Hash: 7, Unconfirmed: true}}},
	}
	var out []Result
	for _, v := range values {
		if tgapi.CheckResult(call, v) == nil {
			out = append(out, Result{Call: call, Value: v})
		}
	}
	if tgapi.CheckResult(call, nil) == nil {
		out = append(out, Result{Call: call})
	}
	errs := []error{
		tgapi.NewError(420, "FLOOD_WAIT_30"), tgapi.NewError(400, "PHONE_NUMBER_BANNED"),
		tgapi.NewError(400, "PHONE_NUMBER_INVALID"), tgapi.NewError(500, "INTERNAL"),
		tgapi.NewError(401, "SESSION_PASSWORD_NEEDED"), tgapi.NewError(401, "AUTH_KEY_UNREGISTERED"),
		errors.New("connection reset"),
	}
	for _, code := range []string{"PHONE_CODE_INVALID", "PHONE_CODE_EXPIRED", "PHONE_CODE_HASH_EMPTY", "PASSWORD_HASH_INVALID",
		"CODE_INVALID", "PASSWORD_RECOVERY_EXPIRED", "EMAIL_CODE_INVALID",
		"EMAIL_UNCONFIRMED_6", "EMAIL_HASH_EXPIRED", "HASH_INVALID", "FRESH_RESET_AUTHORISATION_FORBIDDEN", "SESSION_REVOKED"} {
		errs = append(errs, tgapi.NewError(400, code))
	}
	for _, err := range errs {
		out = append(out, Result{Call: call, Err: err})
	}
	return append(out, Result{Call: call, Err: errors.New("bad key"), Local: true})
}

// settleFully feeds a result to outcome, and the hint's answer when outcome asks for it.
func settleFully(t *testing.T, l *Login, res Result) Outcome {
	t.Helper()
	o, err := outcome(l, res, coreNow, coreSet)
	if err != nil {
		t.Fatalf("outcome(%s, %v): %v", l.State, res.Err, err)
	}
	if o.Then != nil {
		var answer any
		switch o.Then.(type) {
		case tgapi.GetPassword:
			answer = tgapi.PasswordInfo{HasPassword: true, Hint: "cat"}
		case tgapi.GetAuthorizations: // after FRESH_RESET_AUTHORISATION_FORBIDDEN
			answer = tgapi.Authorizations{Sessions: []tgapi.Session{{Current: true, Created: coreNow.Add(-time.Hour)}}}
		default:
			t.Fatalf("%s: follow-up %T, want account.getPassword or account.getAuthorizations", l.State, o.Then)
		}
		if o, err = outcome(l, Result{Call: o.Then, Value: answer}, coreNow, coreSet); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// Every result of every flight state's call leads along a row of the table, and every
// row of the table is reached by some result.
func TestOutcomeEveryRow(t *testing.T) {
	for _, st := range states.All {
		if st.Kind != states.InFlight {
			continue
		}
		reached := map[Event]bool{}
		for _, attempts := range []int{0, coreSet.MaxAttempts - 1} {
			l := loginIn(st.Name)
			l.Attempts, l.AttemptsFor = attempts, ""
			call := request(l, inputFor(tr.SubmitCode), Facts{})
			switch st.Name {
			case states.CheckingPassword:
				call = tgapi.CheckPassword{Password: "pw"}
			case states.CheckingRecovery:
				call = tgapi.RecoverPassword{Code: "1"}
			case states.CheckingEmailCode:
				call = tgapi.VerifyEmail{Code: "1"}
			case states.SigningUp:
				call = tgapi.SignUp{FirstName: "Ann"}
			case states.CheckingBotToken:
				call = tgapi.ImportBotAuthorization{Token: "1:x"}
			case states.UpdatingPassword, states.ConfirmingPasswordEmail, states.TerminatingSession,
				states.ConfirmingSession, states.InvalidatingCodes:
				call = accountRequest(l, inputFor(map[State]Event{states.UpdatingPassword: tr.SetPassword,
					states.ConfirmingPasswordEmail: tr.SubmitPasswordEmailCode, states.TerminatingSession: tr.TerminateSession,
					states.ConfirmingSession: tr.ConfirmSession, states.InvalidatingCodes: tr.InvalidateCodes}[st.Name]))
			}
			if call == nil {
				t.Fatalf("%s: no call", st.Name)
			}
			for _, res := range candidates(call) {
				before := l.Clone()
				o := settleFully(t, l, res)
				if !reflect.DeepEqual(l, before) {
					t.Fatalf("outcome(%s) changed the login it was given", st.Name)
				}
				want, ok := tr.Lookup(st.Name, o.Entry.Event)
				if !ok || o.Login.State != want || o.Entry.To != want || o.Entry.From != st.Name {
					t.Errorf("%s + %v/%v -> %s via %s: not a row of the table", st.Name, res.Value, res.Err, o.Login.State, o.Entry.Event)
				}
				if tr.Success(o.Entry.Event) == (o.Entry.Problem != nil) {
					t.Errorf("%s + %v/%v -> %s with problem %+v: a refusal needs a problem, a success none", st.Name, res.Value, res.Err, o.Entry.Event, o.Entry.Problem)
				}
				reached[o.Entry.Event] = true
			}
		}
		// A crash reaches the recovery rule's events.
		rules, _ := tr.RulesOf(st.Name)
		reached[rules.Recovery.Otherwise] = true
		for _, row := range tr.Table() {
			if row.From == st.Name && !reached[row.Event] {
				t.Errorf("%s: no result reaches the row --%s--> %s", st.Name, row.Event, row.To)
			}
		}
	}
}

func TestOutcomeProblems(t *testing.T) {
	flood := tgapi.NewError(420, "FLOOD_WAIT_30")
	wrong := tgapi.NewError(400, "PHONE_CODE_INVALID")
	cases := []struct {
		name  string
		login func() *Login
		res   Result
		want  Problem
		state State
	}{
		{"first wrong code", func() *Login { return loginIn(states.CheckingCode) }, Result{Call: tgapi.SignIn{}, Err: wrong},
			Problem{Code: ProblemCodeInvalid, Call: "auth.signIn", Attempt: 1, MaxAttempts: 3, Telegram: wrong}, states.CodeSent},
		{"last wrong code", func() *Login {
			l := loginIn(states.CheckingCode)
			l.Attempts, l.AttemptsFor = 2, states.CodeSent
			return l
		}, Result{Call: tgapi.SignIn{}, Err: wrong},
			Problem{Code: ProblemTooManyAttempts, Call: "auth.signIn", Attempt: 3, MaxAttempts: 3, Telegram: wrong}, states.Failed},
		{"wrong password after wrong codes counts from one", func() *Login {
			l := loginIn(states.CheckingPassword)
			l.Attempts, l.AttemptsFor = 2, states.CodeSent
			return l
		}, Result{Call: tgapi.CheckPassword{}, Err: tgapi.NewError(400, "PASSWORD_HASH_INVALID")},
			Problem{Code: ProblemPasswordInvalid, Call: "auth.checkPassword", Attempt: 1, MaxAttempts: 3, Telegram: tgapi.NewError(400, "PASSWORD_HASH_INVALID")}, states.PasswordNeeded},
		{"flood wait", func() *Login { return loginIn(states.SendingCode) }, Result{Call: tgapi.SendCode{}, Err: flood},
			Problem{Code: ProblemFloodWait, Call: "auth.sendCode", RetryAt: coreNow.Add(30 * time.Second), Telegram: flood}, states.New},
		{"no answer", func() *Login { return loginIn(states.CheckingCode) }, Result{Call: tgapi.SignIn{}, Err: errors.New("i/o timeout")},
			Problem{Code: ProblemNoAnswer, Call: "auth.signIn", Detail: "i/o timeout"}, states.CodeSent},
		{"local failure", func() *Login { return loginIn(states.CheckingCode) }, Result{Call: tgapi.SignIn{}, Err: errors.New("wrong key"), Local: true},
			Problem{Code: ProblemLocal, Call: "auth.signIn", Detail: "wrong key"}, states.CodeSent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := settleFully(t, c.login(), c.res)
			if o.Login.State != c.state || !reflect.DeepEqual(o.Login.Problem, &c.want) || !reflect.DeepEqual(o.Entry.Problem, &c.want) {
				t.Errorf("-> %s, problem %+v (entry %+v), want %s, %+v", o.Login.State, o.Login.Problem, o.Entry.Problem, c.state, c.want)
			}
		})
	}
}

// A resend does not reset the count of wrong codes: the count belongs to the prompt.
func TestAttemptsSurviveResend(t *testing.T) {
	l := loginIn(states.CheckingCode)
	l.Attempts, l.AttemptsFor = 2, states.CodeSent
	o := settleFully(t, func() *Login { r := l.Clone(); r.State = states.ResendingCode; return r }(),
		Result{Call: tgapi.ResendCode{}, Value: tgapi.SentCode{Type: tgapi.CodeCall, PhoneCodeHash: "new"}})
	if o.Login.State != states.CodeSent || o.Login.AttemptsAt(states.CodeSent) != 2 || o.Login.PhoneCodeHash != "new" {
		t.Fatalf("after resend: %s attempts %d hash %q, want CodeSent 2 new", o.Login.State, o.Login.AttemptsAt(states.CodeSent), o.Login.PhoneCodeHash)
	}
}

// A flood wait holds back the input that led into the flight, for this login; Facts
// carry other logins' waits on the phone, which hold back the call before it is made.
func TestFloodWaitHoldsBackTheInput(t *testing.T) {
	l := loginIn(states.CodeSent)
	step, err := decide(l, tr.ResendCode, Resend{}, coreNow, Facts{})
	if err != nil {
		t.Fatal(err)
	}
	o := settleFully(t, step.Login, Result{Call: step.Call, Err: tgapi.NewError(420, "FLOOD_WAIT_60")})
	if o.Login.RetryInput != tr.ResendCode || !o.Login.RetryAt.Equal(coreNow.Add(time.Minute)) {
		t.Fatalf("retry %s at %s", o.Login.RetryInput, o.Login.RetryAt)
	}
	if o.Flood == nil || o.Flood.Phone != "+9996621234" || o.Flood.Method != "auth.resendCode" {
		t.Fatalf("flood for other logins: %+v", o.Flood)
	}
	var fw *FloodWaitError
	if _, err := decide(o.Login, tr.ResendCode, Resend{}, coreNow.Add(time.Second), Facts{}); !errors.As(err, &fw) {
		t.Errorf("resend during the wait: %v, want FloodWaitError", err)
	}
	if _, err := decide(o.Login, tr.SubmitCode, SubmitCode{Code: "1"}, coreNow.Add(time.Second), Facts{}); err != nil {
		t.Errorf("the code can still be entered: %v", err)
	}
	if _, err := decide(o.Login, tr.ResendCode, Resend{}, coreNow.Add(time.Minute), Facts{}); err != nil {
		t.Errorf("resend after the wait: %v", err)
	}
	other := &Login{ID: "m", State: states.New}
	facts := Facts{FloodWaits: map[tgapi.Method]time.Time{"auth.sendCode": coreNow.Add(time.Minute)}}
	if _, err := decide(other, tr.SubmitPhone, SubmitPhone{Phone: "+9996621234"}, coreNow, facts); !errors.As(err, &fw) || !fw.Until.Equal(coreNow.Add(time.Minute)) {
		t.Errorf("another login of a flooded phone: %v, want FloodWaitError until %s", err, coreNow.Add(time.Minute))
	}
}

func TestRecoveryEveryFlightState(t *testing.T) {
	user := tgapi.User{ID: 1}
	for _, st := range states.All {
		if st.Kind != states.InFlight {
			continue
		}
		rules, _ := tr.RulesOf(st.Name)
		l := loginIn(st.Name)
		o := recovery(l, coreNow, coreSet)
		if !rules.Recovery.CheckAuthorized {
			want, _ := tr.Lookup(st.Name, rules.Recovery.Otherwise)
			if o.Then != nil || o.Login.State != want || o.Entry.Problem.Code != ProblemAnswerLost {
				t.Errorf("%s: recovered to %v (then %v), want %s at once", st.Name, o.Login, o.Then, want)
			}
			continue
		}
		if _, ok := o.Then.(tgapi.GetSelf); !ok {
			t.Fatalf("%s: recovery asks %T, want users.getUsers", st.Name, o.Then)
		}
		for _, c := range []struct {
			res  Result
			want Event
		}{
			{Result{Call: o.Then, Value: user}, rules.Recovery.IfAuthorized},
			{Result{Call: o.Then, Err: tgapi.NewError(401, "AUTH_KEY_UNREGISTERED")}, rules.Recovery.Otherwise},
		} {
			got, err := outcome(l, c.res, coreNow, coreSet)
			if err != nil || got.Entry.Event != c.want {
				t.Errorf("%s: recovery with %v/%v -> %s (%v), want %s", st.Name, c.res.Value, c.res.Err, got.Entry.Event, err, c.want)
			}
		}
		if _, err := outcome(l, Result{Call: o.Then, Err: errors.New("no route")}, coreNow, coreSet); err == nil {
			t.Errorf("%s: recovery decided without knowing whether the session is authorized", st.Name)
		}
	}
}

// BenchmarkCore is the pure core's share of machine.BenchmarkStep: decide a wrong code
// (CodeSent -> CheckingCode) and its outcome (-> CodeSent), with no store and no call.
func BenchmarkCore(b *testing.B) {
	l := loginIn(states.CodeSent)
	set := Settings{MaxAttempts: 1 << 30}
	wrong := tgapi.NewError(400, "PHONE_CODE_INVALID")
	in := SubmitCode{Code: "11111"}
	b.ReportAllocs()
	for b.Loop() {
		st, err := decide(l, tr.SubmitCode, in, coreNow, Facts{})
		if err != nil {
			b.Fatal(err)
		}
		o, err := outcome(st.Login, Result{Call: st.Call, Err: wrong}, coreNow, set)
		if err != nil || o.Login.State != states.CodeSent {
			b.Fatalf("%v %v", o.Login, err)
		}
	}
}
