package replay

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// mockAPI is a mock tgapi.API with canned answers. errs queues errors per method: a
// call pops the first one, if any, and answers it instead. With echo set, every call
// answers a transport error repeating its arguments, as a careless lower layer might.
type mockAPI struct {
	mu          sync.Mutex
	dc          int
	user        tgapi.User
	logoutToken []byte
	errs        map[string][]error
	echo        bool
}

func newMockAPI() *mockAPI {
	return &mockAPI{
		dc:          2,
		user:        tgapi.User{ID: 5551212, FirstName: "Ada", Username: "ada", Phone: "+99966123457"},
		logoutToken: []byte("FUTURE-AUTH-TOKEN"),
		errs:        map[string][]error{},
	}
}

func (m *mockAPI) connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
		return m, nil
	})
}

// fail returns the error the call answers, or nil; args are what an echo repeats.
func (m *mockAPI) fail(method string, args ...any) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.echo {
		return fmt.Errorf("transport: %s failed with %v", method, args)
	}
	if q := m.errs[method]; len(q) > 0 {
		m.errs[method] = q[1:]
		return q[0]
	}
	return nil
}

func (m *mockAPI) userCopy() tgapi.User { return m.user }

func (m *mockAPI) SendCode(_ context.Context, req tgapi.SendCodeRequest) (tgapi.SendCodeResult, error) {
	args := []any{req.Phone}
	for _, t := range req.LogoutTokens {
		args = append(args, string(t), base64.StdEncoding.EncodeToString(t))
	}
	if err := m.fail(MethodSendCode, args...); err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeSMS, Length: 5, NextType: tgapi.CodeCall,
		Timeout: time.Minute, PhoneCodeHash: "hash-1"}}, nil
}

func (m *mockAPI) ResendCode(_ context.Context, req tgapi.CodeRef) (tgapi.SentCode, error) {
	if err := m.fail(MethodResendCode, req.Phone, req.PhoneCodeHash); err != nil {
		return tgapi.SentCode{}, err
	}
	return tgapi.SentCode{Type: tgapi.CodeCall, Length: 5, PhoneCodeHash: "hash-2"}, nil
}

func (m *mockAPI) CancelCode(_ context.Context, req tgapi.CodeRef) error {
	return m.fail(MethodCancelCode, req.Phone, req.PhoneCodeHash)
}

func (m *mockAPI) SignIn(_ context.Context, req tgapi.SignInRequest) (tgapi.Authorization, error) {
	if err := m.fail(MethodSignIn, req.Phone, req.PhoneCodeHash, req.Code); err != nil {
		return tgapi.Authorization{}, err
	}
	u := m.userCopy()
	return tgapi.Authorization{User: &u}, nil
}

func (m *mockAPI) SignUp(_ context.Context, req tgapi.SignUpRequest) (tgapi.User, error) {
	if err := m.fail(MethodSignUp, req.Phone, req.FirstName, req.LastName); err != nil {
		return tgapi.User{}, err
	}
	return m.userCopy(), nil
}

func (m *mockAPI) PasswordInfo(context.Context) (tgapi.PasswordInfo, error) {
	if err := m.fail(MethodPasswordInfo); err != nil {
		return tgapi.PasswordInfo{}, err
	}
	return tgapi.PasswordInfo{HasPassword: true, Hint: "pet's name", HasRecovery: true}, nil
}

func (m *mockAPI) CheckPassword(_ context.Context, password string) (tgapi.User, error) {
	if err := m.fail(MethodCheckPassword, password); err != nil {
		return tgapi.User{}, err
	}
	return m.userCopy(), nil
}

func (m *mockAPI) RequestPasswordRecovery(context.Context) (tgapi.PasswordRecovery, error) {
	if err := m.fail(MethodRequestPasswordRecovery); err != nil {
		return tgapi.PasswordRecovery{}, err
	}
	return tgapi.PasswordRecovery{EmailPattern: "a***@example.com"}, nil
}

func (m *mockAPI) RecoverPassword(_ context.Context, code string) (tgapi.User, error) {
	if err := m.fail(MethodRecoverPassword, code); err != nil {
		return tgapi.User{}, err
	}
	return m.userCopy(), nil
}

func (m *mockAPI) SendVerifyEmailCode(_ context.Context, req tgapi.EmailRequest) (tgapi.EmailCode, error) {
	if err := m.fail(MethodSendVerifyEmailCode, req.Phone, req.Email); err != nil {
		return tgapi.EmailCode{}, err
	}
	return tgapi.EmailCode{EmailPattern: "b***@example.com", Length: 6}, nil
}

