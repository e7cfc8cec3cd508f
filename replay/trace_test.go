package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

const header = `{"type":"header","format":1,"tgauth":"dev","created":"2026-11-21T01:00:00Z"}` + "\n"

func TestWriteRead(t *testing.T) {
	tr := &Trace{
		Header: Header{Format: 1, TGAuth: "v1.2.3", Created: time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC)},
		Entries: []Entry{
			{Type: TypeInput, T: 12, Login: "L1", Event: "submit_phone", Args: map[string]string{"phone": "+999****34"}},
			{Type: TypeCall, T: 15, Login: "L1", Method: "auth.sendCode", Request: json.RawMessage(`{"phone":"+999****34"}`),
				Result: json.RawMessage(`{"code":{"type":"sms","phone_code_hash":"h<&>"}}`), DC: 2},
			{Type: TypeCall, T: 40, Login: "L1", Method: "auth.signIn", Error: &tgapi.Error{Code: 400, Type: "PHONE_CODE_INVALID"}, DC: 2},
			{Type: TypeCall, T: 41, Login: "L1", Method: "auth.cancelCode", Result: json.RawMessage(`null`), DC: 2},
			{Type: TypeCall, T: 41, Login: "L1", Method: "auth.signIn", TransportError: "connection reset", DC: 2},
			{Type: TypeCall, T: 42, Login: "L1", Method: "auth.signIn", Lost: true},
			{Type: TypeTimer, T: 30000, Login: "L1", Event: "qr_poll"},
			{Type: TypeState, T: 41, Login: "L1", State: "CodeSent"},
		},
	}
	var buf bytes.Buffer
	if err := tr.Write(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	for i, want := range map[int]string{
		0: `{"type":"header","format":1,"tgauth":"v1.2.3","created":"2026-11-21T01:00:00Z"}`,
		2: `{"type":"call","t":15,"login":"L1","method":"auth.sendCode","request":{"phone":"+999****34"},"result":{"code":{"type":"sms","phone_code_hash":"h<&>"}},"dc":2}`,
		3: `{"type":"call","t":40,"login":"L1","method":"auth.signIn","error":{"code":400,"type":"PHONE_CODE_INVALID"},"dc":2}`,
		4: `{"type":"call","t":41,"login":"L1","method":"auth.cancelCode","result":null,"dc":2}`,
		6: `{"type":"call","t":42,"login":"L1","method":"auth.signIn","lost":true}`,
	} {
		if lines[i] != want {
			t.Errorf("line %d = %s\nwant     %s", i+1, lines[i], want)
		}
	}
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tr) {
		t.Errorf("read back:\n%+v\nwant\n%+v", got, tr)
	}

	// A trace built in code without a format version is still readable.
	buf.Reset()
	if err := (&Trace{Entries: tr.Entries[:1]}).Write(&buf); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(&buf); err != nil || got.Header.Format != Format || len(got.Entries) != 1 {
		t.Errorf("Read = %+v, %v", got, err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "empty trace"},
		{"blank", "\n  \n", "empty trace"},
		{"no header", `{"type":"state","state":"New"}`, "line 1: the first line must be the header"},
		{"format 2", `{"type":"header","format":2}`, "line 1: trace format 2 is not supported (this tgauth reads format 1)"},
		{"no format", `{"type":"header"}`, "line 1: header has no format version"},
		{"header field", `{"type":"header","format":1,"version":3}`, `line 1: header: json: unknown field "version"`},
		{"not JSON", header + `{"type":"state",`, "line 2: not a JSON object"},
		{"trailing", header + `{"type":"state","state":"New"} x`, "line 2: not a JSON object"},
		{"blank lines count", header + "\n\n" + `{"type":"cal"}`, `line 4: unknown entry type "cal"`},
		{"second header", header + header, "line 2: a second header"},
		{"unknown field", header + `{"type":"call","method":"auth.signIn","reslt":{}}`, `line 2: json: unknown field "reslt"`},
		{"wrong field", header + `{"type":"state","state":"New","method":"auth.signIn"}`, `line 2: a state entry has no field "method"`},
		{"no event", header + `{"type":"timer","login":"L1"}`, "line 2: timer entry without an event"},
		{"no state", header + `{"type":"state"}`, "line 2: state entry without a state"},
		{"no method", header + `{"type":"call"}`, "line 2: call entry without a method"},
		{"unknown method", header + `{"type":"call","method":"auth.signin"}`, `line 2: unknown method "auth.signin"`},
		{"two outcomes", header + `{"type":"call","method":"auth.signIn","result":{},"lost":true}`, "line 2: auth.signIn: a call has at most one"},
		{"bad error", header + `{"type":"call","method":"auth.signIn","error":{"code":400}}`, "line 2: auth.signIn: error needs a code and a type"},
		{"bad result", header + `{"type":"call","method":"auth.signIn","result":{"user":"ada"}}`, "line 2: auth.signIn: result: json: cannot unmarshal"},
		{"result typo", header + `{"type":"call","method":"auth.sendCode","result":{"cod":{}}}`, `line 2: auth.sendCode: result: json: unknown field "cod"`},
		{"cancel result", header + `{"type":"call","method":"auth.cancelCode","result":{}}`, "line 2: auth.cancelCode: result: auth.cancelCode has no result"},
		{"logout token", header + `{"type":"call","method":"auth.logOut","result":{"future_auth_token":"%%"}}`, "line 2: auth.logOut: result: future_auth_token is neither"},
		{"request", header + `{"type":"call","method":"auth.signIn","request":[1]}`, "line 2: auth.signIn: request is not a JSON object"},
		{"negative t", header + `{"type":"state","t":-1,"state":"New"}`, "line 2: negative t -1"},
		{"t type", header + `{"type":"state","t":"1","state":"New"}`, "line 2: json: cannot unmarshal string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "replay: ") {
				t.Errorf("Read error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestReadFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(path, []byte(header+`{"type":"nope"}`+"\n"), 0o600)
	_, err := ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": replay: line 2: ") {
		t.Errorf("ReadFile error = %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestStates(t *testing.T) {
	tr, err := Read(strings.NewReader(header +
		`{"type":"state","t":1,"login":"L1","state":"SendingCode"}
{"type":"call","t":2,"login":"L1","method":"auth.sendCode"}
{"type":"state","t":3,"login":"L1","state":"CodeSent"}
{"type":"input","t":4,"login":"L1","event":"cancel"}
{"type":"state","t":5,"login":"L1","state":"CancellingCode"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := States(tr); !reflect.DeepEqual(got, []string{"SendingCode", "CodeSent", "CancellingCode"}) {
		t.Errorf("States = %q", got)
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+99966123457":    "+999******57",
		"+999******57":    "+999******57", // masking twice changes nothing
		"+1 (555) 010-99": "+1 (55*) ***-99",
		"+12345":          "+*****",
		"":                "",
		"99966123457":     "999******57",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactBotToken(t *testing.T) {
	for in, want := range map[string]string{
		"123456:AAHx-secret": "123456:" + Redacted,
		"123456:" + Redacted: "123456:" + Redacted,
		"no-colon-secret":    Redacted,
		"abc:secret":         Redacted,
		":secret":            Redacted,
		"":                   "",
	} {
		if got := redactBotToken(in); got != want {
			t.Errorf("redactBotToken(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRepositoryTraces reads every trace the repository holds (testdata/traces, and the
// .jsonl files of the scripts under testdata/scripts) and plays each back through a
// Player, asking for every call the request the trace holds (redacted, as it is): each
// entry must decode, match and answer its recorded outcome, in a value of the type the
// call table names.
func TestRepositoryTraces(t *testing.T) {
	files := map[string][]byte{}
	traces, _ := filepath.Glob("../testdata/traces/*.jsonl")
	for _, f := range traces {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	scripts, _ := filepath.Glob("../testdata/scripts/*.txtar")
	for _, f := range scripts {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range txtarFiles(b) {
			if strings.HasSuffix(name, ".jsonl") {
				files[f+"/"+name] = data
			}
		}
	}
	if len(traces) == 0 || len(files) == len(traces) {
		t.Fatalf("%d traces, %d in scripts: the testdata is not where it was", len(traces), len(files)-len(traces))
	}
	ctx := context.Background()
	for name, b := range files {
		t.Run(strings.TrimPrefix(name, "../testdata/"), func(t *testing.T) {
			tr, err := Read(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			p := NewPlayer(tr.Entries)
			api := connect(t, p.Connector(), "R1")
			for _, e := range p.Remaining() {
				c, _ := tgapi.LookupCall(tgapi.Method(e.Method))
				req := c.Request
				if e.Request != nil && !isNull(e.Request) {
					raw, err := placeholders(e.Request, reflect.TypeOf(c.Request), c.Redact)
					ptr := c.NewRequest()
					if err == nil {
						err = decodeStrict(raw, ptr)
					}
					if err != nil {
						t.Fatalf("%s request %s: %v", e.Method, e.Request, err)
					}
					req = reflect.ValueOf(ptr).Elem().Interface().(tgapi.Request)
				}
				res, err := api.Invoke(ctx, req)
				var tgErr *tgapi.Error
				switch {
				case e.Lost:
					if err == nil || !strings.Contains(err.Error(), "lost") {
						t.Errorf("%s: lost call answered %v, %v", e.Method, res, err)
					}
				case e.Error != nil:
					if !errors.As(err, &tgErr) || *tgErr != *e.Error {
						t.Errorf("%s: answered %v, %v; want %v", e.Method, res, err, e.Error)
					}
				case e.TransportError != "":
					if err == nil || err.Error() != e.TransportError {
						t.Errorf("%s: answered %v, %v; want %v", e.Method, res, err, e.TransportError)
					}
				default:
					want, _ := decodeResult(c, e.Result, false)
					if err != nil || !reflect.DeepEqual(res, want) || tgapi.CheckResult(req, res) != nil {
						t.Errorf("%s: answered %#v, %v; want %#v", e.Method, res, err, want)
					}
				}
				if e.DC != 0 && api.DC() != e.DC {
					t.Errorf("%s: DC %d, want %d", e.Method, api.DC(), e.DC)
				}
			}
			if p.Err() != nil || len(p.Remaining()) != 0 {
				t.Errorf("Err %v, %d entries left", p.Err(), len(p.Remaining()))
			}
		})
	}
}

// txtarFiles returns the files of a txtar archive by name: each starts after a line
// "-- NAME --" and runs to the next such line.
func txtarFiles(archive []byte) map[string][]byte {
	files := map[string][]byte{}
	name := ""
	for line := range bytes.Lines(archive) {
		text := strings.TrimRight(string(line), "\r\n")
		if n, ok := strings.CutPrefix(text, "-- "); ok && strings.HasSuffix(n, " --") {
			name = strings.TrimSpace(strings.TrimSuffix(n, " --"))
			files[name] = []byte{}
			continue
		}
		if name != "" {
			files[name] = append(files[name], line...)
		}
	}
	return files
}
