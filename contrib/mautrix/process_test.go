package mautrix_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"maunium.net/go/mautrix/bridgev2"

	"github.com/tgauth/tgauth/contrib/mautrix"
	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/testdc"
)

// TestFlows: the connector's flows are tgauth's, and CreateLogin refuses any other.
func TestFlows(t *testing.T) {
	var ids []string
	for _, f := range mautrix.Flows() {
		if f.Name == "" || f.Description == "" {
			t.Errorf("flow %s has no name or description", f.ID)
		}
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, " "); got != "phone qr bot" {
		t.Fatalf("flows %s", got)
	}
	b := newBridge(t)
	if _, err := b.logins.Create(b.ctx, b.user, "sms"); err == nil || !strings.Contains(err.Error(), `"sms"`) {
		t.Fatalf("unknown flow: %v", err)
	}
}

// TestPhoneCode: phone, code (its type and length; resend asked for in the code field),
// complete with a UserLogin and a session that a gotd client logs in with.
func TestPhoneCode(t *testing.T) {
	b := newBridge(t)
	p := b.process(loginstep.FlowPhone)
	st := b.start(p, loginstep.StepIDPhone)
	if f := field(t, st, "phone"); f.Type != bridgev2.LoginInputFieldTypePhoneNumber || st.UserInputParams.CanCancel {
		t.Fatalf("phone step %+v", st.UserInputParams)
	}
	st = b.submit(p, st, map[string]string{"phone": "+999 662 0005"}, loginstep.StepIDCode)
	code := field(t, st, "code")
	if !strings.Contains(st.Instructions, "5-digit code sent in your Telegram app") || !st.UserInputParams.CanCancel ||
		!strings.Contains(code.Description, "Enter `resend` to have the code sent again by SMS (from ") {
		t.Fatalf("code step %q %+v", st.Instructions, code)
	}
	st = b.submit(p, st, map[string]string{"code": "resend"}, loginstep.StepIDCode)
	if !strings.Contains(st.Instructions, "5-digit code sent by SMS") {
		t.Fatalf("after resend: %q", st.Instructions)
	}
	// A code of the wrong shape is refused before Telegram sees it: no attempt spent.
	next, err := p.SubmitUserInput(b.ctx, map[string]string{"code": "2222"})
	st = b.expect("SubmitUserInput", next, err, loginstep.StepIDCode)
	if !strings.Contains(st.Instructions, "5 digits, not 4") {
		t.Fatalf("wrong shape: %q", st.Instructions)
	}
	st = b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDComplete)
	if st.CompleteParams.UserLoginID != "9996620005" || st.CompleteParams.UserLogin == nil {
		t.Fatalf("complete %+v", st.CompleteParams)
	}
	done := b.completed()
	if len(done) != 1 || done[0].Account.ID != 9996620005 || done[0].User != b.user || done[0].LoginID != p.LoginID() ||
		done[0].Flow != loginstep.FlowPhone {
		t.Fatalf("done %+v", done)
	}
	selfWith(t, b, done[0].Session, 9996620005)
	// The login is no longer in progress: the next CreateLogin starts a new one.
	b.start(b.process(loginstep.FlowPhone), loginstep.StepIDPhone)
}

// selfWith logs a gotd client in with the session and checks it is the account's.
func selfWith(t *testing.T, b *bridge, data []byte, want int64) {
	t.Helper()
	opts, err := b.dc.Config().ClientOptions()
	if err != nil {
		t.Fatal(err)
	}
	storage := &session.StorageMemory{}
	if err := storage.StoreSession(b.ctx, data); err != nil {
		t.Fatal(err)
	}
	opts.SessionStorage = storage
	client := telegram.NewClient(1, "mautrix", opts)
	err = client.Run(b.ctx, func(ctx context.Context) error {
		self, err := client.Self(ctx)
		if err != nil {
			return err
		}
		if self.ID != want {
			t.Errorf("the session is user %d, want %d", self.ID, want)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("gotd client over the session: %v", err)
	}
}

// journal returns the login's transitions, one per line.
func journal(t *testing.T, b *bridge, p *mautrix.Process) string {
	t.Helper()
	entries, err := b.engine.Journal(b.ctx, p.LoginID())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		lines = append(lines, string(e.From)+" --"+string(e.Event)+"--> "+string(e.To))
	}
	return strings.Join(lines, "\n")
}

// TestTwoFactorWrongThenRight: the password step shows the hint; a wrong password is the
// same step again, saying so, without the password; the right one completes.
func TestTwoFactorWrongThenRight(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620001", loginstep.StepIDCode)
	st = b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDPassword)
	pw := field(t, st, "password")
	if pw.Type != bridgev2.LoginInputFieldTypePassword || !strings.Contains(pw.Description, "the usual") ||
		!strings.Contains(pw.Description, "`recover`") {
		t.Fatalf("password field %+v", pw)
	}
	st = b.submit(p, st, map[string]string{"password": "nope"}, loginstep.StepIDPassword)
	if !strings.Contains(st.Instructions, "Wrong password") || !strings.Contains(st.Instructions, "attempt 1 of 5") ||
		strings.Contains(st.Instructions, "nope") {
		t.Fatalf("wrong password: %q", st.Instructions)
	}
	// An empty one is refused before Telegram; the answer names that refusal, not the
	// earlier wrong password.
	next, err := p.SubmitUserInput(b.ctx, map[string]string{"password": ""})
	st = b.expect("SubmitUserInput", next, err, loginstep.StepIDPassword)
	if !strings.HasPrefix(st.Instructions, "Invalid password: missing.") || strings.Contains(st.Instructions, "Wrong password") {
		t.Fatalf("empty password: %q", st.Instructions)
	}
	b.submit(p, st, map[string]string{"password": "hunter2"}, loginstep.StepIDComplete)
}

