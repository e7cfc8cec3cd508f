package replay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/tgapi"
)

// cannedAPI answers every call with what answer returns.
type cannedAPI struct {
	answer func(req tgapi.Request) (any, error)
}

func (a *cannedAPI) Invoke(_ context.Context, req tgapi.Request) (any, error) { return a.answer(req) }

func (a *cannedAPI) DC() int { return 2 }

func (a *cannedAPI) connector() tgapi.Connector {
	return tgapi.ConnectorFunc(func(context.Context, string, tgapi.SessionStorage) (tgapi.API, error) {
		return a, nil
	})
}

// tablePhone is the phone fill puts into phone fields.
const tablePhone = "+99977700011"

// fill returns a value of type typ in which every text field (a string, bytes or a list
// of bytes) that c's row redacts holds a secret named after the method and the field; if
// redacted, it holds what a Player answers for that secret instead. It adds the secrets,
// in every form a text could show them, to secrets, and the names of the fields it filled
// to filled. Fields of other types are left alone: a name the row redacts may be a text
// field on one side of the call and an object on the other.
func fill(t *testing.T, c tgapi.Call, typ reflect.Type, redacted bool, secrets *[]string, filled map[string]bool) any {
	t.Helper()
	v := reflect.New(typ).Elem()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		how, ok := c.Redact[name]
		if !ok {
			continue
		}
		secret := fmt.Sprintf("SECRET-%s-%s", c.Method, name)
		var val any
		switch {
		case f.Type.Kind() == reflect.String && how == tgapi.Secret:
			val = secret
			if redacted {
				val = Redacted
			}
		case f.Type.Kind() == reflect.String && how == tgapi.BotToken:
			val = "4242:" + secret
			if redacted {
				val = "4242:" + Redacted
			}
		case f.Type.Kind() == reflect.String && how == tgapi.Phone:
			secret, val = tablePhone, tablePhone
			if redacted {
				val = MaskPhone(tablePhone)
			}
			*secrets = append(*secrets, strings.TrimPrefix(tablePhone, "+"))
		case f.Type == reflect.TypeFor[[]byte]() && how == tgapi.Secret:
			val = []byte(secret)
			if redacted {
				val = []byte(Redacted)
			}
			*secrets = append(*secrets, base64.StdEncoding.EncodeToString([]byte(secret)))
		case f.Type == reflect.TypeFor[[][]byte]() && how == tgapi.Secret:
			one, two := []byte(secret+"-1"), []byte(secret+"-2")
			val = [][]byte{one, two}
			if redacted {
				val = [][]byte{[]byte(Redacted), []byte(Redacted)}
			}
			*secrets = append(*secrets, base64.StdEncoding.EncodeToString(one), base64.StdEncoding.EncodeToString(two))
		case f.Type == reflect.TypeFor[[]string]() && how == tgapi.Secret:
			one, two := secret+"-1", secret+"-2"
			val = []string{one, two}
			if redacted {
				val = []string{Redacted, Redacted}
			}
			*secrets = append(*secrets, one, two)
		case f.Type.Kind() == reflect.String || f.Type.Kind() == reflect.Slice:
			t.Fatalf("%s: no test secret for the %v field %q (%v)", c.Method, how, name, f.Type)
		default:
			continue
		}
		*secrets = append(*secrets, secret)
		filled[name] = true
		v.Field(i).Set(reflect.ValueOf(val))
	}
	return v.Interface()
}

// TestCallTableDrivesRecorderAndPlayer walks the call table: for every method it records a
// call whose request and result hold a recognisable secret in each field the row
// redacts, once answered and once failing with an error that repeats the request. No
// secret may reach the trace, and a Player must replay each call: the answered one with
// the result as redacted, the failing one with the scrubbed error.
func TestCallTableDrivesRecorderAndPlayer(t *testing.T) {
	ctx := context.Background()
	type call struct {
		req       tgapi.Request
		res, want any  // what the inner API answers; what the Player answers
		echo      bool // the call fails with an error repeating req
	}
	var (
		calls   []call
		secrets []string
	)
	for _, c := range tgapi.Calls {
		var own []string
		filled := map[string]bool{}
		req := fill(t, c, reflect.TypeOf(c.Request), false, &own, filled).(tgapi.Request)
		var res, want any
		if c.Result != nil {
			res = fill(t, c, reflect.TypeOf(c.Result), false, &own, filled)
			want = fill(t, c, reflect.TypeOf(c.Result), true, new([]string), map[string]bool{})
		}
		for name, how := range c.Redact {
			if !filled[name] {
				t.Errorf("%s redacts %q (%v), which is no text field of its request or result", c.Method, name, how)
			}
		}
		secrets = append(secrets, own...)
		calls = append(calls, call{req: req, res: res, want: want}, call{req: req, echo: true})
	}

	var buf bytes.Buffer
	rec := NewRecorder(&buf, RecorderOptions{})
	next := 0
	inner := &cannedAPI{answer: func(req tgapi.Request) (any, error) {
		cl := calls[next]
		if cl.echo {
			b, _ := json.Marshal(req)
			return nil, fmt.Errorf("transport: %s failed with %s, that is %s", req.Method(), req, b)
		}
		return cl.res, nil
	}}
	api := connect(t, rec.Connector(inner.connector()), "L1")
	for i, cl := range calls {
		next = i
		res, err := api.Invoke(ctx, cl.req)
		if !cl.echo && (err != nil || !reflect.DeepEqual(res, cl.res)) {
			t.Errorf("%s: the recorder answered %#v, %v; want the inner answer %#v", cl.req.Method(), res, err, cl.res)
		}
	}
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("secret %q is in the trace", s)
		}
	}
	if t.Failed() {
		t.Fatal(out)
	}

	tr, err := Read(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	papi := connect(t, NewPlayer(tr.Entries).Connector(), "R1")
	for _, cl := range calls {
		res, err := papi.Invoke(ctx, cl.req)
		switch {
		case cl.echo:
			var m *MismatchError
			if err == nil || errors.As(err, &m) || !strings.Contains(err.Error(), "transport: "+string(cl.req.Method())) {
				t.Errorf("%s: replayed error %v, want the recorded transport error", cl.req.Method(), err)
			}
		case err != nil || !reflect.DeepEqual(res, cl.want):
			t.Errorf("%s: replayed %#v, %v; want %#v", cl.req.Method(), res, err, cl.want)
		case cl.want != nil && tgapi.CheckResult(cl.req, res) != nil:
			t.Errorf("%s: %v", cl.req.Method(), tgapi.CheckResult(cl.req, res))
		}
	}
}

