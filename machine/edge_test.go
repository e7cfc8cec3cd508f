package machine_test

// Edge cases of the engine at its borders: a caller that goes away during a call, waits
// and tokens shared by the logins of one phone, attempts across new codes, engines of two
// Telegrams over one store, pushes from Telegram, and problems on the record.

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tgauth/tgauth/machine"
	"github.com/tgauth/tgauth/states"
	"github.com/tgauth/tgauth/store/memory"
	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
	"github.com/tgauth/tgauth/transitions"
)

// engineWith returns an engine over opts, which must name Store and Telegram.
func engineWith(t *testing.T, opts machine.Options) *machine.Engine {
	t.Helper()
	e, err := machine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// lastEntry returns the newest journal entry of login id.
func lastEntry(t *testing.T, store machine.Store, id string) machine.JournalEntry {
	t.Helper()
	journal, err := store.Journal(context.Background(), id)
	if err != nil || len(journal) == 0 {
		t.Fatalf("journal of %s: %d entries, %v", id, len(journal), err)
	}
	return journal[len(journal)-1]
}

// A caller whose context is cancelled while Telegram answers does not lose the answer: the
// code was sent, and the login records it (with its phone_code_hash, which the next input
// needs).
func TestCancelledCallerKeepsTheCallsOutcome(t *testing.T) {
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	e := newEngine(t, store, api, c)
	snap, err := e.Start(context.Background(), machine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var callErr error // the call's own context, after the caller's was cancelled
	mock.Handle(api, func(callCtx context.Context, _ tgapi.SendCode) (tgapi.SendCodeResult, error) {
		cancel() // the caller goes away (a Ctrl-C, a closed request) while Telegram answers
		callErr = callCtx.Err()
		code := sentCode("h-kept")
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	_, err = e.Send(ctx, snap.ID, machine.SubmitPhone{Phone: "+9996620008"})
	if ctx.Err() == nil {
		t.Fatal("the handler did not run: the caller's context is still alive")
	}
	t.Logf("Send with the caller's context cancelled during the call: %v", err)
	if callErr != nil {
		t.Errorf("the call was abandoned with the caller: its context ended with %v", callErr)
	}

	got, err := e.Get(context.Background(), snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != states.CodeSent || got.Prompt.Code == nil || got.Prompt.Code.Length != 5 {
		t.Fatalf("after the cancelled call Get shows %s (prompt %+v), want CodeSent with the code", got.State, got.Prompt.Code)
	}
	l, _ := store.Get(context.Background(), snap.ID)
	if l.PhoneCodeHash != "h-kept" || l.LeaseOwner != "" {
		t.Errorf("stored phone_code_hash %q, lease %q; want h-kept and no lease", l.PhoneCodeHash, l.LeaseOwner)
	}
	if last := lastEntry(t, store, snap.ID); last.From != states.SendingCode || last.Event != transitions.CodeSentEv {
		t.Errorf("last journal entry %s --%s--> %s, want SendingCode --code_sent--> CodeSent", last.From, last.Event, last.To)
	}

	// The kept hash is the one the code is checked with.
	mock.Handle(api, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		if req.PhoneCodeHash != "h-kept" {
			return tgapi.Authorization{}, tgapi.NewError(400, "PHONE_CODE_INVALID")
		}
		return tgapi.Authorization{User: &alice}, nil
	})
	if got, err = e.Send(context.Background(), snap.ID, machine.SubmitCode{Code: "22222"}); err != nil || got.State != states.Authorized {
		t.Fatalf("the code after the cancelled call: %s %v", got.State, err)
	}
}

// A flood wait Telegram imposed on one login's auth.sendCode holds for every login of the
// phone, however it was typed: the second login gets a FloodWaitError and Telegram is not
// asked, until the wait is over.
func TestFloodWaitHoldsForEveryLoginOfThePhone(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	var phones []string
	mock.Handle(api, func(_ context.Context, req tgapi.SendCode) (tgapi.SendCodeResult, error) {
		phones = append(phones, req.Phone)
		if len(phones) == 1 {
			return tgapi.SendCodeResult{}, tgapi.NewError(420, "FLOOD_WAIT_60")
		}
		code := sentCode("h2")
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	e := newEngine(t, store, api, c)
	retryAt := c.Now().Add(60 * time.Second)

	first, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+999 66 2 0008"}})
	if !errors.Is(err, machine.ErrRefused) || first.State != states.New {
		t.Fatalf("the flooded login: %s %v", first.State, err)
	}
	if p := first.Prompt.Problem; p == nil || p.Code != machine.ProblemFloodWait || !p.RetryAt.Equal(retryAt) {
		t.Fatalf("the flooded login's problem %+v, want flood_wait until %v", p, retryAt)
	}

	second, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "9996620008"}})
	var fw *machine.FloodWaitError
	if !errors.As(err, &fw) || !fw.Until.Equal(retryAt) {
		t.Fatalf("a second login of the phone during the wait: %v, want FloodWaitError until %v", err, retryAt)
	}
	if n := count(api.Calls(), "auth.sendCode"); n != 1 {
		t.Fatalf("auth.sendCode called %d times during the wait, want 1: %v", n, api.Calls())
	}
	l, _ := store.Get(ctx, second.ID)
	if journal, _ := store.Journal(ctx, second.ID); l.State != states.New || l.Version != 1 || len(journal) != 0 {
		t.Fatalf("the held-back login changed: %s v%d, %d journal entries", l.State, l.Version, len(journal))
	}

	c.Advance(61 * time.Second)
	got, err := e.Send(ctx, second.ID, machine.SubmitPhone{Phone: "9996620008"})
	if err != nil || got.State != states.CodeSent {
		t.Fatalf("the second login after the wait: %s %v", got.State, err)
	}
	if n := count(api.Calls(), "auth.sendCode"); n != 2 {
		t.Fatalf("auth.sendCode called %d times, want 2 (the second after the wait): %v", n, api.Calls())
	}
	if want := []string{"+9996620008", "+9996620008"}; !slices.Equal(phones, want) {
		t.Errorf("auth.sendCode phones %q, want %q", phones, want)
	}
}

// Wrong codes count per prompt: neither a resend nor a new code (after PHONE_CODE_EXPIRED)
// resets them, and the MaxAttempts-th fails the login.
func TestWrongCodesAcrossResendsFailAtMaxAttempts(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	sends := 0
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		sends++
		code := sentCode("s" + string(rune('0'+sends)))
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	var resent []string
	mock.Handle(api, func(_ context.Context, req tgapi.ResendCode) (tgapi.SentCode, error) {
		resent = append(resent, req.PhoneCodeHash)
		return sentCode("r1"), nil
	})
	var checked []string
	answers := []string{"PHONE_CODE_INVALID", "PHONE_CODE_INVALID", "PHONE_CODE_EXPIRED", "PHONE_CODE_INVALID"}
	mock.Handle(api, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		checked = append(checked, req.PhoneCodeHash)
		if len(checked) > len(answers) {
			t.Errorf("auth.signIn called %d times, want %d", len(checked), len(answers))
			return tgapi.Authorization{User: &alice}, nil
		}
		return tgapi.Authorization{}, tgapi.NewError(400, answers[len(checked)-1])
	})
	e := engineWith(t, machine.Options{Store: store, Telegram: api.Connector(), Now: c.Now, MaxAttempts: 3})

	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996620008"}})
	if err != nil || snap.State != states.CodeSent {
		t.Fatalf("phone: %s %v", snap.State, err)
	}
	// step sends in and checks the state and, where the prompt counts them (attempts >= 0),
	// the wrong answers so far.
	step := func(name string, in machine.Input, state machine.State, attempts int) machine.Snapshot {
		t.Helper()
		snap, _ := e.Send(ctx, snap.ID, in)
		if snap.State != state || attempts >= 0 && snap.Prompt.Attempts != attempts {
			t.Fatalf("%s: %s with %d attempts, want %s with %d", name, snap.State, snap.Prompt.Attempts, state, attempts)
		}
		return snap
	}
	wrong := machine.SubmitCode{Code: "11111"}
	if p := step("first wrong code", wrong, states.CodeSent, 1).Prompt.Problem; p == nil || p.Attempt != 1 || p.MaxAttempts != 3 {
		t.Fatalf("first wrong code: problem %+v, want attempt 1 of 3", p)
	}
	c.Advance(time.Minute) // the code's timeout: resend is offered from then
	step("resend", machine.Resend{}, states.CodeSent, 1)
	step("second wrong code", wrong, states.CodeSent, 2)
	step("expired code", wrong, states.CodeExpired, -1)
	step("a new code", machine.Resend{}, states.CodeSent, 2)

	snap, err = e.Send(ctx, snap.ID, wrong)
	var refused *machine.RefusedError
	if !errors.As(err, &refused) || refused.Outcome != transitions.TooManyAttempts || snap.State != states.Failed {
		t.Fatalf("third wrong code: %s %v, want Failed by too_many_attempts", snap.State, err)
	}
	if p := refused.Problem; p == nil || p.Code != machine.ProblemTooManyAttempts || p.Attempt != 3 || p.MaxAttempts != 3 {
		t.Fatalf("third wrong code: problem %+v, want too_many_attempts at 3 of 3", p)
	}
	if last := lastEntry(t, store, snap.ID); last.Event != transitions.TooManyAttempts || last.To != states.Failed {
		t.Errorf("last journal entry %s --%s--> %s, want --too_many_attempts--> Failed", last.From, last.Event, last.To)
	}
	// Each code was checked with the hash of the newest code, and the resend named the first.
	if want := []string{"s1", "r1", "r1", "s2"}; !slices.Equal(checked, want) {
		t.Errorf("auth.signIn hashes %q, want %q", checked, want)
	}
	if want := []string{"s1"}; !slices.Equal(resent, want) {
		t.Errorf("auth.resendCode hashes %q, want %q", resent, want)
	}
}

// The logout-token vault is keyed by the normalised phone: the tokens of earlier log-outs
// of the number, however it was spelled (typed with '+', or as Telegram spells a user's
// phone, without), go with auth.sendCode of a login that typed it without '+'.
func TestLogoutTokensKeyedByNormalisedPhone(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	var tokensSent [][][]byte
	mock.Handle(api, func(_ context.Context, req tgapi.SendCode) (tgapi.SendCodeResult, error) {
		if req.Phone != "+9996620008" {
			t.Errorf("auth.sendCode phone %q, want +9996620008", req.Phone)
		}
		tokensSent = append(tokensSent, req.LogoutTokens)
		code := sentCode("h")
		return tgapi.SendCodeResult{Code: &code}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.SignIn) (tgapi.Authorization, error) {
		return tgapi.Authorization{User: &tgapi.User{ID: 8, Phone: "9996620008"}}, nil
	})
	mock.Handle(api, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
		return tgapi.LoginToken{Authorized: &tgapi.User{ID: 8, Phone: "9996620008"}}, nil
	})
	logouts := 0
	mock.Handle(api, func(context.Context, tgapi.LogOut) (tgapi.LoggedOut, error) {
		logouts++
		return tgapi.LoggedOut{FutureAuthToken: []byte{'t', byte('0' + logouts)}}, nil
	})
	e := newEngine(t, store, api, c)
	logOut := func(snap machine.Snapshot) {
		t.Helper()
		if snap.State != states.Authorized {
			t.Fatalf("login %s is %s, want Authorized", snap.ID, snap.State)
		}
		if snap, err := e.Send(ctx, snap.ID, machine.LogOut{}); err != nil || snap.State != states.LoggedOut {
			t.Fatalf("log out: %s %v", snap.State, err)
		}
	}

	// A phone login typed "+9996620008": its log-out keeps token t1.
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996620008"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	logOut(snap)
	// A QR login knows the phone only from the user, "9996620008": its log-out keeps t2.
	snap, _ = e.Start(ctx, machine.StartOptions{Input: machine.StartQR{}})
	logOut(snap)

	if _, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "9996620008"}}); err != nil {
		t.Fatal(err)
	}
	if len(tokensSent) != 2 || len(tokensSent[0]) != 0 {
		t.Fatalf("auth.sendCode calls with tokens %q, want 2 calls, the first with none", tokensSent)
	}
	if got, want := tokensSent[1], [][]byte{[]byte("t2"), []byte("t1")}; !reflect.DeepEqual(got, want) {
		t.Errorf("auth.sendCode of %q sent logout tokens %q, want %q (newest first)", "9996620008", got, want)
	}
}

