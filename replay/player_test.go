package replay

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/tgapi"
)

// handTrace is a trace as a scenario author writes it: phones masked, the code redacted.
const handTrace = `{"type":"header","format":1}
{"type":"call","login":"L1","method":"auth.sendCode","request":{"phone":"+999******57"},"result":{"code":{"type":"sms","length":5,"phone_code_hash":"h1"}},"dc":2}
{"type":"state","login":"L1","state":"CodeSent"}
{"type":"call","login":"L1","method":"auth.signIn","request":{"phone":"+999******57","phone_code_hash":"h1","code":"[redacted]"},"result":{"user":{"id":1,"first_name":"Ada"}},"dc":2}
{"type":"call","login":"L1","method":"auth.logOut","request":{},"result":{"future_auth_token":null},"dc":2}
`

func newHandPlayer(t *testing.T, text string) (*Player, tgapi.API) {
	t.Helper()
	tr, err := Read(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlayer(tr.Entries)
	return p, connect(t, p.Connector(), "R1")
}

// signIn is the auth.signIn of handTrace with the given code.
func signIn(code string) tgapi.SignIn {
	return tgapi.SignIn{Phone: testPhone, PhoneCodeHash: "h1", Code: code}
}

// sendCode makes handTrace's first call and checks its answer.
func sendCode(t *testing.T, api tgapi.API) {
	t.Helper()
	res, err := tgapi.Invoke[tgapi.SendCodeResult](context.Background(), api, tgapi.SendCode{Phone: testPhone})
	if err != nil || res.Code == nil || res.Code.PhoneCodeHash != "h1" || res.Code.Type != tgapi.CodeSMS {
		t.Fatalf("SendCode = %+v, %v", res, err)
	}
}

func TestPlayerMethodMismatch(t *testing.T) {
	ctx := context.Background()
	p, api := newHandPlayer(t, handTrace)
	sendCode(t, api)

	_, err := api.Invoke(ctx, tgapi.ResendCode{Phone: testPhone, PhoneCodeHash: "h1"})
	var m *MismatchError
	if !errors.As(err, &m) {
		t.Fatalf("ResendCode error = %v, want a *MismatchError", err)
	}
	if m.Step != 2 || !strings.HasPrefix(m.Expected, "auth.signIn {") || !strings.HasPrefix(m.Actual, "auth.resendCode {") || m.Fields != nil {
		t.Errorf("mismatch = %+v", m)
	}
	want := `replay: call 2: expected auth.signIn {"code":"[redacted]","phone":"+999******57","phone_code_hash":"h1"}
                got      auth.resendCode {"phone":"+999******57","phone_code_hash":"h1"}`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}

	// From now on every call fails with the same error, even the expected one.
	if _, err2 := api.Invoke(ctx, signIn(testCode)); err2 != err {
		t.Errorf("next call: %v, want the first mismatch", err2)
	}
	if p.Err() != err {
		t.Errorf("Err = %v", p.Err())
	}
	if r := p.Remaining(); len(r) != 2 || r[0].Method != "auth.signIn" || r[1].Method != "auth.logOut" {
		t.Errorf("Remaining = %+v", r)
	}
}

func TestPlayerFieldMismatch(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, req tgapi.SignIn) (*Player, error) {
		p, api := newHandPlayer(t, handTrace)
		sendCode(t, api)
		_, err := api.Invoke(ctx, req)
		return p, err
	}
	for _, tc := range []struct {
		name   string
		req    tgapi.SignIn
		fields []string // nil: matches
	}{
		{"same", signIn(testCode), nil},
		// Codes are redacted on both sides, so any code matches.
		{"other code", signIn("00000"), nil},
		// Phones are compared masked, as the trace holds them.
		{"same masked phone", tgapi.SignIn{Phone: "+99900000057", PhoneCodeHash: "h1", Code: "1"}, nil},
		{"hash", tgapi.SignIn{Phone: testPhone, PhoneCodeHash: "h2", Code: "1"}, []string{"phone_code_hash"}},
		{"phone and hash", tgapi.SignIn{Phone: "+4915112345678", PhoneCodeHash: "h2", Code: "1"}, []string{"phone", "phone_code_hash"}},
		{"no code", signIn(""), []string{"code"}},
		{"extra field", tgapi.SignIn{Phone: testPhone, PhoneCodeHash: "h1", Code: "1", ViaEmail: true}, []string{"via_email"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := run(t, tc.req)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("SignIn: %v", err)
				}
				return
			}
			var m *MismatchError
			if !errors.As(err, &m) {
				t.Fatalf("SignIn error = %v, want a *MismatchError", err)
			}
			if m.Step != 2 || !slices.Equal(m.Fields, tc.fields) || p.Err() != err {
				t.Errorf("mismatch = %+v", m)
			}
			msg := err.Error()
			if !strings.Contains(msg, "(request differs in "+strings.Join(tc.fields, ", ")+")") ||
				!strings.Contains(msg, "expected auth.signIn ") || !strings.Contains(msg, "got      auth.signIn ") {
				t.Errorf("Error() =\n%s", msg)
			}
			if strings.Contains(msg, "4915112345678") {
				t.Errorf("the actual phone is not masked:\n%s", msg)
			}
		})
	}
}

