package durability_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// An interrupt case drives a login, with step-command processes, to the state before an
// in-flight state, runs the command that enters it while the test DC holds its call, and
// interrupts that process (SIGINT, as Ctrl-C does) once the call reached the DC and the
// store shows the write-ahead. The DC then answers. The process must wait for that answer,
// keep it and exit 130: the login is where Telegram's answer put it (a code sent is not
// lost: CodeSent with its phone_code_hash), never "interrupted", and the next command
// goes on from there.
type interruptCase struct {
	name   string
	flight machine.State // the in-flight state the process is interrupted in
	method string        // its TL method, held by the test DC
	dc     testdc.Options
	// before drives the login to the state before the flight state and returns its ID;
	// nil when the interrupted command creates the login (start).
	before func(e *env) string
	// cmd is the command that enters the flight state (and its stdin).
	cmd func(id string) (stdin string, args []string)
	// want is the state Telegram's answer puts the login in, by the transition wantStep.
	want     machine.State
	wantStep string
	// problem, when set, is the problem the answer left on the login (a refusal).
	problem machine.ProblemCode
	// exit is the process's exit status: 130 when zero.
	exit int
	// check, when set, checks more of the login, and drives it on.
	check func(t *testing.T, e *env, id string)
}

func TestInterruptInEveryFlightState(t *testing.T) {
	cases := []interruptCase{{
		name:     "SendingCode",
		flight:   states.SendingCode,
		method:   "auth.sendCode",
		cmd:      func(string) (string, []string) { return "", []string{"start", "--phone", "+9996623101"} },
		want:     states.CodeSent,
		wantStep: "SendingCode --code_sent--> CodeSent",
		check: func(t *testing.T, e *env, id string) {
			// The code the interrupted process had sent is the one that signs in.
			e.stepTo(states.Authorized, "code", id, "22222")
			if n := e.dc.Calls("auth.sendCode"); n != 1 {
				t.Fatalf("auth.sendCode called %d times; want 1", n)
			}
		},
	}, {
		name:     "ResendingCode",
		flight:   states.ResendingCode,
		method:   "auth.resendCode",
		dc:       world(testdc.Account{Phone: "9996623102", NextType: "sms"}),
		before:   codeSent("+9996623102"),
		cmd:      func(id string) (string, []string) { return "", []string{"resend", id} },
		want:     states.CodeSent,
		wantStep: "ResendingCode --code_sent--> CodeSent",
		check: func(t *testing.T, e *env, id string) {
			if c := e.step("status", id).Prompt.Code; c == nil || c.Type != tgapi.CodeSMS {
				t.Fatalf("after the interrupted resend the code prompt is %+v; want the code resent by sms", c)
			}
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:     "CheckingCode",
		flight:   states.CheckingCode,
		method:   "auth.signIn",
		before:   codeSent("+9996623103"),
		cmd:      func(id string) (string, []string) { return "", []string{"code", id, "22222"} },
		want:     states.Authorized,
		wantStep: "CheckingCode --signed_in--> Authorized",
		check:    authorizedAs(9996623103),
	}, {
		name:     "CheckingCode/wrong_code",
		flight:   states.CheckingCode,
		method:   "auth.signIn",
		before:   codeSent("+9996623113"),
		cmd:      func(id string) (string, []string) { return "", []string{"code", id, "11111"} },
		want:     states.CodeSent,
		wantStep: "CheckingCode --code_invalid--> CodeSent",
		problem:  machine.ProblemCodeInvalid,
		check: func(t *testing.T, e *env, id string) {
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		// The answer (SESSION_PASSWORD_NEEDED) makes the process fetch the hint with a
		// second call after the interrupt; the login rests only then.
		name:     "CheckingCode/password_needed",
		flight:   states.CheckingCode,
		method:   "auth.signIn",
		dc:       world(testdc.Account{Phone: "9996623123", Password: password, Hint: "horse"}),
		before:   codeSent("+9996623123"),
		cmd:      func(id string) (string, []string) { return "", []string{"code", id, "22222"} },
		want:     states.PasswordNeeded,
		wantStep: "CheckingCode --password_needed--> PasswordNeeded",
		check: func(t *testing.T, e *env, id string) {
			if p := e.step("status", id).Prompt.Password; p == nil || p.Hint != "horse" {
				t.Fatalf("password prompt %+v; want the hint fetched after the interrupt", p)
			}
			e.stepIn(password+"\n", "password", id, "-")
			authorizedAs(9996623123)(t, e, id)
		},
	}, {
		name:     "SigningUp",
		flight:   states.SigningUp,
		method:   "auth.signUp",
		dc:       world(testdc.Account{Phone: "9996623104", Registered: new(false)}),
		before:   signUpRequired("+9996623104"),
		cmd:      func(id string) (string, []string) { return "", []string{"signup", id, "Ann", "Lee", "--accept-tos"} },
		want:     states.Authorized,
		wantStep: "SigningUp --signed_in--> Authorized",
		check:    authorizedAs(9996623104),
	}, {
		name:     "CheckingPassword",
		flight:   states.CheckingPassword,
		method:   "auth.checkPassword",
		dc:       world(testdc.Account{Phone: "9996623105", Password: password}),
		before:   passwordNeeded("+9996623105"),
		cmd:      func(id string) (string, []string) { return password + "\n", []string{"password", id, "-"} },
		want:     states.Authorized,
		wantStep: "CheckingPassword --signed_in--> Authorized",
		check:    authorizedAs(9996623105),
	}, {
		name:     "CheckingPassword/wrong_password",
		flight:   states.CheckingPassword,
		method:   "auth.checkPassword",
		dc:       world(testdc.Account{Phone: "9996623115", Password: password}),
		before:   passwordNeeded("+9996623115"),
		cmd:      func(id string) (string, []string) { return "not-it\n", []string{"password", id, "-"} },
		want:     states.PasswordNeeded,
		wantStep: "CheckingPassword --password_invalid--> PasswordNeeded",
		problem:  machine.ProblemPasswordInvalid,
		check: func(t *testing.T, e *env, id string) {
			e.stepIn(password+"\n", "password", id, "-")
			authorizedAs(9996623115)(t, e, id)
		},
	}, {
		name:     "RequestingRecovery",
		flight:   states.RequestingRecovery,
		method:   "auth.requestPasswordRecovery",
		dc:       world(testdc.Account{Phone: "9996623106", Password: password, RecoveryEmail: recoveryMail}),
		before:   passwordNeeded("+9996623106"),
		cmd:      func(id string) (string, []string) { return "", []string{"recover", id} },
		want:     states.RecoveryCodeSent,
		wantStep: "RequestingRecovery --recovery_sent--> RecoveryCodeSent",
		check: func(t *testing.T, e *env, id string) {
			e.stepTo(states.Authorized, "recovery-code", id, "222222")
		},
	}, {
		name:   "CheckingRecovery",
		flight: states.CheckingRecovery,
		method: "auth.recoverPassword",
		dc:     world(testdc.Account{Phone: "9996623107", Password: password, RecoveryEmail: recoveryMail}),
		before: func(e *env) string {
			id := passwordNeeded("+9996623107")(e)
			e.stepTo(states.RecoveryCodeSent, "recover", id)
			return id
		},
		cmd:      func(id string) (string, []string) { return "", []string{"recovery-code", id, "222222"} },
		want:     states.Authorized,
		wantStep: "CheckingRecovery --signed_in--> Authorized",
		check:    authorizedAs(9996623107),
	}, {
		name:     "SendingEmailCode",
		flight:   states.SendingEmailCode,
		method:   "account.sendVerifyEmailCode",
		dc:       world(testdc.Account{Phone: "9996623108", CodeType: "setup_email_required"}),
		before:   emailRequired("+9996623108"),
		cmd:      func(id string) (string, []string) { return "", []string{"email", id, recoveryMail} },
		want:     states.EmailCodeSent,
		wantStep: "SendingEmailCode --email_code_sent--> EmailCodeSent",
		check: func(t *testing.T, e *env, id string) {
			e.stepTo(states.CodeSent, "email-code", id, "222222")
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:   "CheckingEmailCode",
		flight: states.CheckingEmailCode,
		method: "account.verifyEmail",
		dc:     world(testdc.Account{Phone: "9996623109", CodeType: "setup_email_required"}),
		before: func(e *env) string {
			id := emailRequired("+9996623109")(e)
			e.stepTo(states.EmailCodeSent, "email", id, recoveryMail)
			return id
		},
		cmd:      func(id string) (string, []string) { return "", []string{"email-code", id, "222222"} },
		want:     states.CodeSent,
		wantStep: "CheckingEmailCode --code_sent--> CodeSent",
		check: func(t *testing.T, e *env, id string) {
			if c := e.step("status", id).Prompt.Code; c == nil || c.Type != tgapi.CodeEmail {
				t.Fatalf("after the interrupted e-mail verification the code prompt is %+v; want the login code sent by e-mail", c)
			}
			e.stepTo(states.Authorized, "code", id, "22222")
		},
	}, {
		name:     "ExportingQR",
		flight:   states.ExportingQR,
		method:   "auth.exportLoginToken",
		dc:       qrDC(),
		cmd:      func(string) (string, []string) { return "", []string{"start", "--qr"} },
		want:     states.QRWaiting,
		wantStep: "ExportingQR --qr_token--> QRWaiting",
		check: func(t *testing.T, e *env, id string) {
			// The token the interrupted process got is shown, and it is the one to scan:
			// once scanned, a scheduler's next export signs the login in.
			snap := e.step("status", id)
			if snap.Prompt.QR == nil {
				t.Fatalf("QRWaiting without the QR code the interrupted export got: %+v", snap.Prompt)
			}
			scan(e, "+9996623110", snap.Prompt.QR.URL)
			timers := e.start("serve-timers")
			waitFor(t, "the scanned QR login authorized by serve-timers", func() bool {
				return e.listed()[id] == states.Authorized
			})
			timers.kill()
			authorizedAs(9996623110)(t, e, id)
		},
	}, {
		// ImportingQR is entered by the scheduler, not by a step command: serve-timers,
		// interrupted during the import, finishes it before it stops.
		name:     "ImportingQR",
		flight:   states.ImportingQR,
		method:   "auth.importLoginToken",
		dc:       qrDC(),
		before:   scannedQR("+9996633111"),
		cmd:      func(string) (string, []string) { return "", []string{"serve-timers"} },
		want:     states.Authorized,
		wantStep: "ImportingQR --signed_in--> Authorized",
		exit:     -1, // serve-timers stops as it stops on any interrupt: see testInterrupt
		check: func(t *testing.T, e *env, id string) {
			authorizedAs(9996633111)(t, e, id)
			if dc := e.step("status", id).DC; dc != 3 {
				t.Errorf("the QR login lives on DC %d; want 3, where the account is", dc)
			}
		},
	}, {
		name:   "CheckingBotToken",
		flight: states.CheckingBotToken,
		method: "auth.importBotAuthorization",
		cmd: func(string) (string, []string) {
			return "", []string{"start", "--bot-token", "4243:interrupted-bot-secret"}
		},
		want:     states.Authorized,
		wantStep: "CheckingBotToken --signed_in--> Authorized",
		check:    authorizedAs(4243),
	}, {
		name:     "CancellingCode",
		flight:   states.CancellingCode,
		method:   "auth.cancelCode",
		before:   codeSent("+9996623112"),
		cmd:      func(id string) (string, []string) { return "", []string{"cancel", id} },
		want:     states.Cancelled,
		wantStep: "CancellingCode --done--> Cancelled",
		check: func(t *testing.T, e *env, id string) {
			signIns := e.dc.Calls("auth.signIn")
			if r := e.run("code", id, "22222"); r.code != 1 {
				t.Fatalf("a code for the cancelled login was not refused:\n%v", r)
			}
			if n := e.dc.Calls("auth.signIn"); n != signIns {
				t.Fatalf("a code for the cancelled login reached Telegram (%d auth.signIn)", n-signIns)
			}
		},
	}, {
		name:   "LoggingOut",
		flight: states.LoggingOut,
		method: "auth.logOut",
		before: func(e *env) string {
			id := codeSent("+9996623114")(e)
			e.stepTo(states.Authorized, "code", id, "22222")
			return id
		},
		cmd:      func(id string) (string, []string) { return "", []string{"logout", id} },
		want:     states.LoggedOut,
		wantStep: "LoggingOut --done--> LoggedOut",
		check: func(t *testing.T, e *env, id string) {
			if ok, err := e.authorized(id); err != nil || ok {
				t.Fatalf("after the interrupted log-out the session is authorized=%v (%v); want logged out", ok, err)
			}
		},
	}}
	cases = append(cases, accountInterruptCases()...)

	covered := map[machine.State]bool{}
	for _, c := range cases {
		covered[c.flight] = true
	}
	for _, info := range states.All {
		if info.Kind == states.InFlight && !covered[info.Name] {
			t.Errorf("no interrupt case for the in-flight state %s", info.Name)
		}
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			testInterrupt(t, c)
		})
	}
}

func testInterrupt(t *testing.T, c interruptCase) {
	e := newEnv(t, c.dc)
	id := ""
	if c.before != nil {
		id = c.before(e)
	}
	stdin, args := c.cmd(id)
	cancels := e.dc.Calls("auth.cancelCode")

	n := e.dc.Calls(c.method)
	release := e.dc.Hold(c.method)
	defer release()
	p := e.startInterruptible(strings.NewReader(stdin), args...)
	e.waitCalls(p, c.method, n+1)
	if id == "" {
		id = e.onlyLogin()
	}
	if got := e.listed()[id]; got != c.flight {
		t.Fatalf("while %s is held, the store has login %s in %s; want %s", c.method, id, got, c.flight)
	}
	p.interrupt()
	release()
	r := p.wait()
	t.Logf("interrupted %s during %s: %s", strings.Join(args, " "), c.method, r)

	switch {
	case c.exit == 0:
		if r.code != 130 {
			t.Fatalf("an interrupted step command must exit 130:\n%v", r)
		}
		said := fmt.Sprintf("interrupted; the Telegram call was finished and its answer kept: login %s is in %s", id, c.want)
		if !strings.Contains(r.stderr, said) {
			t.Fatalf("an interrupted step command must say %q:\n%v", said, r)
		}
		if !strings.Contains(r.stdout, "state: "+string(c.want)+"\n") {
			t.Fatalf("an interrupted step command must show where the answer put the login (%s):\n%v", c.want, r)
		}
	case r.code != 0 && r.code != 130:
		// serve-timers: an interrupt is how it stops.
		t.Fatalf("interrupted serve-timers must stop cleanly (0 or 130):\n%v", r)
	}

	// Where Telegram's answer put it: no recovery ran, nothing was lost.
	l := e.sealedLogin(id)
	if l.State != c.want {
		t.Fatalf("after the interrupt the store has login %s in %s; want %s", id, l.State, c.want)
	}
	if l.LeaseOwner != "" {
		t.Fatalf("login %s rests in %s but keeps the lease of %s", id, l.State, l.LeaseOwner)
	}
	if l.State == states.CodeSent && l.PhoneCodeHash == "" {
		t.Fatalf("login %s is CodeSent without its phone_code_hash: the answer's code was lost", id)
	}
	switch {
	case c.problem != "" && (l.Problem == nil || l.Problem.Code != c.problem):
		t.Fatalf("login %s has problem %+v; want %s from Telegram's answer", id, l.Problem, c.problem)
	case c.problem == "" && l.Problem != nil:
		t.Fatalf("login %s has problem %+v (%s); want none", id, l.Problem, l.Problem.Text())
	}
	steps, history := e.history(id)
	if len(steps) < 2 || steps[len(steps)-1] != c.wantStep || !strings.HasSuffix(steps[len(steps)-2], "--> "+string(c.flight)) {
		t.Fatalf("history of login %s; want it to end with the write-ahead of %s, then %q:\n%s", id, c.flight, c.wantStep, history)
	}
	if strings.Contains(history, "--interrupted-->") {
		t.Fatalf("history of login %s has a recovered call; the interrupted process must have kept the answer:\n%s", id, history)
	}
	if c.flight != states.CancellingCode && e.dc.Calls("auth.cancelCode") != cancels {
		t.Fatalf("an interrupted %s cancelled the code; only the interactive login does", args[0])
	}
	if c.check != nil {
		c.check(t, e, id)
	}
}

// TestInterruptedLoginCancelsTheCode interrupts an interactive `tgauth login` (stdin a
// pipe, so it reads plain lines) while auth.sendCode is in flight: the call finishes, the
// code it sent is cancelled with auth.cancelCode, the login ends Cancelled and the process
// exits 130.
func TestInterruptedLoginCancelsTheCode(t *testing.T) {
	for i, tc := range []struct {
		name  string
		flags []string // --phone, or none: the phone is typed
	}{
		{name: "phone_flag", flags: []string{"--phone", "+9996623201"}},
		{name: "phone_typed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			phone := fmt.Sprintf("+999662320%d", i+1)
			e := newEnv(t, world())
			release := e.dc.Hold("auth.sendCode")
			defer release()
			// An OS pipe, handed to the process as is: stdin stays open, with nothing typed
			// until the test types it.
			stdin, typing, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = typing.Close() })
			args := append([]string{"login"}, tc.flags...)
			if len(tc.flags) > 0 {
				phone = tc.flags[1]
			}
			p := e.startInterruptible(stdin, args...)
			_ = stdin.Close() // the process has its own copy
			if len(tc.flags) == 0 {
				waitFor(t, "login asks for the phone number", func() bool {
					if p.exited() {
						t.Fatalf("login ended before it asked for the phone:\n%v", p.result())
					}
					return strings.Contains(p.stdout.String(), "Phone number")
				})
				if _, err := io.WriteString(typing, phone+"\n"); err != nil {
					t.Fatal(err)
				}
			}
			e.waitCalls(p, "auth.sendCode", 1)
			id := e.onlyLogin()
			if got := e.listed()[id]; got != states.SendingCode {
				t.Fatalf("while auth.sendCode is held the login is %s; want SendingCode", got)
			}
			p.interrupt()
			release()
			r := p.wait()
			t.Logf("interrupted login: %v", r)
			if r.code != 130 || !strings.Contains(r.stderr, "interrupted") {
				t.Fatalf("an interrupted login must exit 130 saying so:\n%v", r)
			}
			if n := e.dc.Calls("auth.cancelCode"); n != 1 {
				t.Fatalf("the interrupted login called auth.cancelCode %d times; want 1\n%v", n, r)
			}
			if got := e.listed()[id]; got != states.Cancelled {
				t.Fatalf("the interrupted login is %s; want Cancelled", got)
			}
			steps, history := e.history(id)
			want := []string{"New --submit_phone--> SendingCode", "SendingCode --code_sent--> CodeSent",
				"CodeSent --cancel--> CancellingCode", "CancellingCode --done--> Cancelled"}
			if strings.Join(steps, "\n") != strings.Join(want, "\n") {
				t.Fatalf("history of the interrupted login; want\n  %s\ngot:\n%s", strings.Join(want, "\n  "), history)
			}
			if n := e.dc.Calls("auth.sendCode"); n != 1 {
				t.Fatalf("auth.sendCode called %d times; want 1", n)
			}
		})
	}
}

