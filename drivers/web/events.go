package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/machine"
)

// heartbeat is how often an idle events stream sends a comment, so that proxies keep it.
const heartbeat = 15 * time.Second

// events streams the login as Server-Sent Events: one "snapshot" event (a View) now and
// after every change, until the login is final or the client goes.
func (h *Handler) events(w http.ResponseWriter, r *http.Request, id string) {
	if _, err := h.engine.Get(r.Context(), id); err != nil {
		h.answer(w, "", machine.Snapshot{}, err, false)
		return
	}
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
			data, err := json.Marshal(View{Snapshot: s, Step: loginstep.Of("", s)})
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: snapshot\nid: %d\ndata: %s\n\n", s.Version, data); err != nil {
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
