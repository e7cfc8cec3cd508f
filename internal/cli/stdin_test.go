package cli

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadLine(t *testing.T) {
	full := strings.Repeat("x", maxLine)
	for _, tc := range []struct {
		name, in, want string
		err            error
	}{
		{name: "line", in: "secret\nrest\n", want: "secret"},
		{name: "crlf", in: "secret\r\n", want: "secret"},
		{name: "no line end", in: "secret", want: "secret"},
		{name: "empty", in: "", want: ""},
		{name: "at the limit", in: full + "\r\n", want: full},
		{name: "over the limit", in: full + "x\n", err: errLineTooLong},
		{name: "far over the limit", in: full + full + full, err: errLineTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLine(strings.NewReader(tc.in))
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("readLine = %.20q, %v; want %.20q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

// boundedLines hands out whole lines only: nothing of a line over the limit, even after
// good lines.
func TestBoundedLinesHandsOutNoPartOfALongLine(t *testing.T) {
	in := "+9996621234\n22222\n" + strings.Repeat("y", maxLine+1) + "\nafter\n"
	got, err := io.ReadAll(boundedLines(strings.NewReader(in)))
	if string(got) != "+9996621234\n22222\n" || !errors.Is(err, errLineTooLong) {
		t.Fatalf("read %q, %v", got, err)
	}
}
