package replay

import (
	"encoding/json"
	"strings"
)

// Redacted is what a trace holds in place of a secret: login codes, passwords, the secret
// part of bot tokens ("123456:[redacted]"), the logout tokens of auth.sendCode (one
// placeholder each, so their count is kept) and the future_auth_token of auth.logOut.
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

// redactRequest redacts a decoded request object in place: "code" and "password" become
// Redacted, each of "logout_tokens" becomes Redacted, the "token" of
// auth.importBotAuthorization loses its secret, and "phone" is masked if maskPhones. It
// returns old, new pairs for strings.NewReplacer, to scrub the same values from error text.
func redactRequest(method string, m map[string]any, maskPhones bool) (pairs []string) {
	set := func(k, old, v string) {
		m[k] = v
		if old != v && old != "" {
			pairs = append(pairs, old, v)
		}
	}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			switch {
			case k == "code" || k == "password":
				set(k, v, redactSecret(v))
			case k == "token" && method == MethodImportBotAuthorization:
				red := redactBotToken(v)
				set(k, v, red)
				if _, secret, ok := strings.Cut(v, ":"); ok && secret != "" && red != Redacted {
					pairs = append(pairs, secret, Redacted)
				}
			case k == "phone" && maskPhones:
				set(k, v, MaskPhone(v))
				if bare := strings.TrimPrefix(v, "+"); bare != v && bare != "" {
					pairs = append(pairs, bare, strings.TrimPrefix(MaskPhone(v), "+"))
				}
			}
		case []any:
			if k == "logout_tokens" {
				for i, t := range v {
					if s, ok := t.(string); ok && s != "" {
						pairs = append(pairs, s, Redacted)
					}
					v[i] = Redacted
				}
			}
		}
	}
	return pairs
}

// canonicalRequest renders a request for a trace: raw (one of the request structs) as a
// JSON object, redacted, with phones masked if maskPhones. It returns the decoded object
// too, and old, new pairs to scrub the secrets from error text.
func canonicalRequest(method string, raw any, maskPhones bool) (json.RawMessage, map[string]any, []string, error) {
	b, err := marshal(raw)
	if err != nil {
		return nil, nil, nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, nil, err
	}
	pairs := redactRequest(method, m, maskPhones)
	b, err = marshal(m)
	return b, m, pairs, err
}
