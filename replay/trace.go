// Package replay records what tgauth logins do into traces, and plays the Telegram side of
// a trace back.
//
// A trace is JSON Lines: a header line, then one line per entry, in the order they
// happened:
//
//	{"type":"header","format":1,"tgauth":"dev","created":"2026-11-21T01:00:00Z"}
//	{"type":"input","t":12,"login":"L1","event":"submit_phone","args":{"phone":"+999*****34"}}
//	{"type":"call","t":15,"login":"L1","method":"auth.sendCode","request":{...},"result":{...},"dc":2}
//	{"type":"call","t":40,"login":"L1","method":"auth.signIn","request":{...},"error":{"code":400,"type":"PHONE_CODE_INVALID"},"dc":2}
//	{"type":"call","t":41,"login":"L1","method":"auth.signIn","transport_error":"connection reset","dc":2}
//	{"type":"call","t":42,"login":"L1","method":"auth.signIn","lost":true}
//	{"type":"timer","t":30000,"login":"L1","event":"qr_poll"}
//	{"type":"state","t":41,"login":"L1","state":"CodeSent"}
//
// t is milliseconds since the header's created time. A call's method is one of the call
// table (tgapi.Calls); its request is the JSON object of the method's tgapi request type;
// its outcome is at most one of result (the JSON of the method's tgapi result type),
// error (a *tgapi.Error), transport_error (any other error, as text) or lost (the answer
// never arrived: the process died during the call). A call with no outcome at all
// succeeded with the zero result.
//
// A Recorder writes traces; secrets never reach them (see Redacted and MaskPhone). A
// Player answers the calls of the APIs its Connector hands out from a trace's calls, and
// fails with a *MismatchError the moment it is asked for a call the trace does not have
// next. Both are driven by the call table: one Invoke each, whatever the method, with the
// fields to redact taken from the method's row.
package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tgauth/tgauth/tgapi"
)

// Format is the version of the trace format this package writes and reads.
const Format = 1

// The entry types of a trace.
const (
	TypeHeader = "header" // the first line
	TypeInput  = "input"  // a driver input the engine accepted
	TypeCall   = "call"   // one Telegram call and its outcome
	TypeTimer  = "timer"  // a deadline fired (or recovery fired an event)
	TypeState  = "state"  // the state a login reached
)

// Header is the first line of a trace.
type Header struct {
	// Format is the trace format version (see Format).
	Format int
	// TGAuth is the version of tgauth that wrote the trace.
	TGAuth string
	// Created is when recording started; entries count their T from it.
	Created time.Time
	// Settings are the engine settings the trace was recorded with (machine.SettingsOf),
	// so that a replay times its timers the same way.
	Settings map[string]string
}

type headerJSON struct {
	Type     string            `json:"type"`
	Format   int               `json:"format"`
	TGAuth   string            `json:"tgauth,omitempty"`
	Created  time.Time         `json:"created,omitzero"`
	Settings map[string]string `json:"settings,omitempty"`
}

// MarshalJSON writes the header line: {"type":"header","format":1,...}.
func (h Header) MarshalJSON() ([]byte, error) {
	return json.Marshal(headerJSON{Type: TypeHeader, Format: h.Format, TGAuth: h.TGAuth, Created: h.Created, Settings: h.Settings})
}

// UnmarshalJSON reads a header line. It refuses unknown fields and a type other than
// "header"; it does not check the format version (Read does).
func (h *Header) UnmarshalJSON(b []byte) error {
	var j headerJSON
	if err := decodeStrict(b, &j); err != nil {
		return err
	}
	if j.Type != TypeHeader {
		return fmt.Errorf("type is %q, not %q", j.Type, TypeHeader)
	}
	*h = Header{Format: j.Format, TGAuth: j.TGAuth, Created: j.Created, Settings: j.Settings}
	return nil
}

// Entry is one line of a trace after the header. Which fields are set depends on Type:
// input has Event and Args; call has Method, Request, one outcome and DC; timer has Event;
// state has State. Every entry has T and Login.
type Entry struct {
	// Type is one of TypeInput, TypeCall, TypeTimer or TypeState.
	Type string `json:"type"`
	// T is milliseconds since the header's Created, by the recorder's clock.
	T int64 `json:"t"`
	// Login is the engine's login ID.
	Login string `json:"login,omitempty"`
	// Event is the input's or the timer's event name.
	Event string `json:"event,omitempty"`
	// Method is the TL name of the call, as the call table (tgapi.Calls) names it.
	Method string `json:"method,omitempty"`
	// State is the state reached.
	State string `json:"state,omitempty"`
	// Args are the input's arguments, redacted and masked.
	Args map[string]string `json:"args,omitempty"`
	// Request is the call's arguments as a JSON object, redacted and masked. Absent in
	// hand-written traces means: any request matches.
	Request json.RawMessage `json:"request,omitempty"`
	// Result is the JSON of the call's tgapi result type.
	Result json.RawMessage `json:"result,omitempty"`
	// Error is the RPC error Telegram answered.
	Error *tgapi.Error `json:"error,omitempty"`
	// TransportError is the text of any other error the call returned.
	TransportError string `json:"transport_error,omitempty"`
	// Lost says the answer never arrived: the process died during the call.
	Lost bool `json:"lost,omitempty"`
	// DC is the API's DC() after the call.
	DC int `json:"dc,omitempty"`
}

// Trace is a whole trace: the header and the entries in order.
type Trace struct {
	Header  Header
	Entries []Entry
}