// TestPasswordRecovery: "recover" in the password field sends a recovery code; a wrong
// one is the step again, the right one completes.
func TestPasswordRecovery(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620001", loginstep.StepIDCode)
	st = b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDPassword)
	st = b.submit(p, st, map[string]string{"password": "recover"}, loginstep.StepIDRecoveryCode)
	if !strings.Contains(st.Instructions, "a***@example.org") {
		t.Fatalf("recovery step %q", st.Instructions)
	}
	st = b.submit(p, st, map[string]string{"code": "111111"}, loginstep.StepIDRecoveryCode)
	if !strings.Contains(st.Instructions, "Wrong code") {
		t.Fatalf("wrong recovery code: %q", st.Instructions)
	}
	b.submit(p, st, map[string]string{"code": "222222"}, loginstep.StepIDComplete)
}

// TestSignUp: an unregistered number gets the sign-up step (names, the last optional, and
// the terms accepted by a select field), which completes as the new account.
func TestSignUp(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620003", loginstep.StepIDCode)
	st = b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDSignUp)
	snap, err := b.engine.Get(b.ctx, p.LoginID())
	if err != nil || snap.Prompt.Terms == nil || !strings.HasSuffix(st.Instructions, "terms of service:\n"+snap.Prompt.Terms.Text) {
		t.Fatalf("the terms are not in the instructions: %q (%v)", st.Instructions, err)
	}
	if f := field(t, st, "last_name"); !f.Optional {
		t.Fatal("last name is not optional")
	}
	if f := field(t, st, "accept_tos"); f.Type != bridgev2.LoginInputFieldTypeSelect || strings.Join(f.Options, ",") != "true" {
		t.Fatalf("accept_tos %+v", f)
	}
	b.submit(p, st, map[string]string{"first_name": "Ada", "last_name": "", "accept_tos": "true"}, loginstep.StepIDComplete)
	if done := b.completed(); len(done) != 1 || done[0].Account.FirstName != "Ada" {
		t.Fatalf("done %+v", done)
	}
}

// TestLoginEmail: Telegram asks for a login e-mail first; its code, then the login code.
func TestLoginEmail(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620007", loginstep.StepIDEmail)
	st = b.submit(p, st, map[string]string{"email": "ada@example.org"}, loginstep.StepIDEmailCode)
	st = b.submit(p, st, map[string]string{"code": "222222"}, loginstep.StepIDCode)
	b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDComplete)
}

