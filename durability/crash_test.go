package durability_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// A crash case drives a login, with step-command processes, to the state before an
// in-flight state, then runs the command that enters it while the test DC holds its call,
// and SIGKILLs that process once the call reached the DC. A new process (`tgauth status`)
// must then find the login where the state's recovery rule (docs/statechart.md) says.
//
// What the test DC does with the held call (measured, and documented on testdc.DC.Hold):
// the DC executes it as soon as it is released or notices that the connection died, and
// the answer goes nowhere. So every call in these tests did happen on Telegram's side:
// a sign-in authorized the session, a code was sent, a log-out unbound the key. For the
// states whose recovery asks Telegram (CheckAuthorized), the test waits until Telegram
// answers the login's session as the executed call left it before it runs `status`, so
// the outcome does not depend on which of the two gets there first.
type crashCase struct {
	name   string
	flight machine.State // the in-flight state the process dies in
	method string        // its TL method, held by the test DC
	dc     testdc.Options
	// before drives the login to the state before the flight state and returns its ID;
	// nil when the crashing command creates the login (start).
	before func(e *env) string
	// crash is the command that enters the flight state (and its stdin).
	crash func(id string) (stdin string, args []string)
	// sessionAuthorized, when set, is what Telegram says of the login's session once it
	// executed the held call; the test waits for it before recovering.
	sessionAuthorized *bool
	// want is the state recovery must reach, by the transition wantStep.
	want     machine.State
	wantStep string
	// beforeKill, when set, runs while the call is held, before the process is killed.
	beforeKill func(e *env, id string)
	// check, when set, checks more of the recovered login, and may drive it on.
	check func(t *testing.T, e *env, id string, snap machine.Snapshot)
}

var (
	yes = new(true)
	no  = new(false)
)

// The accounts of the crash cases, one phone each (every case has its own test DC).
const (
	password     = "durable-horse-7"
	recoveryMail = "ann@example.com"
)

