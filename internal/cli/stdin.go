package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLine is the longest line, line end not counted, the CLI reads from stdin: a phone
// number, a code, a password or a bot token fit in it many times over.
const maxLine = 4096

// errLineTooLong is what reading a longer line returns.
var errLineTooLong = fmt.Errorf("a line on stdin is longer than %d bytes", maxLine)

// lineReader reads whole lines of at most maxLine bytes: it hands out a line only once its
// end (or the end of input) was read, so no part of a longer one is ever taken as input;
// a longer line fails with errLineTooLong, for good.
type lineReader struct {
	r       *bufio.Reader
	pending []byte // the rest of the line being handed out
	err     error  // returned once pending is empty
}

// boundedLines wraps r in a lineReader.
func boundedLines(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, maxLine+2)} // room for "\r\n"
}

// Read implements io.Reader.
func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.pending) == 0 && l.err == nil {
		l.next()
	}
	if len(l.pending) == 0 {
		return 0, l.err
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// next reads the next line into pending, or sets err.
func (l *lineReader) next() {
	line, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(strings.TrimRight(string(line), "\r\n")) > maxLine {
		l.err = errLineTooLong
		return
	}
	l.pending = append([]byte(nil), line...)
	if err != nil {
		l.err = err
	}
}

// readLine reads one line from r, without its line end; at the end of input, what came
// before it.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(boundedLines(r)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