// A login belongs to the Telegram its engine reaches: an engine of another Telegram over the
// same store refuses it, changes nothing, and its scheduler leaves it alone, due timers and
// lapsed leases alike.
func TestEngineOfAnotherTelegramLeavesTheLoginAlone(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	mock.Handle(api, sendsCode("h1"))
	a := engineWith(t, machine.Options{Store: store, Telegram: api.Connector(), Now: c.Now, TelegramID: "a"})
	b := engineWith(t, machine.Options{Store: store, Telegram: api.Connector(), Now: c.Now, TelegramID: "b"})

	snap, err := a.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996620008"}})
	if err != nil || snap.State != states.CodeSent {
		t.Fatalf("start on a: %s %v", snap.State, err)
	}
	if l, _ := store.Get(ctx, snap.ID); l.Telegram != "a" {
		t.Fatalf("the login recorded Telegram %q, want a", l.Telegram)
	}
	before, _ := store.Get(ctx, snap.ID)
	callsBefore := api.Calls()
	wrongTelegram := func(what string, err error) {
		t.Helper()
		var wt *machine.WrongTelegramError
		if !errors.As(err, &wt) || wt.ID != snap.ID || wt.Login != "a" || wt.Engine != "b" {
			t.Errorf("%s on b: %v, want WrongTelegramError (login a, engine b)", what, err)
		}
	}
	_, err = b.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	wrongTelegram("Send", err)
	_, err = b.Resolve(ctx, snap.ID)
	wrongTelegram("Resolve", err)
	after, _ := store.Get(ctx, snap.ID)
	if after.Version != before.Version || after.State != states.CodeSent || !slices.Equal(api.Calls(), callsBefore) {
		t.Fatalf("refused on b, yet changed: v%d -> v%d, %s, calls %v", before.Version, after.Version, after.State, api.Calls())
	}

	// A login of a left in flight with a lapsed lease, and the TTL of the first one due.
	if err := store.Create(ctx, &machine.Login{ID: "F", State: states.SendingCode, Phone: "+9996620008", Telegram: "a",
		LeaseOwner: "elsewhere", LeaseUntil: c.Now().Add(-time.Second), CreatedAt: c.Now()}); err != nil {
		t.Fatal(err)
	}
	c.Advance(31 * time.Minute)
	if err := b.Tick(ctx); err != nil {
		t.Fatalf("Tick on b: %v", err)
	}
	if l, _ := store.Get(ctx, snap.ID); l.Version != before.Version || l.State != states.CodeSent {
		t.Errorf("b's Tick fired a's due login: %s v%d", l.State, l.Version)
	}
	if f, _ := store.Get(ctx, "F"); f.Version != 1 || f.State != states.SendingCode {
		t.Errorf("b's Tick recovered a's login: %s v%d", f.State, f.Version)
	}

	// a's own scheduler does both: the timers were due.
	if err := a.Tick(ctx); err != nil {
		t.Fatalf("Tick on a: %v", err)
	}
	if l, _ := store.Get(ctx, snap.ID); l.State != states.Expired {
		t.Errorf("a's Tick left its due login %s, want Expired", l.State)
	}
	if f, _ := store.Get(ctx, "F"); f.State != states.New {
		t.Errorf("a's Tick left its stale login %s, want New", f.State)
	}
}