// A trace recorded with KeepPhones holds raw phones; the Player compares them raw.
func TestPlayerRawPhones(t *testing.T) {
	trace := `{"type":"header","format":1}
{"type":"call","method":"auth.sendCode","request":{"phone":"+99966123457"}}
`
	ctx := context.Background()
	_, api := newHandPlayer(t, trace)
	_, err := api.Invoke(ctx, tgapi.SendCode{Phone: "+99900000057"})
	var m *MismatchError
	if !errors.As(err, &m) || !slices.Equal(m.Fields, []string{"phone"}) {
		t.Errorf("another phone with the same mask: %v", err)
	}
	_, api = newHandPlayer(t, trace)
	if _, err := api.Invoke(ctx, tgapi.SendCode{Phone: testPhone}); err != nil {
		t.Errorf("the same phone: %v", err)
	}
}

func TestPlayerPastTheEnd(t *testing.T) {
	ctx := context.Background()
	p, api := newHandPlayer(t, handTrace)
	sendCode(t, api)
	api.Invoke(ctx, signIn(testCode))
	if res, err := api.Invoke(ctx, tgapi.LogOut{}); err != nil || res == nil || res.(tgapi.LoggedOut).FutureAuthToken != nil {
		t.Fatalf("LogOut = %#v, %v; want no token", res, err)
	}
	_, err := api.Invoke(ctx, tgapi.SendCode{Phone: testPhone})
	want := `replay: call 4: expected no more calls, got auth.sendCode {"phone":"+999******57"}`
	if err == nil || err.Error() != want || p.Err() != err {
		t.Errorf("error = %v\nwant %s", err, want)
	}
}

// Hand-written entries without a request match any request, and without an outcome
// answer the zero result.
func TestPlayerAnyRequest(t *testing.T) {
	trace := `{"type":"header","format":1}
{"type":"call","method":"auth.importBotAuthorization","result":{"id":42,"bot":true},"dc":3}
{"type":"call","method":"auth.cancelCode"}
{"type":"call","method":"auth.logOut","result":{"future_auth_token":"AQID"}}
`
	ctx := context.Background()
	p, api := newHandPlayer(t, trace)
	u, err := tgapi.Invoke[tgapi.User](ctx, api, tgapi.ImportBotAuthorization{Token: "1:whatever"})
	if err != nil || u.ID != 42 || !u.Bot || api.DC() != 3 {
		t.Errorf("ImportBotAuthorization = %+v, %v, dc %d", u, err, api.DC())
	}
	if res, err := api.Invoke(ctx, tgapi.CancelCode{Phone: testPhone, PhoneCodeHash: "h1"}); res != nil || err != nil {
		t.Errorf("CancelCode = %#v, %v", res, err)
	}
	if lo, err := tgapi.Invoke[tgapi.LoggedOut](ctx, api, tgapi.LogOut{}); err != nil || string(lo.FutureAuthToken) != "\x01\x02\x03" {
		t.Errorf("LogOut = %q, %v", lo.FutureAuthToken, err)
	}
	if p.Err() != nil || len(p.Remaining()) != 0 {
		t.Errorf("Err %v, Remaining %v", p.Err(), p.Remaining())
	}
}

func TestPlayerLost(t *testing.T) {
	trace := `{"type":"header","format":1}
{"type":"call","method":"auth.signIn","lost":true}
{"type":"call","method":"users.getUsers","error":{"code":401,"type":"AUTH_KEY_UNREGISTERED"}}
`
	ctx := context.Background()

	p, api := newHandPlayer(t, trace)
	lost := 0
	p.OnLost = func() { lost++; runtime.Goexit() }
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		api.Invoke(ctx, signIn(testCode))
		returned = true
	}()
	<-done
	if lost != 1 || returned {
		t.Errorf("OnLost called %d times, SignIn returned: %v", lost, returned)
	}
	// The lost call was consumed; the run goes on with the next one (recovery).
	_, err := api.Invoke(ctx, tgapi.GetSelf{})
	var tgErr *tgapi.Error
	if !errors.As(err, &tgErr) || tgErr.Code != 401 || tgErr.Type != "AUTH_KEY_UNREGISTERED" {
		t.Errorf("Self after the lost call: %v", err)
	}

	_, api = newHandPlayer(t, trace)
	_, err = api.Invoke(ctx, signIn(""))
	if err == nil || errors.As(err, &tgErr) || !strings.Contains(err.Error(), "lost") {
		t.Errorf("lost call without OnLost: %v, want a transport error", err)
	}
}

func TestPlayerUndecodableResult(t *testing.T) {
	// Entries not read by Read are not checked; a bad result fails the call and the Player.
	p := NewPlayer([]Entry{{Type: TypeCall, Method: "users.getUsers", Result: []byte(`{"id":"x"}`)}})
	_, err := connect(t, p.Connector(), "R1").Invoke(context.Background(), tgapi.GetSelf{})
	if err == nil || p.Err() != err || !strings.Contains(err.Error(), "users.getUsers") {
		t.Errorf("Self = %v, Err = %v", err, p.Err())
	}
}