// TestBotToken: a refused token is the step again, with Telegram's reason; a good one
// completes as the bot.
func TestBotToken(t *testing.T) {
	b := newBridge(t)
	p := b.process(loginstep.FlowBot)
	st := b.start(p, loginstep.StepIDBotToken)
	st = b.submit(p, st, map[string]string{"token": "0:AAAAAAAAAAAAAAAA"}, loginstep.StepIDBotToken)
	if !strings.Contains(st.Instructions, "ACCESS_TOKEN_INVALID") || strings.Contains(st.Instructions, "AAAAAAAA") {
		t.Fatalf("refused token: %q", st.Instructions)
	}
	b.submit(p, st, map[string]string{"token": "777000:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}, loginstep.StepIDComplete)
	if done := b.completed(); len(done) != 1 || !done[0].Account.Bot || len(done[0].Session) == 0 {
		t.Fatalf("done %+v", done)
	}
}

// TestQR: the QR code is shown, refreshed when it expires (Wait returns the new one), and
// scanned; on another DC with 2FA, Wait returns the password step after the scan.
func TestQR(t *testing.T) {
	for _, tc := range []struct{ name, phone, password string }{
		{"SameDC", "+9996625555", ""},
		{"MigrateThenTwoFactor", "+9996630002", "s3cond"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBridge(t)
			p := b.process(loginstep.FlowQR)
			st, first := b.qr(p, b.start(p, loginstep.StepIDQR))
			if !strings.HasPrefix(first, "tg://login?token=") || st.DisplayAndWaitParams.CanCancel {
				t.Fatalf("qr step %+v", st.DisplayAndWaitParams)
			}
			b.clock.Advance(qrTTL + time.Second)
			st, url := b.qr(p, b.wait(p, loginstep.StepIDQR))
			if url == first {
				t.Fatal("Wait returned the expired QR code")
			}
			if err := testdc.Scan(b.ctx, b.dc.Config(), tc.phone, tc.password, url); err != nil {
				t.Fatal(err)
			}
			if tc.password == "" {
				b.wait(p, loginstep.StepIDComplete)
				return
			}
			st = b.wait(p, loginstep.StepIDPassword)
			b.submit(p, st, map[string]string{"password": tc.password}, loginstep.StepIDComplete)
		})
	}
}

// TestWaitStepCancelled: bridgev2 cancels a Wait with ErrLoginStepCancelled as cause;
// Wait says so, and the login is left as it is.
func TestWaitStepCancelled(t *testing.T) {
	b := newBridge(t)
	p := b.process(loginstep.FlowQR)
	b.start(p, loginstep.StepIDQR)
	ctx, cancel := context.WithCancelCause(b.ctx)
	cancel(bridgev2.ErrLoginStepCancelled)
	if _, err := p.Wait(ctx); !errors.Is(err, bridgev2.ErrLoginStepCancelled) {
		t.Fatalf("Wait: %v", err)
	}
	if snap, err := b.engine.Get(b.ctx, p.LoginID()); err != nil || snap.State != "QRWaiting" {
		t.Fatalf("after the cancelled wait: %s %v", snap.State, err)
	}
}

// TestCancel: Cancel cancels the code with Telegram and forgets the login: the next
// CreateLogin starts a new one.
func TestCancel(t *testing.T) {
	b := newBridge(t)
	p, _ := b.phone("+9996621234", loginstep.StepIDCode)
	p.Cancel()
	if j := journal(t, b, p); !strings.HasSuffix(j, "CancellingCode --done--> Cancelled") {
		t.Fatalf("journal after Cancel:\n%s", j)
	}
	q := b.process(loginstep.FlowPhone)
	b.start(q, loginstep.StepIDPhone)
	if q.LoginID() == p.LoginID() {
		t.Fatal("a cancelled login was continued")
	}
	// Opened by its ID, the cancelled login is an error bridgev2 answers with 410.
	_, err := b.logins.Continue(b.user, loginstep.FlowPhone, p.LoginID()).Start(b.ctx)
	var resp bridgev2.RespError
	if !errors.As(err, &resp) || resp.ErrCode != mautrix.ErrCodeClosed || resp.StatusCode != 410 ||
		resp.Err != "The login was cancelled." {
		t.Fatalf("a cancelled login: %v", err)
	}
}

// TestCompleteFails: when the bridge cannot make the UserLogin, the login stays the
// user's login in progress: the next CreateLogin completes it, with the same session.
func TestCompleteFails(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996621234", loginstep.StepIDCode)
	b.failNext(errors.New("database is down"))
	if _, err := p.SubmitUserInput(b.ctx, map[string]string{"code": "22222"}); err == nil ||
		!strings.Contains(err.Error(), "database is down") {
		t.Fatalf("SubmitUserInput with a failing Complete: %v", err)
	}
	q := b.process(loginstep.FlowPhone)
	st = b.start(q, loginstep.StepIDComplete)
	done := b.completed()
	if q.LoginID() != p.LoginID() || len(done) != 2 || string(done[0].Session) != string(done[1].Session) ||
		st.CompleteParams.UserLogin == nil {
		t.Fatalf("continued %s (was %s), %d completions", q.LoginID(), p.LoginID(), len(done))
	}
	b.start(b.process(loginstep.FlowPhone), loginstep.StepIDPhone) // completed: forgotten
}

// TestCancelStep: going back from the code step cancels that login and starts a new one
// at the phone step (a typo in the number).
func TestCancelStep(t *testing.T) {
	b := newBridge(t)
	p, _ := b.phone("+9996621235", loginstep.StepIDCode)
	old := p.LoginID()
	st, err := p.CancelStep(b.ctx)
	st = b.expect("CancelStep", st, err, loginstep.StepIDPhone)
	if p.LoginID() == old {
		t.Fatal("CancelStep kept the login")
	}
	if snap, err := b.engine.Get(b.ctx, old); err != nil || snap.State != "Cancelled" {
		t.Fatalf("the old login: %s %v", snap.State, err)
	}
	st = b.submit(p, st, map[string]string{"phone": "+9996621234"}, loginstep.StepIDCode)
	b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDComplete)
}