// pushingTelegram is a connector over a mock that delivers Telegram's pushes
// (tgapi.Updater) when the test calls push.
type pushingTelegram struct {
	api *mock.API

	mu      sync.Mutex
	deliver func(loginID string, u tgapi.Update)
}

func (p *pushingTelegram) Connect(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
	return p.api, nil
}

func (p *pushingTelegram) OnUpdate(f func(loginID string, u tgapi.Update)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deliver = f
}

// push delivers u to the subscribed function; false when none is.
func (p *pushingTelegram) push(loginID string, u tgapi.Update) bool {
	p.mu.Lock()
	f := p.deliver
	p.mu.Unlock()
	if f == nil {
		return false
	}
	f(loginID, u)
	return true
}

// machine.New subscribes the engine to a connector's pushes, and updateLoginToken makes a
// waiting QR login export its token again at once (which, once scanned, authorizes it).
func TestLoginTokenUpdateExportsAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	var exports atomic.Int32
	mock.Handle(api, func(context.Context, tgapi.ExportLoginToken) (tgapi.LoginToken, error) {
		if exports.Add(1) == 1 {
			return tgapi.LoginToken{Token: []byte("tok-1"), Expires: c.Now().Add(30 * time.Second)}, nil
		}
		return tgapi.LoginToken{Authorized: &alice}, nil
	})
	tg := &pushingTelegram{api: api}
	e := engineWith(t, machine.Options{Store: store, Telegram: tg, Now: c.Now}) // no polling

	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.StartQR{}})
	if err != nil || snap.State != states.QRWaiting || snap.Prompt.QR == nil || snap.Prompt.QR.URL != machine.QRURL([]byte("tok-1")) {
		t.Fatalf("start qr: %s %+v %v", snap.State, snap.Prompt.QR, err)
	}
	w := e.Watch(ctx, snap.ID)
	if first := <-w; first.State != states.QRWaiting {
		t.Fatalf("first snapshot %s", first.State)
	}
	if !tg.push(snap.ID, tgapi.LoginTokenUpdated) {
		t.Fatal("machine.New did not subscribe the engine to the connector's updates")
	}
	got := waitFor(t, w, states.Authorized)
	if got.Prompt.User == nil || got.Prompt.User.ID != alice.ID {
		t.Errorf("authorized as %+v, want alice", got.Prompt.User)
	}
	if calls := api.Calls(); !slices.Equal(calls, []tgapi.Method{"auth.exportLoginToken", "auth.exportLoginToken"}) {
		t.Errorf("calls %v, want auth.exportLoginToken twice", calls)
	}
	journal, _ := store.Journal(ctx, snap.ID)
	if !slices.ContainsFunc(journal, func(j machine.JournalEntry) bool {
		return j.From == states.QRWaiting && j.Event == transitions.LoginTokenUpdate && j.To == states.ExportingQR
	}) {
		t.Errorf("no QRWaiting --login_token_update--> ExportingQR in the journal: %+v", journal)
	}
}

