package replay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tgauth/tgauth/tgapi"
)

// Redacted is what a trace holds in place of a secret: each field of a request or a
// result that the call table (tgapi.Calls) marks tgapi.Secret (a list of secrets becomes
// a list of placeholders, so their count is kept), the secret part of each field it marks
// tgapi.BotToken ("123456:[redacted]"), and input arguments named like secrets (see
// Recorder).
const Redacted = "[redacted]"

// MaskPhone masks a phone number for a trace: the first 3 and the last 2 digits stay, every
// other digit becomes '*'; everything that is not a digit (the leading '+', spaces,
// dashes) stays as it is. A number of 5 digits or fewer is masked whole. Asterisks count
// as digits, so masking a masked number changes nothing:
//
//	MaskPhone("+99966123457") == "+999******57"
func MaskPhone(phone string) string {
	const head, tail = 3, 2
	n := 0
	for _, c := range phone {
		if isPhoneDigit(c) {
			n++
		}
	}
	keep := func(i int) bool { return n > head+tail && (i < head || i >= n-tail) }
	var b strings.Builder
	b.Grow(len(phone))
	i := 0
	for _, c := range phone {
		if isPhoneDigit(c) {
			if !keep(i) {
				c = '*'
			}
			i++
		}
		b.WriteRune(c)
	}
	return b.String()
}

func isPhoneDigit(c rune) bool { return c >= '0' && c <= '9' || c == '*' }

// redactBotToken keeps the bot ID of a bot token and redacts the secret after the colon:
// "123456:AAH..." becomes "123456:[redacted]". Anything that does not look like a bot
// token is redacted whole.
func redactBotToken(token string) string {
	if token == "" {
		return ""
	}
	id, _, ok := strings.Cut(token, ":")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return Redacted
	}
	return id + ":" + Redacted
}

// redactSecret replaces a non-empty secret with Redacted; an empty one stays empty, so a
// trace still shows that nothing was given.
func redactSecret(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}

// redactArg redacts or masks one input argument by its name: "code", "password" and names
// ending in "_code" or containing "password" are secrets; "token" and names ending in
// "_token" are redacted like bot tokens; "phone" and names ending in "_phone" are masked
// if maskPhones. Others are kept.
func redactArg(key, value string, maskPhones bool) string {
	switch {
	case key == "code" || strings.HasSuffix(key, "_code") || strings.Contains(key, "password"):
		return redactSecret(value)
	case key == "token" || strings.HasSuffix(key, "_token"):
		return redactBotToken(value)
	case (key == "phone" || strings.HasSuffix(key, "_phone")) && maskPhones:
		return MaskPhone(value)
	}
	return value
}

// redactArgs returns a redacted copy of an input's arguments (nil if there are none).
func redactArgs(args map[string]string, maskPhones bool) map[string]string {
	if len(args) == 0 {
		return nil
	}
	out := make(map[string]string, len(args))
	for k, v := range args {
		out[k] = redactArg(k, v, maskPhones)
	}
	return out
}

// redactValue redacts one JSON value (as json.Unmarshal decodes it into an any) of a
// field the call table redacts as how; phones are masked only if maskPhones. The table
// names text fields (strings, bytes and lists of them) of a call's request and result,
// in one map: an object under such a name is the other side's field of the same name
// (account.verifyEmail answers a "code" that is a SentCode), and null is nothing; both
// stay as they are. A secret that is neither text nor a list is redacted whole, and so is
// the value of a redaction this package does not know. The pairs are old, new strings
// for strings.NewReplacer, to scrub the same values from error text; b64 says the field
// holds bytes, which JSON writes as base64, so their raw text is scrubbed too.
func redactValue(v any, how tgapi.Redaction, b64, maskPhones bool) (red any, pairs []string) {
	secret := func(s string) string {
		if s != "" {
			pairs = append(pairs, s, Redacted)
		}
		if raw, err := base64.StdEncoding.DecodeString(s); b64 && err == nil && len(raw) > 0 {
			pairs = append(pairs, string(raw), Redacted) // the bytes, as a careless %s shows them
		}
		return redactSecret(s)
	}
	if _, isObject := v.(map[string]any); isObject || v == nil {
		return v, nil
	}
	s, isString := v.(string)
	switch how {
	case tgapi.Phone:
		if !isString || !maskPhones {
			return v, nil
		}
		masked := MaskPhone(s)
		if masked != s {
			pairs = append(pairs, s, masked)
		}
		if bare := strings.TrimPrefix(s, "+"); bare != s && bare != "" {
			pairs = append(pairs, bare, strings.TrimPrefix(masked, "+"))
		}
		return masked, pairs
	case tgapi.BotToken:
		if !isString {
			return Redacted, nil
		}
		red := redactBotToken(s)
		if red != s && s != "" {
			pairs = append(pairs, s, red)
		}
		if _, tail, ok := strings.Cut(s, ":"); ok && tail != "" && red != Redacted {
			pairs = append(pairs, tail, Redacted)
		}
		return red, pairs
	}
	switch v := v.(type) {
	case string:
		red := secret(v)
		return red, pairs
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			if s, ok := e.(string); ok {
				secret(s)
			}
			out[i] = Redacted
		}
		return out, pairs
	}
	return Redacted, nil
}

// redactObject redacts, in place, the fields of m that redact names; m is the JSON object
// of a value of type t (a request or a result type of the call table). Phones are masked
// only if maskPhones. It returns the old, new pairs of redactValue.
func redactObject(m map[string]any, t reflect.Type, redact map[string]tgapi.Redaction, maskPhones bool) (pairs []string) {
	b64 := base64Fields(t)
	for _, k := range slices.Sorted(maps.Keys(redact)) {
		if v, ok := m[k]; ok {
			var p []string
			m[k], p = redactValue(v, redact[k], b64[k], maskPhones)
			pairs = append(pairs, p...)
		}
	}
	return pairs
}

// canonicalRequest renders req, a request of call c, for a trace: a JSON object with
// sorted keys, redacted as c.Redact says, with phones masked if maskPhones. It returns the
// decoded object too, and old, new pairs to scrub the secrets from error text.
func canonicalRequest(c tgapi.Call, req tgapi.Request, maskPhones bool) (json.RawMessage, map[string]any, []string, error) {
	b, err := marshal(req)
	if err != nil {
		return nil, nil, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, nil, err
	}
	pairs := redactObject(m, reflect.TypeOf(c.Request), c.Redact, maskPhones)
	b, err = marshal(m)
	return b, m, pairs, err
}

// redactResult redacts the fields of b, the JSON of a result of call c, that c.Redact
// names, keeping the fields in their order (the result type's). Phones are masked only if
// maskPhones. A result that is not a JSON object is returned as it is.
func redactResult(c tgapi.Call, b json.RawMessage, maskPhones bool) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return b, nil
	}
	b64 := base64Fields(reflect.TypeOf(c.Result))
	var out bytes.Buffer
	out.WriteByte('{')
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("result key %v is not a string", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if how, ok := c.Redact[key]; ok {
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return nil, err
			}
			// A value redaction leaves as it is keeps its bytes (and its keys' order).
			if red, _ := redactValue(x, how, b64[key], maskPhones); !reflect.DeepEqual(red, x) {
				if v, err = marshal(red); err != nil {
					return nil, err
				}
			}
		}
		k, err := marshal(key)
		if err != nil {
			return nil, err
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
