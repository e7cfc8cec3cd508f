package e2e_test

import (
	"testing"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/testdc"
)

// Telegram restarted between the code sent and the code entered, and lost the login's auth
// key: the connector makes a new key for the login (gotd does, on transport error -404),
// stored as its session, on which the phone_code_hash does not hold. The login does not
// spin until its TTL: the code is expired (a structured problem naming Telegram's error),
// a new code is sent on the new key, and it signs in.
func TestTelegramLostTheAuthKeyMidLogin(t *testing.T) {
	e := setup(t, testdc.Options{}, machine.Options{})
	eng := e.engine()
	snap := e.start(eng, machine.SubmitPhone{Phone: "+9996621234"})
	expect(t, snap, states.CodeSent)
	before, err := e.store.LoadSession(e.ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Telegram restarts, and so does tgauth: the new process's client starts from the
	// stored session. (A client that was connected sees its connection drop; a call made
	// before it noticed fails as unanswered, and the next one goes as below.)
	e.dc.Restart()
	eng = e.engine()

	snap = e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.CodeExpired)
	if p := snap.Prompt.Problem; p == nil || p.Code != machine.ProblemCodeExpired || p.Telegram == nil || p.Telegram.Type != "PHONE_CODE_HASH_INVALID" {
		t.Fatalf("problem after the key was lost: %+v", p)
	}
	after, err := e.store.LoadSession(e.ctx, snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) == string(before) {
		t.Fatal("the login's session still holds the lost key")
	}
	snap = e.send(eng, snap.ID, machine.Resend{}, states.CodeSent)
	e.send(eng, snap.ID, machine.SubmitCode{Code: "22222"}, states.Authorized)
}