// The problem of a refused input is on the snapshot's prompt, on the stored login and in
// its journal entry, without the secret that was refused; the next input that gets
// through clears it.
func TestProblemOfARefusedInputUntilTheNextAccepted(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	api := &mock.API{}
	const id = "L"
	var inFlight *machine.Problem // the stored login's problem while the right code is checked
	mock.Handle(api, sendsCode("h1"))
	mock.Handle(api, func(_ context.Context, req tgapi.SignIn) (tgapi.Authorization, error) {
		if req.Code != "22222" {
			return tgapi.Authorization{}, tgapi.NewError(400, "PHONE_CODE_INVALID")
		}
		l, err := store.Get(ctx, id)
		if err != nil {
			t.Errorf("read the login during the call: %v", err)
		} else {
			inFlight = l.Problem
		}
		return tgapi.Authorization{User: &alice}, nil
	})
	e := newEngine(t, store, api, c)
	snap, err := e.Start(ctx, machine.StartOptions{ID: id, Input: machine.SubmitPhone{Phone: "+9996620008"}})
	if err != nil || snap.Prompt.Problem != nil {
		t.Fatalf("phone: %s %v, problem %+v", snap.State, err, snap.Prompt.Problem)
	}

	snap, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "13579"})
	var refused *machine.RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("wrong code: %v, want RefusedError", err)
	}
	p := snap.Prompt.Problem
	if p == nil || p.Code != machine.ProblemCodeInvalid || p.Call != "auth.signIn" || p.Attempt != 1 || p.MaxAttempts != 5 ||
		p.Telegram == nil || p.Telegram.Type != "PHONE_CODE_INVALID" {
		t.Fatalf("wrong code: prompt problem %+v", p)
	}
	if !strings.Contains(p.Text(), "attempt 1 of 5") {
		t.Errorf("problem text %q does not count the attempt", p.Text())
	}
	if !reflect.DeepEqual(refused.Problem, p) {
		t.Errorf("the error's problem %+v differs from the prompt's %+v", refused.Problem, p)
	}
	if got, _ := e.Get(ctx, snap.ID); !reflect.DeepEqual(got.Prompt.Problem, p) {
		t.Errorf("Get shows problem %+v, want %+v", got.Prompt.Problem, p)
	}
	last := lastEntry(t, store, snap.ID)
	if last.From != states.CheckingCode || last.Event != transitions.CodeInvalid || last.To != states.CodeSent || !reflect.DeepEqual(last.Problem, p) {
		t.Fatalf("journal entry %s --%s--> %s with problem %+v, want CheckingCode --code_invalid--> CodeSent with %+v",
			last.From, last.Event, last.To, last.Problem, p)
	}
	record, _ := json.Marshal(struct {
		Entry machine.JournalEntry
		Snap  machine.Snapshot
	}{last, snap})
	if strings.Contains(string(record), "13579") {
		t.Errorf("the refused code is on the record: %s", record)
	}

	refusedAt := last.Version
	snap, err = e.Send(ctx, snap.ID, machine.SubmitCode{Code: "22222"})
	if err != nil || snap.State != states.Authorized || snap.Prompt.Problem != nil {
		t.Fatalf("right code: %s %v, problem %+v", snap.State, err, snap.Prompt.Problem)
	}
	if inFlight != nil {
		t.Errorf("the accepted input's write-ahead kept problem %+v", inFlight)
	}
	if l, _ := store.Get(ctx, snap.ID); l.Problem != nil {
		t.Errorf("stored login keeps problem %+v", l.Problem)
	}
	journal, _ := store.Journal(ctx, snap.ID)
	for _, j := range journal {
		if j.Version > refusedAt && j.Problem != nil {
			t.Errorf("journal entry v%d %s --%s--> %s after the accepted input has problem %+v", j.Version, j.From, j.Event, j.To, j.Problem)
		}
	}
}

