package replay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// observer mirrors machine.Observer, which this package must not import:
//
//	var _ machine.Observer = (*replay.Recorder)(nil)
//
// holds because the method sets are the same.
type observer interface {
	Input(login, event string, args map[string]string)
	Timer(login, event string)
	Reached(login, state string)
}

var _ observer = (*Recorder)(nil)

var t0 = time.Date(2026, 11, 21, 1, 0, 0, 400_000, time.UTC) // 0.4 ms past the second

func TestRoundTrip(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("KeepPhones=%v", keep), func(t *testing.T) {
			tg := newFakeTelegram()
			tg.errs[tgapi.ResendCode{}.Method()] = []error{tgapi.NewError(420, "FLOOD_WAIT_30")}
			tg.errs[tgapi.CancelCode{}.Method()] = []error{context.DeadlineExceeded}
			tg.errs[tgapi.SignIn{}.Method()] = []error{tgapi.NewError(400, "PHONE_CODE_INVALID")}
			tg.errs[tgapi.GetSelf{}.Method()] = []error{errors.New("connection reset")}

			var buf bytes.Buffer
			rec := NewRecorder(&buf, RecorderOptions{KeepPhones: keep, Now: stepClock(t0, 12*time.Millisecond), Version: "v-test"})
			api := connect(t, rec.Connector(tg.Connector()), "L1")
			rec.Input("L1", "submit_phone", map[string]string{"phone": testPhone})
			want := drive(t, api)
			rec.Timer("L1", "qr_poll")
			rec.Reached("L1", "LoggedOut")
			if err := rec.Err(); err != nil {
				t.Fatal(err)
			}
			// The recorder hands the caller the real answers, phones unmasked.
			if !strings.Contains(strings.Join(want, "\n"), testPhone) {
				t.Fatalf("the caller did not get the real phone:\n%s", strings.Join(want, "\n"))
			}

			tr, err := Read(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			if h := tr.Header; h.Format != 1 || h.TGAuth != "v-test" || !h.Created.Equal(t0.Truncate(time.Millisecond)) {
				t.Errorf("header = %+v", h)
			}
			if len(want) != 17 || len(tr.Entries) != 17+3 {
				t.Fatalf("%d calls, %d entries", len(want), len(tr.Entries))
			}
			in := tr.Entries[0]
			if in.Type != TypeInput || in.T != 12 || in.Login != "L1" || in.Event != "submit_phone" {
				t.Errorf("first entry = %+v", in)
			}
			for i, e := range tr.Entries[1:18] {
				if e.Type != TypeCall || e.Login != "L1" || e.T != int64(12*(i+2)) {
					t.Errorf("entry %d = %+v", i+2, e)
				}
			}
			// The DC is read after each call: the import moved the session to DC 4.
			imp := tr.Entries[14]
			if imp.Method != string(tgapi.ImportLoginToken{}.Method()) || imp.DC != 4 || tr.Entries[13].DC != 2 {
				t.Errorf("dc: %s dc %d, then %s dc %d", tr.Entries[13].Method, tr.Entries[13].DC, imp.Method, imp.DC)
			}
			if got := States(tr); !slices.Equal(got, []string{"LoggedOut"}) {
				t.Errorf("States = %q", got)
			}

			p := NewPlayer(tr.Entries)
			papi := connect(t, p.Connector(), "R1")
			if dc := papi.DC(); dc != 2 {
				t.Errorf("DC before any call = %d, want 2", dc)
			}
			got := drive(t, papi)
			if err := p.Err(); err != nil {
				t.Fatal(err)
			}
			if !keep {
				for i := range want {
					want[i] = strings.ReplaceAll(want[i], testPhone, maskedPhone)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("replayed answers differ:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
			if dc := papi.DC(); dc != 4 {
				t.Errorf("DC after the import = %d, want 4", dc)
			}
			if dc := connect(t, p.Connector(), "R2").DC(); dc != 2 {
				t.Errorf("DC of a login that made no call = %d, want 2", dc)
			}
			if r := p.Remaining(); len(r) != 0 {
				t.Errorf("Remaining = %+v", r)
			}
		})
	}
}

// TestPlayerAnswersLikeTheAPI checks the kinds of answers a Player gives, which the
// engine tells apart with errors.Is and errors.As.
func TestPlayerAnswersLikeTheAPI(t *testing.T) {
	tg := newFakeTelegram()
	tg.errs[tgapi.GetSelf{}.Method()] = []error{tgapi.NewError(420, "FLOOD_WAIT_30"), context.Canceled, errors.New("connection reset")}
	var buf bytes.Buffer
	rec := NewRecorder(&buf, RecorderOptions{})
	api := connect(t, rec.Connector(tg.Connector()), "L1")
	ctx := context.Background()
	for range 4 {
		api.Invoke(ctx, tgapi.GetSelf{})
	}
	api.Invoke(ctx, tgapi.CancelCode{Phone: testPhone, PhoneCodeHash: "h1"})
	api.Invoke(ctx, tgapi.LogOut{})
	tr, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	papi := connect(t, NewPlayer(tr.Entries).Connector(), "R1")

	_, err = papi.Invoke(ctx, tgapi.GetSelf{})
	if d, ok := tgapi.FloodWait(err); !ok || d != 30*time.Second {
		t.Errorf("flood wait: %v", err)
	}
	if _, err = papi.Invoke(ctx, tgapi.GetSelf{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	_, err = papi.Invoke(ctx, tgapi.GetSelf{})
	var tgErr *tgapi.Error
	if err == nil || errors.As(err, &tgErr) || err.Error() != "connection reset" {
		t.Errorf("transport error: %v", err)
	}
	// Results are values of the table's result type, not pointers; nil for no result.
	if res, err := papi.Invoke(ctx, tgapi.GetSelf{}); err != nil || res != any(tgapi.User{ID: 5551212, FirstName: "Ada", Username: "ada", Phone: maskedPhone}) {
		t.Errorf("GetSelf = %#v, %v", res, err)
	}
	if res, err := papi.Invoke(ctx, tgapi.CancelCode{Phone: testPhone, PhoneCodeHash: "h1"}); res != nil || err != nil {
		t.Errorf("CancelCode = %#v, %v; want nil, nil", res, err)
	}
	if lo, err := tgapi.Invoke[tgapi.LoggedOut](ctx, papi, tgapi.LogOut{}); err != nil || string(lo.FutureAuthToken) != Redacted {
		t.Errorf("LogOut = %q, %v; want the placeholder token", lo.FutureAuthToken, err)
	}
}

func TestRedaction(t *testing.T) {
	secrets := []string{testPassword, testCode, testEmailCod, testRecovery, "AAH-secret-token", "FUTURE-AUTH-TOKEN",
		base64.StdEncoding.EncodeToString([]byte("FUTURE-AUTH-TOKEN")), "OLD-SECRET"}
	for _, tok := range testLogoutTokens {
		secrets = append(secrets, string(tok), base64.StdEncoding.EncodeToString(tok))
	}
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("KeepPhones=%v", keep), func(t *testing.T) {
			var buf bytes.Buffer
			rec := NewRecorder(&buf, RecorderOptions{KeepPhones: keep})
			rec.Input("L1", "submit_phone", map[string]string{"phone": testPhone})
			rec.Input("L1", "submit_code", map[string]string{"code": testCode})
			rec.Input("L1", "submit_code", map[string]string{"code": Redacted})
			rec.Input("L1", "submit_password", map[string]string{"password": testPassword, "new_password": "OLD-SECRET"})
			rec.Input("L1", "submit_recovery_code", map[string]string{"recovery_code": testRecovery})
			rec.Input("L1", "submit_email_code", map[string]string{"email_code": testEmailCod})
			rec.Input("L1", "submit_bot_token", map[string]string{"token": testBotToken})
			rec.Input("L1", "submit_signup", map[string]string{"first_name": "Ada"})

			tg := newFakeTelegram()
			api := connect(t, rec.Connector(tg.Connector()), "L1")
			drive(t, api) // every method, answered
			tg.echo = true
			drive(t, api) // every method again, failing with its arguments in the error text
			if err := rec.Err(); err != nil {
				t.Fatal(err)
			}

			out := buf.String()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q is in the trace", s)
				}
			}
			if keep != strings.Contains(out, testPhone) || keep != strings.Contains(out, strings.TrimPrefix(testPhone, "+")) {
				t.Errorf("raw phone in the trace: %v, want %v", !keep, keep)
			}
			if !keep && strings.Count(out, maskedPhone) < 20 {
				t.Errorf("the masked phone appears %d times", strings.Count(out, maskedPhone))
			}
			if t.Failed() {
				t.Log(out)
			}

			tr, err := Read(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			args := map[string]string{}
			for _, e := range tr.Entries {
				if e.Type == TypeInput {
					for k, v := range e.Args {
						args[k] = v
					}
				}
			}
			phone := maskedPhone
			if keep {
				phone = testPhone
			}
			wantArgs := map[string]string{"phone": phone, "code": Redacted, "password": Redacted, "new_password": Redacted,
				"recovery_code": Redacted, "email_code": Redacted, "token": "777:" + Redacted, "first_name": "Ada"}
			if fmt.Sprint(args) != fmt.Sprint(wantArgs) {
				t.Errorf("input args = %v\nwant %v", args, wantArgs)
			}

			fields := map[string]string{} // method.field -> JSON value, first answered call
			for _, e := range tr.Entries {
				if e.Type != TypeCall {
					continue
				}
				for _, part := range []struct {
					name string
					raw  json.RawMessage
				}{{"request", e.Request}, {"result", e.Result}} {
					var m map[string]json.RawMessage
					json.Unmarshal(part.raw, &m)
					for k, v := range m {
						key := e.Method + "." + part.name + "." + k
						if _, ok := fields[key]; !ok {
							fields[key] = string(v)
						}
					}
				}
			}
			q := strconv.Quote
			for key, want := range map[string]string{
				"auth.sendCode.request.logout_tokens":       `["` + Redacted + `","` + Redacted + `"]`,
				"auth.sendCode.request.phone":               q(phone),
				"auth.signIn.request.code":                  q(Redacted),
				"auth.signIn.request.phone_code_hash":       q("hash-1"),
				"account.verifyEmail.request.code":          q(Redacted),
				"auth.recoverPassword.request.code":         q(Redacted),
				"auth.checkPassword.request.password":       q(Redacted),
				"auth.importBotAuthorization.request.token": q("777:" + Redacted),
				"auth.importLoginToken.request.token":       q(base64.StdEncoding.EncodeToString([]byte("qr-token-1"))),
				"auth.logOut.result.future_auth_token":      q(Redacted),
				"users.getUsers.result.phone":               q(phone),
				"auth.signIn.result.user":                   "",
			} {
				got, ok := fields[key]
				if !ok {
					t.Errorf("%s is missing", key)
				} else if want != "" && got != want {
					t.Errorf("%s = %s, want %s", key, got, want)
				}
			}
			var user struct{ User tgapi.User }
			json.Unmarshal([]byte(`{"user":`+fields["auth.signIn.result.user"]+`}`), &user)
			if user.User.Phone != phone {
				t.Errorf("signIn user phone = %q, want %q", user.User.Phone, phone)
			}
		})
	}
}

func TestRecorderTimes(t *testing.T) {
	var buf bytes.Buffer
	clock := []time.Time{t0, t0.Add(12 * time.Millisecond), t0.Add(30 * time.Second), t0.Add(30*time.Second + 999*time.Microsecond)}
	i := 0
	rec := NewRecorder(&buf, RecorderOptions{Now: func() time.Time { i++; return clock[i-1] }})
	rec.Input("L1", "start_qr", nil)
	rec.Timer("L1", "qr_poll")
	rec.Reached("L1", "ExportingQR")
	want := `{"type":"header","format":1,"tgauth":"dev","created":"2026-11-21T01:00:00Z"}
{"type":"input","t":12,"login":"L1","event":"start_qr"}
{"type":"timer","t":30000,"login":"L1","event":"qr_poll"}
{"type":"state","t":30001,"login":"L1","state":"ExportingQR"}
`
	if buf.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// failingWriter fails every write after the first ok ones, and counts the attempts.
type failingWriter struct {
	ok, writes int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > w.ok {
		return 0, fmt.Errorf("disk full (write %d)", w.writes)
	}
	return len(p), nil
}

func TestRecorderErr(t *testing.T) {
	w := &failingWriter{ok: 2}
	rec := NewRecorder(w, RecorderOptions{})
	rec.Reached("L1", "New")
	if err := rec.Err(); err != nil {
		t.Fatalf("Err after good writes = %v", err)
	}
	rec.Reached("L1", "SendingCode")
	rec.Reached("L1", "CodeSent")
	if err := rec.Err(); err == nil || err.Error() != "disk full (write 3)" {
		t.Errorf("Err = %v, want the first write error", err)
	}
	if w.writes != 3 {
		t.Errorf("%d writes, want none after the failure", w.writes)
	}
}

func TestRecorderConcurrent(t *testing.T) {
	var buf bytes.Buffer
	rec := NewRecorder(&buf, RecorderOptions{})
	conn := rec.Connector(newFakeTelegram().Connector())
	var wg sync.WaitGroup
	for g := range 8 {
		login := fmt.Sprintf("L%d", g)
		api := connect(t, conn, login)
		wg.Go(func() {
			for range 50 {
				rec.Input(login, "submit_code", map[string]string{"code": testCode})
				api.Invoke(context.Background(), tgapi.SignIn{Code: testCode})
				rec.Reached(login, "Authorized")
				rec.Err()
			}
		})
	}
	wg.Wait()
	tr, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Entries) != 8*50*3 {
		t.Fatalf("%d entries, want %d", len(tr.Entries), 8*50*3)
	}
	perLogin := map[string][]string{}
	for i, e := range tr.Entries {
		if i > 0 && e.T < tr.Entries[i-1].T {
			t.Fatalf("entry %d: t went back from %d to %d", i+1, tr.Entries[i-1].T, e.T)
		}
		perLogin[e.Login] = append(perLogin[e.Login], e.Type)
	}
	for login, types := range perLogin {
		for i := 0; i < len(types); i += 3 {
			if types[i] != TypeInput || types[i+1] != TypeCall || types[i+2] != TypeState {
				t.Fatalf("%s: entries out of order: %v", login, types[i:i+3])
			}
		}
	}
}

// TestImports keeps the package on its side of the design: the standard library and tgapi
// only, never machine.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && path != "github.com/tgauth/tgauth/tgapi" {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}

// auth.logOut's future_auth_token is written null when Telegram gave none and Redacted
// when it gave one, and replays as no token and as the placeholder token.
func TestLogOutToken(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		token       []byte
		line        string
		replayed    []byte
		replayedNil bool
	}{
		{nil, `"result":{"future_auth_token":null}`, nil, true},
		{[]byte("FUTURE-AUTH-TOKEN"), `"result":{"future_auth_token":"[redacted]"}`, []byte(Redacted), false},
	} {
		var buf bytes.Buffer
		rec := NewRecorder(&buf, RecorderOptions{})
		inner := &cannedAPI{answer: func(tgapi.Request) (any, error) { return tgapi.LoggedOut{FutureAuthToken: tc.token}, nil }}
		lo, err := tgapi.Invoke[tgapi.LoggedOut](ctx, connect(t, rec.Connector(inner.connector()), "L1"), tgapi.LogOut{})
		if err != nil || !bytes.Equal(lo.FutureAuthToken, tc.token) {
			t.Errorf("recorder answered %q, %v", lo.FutureAuthToken, err)
		}
		if !strings.Contains(buf.String(), tc.line) {
			t.Errorf("trace:\n%s\nwant %s", buf.String(), tc.line)
		}
		tr, err := Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		lo, err = tgapi.Invoke[tgapi.LoggedOut](ctx, connect(t, NewPlayer(tr.Entries).Connector(), "R1"), tgapi.LogOut{})
		if err != nil || !bytes.Equal(lo.FutureAuthToken, tc.replayed) || (lo.FutureAuthToken == nil) != tc.replayedNil {
			t.Errorf("replayed %q, %v; want %q", lo.FutureAuthToken, err, tc.replayed)
		}
	}
}
