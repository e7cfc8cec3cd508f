package replay

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/tgauth/tgauth/tgapi"
)

// This file maps the calls of the call table (tgapi.Calls) to trace entries and back:
// which row a request or an entry belongs to, how a result is written and how it is read.

// lookup returns the call table's row for req. A request of another type than the one
// the table names for its method is refused: the row's redactions would not fit it.
func lookup(req tgapi.Request) (tgapi.Call, error) {
	c, ok := tgapi.LookupCall(req.Method())
	if !ok || reflect.TypeOf(req) != reflect.TypeOf(c.Request) {
		return tgapi.Call{}, fmt.Errorf("replay: %T (%s) is not a request of the call table", req, req.Method())
	}
	return c, nil
}

// base64Fields returns the JSON names of the fields of struct type t (nil is no type)
// whose values JSON writes as base64: []byte, and lists of them. Fields of embedded
// structs are not looked at; the call table's types embed none.
func base64Fields(t reflect.Type) map[string]bool {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	isBytes := func(t reflect.Type) bool { return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 }
	m := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if f.IsExported() && name != "-" && (isBytes(f.Type) || f.Type.Kind() == reflect.Slice && isBytes(f.Type.Elem())) {
			m[name] = true
		}
	}
	return m
}

// resultJSON renders the result of a successful call of c for a trace: the fields c.Redact
// names redacted and, if maskPhones, the phones masked, of those fields and of every
// tgapi.User in the result. res is the value the API returned (nil for a call that
// answers nothing); the caller's value is not modified.
func resultJSON(c tgapi.Call, res any, maskPhones bool) (json.RawMessage, error) {
	if maskPhones {
		res = maskUsers(res)
	}
	b, err := marshal(res)
	if err != nil {
		return nil, err
	}
	return redactResult(c, b, maskPhones)
}

// maskUsers returns a copy of res in which the phone of every tgapi.User reached through
// structs and pointers is masked. What the pointers point to is copied, not modified.
func maskUsers(res any) any {
	if res == nil {
		return nil
	}
	v := reflect.New(reflect.TypeOf(res)).Elem()
	v.Set(reflect.ValueOf(res))
	maskUsersIn(v)
	return v.Interface()
}

// maskUsersIn masks the users' phones in v, which is settable.
func maskUsersIn(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		maskUsersIn(c.Elem())
		v.Set(c)
	case reflect.Struct:
		if u, ok := v.Addr().Interface().(*tgapi.User); ok {
			u.Phone = MaskPhone(u.Phone)
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				maskUsersIn(v.Field(i))
			}
		}
	}
}

// decodeResult decodes a recorded result of call c into a value of c's result type and
// returns it (nil for a call that answers nothing). An absent or null result is the zero
// value. strict refuses unknown fields. The fields c.Redact marks secret that hold bytes
// decode from null (no bytes), Redacted (the bytes of Redacted, a placeholder) or base64
// (hand-written traces).
func decodeResult(c tgapi.Call, raw json.RawMessage, strict bool) (any, error) {
	out := c.NewResult()
	absent := raw == nil || isNull(raw)
	switch {
	case out == nil && absent:
		return nil, nil
	case out == nil:
		return nil, fmt.Errorf("%s has no result, want null", c.Method)
	case !absent:
		fixed, err := placeholders(raw, reflect.TypeOf(c.Result), c.Redact)
		if err != nil {
			return nil, err
		}
		decode := json.Unmarshal
		if strict {
			decode = decodeStrict
		}
		if err := decode(fixed, out); err != nil {
			return nil, err
		}
	}
	return reflect.ValueOf(out).Elem().Interface(), nil
}

// placeholder is the base64 of Redacted: a redacted secret that holds bytes decodes to
// the bytes of Redacted.
var placeholder = base64.StdEncoding.EncodeToString([]byte(Redacted))

// placeholders makes the redacted secrets in raw, the recorded JSON object of a value of
// type t (a request or a result type of the call table), decodable: each field that
// redact marks secret and that holds bytes is, if it is Redacted (or for each list
// element that is), replaced by placeholder. One that is neither null, Redacted nor base64
// is an error. Anything but a JSON object is returned as it is, for the decoder to refuse.
func placeholders(raw json.RawMessage, t reflect.Type, redact map[string]tgapi.Redaction) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw, nil
	}
	fix := func(key string, v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return v, nil // not a string: the decoder refuses it
		}
		if s == Redacted {
			return placeholder, nil
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return nil, fmt.Errorf("%s is neither null, %s nor base64", key, Redacted)
		}
		return s, nil
	}
	changed := false
	for key := range base64Fields(t) {
		if redact[key] != tgapi.Secret || m[key] == nil {
			continue
		}
		var v any
		if err := json.Unmarshal(m[key], &v); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		var err error
		switch x := v.(type) {
		case nil:
			continue
		case []any:
			for i := range x {
				if x[i], err = fix(key, x[i]); err != nil {
					return nil, err
				}
			}
		default:
			if v, err = fix(key, x); err != nil {
				return nil, err
			}
		}
		if m[key], err = marshal(v); err != nil {
			return nil, err
		}
		changed = true
	}
	if !changed {
		return raw, nil
	}
	return marshal(m)
}
