package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/drivers/web"
)

// sse is one event of a stream.
type sse struct{ event, id, data string }

// openEvents opens login id's events stream (from version lastID when it is not "") and
// returns its events as they come; the channel closes with the stream, which the test's
// end closes (an Authorized login's stream stays open: it may still log out).
func (s *server) openEvents(id, lastID string) <-chan sse {
	s.t.Helper()
	ctx, cancel := context.WithCancel(s.ctx)
	s.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+"/api/v1/login/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		s.t.Fatalf("events: %v %v", err, res)
	}
	out := make(chan sse)
	go func() {
		defer close(out)
		defer res.Body.Close()
		lines := bufio.NewScanner(res.Body)
		lines.Buffer(nil, 1<<20)
		var e sse
		for lines.Scan() {
			l := lines.Text()
			switch {
			case l == "" && e.event != "":
				out <- e
				e = sse{}
			case strings.HasPrefix(l, "event: "):
				e.event = l[len("event: "):]
			case strings.HasPrefix(l, "id: "):
				e.id = l[len("id: "):]
			case strings.HasPrefix(l, "data: "):
				e.data = l[len("data: "):]
			}
		}
	}()
	return out
}

// reached lists the states events passed through until the first snapshot in final:
// the "to" of each transition event, and the state of the first snapshot.
func reached(t *testing.T, events <-chan sse, final string) []string {
	t.Helper()
	var states []string
	for e := range events {
		var v struct {
			To    string `json:"to"`
			State string `json:"state"`
		}
		if err := json.Unmarshal([]byte(e.data), &v); err != nil {
			t.Fatalf("%s event: %v in %s", e.event, err, e.data)
		}
		switch {
		case e.event == "transition":
			states = append(states, v.To)
		case len(states) == 0:
			states = append(states, v.State)
		}
		if e.event == "snapshot" && v.State == final {
			return states
		}
	}
	t.Fatalf("the stream ended before %s; it showed %v", final, states)
	return nil
}

// TestEventsShowEveryState: the events stream shows every state a login passes through,
// in-flight ones included, however briefly they lasted; a client that reconnects with
// Last-Event-ID gets the transitions it missed.
func TestEventsShowEveryState(t *testing.T) {
	s := newServer(t, web.Options{})
	st := s.start("phone", map[string]any{"phone": "+9996620001"}, "tgauth.code")
	events := s.openEvents(st.LoginID, "")
	first := <-events
	st = s.input(st, map[string]any{"code": "22222"}, http.StatusOK, "tgauth.password")
	s.input(st, map[string]any{"password": "hunter2"}, http.StatusOK, "tgauth.complete")
	want := []string{"CodeSent", "CheckingCode", "PasswordNeeded", "CheckingPassword", "Authorized"}
	if got := append([]string{"CodeSent"}, reached(t, events, "Authorized")...); !slices.Equal(got, want) {
		t.Fatalf("states shown: %v, want %v", got, want)
	}

	again := reached(t, s.openEvents(st.LoginID, first.id), "Authorized")
	if !slices.Equal(again, want[1:]) {
		t.Fatalf("states shown after Last-Event-ID %s: %v, want %v", first.id, again, want[1:])
	}
}