// TestCodeExpired: the expired-code step has no field of its own, so its action is a
// select field; "resend" there brings a new code.
func TestCodeExpired(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996621234", loginstep.StepIDCode)
	b.clock.Advance(6 * time.Minute) // past the code's 5 minutes
	st = b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDCodeExpired)
	f := field(t, st, mautrix.ActionField)
	if f.Type != bridgev2.LoginInputFieldTypeSelect || strings.Join(f.Options, ",") != "resend" {
		t.Fatalf("action field %+v", f)
	}
	st = b.submit(p, st, map[string]string{mautrix.ActionField: "resend"}, loginstep.StepIDCode)
	b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDComplete)
}

// TestRestartMidLogin: a bridge restarted halfway through (new engine, new Logins, new
// process: only the databases remain) continues the login where it was.
func TestRestartMidLogin(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620001", loginstep.StepIDCode)
	b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDPassword)

	b.restart()
	q := b.process(loginstep.FlowPhone)
	st = b.start(q, loginstep.StepIDPassword)
	if q.LoginID() != p.LoginID() || !strings.Contains(field(t, st, "password").Description, "the usual") {
		t.Fatalf("continued %s (was %s) at %+v", q.LoginID(), p.LoginID(), st)
	}
	// Another flow is another login.
	b.start(b.process(loginstep.FlowBot), loginstep.StepIDBotToken)
	b.submit(q, st, map[string]string{"password": "hunter2"}, loginstep.StepIDComplete)
}

// TestRestartOtherTelegram: after a restart onto another Telegram, the login in
// progress (whose session belongs to the old one) is dropped for a new login.
func TestRestartOtherTelegram(t *testing.T) {
	b := newBridge(t)
	p, _ := b.phone("+9996621234", loginstep.StepIDCode)
	b.restartAs("elsewhere")
	q := b.process(loginstep.FlowPhone)
	b.start(q, loginstep.StepIDPhone)
	if q.LoginID() == p.LoginID() {
		t.Fatal("a login of another Telegram was continued")
	}
}

// TestContinue: a login started elsewhere (here, straight on the engine, as the web page
// or the CLI would) is finished through a process over its ID.
func TestContinue(t *testing.T) {
	b := newBridge(t)
	snap, err := b.engine.Start(b.ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	p := b.logins.Continue(b.user, loginstep.FlowPhone, snap.ID)
	st := b.start(p, loginstep.StepIDCode)
	b.submit(p, st, map[string]string{"code": "22222"}, loginstep.StepIDComplete)
}

// TestFloodWait: Telegram's flood wait is the phone step again, saying until when; sent
// again too early, the engine refuses it without asking Telegram, and says so.
func TestFloodWait(t *testing.T) {
	b := newBridge(t)
	p, st := b.phone("+9996620004", loginstep.StepIDPhone)
	if !strings.Contains(st.Instructions, "Telegram asked to wait 30s (FLOOD_WAIT_30)") {
		t.Fatalf("flood wait: %q", st.Instructions)
	}
	st = b.submit(p, st, map[string]string{"phone": "+9996620004"}, loginstep.StepIDPhone)
	if !strings.HasPrefix(st.Instructions, "Telegram asked to wait: try again after ") {
		t.Fatalf("too early: %q", st.Instructions)
	}
}

// TestRestartMidQR: a bridge restarted while a QR code is shown shows it again, and the
// new process's Wait sees the scan. The new engine has no connection to the login yet, so
// Telegram's updateLoginToken went to the old one: the scan is seen when the engine asks
// for the token again, at its expiry (here the clock is moved past it).
func TestRestartMidQR(t *testing.T) {
	b := newBridge(t)
	p := b.process(loginstep.FlowQR)
	_, url := b.qr(p, b.start(p, loginstep.StepIDQR))

	b.restart()
	q := b.process(loginstep.FlowQR)
	st, again := b.qr(q, b.start(q, loginstep.StepIDQR))
	if q.LoginID() != p.LoginID() || again != url {
		t.Fatalf("continued %s (was %s), QR %q (was %q)", q.LoginID(), p.LoginID(), again, url)
	}
	if err := testdc.Scan(b.ctx, b.dc.Config(), "+9996625555", "", again); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(qrTTL + time.Second)
	if st = b.wait(q, loginstep.StepIDComplete); st.CompleteParams.UserLoginID != "9996625555" {
		t.Fatalf("complete %+v", st.CompleteParams)
	}
}
