package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/tgapi"
	"github.com/tgauth/tgauth/tgapi/mock"
)

// fakeTelegram is a mock.API with canned answers for every call drive makes. errs queues
// errors per method: a call pops the first one, if any, and answers it instead. With echo
// set, every call answers a transport error repeating its arguments (as text and as JSON,
// so raw bytes and base64 both), as a careless lower layer might.
type fakeTelegram struct {
	*mock.API
	mu   sync.Mutex
	errs map[tgapi.Method][]error
	echo bool
}

func newFakeTelegram() *fakeTelegram {
	f := &fakeTelegram{API: &mock.API{DataCenter: 2}, errs: map[tgapi.Method][]error{}}
	user := func() tgapi.User {
		return tgapi.User{ID: 5551212, FirstName: "Ada", Username: "ada", Phone: "+99966123457"}
	}
	answer(f, func(tgapi.SendCode) tgapi.SendCodeResult {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, NextType: tgapi.CodeCall,
			Timeout: time.Minute, PhoneCodeHash: "hash-1"}}
	})
	answer(f, func(tgapi.ResendCode) tgapi.SentCode {
		return tgapi.SentCode{Type: tgapi.CodeCall, Length: 5, PhoneCodeHash: "hash-2"}
	})
	answer(f, func(tgapi.CancelCode) any { return nil })
	answer(f, func(tgapi.SignIn) tgapi.Authorization { u := user(); return tgapi.Authorization{User: &u} })
	answer(f, func(tgapi.SignUp) tgapi.User { return user() })
	answer(f, func(tgapi.GetPassword) tgapi.PasswordInfo {
		return tgapi.PasswordInfo{HasPassword: true, Hint: "pet's name", HasRecovery: true}
	})
	answer(f, func(tgapi.CheckPassword) tgapi.User { return user() })
	answer(f, func(tgapi.RequestPasswordRecovery) tgapi.PasswordRecovery {
		return tgapi.PasswordRecovery{EmailPattern: "a***@example.com"}
	})
	answer(f, func(tgapi.RecoverPassword) tgapi.User { return user() })
	answer(f, func(tgapi.SendVerifyEmailCode) tgapi.EmailCode {
		return tgapi.EmailCode{EmailPattern: "b***@example.com", Length: 6}
	})
	answer(f, func(tgapi.VerifyEmail) tgapi.SendCodeResult {
		return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeEmail, Length: 6, PhoneCodeHash: "hash-3",
			EmailPattern: "b***@example.com"}}
	})
	answer(f, func(tgapi.ExportLoginToken) tgapi.LoginToken {
		return tgapi.LoginToken{Token: []byte("qr-token-1"), MigrateDC: 4,
			Expires: time.Date(2026, 11, 21, 1, 0, 30, 0, time.UTC)}
	})
	answer(f, func(req tgapi.ImportLoginToken) tgapi.LoginToken {
		f.DataCenter = req.DC // the session moved
		u := user()
		return tgapi.LoginToken{Authorized: &u}
	})
	answer(f, func(tgapi.ImportBotAuthorization) tgapi.User {
		return tgapi.User{ID: 777, Username: "test_bot", Bot: true}
	})
	answer(f, func(tgapi.LogOut) tgapi.LoggedOut {
		return tgapi.LoggedOut{FutureAuthToken: []byte("FUTURE-AUTH-TOKEN")}
	})
	answer(f, func(tgapi.GetSelf) tgapi.User { return user() })
	return f
}

// answer makes f answer Req's calls with what a returns, unless fail says otherwise.
func answer[Req tgapi.Request, Res any](f *fakeTelegram, a func(Req) Res) {
	mock.Handle(f.API, func(_ context.Context, req Req) (Res, error) {
		if err := f.fail(req); err != nil {
			var zero Res
			return zero, err
		}
		return a(req), nil
	})
}

// fail returns the error req's call answers, or nil.
func (f *fakeTelegram) fail(req tgapi.Request) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.echo {
		b, _ := json.Marshal(req)
		return fmt.Errorf("transport: %s failed with %s, that is %s", req.Method(), req, b)
	}
	if q := f.errs[req.Method()]; len(q) > 0 {
		f.errs[req.Method()] = q[1:]
		return q[0]
	}
	return nil
}

// Secrets the tests pass through every method; none may reach a trace.
const (
	testPhone    = "+99966123457"
	maskedPhone  = "+999******57"
	testPassword = "S3CRET-PW"
	testCode     = "24680"
	testEmailCod = "13579"
	testRecovery = "97531"
	testBotToken = "777:AAH-secret-token"
)

var testLogoutTokens = [][]byte{[]byte("LOGOUT-TOKEN-ONE"), []byte("LOGOUT-TOKEN-TWO")}

// drive calls every method of api once or more, in a fixed order, and returns one line
// per call describing its outcome, so that two runs can be compared.
func drive(t *testing.T, api tgapi.API) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	call := func(req tgapi.Request) any {
		res, err := api.Invoke(ctx, req)
		b, jerr := json.Marshal(res)
		if jerr != nil {
			t.Fatal(jerr)
		}
		line := fmt.Sprintf("%s %T %s", req.Method(), res, b)
		if err != nil {
			line += fmt.Sprintf(" error %T %v", err, err)
		}
		out = append(out, line)
		return res
	}
	const hash = "hash-1"
	call(tgapi.SendCode{Phone: testPhone, LogoutTokens: testLogoutTokens})
	call(tgapi.ResendCode{Phone: testPhone, PhoneCodeHash: hash})
	call(tgapi.CancelCode{Phone: testPhone, PhoneCodeHash: hash})
	call(tgapi.SignIn{Phone: testPhone, PhoneCodeHash: hash, Code: "11111"})
	call(tgapi.SignIn{Phone: testPhone, PhoneCodeHash: hash, Code: testCode})
	call(tgapi.SignUp{Phone: testPhone, PhoneCodeHash: hash, FirstName: "Ada", LastName: "L"})
	call(tgapi.GetPassword{})
	call(tgapi.CheckPassword{Password: testPassword})
	call(tgapi.RequestPasswordRecovery{})
	call(tgapi.RecoverPassword{Code: testRecovery})
	call(tgapi.SendVerifyEmailCode{Phone: testPhone, PhoneCodeHash: hash, Email: "ada@example.com"})
	call(tgapi.VerifyEmail{Phone: testPhone, PhoneCodeHash: hash, Code: testEmailCod})
	tok, _ := call(tgapi.ExportLoginToken{}).(tgapi.LoginToken)
	call(tgapi.ImportLoginToken{DC: tok.MigrateDC, Token: tok.Token})
	call(tgapi.ImportBotAuthorization{Token: testBotToken})
	call(tgapi.GetSelf{})
	res, err := api.Invoke(ctx, tgapi.LogOut{})
	lo, ok := res.(tgapi.LoggedOut)
	out = append(out, fmt.Sprintf("auth.logOut token %v %v, %v", ok, lo.FutureAuthToken != nil, err))
	return out
}

// connect returns the API c hands out for loginID.
func connect(t *testing.T, c tgapi.Connector, loginID string) tgapi.API {
	t.Helper()
	api, err := c.Connect(context.Background(), loginID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// stepClock returns a clock that starts at start and moves on by step at every reading.
func stepClock(start time.Time, step time.Duration) func() time.Time {
	now := start
	return func() time.Time {
		t := now
		now = now.Add(step)
		return t
	}
}