func (m *mockAPI) VerifyEmail(_ context.Context, req tgapi.VerifyEmailRequest) (tgapi.SendCodeResult, error) {
	if err := m.fail(MethodVerifyEmail, req.Phone, req.Code); err != nil {
		return tgapi.SendCodeResult{}, err
	}
	return tgapi.SendCodeResult{Code: &tgapi.SentCode{Type: tgapi.CodeEmail, Length: 6, PhoneCodeHash: "hash-3",
		EmailPattern: "b***@example.com"}}, nil
}

func (m *mockAPI) ExportLoginToken(context.Context) (tgapi.LoginToken, error) {
	if err := m.fail(MethodExportLoginToken); err != nil {
		return tgapi.LoginToken{}, err
	}
	return tgapi.LoginToken{Token: []byte("qr-token-1"), MigrateDC: 4,
		Expires: time.Date(2026, 11, 21, 1, 0, 30, 0, time.UTC)}, nil
}

func (m *mockAPI) ImportLoginToken(_ context.Context, dc int, token []byte) (tgapi.LoginToken, error) {
	if err := m.fail(MethodImportLoginToken, dc, string(token)); err != nil {
		return tgapi.LoginToken{}, err
	}
	m.mu.Lock()
	m.dc = dc
	m.mu.Unlock()
	u := m.userCopy()
	return tgapi.LoginToken{Authorized: &u}, nil
}

func (m *mockAPI) ImportBotAuthorization(_ context.Context, token string) (tgapi.User, error) {
	if err := m.fail(MethodImportBotAuthorization, token); err != nil {
		return tgapi.User{}, err
	}
	return tgapi.User{ID: 777, Username: "test_bot", Bot: true}, nil
}

func (m *mockAPI) LogOut(context.Context) ([]byte, error) {
	if err := m.fail(MethodLogOut); err != nil {
		return nil, err
	}
	return m.logoutToken, nil
}

func (m *mockAPI) Self(context.Context) (tgapi.User, error) {
	if err := m.fail(MethodSelf); err != nil {
		return tgapi.User{}, err
	}
	return m.userCopy(), nil
}

func (m *mockAPI) DC() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dc
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
	add := func(method string, res any, err error) {
		b, jerr := json.Marshal(res)
		if jerr != nil {
			t.Fatal(jerr)
		}
		line := method + " " + string(b)
		if err != nil {
			line += fmt.Sprintf(" error %T %v", err, err)
		}
		out = append(out, line)
	}
	ref := tgapi.CodeRef{Phone: testPhone, PhoneCodeHash: "hash-1"}

	r1, err := api.SendCode(ctx, tgapi.SendCodeRequest{Phone: testPhone, LogoutTokens: testLogoutTokens})
	add("SendCode", r1, err)
	r2, err := api.ResendCode(ctx, ref)
	add("ResendCode", r2, err)
	err = api.CancelCode(ctx, ref)
	add("CancelCode", nil, err)
	r3, err := api.SignIn(ctx, tgapi.SignInRequest{CodeRef: ref, Code: "11111"})
	add("SignIn", r3, err)
	r3, err = api.SignIn(ctx, tgapi.SignInRequest{CodeRef: ref, Code: testCode})
	add("SignIn", r3, err)
	r4, err := api.SignUp(ctx, tgapi.SignUpRequest{CodeRef: ref, FirstName: "Ada", LastName: "L"})
	add("SignUp", r4, err)
	r5, err := api.PasswordInfo(ctx)
	add("PasswordInfo", r5, err)
	r4, err = api.CheckPassword(ctx, testPassword)
	add("CheckPassword", r4, err)
	r6, err := api.RequestPasswordRecovery(ctx)
	add("RequestPasswordRecovery", r6, err)
	r4, err = api.RecoverPassword(ctx, testRecovery)
	add("RecoverPassword", r4, err)
	r7, err := api.SendVerifyEmailCode(ctx, tgapi.EmailRequest{CodeRef: ref, Email: "ada@example.com"})
	add("SendVerifyEmailCode", r7, err)
	r1, err = api.VerifyEmail(ctx, tgapi.VerifyEmailRequest{CodeRef: ref, Code: testEmailCod})
	add("VerifyEmail", r1, err)
	r8, err := api.ExportLoginToken(ctx)
	add("ExportLoginToken", r8, err)
	r8, err = api.ImportLoginToken(ctx, r8.MigrateDC, r8.Token)
	add("ImportLoginToken", r8, err)
	r4, err = api.ImportBotAuthorization(ctx, testBotToken)
	add("ImportBotAuthorization", r4, err)
	r4, err = api.Self(ctx)
	add("Self", r4, err)
	tok, err := api.LogOut(ctx)
	add("LogOut", tok != nil, err)
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