func TestCrashInEveryFlightState(t *testing.T) {
	cases := []crashCase{{
		name:     "SendingCode",
		flight:   states.SendingCode,
		method:   "auth.sendCode",
		crash:    func(string) (string, []string) { return "", []string{"start", "--phone", "+9996621101"} },
		want:     states.New,
		wantStep: "SendingCode --interrupted--> New",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			// The code went out (the DC executed the held call), but nothing sends it again:
			// the user is asked for the number.
			wantAnswerLost(t, snap, machine.AskStart, "auth.sendCode")
		},
	}, {
		name:     "ResendingCode",
		flight:   states.ResendingCode,
		method:   "auth.resendCode",
		dc:       world(testdc.Account{Phone: "9996621102", NextType: "sms"}),
		before:   codeSent("+9996621102"),
		crash:    func(id string) (string, []string) { return "", []string{"resend", id} },
		want:     states.CodeSent,
		wantStep: "ResendingCode --interrupted--> CodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskCode, "auth.resendCode")
			// "The code already sent may still be valid": it is.
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:              "CheckingCode",
		flight:            states.CheckingCode,
		method:            "auth.signIn",
		before:            codeSent("+9996621103"),
		crash:             func(id string) (string, []string) { return "", []string{"code", id, "22222"} },
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "CheckingCode --signed_in--> Authorized",
		check:             wantUser(9996621103),
	}, {
		name:              "CheckingCode/wrong_code",
		flight:            states.CheckingCode,
		method:            "auth.signIn",
		before:            codeSent("+9996621113"),
		crash:             func(id string) (string, []string) { return "", []string{"code", id, "11111"} },
		sessionAuthorized: no,
		want:              states.CodeSent,
		wantStep:          "CheckingCode --interrupted--> CodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskCode, "auth.signIn")
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:   "SigningUp",
		flight: states.SigningUp,
		method: "auth.signUp",
		dc:     world(testdc.Account{Phone: "9996621104", Registered: new(false)}),
		before: func(e *env) string {
			id := codeSent("+9996621104")(e)
			e.stepTo(states.SignUpRequired, "code", id, "22222")
			return id
		},
		crash:             func(id string) (string, []string) { return "", []string{"signup", id, "Ann", "Lee", "--accept-tos"} },
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "SigningUp --signed_in--> Authorized",
		check:             wantUser(9996621104),
	}, {
		name:              "CheckingPassword",
		flight:            states.CheckingPassword,
		method:            "auth.checkPassword",
		dc:                world(testdc.Account{Phone: "9996621105", Password: password, Hint: "horse"}),
		before:            passwordNeeded("+9996621105"),
		crash:             func(id string) (string, []string) { return password + "\n", []string{"password", id, "-"} },
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "CheckingPassword --signed_in--> Authorized",
		check:             wantUser(9996621105),
	}, {
		name:              "CheckingPassword/wrong_password",
		flight:            states.CheckingPassword,
		method:            "auth.checkPassword",
		dc:                world(testdc.Account{Phone: "9996621115", Password: password, Hint: "horse"}),
		before:            passwordNeeded("+9996621115"),
		crash:             func(id string) (string, []string) { return "not-it\n", []string{"password", id, "-"} },
		sessionAuthorized: no,
		want:              states.PasswordNeeded,
		wantStep:          "CheckingPassword --interrupted--> PasswordNeeded",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskPassword, "auth.checkPassword")
			e.stepIn(password+"\n", "password", id, "-")
			wantUser(9996621115)(t, e, id, e.step("status", id))
		},
	}, {
		name:     "RequestingRecovery",
		flight:   states.RequestingRecovery,
		method:   "auth.requestPasswordRecovery",
		dc:       world(testdc.Account{Phone: "9996621106", Password: password, RecoveryEmail: recoveryMail}),
		before:   passwordNeeded("+9996621106"),
		crash:    func(id string) (string, []string) { return "", []string{"recover", id} },
		want:     states.PasswordNeeded,
		wantStep: "RequestingRecovery --interrupted--> PasswordNeeded",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskPassword, "auth.requestPasswordRecovery")
			// "The user asks for recovery again."
			e.stepTo(states.RecoveryCodeSent, "recover", id)
			e.stepTo(states.Authorized, "recovery-code", id, "222222")
		},
	}, {
		name:   "CheckingRecovery",
		flight: states.CheckingRecovery,
		method: "auth.recoverPassword",
		dc:     world(testdc.Account{Phone: "9996621107", Password: password, RecoveryEmail: recoveryMail}),
		before: func(e *env) string {
			id := passwordNeeded("+9996621107")(e)
			e.stepTo(states.RecoveryCodeSent, "recover", id)
			return id
		},
		crash:             func(id string) (string, []string) { return "", []string{"recovery-code", id, "222222"} },
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "CheckingRecovery --signed_in--> Authorized",
		check:             wantUser(9996621107),
	}, {
		name:     "SendingEmailCode",
		flight:   states.SendingEmailCode,
		method:   "account.sendVerifyEmailCode",
		dc:       world(testdc.Account{Phone: "9996621108", CodeType: "setup_email_required"}),
		before:   emailRequired("+9996621108"),
		crash:    func(id string) (string, []string) { return "", []string{"email", id, recoveryMail} },
		want:     states.EmailRequired,
		wantStep: "SendingEmailCode --interrupted--> EmailRequired",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskEmail, "account.sendVerifyEmailCode")
			// "The user enters the address again", and the login goes on.
			e.stepTo(states.EmailCodeSent, "email", id, recoveryMail)
			e.stepTo(states.CodeSent, "email-code", id, "222222")
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:   "CheckingEmailCode",
		flight: states.CheckingEmailCode,
		method: "account.verifyEmail",
		dc:     world(testdc.Account{Phone: "9996621109", CodeType: "setup_email_required"}),
		before: func(e *env) string {
			id := emailRequired("+9996621109")(e)
			e.stepTo(states.EmailCodeSent, "email", id, recoveryMail)
			return id
		},
		crash:    func(id string) (string, []string) { return "", []string{"email-code", id, "222222"} },
		want:     states.EmailCodeSent,
		wantStep: "CheckingEmailCode --interrupted--> EmailCodeSent",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantAnswerLost(t, snap, machine.AskEmailCode, "account.verifyEmail")
			// Measured: the DC did verify the address (the held call ran), so entering the
			// e-mail code again is refused (testdc: EMAIL_NOT_ALLOWED, the code having become
			// a login code sent by e-mail, which the lost answer announced) and this login
			// cannot go on. The user cancels it; a new login for the phone goes through the
			// e-mail setup again and signs in.
			r := e.run("email-code", id, "222222")
			t.Logf("the e-mail code again after the crash: exit %d, %s", r.code, strings.TrimSpace(r.stderr))
			e.stepTo(states.Cancelled, "cancel", id)
			next := emailRequired("+9996621109")(e)
			e.stepTo(states.EmailCodeSent, "email", next, recoveryMail)
			e.stepTo(states.CodeSent, "email-code", next, "222222")
			e.stepTo(states.Authorized, "code", next, "22222")
		},
	}, {
		name:              "ExportingQR",
		flight:            states.ExportingQR,
		method:            "auth.exportLoginToken",
		crash:             func(string) (string, []string) { return "", []string{"start", "--qr"} },
		sessionAuthorized: no,
		want:              states.QRWaiting,
		wantStep:          "ExportingQR --interrupted--> QRWaiting",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			// "QRWaiting with the next poll due at once": the timer is due...
			l := e.storedLogin(id)
			if l.TimerEvent != "qr_poll" || l.TimerAt.After(time.Now()) {
				t.Fatalf("recovered QR login has timer %q at %v; want qr_poll due now", l.TimerEvent, l.TimerAt)
			}
			// ...and a scheduler process exports a new token at once.
			timers := e.start("serve-timers")
			waitFor(t, "a new QR code after recovery", func() bool {
				return e.step("status", id).Prompt.QR != nil
			})
			timers.kill()
		},
	}, {
		name:   "ImportingQR",
		flight: states.ImportingQR,
		method: "auth.importLoginToken",
		dc:     qrDC(),
		before: scannedQR("+9996631110"),
		crash:  func(string) (string, []string) { return "", []string{"serve-timers"} },
		// The import first moves the session to DC 3 (a new auth key there), which gotd
		// stores as its new connection gets ready, around when it lets the call through
		// (measured: always stored by the time the call reached the DC). The kill waits for
		// it, so that the stored session is surely the one the held import authorizes.
		beforeKill: func(e *env, id string) {
			waitFor(e.t, "the login's session stored on DC 3", func() bool { return e.sessionDC(id) == 3 })
		},
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "ImportingQR --signed_in--> Authorized",
		check: func(t *testing.T, e *env, id string, snap machine.Snapshot) {
			wantUser(9996631110)(t, e, id, snap)
			if snap.DC != 3 {
				t.Errorf("the QR login lives on DC %d; want 3, where the account is", snap.DC)
			}
		},
	}, {
		name:   "CheckingBotToken",
		flight: states.CheckingBotToken,
		method: "auth.importBotAuthorization",
		crash: func(string) (string, []string) {
			return "", []string{"start", "--bot-token", "4242:durable-bot-secret"}
		},
		sessionAuthorized: yes,
		want:              states.Authorized,
		wantStep:          "CheckingBotToken --signed_in--> Authorized",
		check:             wantUser(4242),
	}, {
		name:     "CancellingCode",
		flight:   states.CancellingCode,
		method:   "auth.cancelCode",
		before:   codeSent("+9996621111"),
		crash:    func(id string) (string, []string) { return "", []string{"cancel", id} },
		want:     states.Cancelled,
		wantStep: "CancellingCode --interrupted--> Cancelled",
	}, {
		name:   "LoggingOut",
		flight: states.LoggingOut,
		method: "auth.logOut",
		before: func(e *env) string {
			id := codeSent("+9996621112")(e)
			e.stepTo(states.Authorized, "code", id, "22222")
			return id
		},
		crash:             func(id string) (string, []string) { return "", []string{"logout", id} },
		sessionAuthorized: no, // the DC executed the log-out
		want:              states.LoggedOut,
		wantStep:          "LoggingOut --done--> LoggedOut",
	}}
	cases = append(cases, accountCrashCases()...)

	covered := map[machine.State]bool{}
	for _, c := range cases {
		covered[c.flight] = true
	}
	for _, info := range states.All {
		if info.Kind == states.InFlight && !covered[info.Name] {
			t.Errorf("no crash case for the in-flight state %s", info.Name)
		}
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			testCrash(t, c)
		})
	}
}