func TestListAndSession(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.ImportBotAuthorization) (tgapi.User, error) {
		return tgapi.User{ID: 1, Bot: true}, nil
	})
	e, err := machine.New(machine.Options{Store: store, Telegram: api.Connector()})
	if err != nil {
		t.Fatal(err)
	}
	bot, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitBotToken{Token: "123456:ABCDEFGHIJ"}})
	if err != nil {
		t.Fatal(err)
	}
	idle, err := e.Start(ctx, machine.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.StoreSession(ctx, bot.ID, []byte("session")); err != nil {
		t.Fatal(err)
	}
	all, err := e.List(ctx, machine.ListOptions{})
	if err != nil || len(all) != 2 {
		t.Fatalf("List: %v %v", all, err)
	}
	authorized, err := e.List(ctx, machine.ListOptions{State: states.Authorized})
	if err != nil || len(authorized) != 1 || authorized[0].ID != bot.ID || authorized[0].Prompt.Kind != machine.ShowDone {
		t.Fatalf("List Authorized: %+v %v", authorized, err)
	}
	if data, err := e.Session(ctx, bot.ID); err != nil || string(data) != "session" {
		t.Fatalf("Session(authorized) = %q, %v", data, err)
	}
	if _, err := e.Session(ctx, idle.ID); err == nil || !strings.Contains(err.Error(), "New") {
		t.Fatalf("Session(New) = %v, want an error naming the state", err)
	}
}