// startInterruptible starts a tgauth command as startIn does, but with SIGINT ignored
// when it execs, as a shell does for a background job. Go's signal handling then makes the
// interrupt observable from outside: tgauth installs its SIGINT handler
// (signal.NotifyContext), and once an interrupt cancelled its context it stops that
// handler (so that a second Ctrl-C kills), which gives SIGINT back its inherited
// disposition, SIG_IGN, shown by /proc/PID/status. interrupt waits for exactly that
// before the test lets the held call answer: the answer surely arrives after the
// interrupt, with no sleep.
func (e *env) startInterruptible(stdin io.Reader, args ...string) *proc {
	e.t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		e.t.Skipf("these tests start tgauth with SIGINT ignored through sh, which is missing: %v", err)
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		e.t.Skipf("these tests read a process's signal dispositions from /proc, which is missing: %v", err)
	}
	cmd := e.command(args...)
	tgauthArgs := cmd.Args[1:]
	cmd.Path = sh
	cmd.Args = append([]string{"sh", "-c", `trap '' INT; exec "$0" "$@"`, tgauthBin}, tgauthArgs...)
	return e.startCmd(cmd, stdin, tgauthArgs)
}

// interrupt sends SIGINT to a process started by startInterruptible, and waits until the
// process took it: its context is cancelled (see startInterruptible), or it ended.
func (p *proc) interrupt() {
	p.t.Helper()
	pid := p.cmd.Process.Pid
	if ignored, caught, err := sigintDisposition(pid); err != nil || ignored || !caught {
		p.t.Fatalf("tgauth (pid %d) does not catch SIGINT before the interrupt (ignored %v, caught %v, %v)", pid, ignored, caught, err)
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		p.t.Fatal(err)
	}
	waitFor(p.t, "tgauth took the interrupt (its SIGINT handler stopped)", func() bool {
		if p.exited() {
			return true
		}
		ignored, _, err := sigintDisposition(pid)
		return err == nil && ignored
	})
}

