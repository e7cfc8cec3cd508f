// Package logindoc is how the SQL stores keep a machine.Login: one JSON document, with the
// version kept in its own column (the one the compare-and-swap looks at).
package logindoc

import (
	"encoding/json"
	"fmt"

	"github.com/tgauth/tgauth/machine"
)

// Encode returns l as stored in the doc column, at the given version.
func Encode(l *machine.Login, version int64) (string, error) {
	c := *l
	c.Version = version
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode login: %w", err)
	}
	return string(b), nil
}

// Decode is the inverse of Encode; the version column wins over the document's.
func Decode(doc []byte, version int64) (*machine.Login, error) {
	l := new(machine.Login)
	if err := json.Unmarshal(doc, l); err != nil {
		return nil, fmt.Errorf("decode login: %w", err)
	}
	l.Version = version
	return l, nil
}