// One scheduler round fires every due timer, not a fixed batch of them.
func TestTickFiresEverythingDue(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memory.New()
	e := newEngine(t, store, &mock.API{}, c)
	const n = 2*machine.TickBatch + 50
	for range n {
		if _, err := e.Start(ctx, machine.StartOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Hour) // past every login's TTL
	if err := e.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	expired, err := e.List(ctx, machine.ListOptions{State: states.Expired})
	if err != nil || len(expired) != n {
		t.Fatalf("after one Tick: %d of %d logins expired (%v)", len(expired), n, err)
	}
}

// A code of the wrong shape is refused before any call, spending no attempt.
func TestCodeOfTheWrongShapeIsRefusedLocally(t *testing.T) {
	ctx := context.Background()
	api := &mock.API{}
	mock.Handle(api, func(context.Context, tgapi.SendCode) (tgapi.SendCodeResult, error) {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, PhoneCodeHash: "h"}}, nil
	})
	e := newEngine(t, memory.New(), api, newClock())
	snap, err := e.Start(ctx, machine.StartOptions{Input: machine.SubmitPhone{Phone: "+9996621234"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"1234", "abcde", "123456", ""} {
		got, err := e.Send(ctx, snap.ID, machine.SubmitCode{Code: code})
		var bad *machine.InputError
		if !errors.As(err, &bad) || got.Version != snap.Version || got.Prompt.Attempts != 0 {
			t.Errorf("code %q: %v, version %d (was %d), attempts %d; want an InputError and nothing changed", code, err, got.Version, snap.Version, got.Prompt.Attempts)
		}
	}
	if calls := api.Calls(); len(calls) != 1 {
		t.Errorf("calls %v: a code of the wrong shape reached Telegram", calls)
	}
	if c, err := machine.CheckCode(snap.Prompt.Code, " 12-345 "); err != nil || c != "12345" {
		t.Errorf("CheckCode(\" 12-345 \") = %q, %v; want the digits", c, err)
	}
}
