package durability_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, to read the store's tables

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
	"github.com/tgauth/tgauth/tgapi"
)

// stepResult is what a step command prints with --json: the snapshot, and "error" when
// the input was refused.
type stepResult struct {
	machine.Snapshot
	Error string `json:"error"`
}

// stepExit runs a step command with --json that must exit with code and returns what it
// printed.
func (e *env) stepExit(code int, args ...string) stepResult {
	e.t.Helper()
	r := e.run(append(args, "--json")...)
	if r.code != code {
		e.t.Fatalf("want exit %d:\n%v", code, r)
	}
	var res stepResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		e.t.Fatalf("%v\nnot one JSON snapshot: %v", r, err)
	}
	return res
}

// storedRows returns every row of the store's sessions table (login ID -> the bytes kept,
// sealed as they are) and the state and version of every login, read straight from the
// SQLite file without tgauth.
func (e *env) storedRows() (sessions map[string][]byte, logins map[string]string) {
	e.t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.db+"?mode=ro")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := contextWithDeadline()
	defer cancel()
	sessions, logins = map[string][]byte{}, map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT login_id, data FROM sessions`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			e.t.Fatal(err)
		}
		sessions[id] = data
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	rows, err = db.QueryContext(ctx, `SELECT id, state, version FROM logins`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var id, state string
		var version int
		if err := rows.Scan(&id, &state, &version); err != nil {
			e.t.Fatal(err)
		}
		logins[id] = fmt.Sprintf("%s v%d", state, version)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return sessions, logins
}

// TestStepCommandsNeedTheTelegramOfTheirLogin runs step commands, status and serve-timers
// on a login started on a running test DC, over a SQLite store, without --telegram: with no
// Telegram named they must not start an embedded test DC (a new Telegram whose keys the
// login's session does not belong to), and with API credentials (production) they must not
// touch the login either. Each is refused, saying what to pass, and the stored sessions and
// logins are left byte for byte as they were; the login then goes on with --telegram.
func TestStepCommandsNeedTheTelegramOfTheirLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	id := e.stepTo(states.CodeSent, "start", "--phone", "+9996623301").ID
	sessions, logins := e.storedRows()
	if len(sessions[id]) == 0 {
		t.Fatalf("login %s has no stored session after auth.sendCode", id)
	}
	calls := func() string {
		return fmt.Sprintf("sendCode %d, signIn %d", e.dc.Calls("auth.sendCode"), e.dc.Calls("auth.signIn"))
	}
	before := calls()

	production := []string{"TG_API_ID=12345", "TG_API_HASH=0123456789abcdef0123456789abcdef"}
	for _, c := range []struct {
		name string
		args []string
		env  []string
		say  []string // what the refusal must say
	}{
		{name: "code", args: []string{"code", id, "22222"},
			say: []string{"--telegram testdc:FILE", "--api-id", "login " + id}},
		{name: "status", args: []string{"status", id},
			say: []string{"--telegram testdc:FILE", "--api-id", "login " + id}},
		{name: "serve-timers", args: []string{"serve-timers"},
			say: []string{"--telegram testdc:FILE", "--api-id"}},
		// With credentials the command reaches production: the login is not its own.
		{name: "code/production", args: []string{"code", id, "22222"}, env: production,
			say: []string{`"production"`, "--telegram testdc:FILE"}},
		{name: "status/production", args: []string{"status", id}, env: production,
			say: []string{`"production"`, "--telegram testdc:FILE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := e.bare(c.args...)
			cmd.Env = append(cmd.Env, c.env...)
			p := e.startCmd(cmd, strings.NewReader(""), c.args)
			r := p.wait()
			t.Logf("%v", r)
			if r.code != 1 {
				t.Fatalf("want exit 1 (refused):\n%v", r)
			}
			for _, s := range c.say {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("the refusal does not say %q:\n%v", s, r)
				}
			}
			if strings.Contains(r.stderr, "embedded test DC on") {
				t.Errorf("an embedded test DC was started:\n%v", r)
			}
			gotSessions, gotLogins := e.storedRows()
			if len(gotSessions) != len(sessions) || !bytes.Equal(gotSessions[id], sessions[id]) {
				t.Errorf("the stored session changed: %d bytes before, %d after", len(sessions[id]), len(gotSessions[id]))
			}
			if fmt.Sprint(gotLogins) != fmt.Sprint(logins) {
				t.Errorf("the stored logins changed: %v before, %v after", logins, gotLogins)
			}
			if got := calls(); got != before {
				t.Errorf("the test DC saw calls: %s before, %s after", before, got)
			}
		})
	}
	// The login was not harmed: the code sent before signs in through its Telegram.
	e.stepTo(states.Authorized, "code", id, "22222")
}

// TestFloodedPhoneWaitsAcrossLogins: Telegram answers the first auth.sendCode of a phone
// with FLOOD_WAIT. A second login of that phone, in another process (the number spelt
// another way), is refused with that wait before retry-at and makes no Telegram call: the
// test DC sees no second auth.sendCode, and the process's trace has no call. Another
// phone is not held back.
func TestFloodedPhoneWaitsAcrossLogins(t *testing.T) {
	t.Parallel()
	const waitSeconds = 3600 // far beyond the test: retry-at is never reached
	e := newEnv(t, world(testdc.Account{Phone: "9996623401", FloodWait: waitSeconds}))

	first := e.stepExit(1, "start", "--phone", "+9996623401")
	p := first.Prompt.Problem
	if first.State != states.New || p == nil || p.Code != machine.ProblemFloodWait || p.Telegram == nil ||
		p.Telegram.Type != "FLOOD_WAIT" || p.Telegram.Argument != waitSeconds {
		t.Fatalf("first login of the flooded phone: %s, problem %+v (%s); want New with FLOOD_WAIT_%d", first.State, p, first.Error, waitSeconds)
	}
	retryAt := p.RetryAt
	if time.Until(retryAt) < waitSeconds/2*time.Second {
		t.Fatalf("retry at %v; want about %ds from now", retryAt, waitSeconds)
	}
	if n := e.dc.Calls("auth.sendCode"); n != 1 {
		t.Fatalf("auth.sendCode called %d times; want 1", n)
	}

	trace := filepath.Join(e.dir, "second.jsonl")
	second := e.stepExit(1, "start", "--phone", "+999 662-3401", "--trace", trace)
	if second.ID == first.ID || second.State != states.New {
		t.Fatalf("second login %s is %s; want a new login left in New", second.ID, second.State)
	}
	wantWait := "try again after " + retryAt.UTC().Format(time.RFC3339)
	if !strings.Contains(second.Error, "Telegram asked to wait") || !strings.Contains(second.Error, wantWait) {
		t.Fatalf("the second login's refusal says %q; want the flood wait, %q", second.Error, wantWait)
	}
	if sp := second.Prompt.Problem; sp == nil || sp.Code != machine.ProblemFloodWait || !sp.RetryAt.Equal(retryAt) {
		t.Fatalf("the second login's problem is %+v; want flood_wait until %v", sp, retryAt)
	}
	if n := e.dc.Calls("auth.sendCode"); n != 1 {
		t.Fatalf("the second login called auth.sendCode before retry-at (%d calls in all)", n)
	}
	if calls := traceCalls(t, trace); len(calls) != 0 {
		t.Fatalf("the second login's trace has Telegram calls: %v", calls)
	}

	// The first login entering the number again is held back the same way.
	if r := e.run("phone", first.ID, "+9996623401"); r.code != 1 || !strings.Contains(r.stderr, wantWait) {
		t.Fatalf("the flooded login entering its number again:\n%v", r)
	}
	if n := e.dc.Calls("auth.sendCode"); n != 1 {
		t.Fatalf("auth.sendCode called %d times; want 1", n)
	}

	// The wait is the phone's: another phone's login goes through.
	e.stepTo(states.CodeSent, "start", "--phone", "+9996623402")
	if n := e.dc.Calls("auth.sendCode"); n != 2 {
		t.Fatalf("auth.sendCode called %d times; want 2 (one for the other phone)", n)
	}
}

// traceCalls returns the methods of the call lines of a trace.
func traceCalls(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the trace: %v", err)
	}
	defer f.Close()
	var calls []string
	lines := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		var line struct {
			Type   string `json:"type"`
			Method string `json:"method"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("trace line %q: %v", sc.Text(), err)
		}
		if line.Type == "call" {
			calls = append(calls, line.Method)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines == 0 {
		t.Fatalf("the trace %s is empty: no header", path)
	}
	return calls
}