func testCrash(t *testing.T, c crashCase) {
	e := newEnv(t, c.dc)
	id := ""
	if c.before != nil {
		id = c.before(e)
	}
	stdin, args := c.crash(id)

	// The process enters the flight state and calls; the DC holds the call.
	n := e.dc.Calls(c.method)
	release := e.dc.Hold(c.method)
	defer release()
	p := e.startIn(stdin, args...)
	e.waitCalls(p, c.method, n+1)
	if id == "" {
		id = e.onlyLogin()
	}
	// The write-ahead: the store says which call is outstanding.
	if got := e.listed()[id]; got != c.flight {
		t.Fatalf("while %s is held, the store has login %s in %s; want %s", c.method, id, got, c.flight)
	}
	if c.beforeKill != nil {
		c.beforeKill(e, id)
	}
	p.kill()
	release()
	t.Logf("killed %s during %s: %s", strings.Join(args, " "), c.method, p.result())

	if c.sessionAuthorized != nil {
		e.waitAuthorized(id, *c.sessionAuthorized)
	}

	// A new process recovers the login by the state's rule; it sends no code.
	sendCodes := e.dc.Calls("auth.sendCode")
	snap := e.step("status", id)
	if snap.State != c.want {
		t.Fatalf("after a crash in %s, status recovered login %s to %s; want %s (prompt %+v)", c.flight, id, snap.State, c.want, snap.Prompt)
	}
	if got := e.listed()[id]; got != c.want {
		t.Fatalf("tgauth list has login %s in %q; want %s", id, got, c.want)
	}
	steps, history := e.history(id)
	if len(steps) < 2 || steps[len(steps)-1] != c.wantStep || !strings.HasSuffix(steps[len(steps)-2], "--> "+string(c.flight)) {
		t.Fatalf("history of login %s; want it to end with the write-ahead of %s, then %q:\n%s", id, c.flight, c.wantStep, history)
	}
	if again := e.step("status", id); again.State != c.want || again.Version != snap.Version {
		t.Fatalf("a second status moved the login: %s v%d, then %s v%d", snap.State, snap.Version, again.State, again.Version)
	}
	if got := e.dc.Calls("auth.sendCode"); got != sendCodes {
		t.Fatalf("recovery called auth.sendCode %d times; want none", got-sendCodes)
	}
	t.Logf("recovered: %s", c.wantStep)
	if c.check != nil {
		c.check(t, e, id, snap)
	}
}