// ReadFile reads the trace in the file at path (see Read).
func ReadFile(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer f.Close()
	t, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Read parses a trace and checks every line: the header must come first and name format
// version Format; every entry must have a known type, the fields of that type only, a
// known method and a result that decodes into the method's result type. Unknown fields are
// errors, so that a typo in a hand-written trace does not pass silently. Blank lines are
// skipped. Errors name the line number.
func Read(r io.Reader) (*Trace, error) {
	br := bufio.NewReader(r)
	var t *Trace
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("replay: line %d: %w", n, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if t, err = readLine(t, line); err != nil {
				return nil, fmt.Errorf("replay: line %d: %w", n, err)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if t == nil {
		return nil, errors.New("replay: empty trace: no header line")
	}
	return t, nil
}

// readLine adds one non-blank line to t; t is nil before the header.
func readLine(t *Trace, line []byte) (*Trace, error) {
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if t == nil {
		if probe.Type != TypeHeader {
			return nil, fmt.Errorf("the first line must be the header, got type %q", probe.Type)
		}
		var h Header
		if err := h.UnmarshalJSON(line); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		switch {
		case h.Format == 0:
			return nil, errors.New("header has no format version")
		case h.Format != Format:
			return nil, fmt.Errorf("trace format %d is not supported (this tgauth reads format %d)", h.Format, Format)
		}
		return &Trace{Header: h}, nil
	}
	if probe.Type == TypeHeader {
		return nil, errors.New("a second header")
	}
	var e Entry
	if err := decodeStrict(line, &e); err != nil {
		return nil, err
	}
	if err := e.validate(); err != nil {
		return nil, err
	}
	t.Entries = append(t.Entries, e)
	return t, nil
}

// allowedFields names the fields each entry type may have besides type and t.
var allowedFields = map[string]string{
	TypeInput: "login event args",
	TypeCall:  "login method request result error transport_error lost dc",
	TypeTimer: "login event",
	TypeState: "login state",
}

func (e *Entry) validate() error {
	allowed, ok := allowedFields[e.Type]
	if !ok {
		return fmt.Errorf("unknown entry type %q (want input, call, timer or state)", e.Type)
	}
	present := []struct {
		name string
		set  bool
	}{
		{"login", e.Login != ""}, {"event", e.Event != ""}, {"method", e.Method != ""},
		{"state", e.State != ""}, {"args", e.Args != nil}, {"request", e.Request != nil},
		{"result", e.Result != nil}, {"error", e.Error != nil},
		{"transport_error", e.TransportError != ""}, {"lost", e.Lost}, {"dc", e.DC != 0},
	}
	for _, f := range present {
		if f.set && !strings.Contains(" "+allowed+" ", " "+f.name+" ") {
			return fmt.Errorf("a %s entry has no field %q", e.Type, f.name)
		}
	}
	if e.T < 0 {
		return fmt.Errorf("negative t %d", e.T)
	}
	switch e.Type {
	case TypeInput, TypeTimer:
		if e.Event == "" {
			return fmt.Errorf("%s entry without an event", e.Type)
		}
	case TypeState:
		if e.State == "" {
			return errors.New("state entry without a state")
		}
	case TypeCall:
		return e.validateCall()
	}
	return nil
}

func (e *Entry) validateCall() error {
	if e.Method == "" {
		return errors.New("call entry without a method")
	}
	c, ok := tgapi.LookupCall(tgapi.Method(e.Method))
	if !ok {
		return fmt.Errorf("unknown method %q", e.Method)
	}
	outcomes := 0
	for _, set := range []bool{e.Result != nil, e.Error != nil, e.TransportError != "", e.Lost} {
		if set {
			outcomes++
		}
	}
	if outcomes > 1 {
		return fmt.Errorf("%s: a call has at most one of result, error, transport_error and lost", e.Method)
	}
	if e.Error != nil && (e.Error.Code == 0 || e.Error.Type == "") {
		return fmt.Errorf("%s: error needs a code and a type", e.Method)
	}
	if e.DC < 0 {
		return fmt.Errorf("%s: negative dc %d", e.Method, e.DC)
	}
	if e.Request != nil && !isNull(e.Request) {
		var m map[string]any
		if err := json.Unmarshal(e.Request, &m); err != nil {
			return fmt.Errorf("%s: request is not a JSON object", e.Method)
		}
	}
	if _, err := decodeResult(c, e.Result, true); err != nil {
		return fmt.Errorf("%s: result: %w", e.Method, err)
	}
	return nil
}

// Write writes the trace as JSON Lines: the header, then one line per entry. A header
// without a format version is written with Format.
func (t *Trace) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h := t.Header
	if h.Format == 0 {
		h.Format = Format
	}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("replay: write header: %w", err)
	}
	for i := range t.Entries {
		if err := enc.Encode(&t.Entries[i]); err != nil {
			return fmt.Errorf("replay: write entry %d: %w", i+1, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("replay: write: %w", err)
	}
	return nil
}

// States returns the states of the trace's state entries, in order: the walk a replay
// must repeat.
func States(t *Trace) []string {
	var s []string
	for _, e := range t.Entries {
		if e.Type == TypeState {
			s = append(s, e.State)
		}
	}
	return s
}

// decodeStrict decodes one JSON value, refusing unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// marshal is json.Marshal without HTML escaping, so traces stay readable.
func marshal(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func isNull(b json.RawMessage) bool {
	return string(bytes.TrimSpace(b)) == "null"
}