// updaterConnector is a connector that delivers updates to the function it was given.
type updaterConnector struct {
	tgapi.Connector
	deliver func(loginID string, u tgapi.Update)
}

func (c *updaterConnector) OnUpdate(f func(loginID string, u tgapi.Update)) { c.deliver = f }

func TestConnectorPassesUpdatesOn(t *testing.T) {
	var buf bytes.Buffer
	rec := NewRecorder(&buf, RecorderOptions{})
	if _, ok := rec.Connector(newFakeTelegram().Connector()).(tgapi.Updater); ok {
		t.Error("the connector of an inner one that delivers no updates is a tgapi.Updater")
	}
	inner := &updaterConnector{Connector: newFakeTelegram().Connector()}
	conn := rec.Connector(inner)
	u, ok := conn.(tgapi.Updater)
	if !ok {
		t.Fatal("the connector of an inner tgapi.Updater is no tgapi.Updater")
	}
	var got []string
	u.OnUpdate(func(loginID string, up tgapi.Update) { got = append(got, loginID+" "+string(up)) })
	if inner.deliver == nil {
		t.Fatal("OnUpdate did not reach the inner connector")
	}
	inner.deliver("L1", tgapi.LoginTokenUpdated)
	if len(got) != 1 || got[0] != "L1 updateLoginToken" {
		t.Errorf("delivered %q", got)
	}
	// It still records the calls.
	if _, err := connect(t, conn, "L1").Invoke(context.Background(), tgapi.GetSelf{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"method":"users.getUsers"`) {
		t.Errorf("the call was not recorded:\n%s", buf.String())
	}
	// A Player delivers no updates.
	if _, ok := NewPlayer(nil).Connector().(tgapi.Updater); ok {
		t.Error("the Player's connector claims to deliver updates")
	}
}

// impostor claims a method of the table with a type the table does not name for it.
type impostor struct {
	Code string `json:"code"`
}

func (impostor) Method() tgapi.Method { return tgapi.SignIn{}.Method() }

// unknownCall is a request of a method the table does not have.
type unknownCall struct {
	Password string `json:"password"`
}

func (unknownCall) Method() tgapi.Method { return "auth.unknown" }

// A request that is not the table's cannot be redacted by it: the Recorder writes nothing
// of it and fails, the Player refuses it.
func TestRequestsOutsideTheTable(t *testing.T) {
	for _, req := range []tgapi.Request{impostor{Code: testCode}, unknownCall{Password: testPassword}} {
		t.Run(fmt.Sprintf("%T", req), func(t *testing.T) {
			var buf bytes.Buffer
			rec := NewRecorder(&buf, RecorderOptions{})
			inner := &cannedAPI{answer: func(tgapi.Request) (any, error) { return tgapi.User{ID: 1}, nil }}
			res, err := connect(t, rec.Connector(inner.connector()), "L1").Invoke(context.Background(), req)
			if err != nil || res != any(tgapi.User{ID: 1}) {
				t.Errorf("the recorder answered %#v, %v; want the inner answer", res, err)
			}
			if rec.Err() == nil || !strings.Contains(rec.Err().Error(), "not a request of the call table") {
				t.Errorf("Err = %v", rec.Err())
			}
			if strings.Count(buf.String(), "\n") != 1 || strings.Contains(buf.String(), testCode) || strings.Contains(buf.String(), testPassword) {
				t.Errorf("trace:\n%s", buf.String())
			}

			p := NewPlayer([]Entry{{Type: TypeCall, Method: string(req.Method())}})
			if _, err := connect(t, p.Connector(), "R1").Invoke(context.Background(), req); err == nil {
				t.Error("the player answered")
			}
			if len(p.Remaining()) != 1 {
				t.Error("the player consumed the entry")
			}
		})
	}
}