// codeSent starts a phone login and returns its ID, in CodeSent.
func codeSent(phone string) func(e *env) string {
	return func(e *env) string {
		return e.stepTo(states.CodeSent, "start", "--phone", phone).ID
	}
}

// passwordNeeded starts a phone login of a 2FA account and enters the code.
func passwordNeeded(phone string) func(e *env) string {
	return func(e *env) string {
		id := codeSent(phone)(e)
		e.stepTo(states.PasswordNeeded, "code", id, "22222")
		return id
	}
}

// emailRequired starts a phone login of a setup_email_required account.
func emailRequired(phone string) func(e *env) string {
	return func(e *env) string {
		return e.stepTo(states.EmailRequired, "start", "--phone", phone).ID
	}
}

// qrDC is a test DC whose clock runs QRTokenTTL behind: the tokens it exports have
// expired by the time the engine sees them (so a scheduler exports again at once), yet the
// DC takes them for QRTokenTTL more (so the scan never races the expiry).
func qrDC() testdc.Options {
	const ttl = 30 * time.Second
	return testdc.Options{QRTokenTTL: ttl, Now: func() time.Time { return time.Now().Add(-ttl) }}
}

// scannedQR starts a QR login and has it scanned by phone, which lives on another DC than
// the login's session (DC 2): the next export answers auth.loginTokenMigrateTo, and the
// engine imports the token on the account's DC.
func scannedQR(phone string) func(e *env) string {
	return func(e *env) string {
		snap := e.stepTo(states.QRWaiting, "start", "--qr")
		if snap.Prompt.QR == nil {
			e.t.Fatalf("QRWaiting with no QR code: %+v", snap.Prompt)
		}
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		if err := testdc.Scan(ctx, e.dc.Config(), phone, "", snap.Prompt.QR.URL); err != nil {
			e.t.Fatal(err)
		}
		return snap.ID
	}
}

// wantPrompt checks that the login asks for kind, with the problem code on the
// record for the call (the answer to call was lost, for the crash cases).
func wantPrompt(t *testing.T, snap machine.Snapshot, kind machine.PromptKind, code machine.ProblemCode, call tgapi.Method) {
	t.Helper()
	p := snap.Prompt.Problem
	if snap.Prompt.Kind != kind || p == nil || p.Code != code || p.Call != call {
		t.Fatalf("prompt %q with problem %+v (%s); want %q with problem %s of %s", snap.Prompt.Kind, p, p.Text(), kind, code, call)
	}
}

// wantAnswerLost checks that the login asks for kind, saying that the answer to call was
// lost.
func wantAnswerLost(t *testing.T, snap machine.Snapshot, kind machine.PromptKind, call tgapi.Method) {
	t.Helper()
	wantPrompt(t, snap, kind, machine.ProblemAnswerLost, call)
	if text := snap.Prompt.Problem.Text(); !strings.Contains(text, "answer to "+string(call)+" was lost") {
		t.Fatalf("the lost answer's problem reads %q", text)
	}
}

func wantUser(userID int64) func(t *testing.T, e *env, id string, snap machine.Snapshot) {
	return func(t *testing.T, e *env, id string, snap machine.Snapshot) {
		t.Helper()
		if snap.State != states.Authorized || snap.Prompt.User == nil || snap.Prompt.User.ID != userID {
			t.Fatalf("login %s is %s as %+v; want Authorized as user %d", id, snap.State, snap.Prompt.User, userID)
		}
	}
}