// sigintDisposition reads from /proc/PID/status whether SIGINT is ignored or caught.
func sigintDisposition(pid int) (ignored, caught bool, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	const bit = 1 << (2 - 1) // SIGINT is signal 2
	found := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "SigIgn" && name != "SigCgt") {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(value), 16, 64)
		if err != nil {
			return false, false, fmt.Errorf("/proc/%d/status: %s: %w", pid, name, err)
		}
		if name == "SigIgn" {
			ignored = mask&bit != 0
		} else {
			caught = mask&bit != 0
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return false, false, err
	}
	if found != 2 {
		return false, false, fmt.Errorf("/proc/%d/status has no SigIgn and SigCgt", pid)
	}
	return ignored, caught, nil
}

// signUpRequired starts a phone login of an unregistered number and enters the code.
func signUpRequired(phone string) func(e *env) string {
	return func(e *env) string {
		id := codeSent(phone)(e)
		e.stepTo(states.SignUpRequired, "code", id, "22222")
		return id
	}
}

// authorizedAs checks that `tgauth status` shows the login Authorized as userID, and
// that Telegram takes its stored session as authorized.
func authorizedAs(userID int64) func(t *testing.T, e *env, id string) {
	return func(t *testing.T, e *env, id string) {
		t.Helper()
		wantUser(userID)(t, e, id, e.step("status", id))
		if ok, err := e.authorized(id); err != nil || !ok {
			t.Fatalf("login %s is Authorized, but Telegram says its session is authorized=%v (%v)", id, ok, err)
		}
	}
}

// scan accepts a QR login URL as phone, from a second client.
func scan(e *env, phone, url string) {
	e.t.Helper()
	ctx, cancel := contextWithDeadline()
	defer cancel()
	if err := testdc.Scan(ctx, e.dc.Config(), phone, "", url); err != nil {
		e.t.Fatal(err)
	}
}