// TestWrongCodesAcrossResendsFailAtTheLimit enters wrong codes with resends in between,
// each a process of its own: the attempts count across resends (Telegram's own counter
// starts again with each resent code), and the fifth wrong code fails the login with
// too_many_attempts. A code after that is refused without a call.
func TestWrongCodesAcrossResendsFailAtTheLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world(testdc.Account{Phone: "9996623501", NextType: "sms"}))
	id := e.stepTo(states.CodeSent, "start", "--phone", "+9996623501").ID

	wrong := 0
	enterWrong := func() stepResult {
		t.Helper()
		wrong++
		res := e.stepExit(1, "code", id, "11111")
		t.Logf("wrong code %d: %s, %s", wrong, res.State, res.Error)
		return res
	}
	resend := func(want tgapi.CodeType) {
		t.Helper()
		res := e.stepExit(0, "resend", id)
		if res.State != states.CodeSent || res.Prompt.Code == nil || res.Prompt.Code.Type != want {
			t.Fatalf("resend: %s, code %+v; want CodeSent by %s", res.State, res.Prompt.Code, want)
		}
		if res.Prompt.Attempts != wrong {
			t.Fatalf("after the resend the login counts %d wrong codes; want %d (they survive resends)", res.Prompt.Attempts, wrong)
		}
	}
	wantInvalid := func(res stepResult) {
		t.Helper()
		p := res.Prompt.Problem
		if res.State != states.CodeSent || p == nil || p.Code != machine.ProblemCodeInvalid || p.Attempt != wrong || p.MaxAttempts != 5 {
			t.Fatalf("wrong code %d: %s, problem %+v; want CodeSent with code_invalid, attempt %d of 5", wrong, res.State, p, wrong)
		}
	}

	wantInvalid(enterWrong())
	resend(tgapi.CodeSMS)
	wantInvalid(enterWrong())
	resend(tgapi.CodeCall)
	wantInvalid(enterWrong())
	wantInvalid(enterWrong())
	last := enterWrong()
	if p := last.Prompt.Problem; last.State != states.Failed || p == nil || p.Code != machine.ProblemTooManyAttempts || p.Attempt != 5 {
		t.Fatalf("fifth wrong code: %s, problem %+v; want Failed with too_many_attempts, attempt 5", last.State, p)
	}
	if n := e.dc.Calls("auth.signIn"); n != 5 {
		t.Fatalf("auth.signIn called %d times; want 5", n)
	}
	if n := e.dc.Calls("auth.resendCode"); n != 2 {
		t.Fatalf("auth.resendCode called %d times; want 2", n)
	}
	steps, history := e.history(id)
	if steps[len(steps)-1] != "CheckingCode --too_many_attempts--> Failed" {
		t.Fatalf("history; want it to end with CheckingCode --too_many_attempts--> Failed:\n%s", history)
	}

	// The failed login takes no code, not even the right one, and calls nothing.
	after := e.stepExit(1, "code", id, "22222")
	if after.State != states.Failed || !strings.Contains(after.Error, "not allowed") {
		t.Fatalf("a code for the failed login: %s, %q; want refused as not allowed in Failed", after.State, after.Error)
	}
	if n := e.dc.Calls("auth.signIn"); n != 5 {
		t.Fatalf("a code for the failed login reached Telegram (%d auth.signIn)", n)
	}
	if got := e.listed()[id]; got != states.Failed {
		t.Fatalf("tgauth list has the login in %s; want Failed", got)
	}
}
