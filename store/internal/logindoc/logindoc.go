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

// NoteProblem is the Code of a Problem read from free text that tgauth kept before
// problems were structured: a journal entry's note. Detail holds the text, as it was
// written.
const NoteProblem machine.ProblemCode = "note"

// EncodeProblem returns p as a journal entry keeps it: JSON, or nil when there is no
// problem.
func EncodeProblem(p *machine.Problem) (*string, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode problem: %w", err)
	}
	s := string(b)
	return &s, nil
}

// DecodeProblem returns a journal entry's Problem from its problem column (NULL as nil),
// or, for an entry written before that column, from its note column: a non-empty note
// becomes a Problem with Code NoteProblem and the note as Detail.
func DecodeProblem(problem *string, note string) (*machine.Problem, error) {
	if problem == nil {
		if note == "" {
			return nil, nil
		}
		return &machine.Problem{Code: NoteProblem, Detail: note}, nil
	}
	p := new(machine.Problem)
	if err := json.Unmarshal([]byte(*problem), p); err != nil {
		return nil, fmt.Errorf("decode problem: %w", err)
	}
	return p, nil
}
