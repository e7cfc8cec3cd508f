package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// heartbeat is how often an idle events stream sends a comment, so that proxies keep it.
const heartbeat = 15 * time.Second

// events streams the login as Server-Sent Events: one "snapshot" event (a View) now and
// after every change, until the login is final or the client goes. Before each snapshot
// after the first, one "transition" event (a machine.JournalEntry) for every transition
// since the last one sent, so that a client sees every state the login passed through,
// even those that lasted less than a change notification. Each event's id is the login's
// version after it; a client reconnecting with Last-Event-ID gets the transitions it
// missed.
func (h *Handler) events(w http.ResponseWriter, r *http.Request, id string) {
	if _, err := h.engine.Get(r.Context(), id); err != nil {
		h.answer(w, "", machine.Snapshot{}, err, false)
		return
	}
	seen, resumed := lastEventID(r)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	snaps := h.engine.Watch(r.Context(), id)
	for {
		select {
		case s, ok := <-snaps:
			if !ok {
				return
			}
			if resumed && h.sendTransitions(w, r, id, seen, s.Version) != nil {
				return
			}
			seen, resumed = s.Version, true
			if send(w, "snapshot", s.Version, View{Snapshot: s, Step: loginstep.Of("", s)}) != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-h.closing:
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// sendTransitions sends the journal entries of login id after version from, up to to.
func (h *Handler) sendTransitions(w http.ResponseWriter, r *http.Request, id string, from, to int64) error {
	if to <= from {
		return nil
	}
	journal, err := h.engine.Journal(r.Context(), id)
	if err != nil {
		return err
	}
	for _, e := range journal {
		if e.Version > from && e.Version <= to {
			if err := send(w, "transition", e.Version, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// send writes one event.
func send(w http.ResponseWriter, event string, id int64, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\nid: %d\ndata: %s\n\n", event, id, data)
	return err
}

// lastEventID is the version a reconnecting client saw last (the Last-Event-ID header).
func lastEventID(r *http.Request) (int64, bool) {
	v, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	return v, err == nil && v >= 0
}
