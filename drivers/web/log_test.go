package web_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/tgauth/tgauth/drivers/loginstep"
	"github.com/tgauth/tgauth/drivers/web"
	"github.com/tgauth/tgauth/internal/syncbuf"
)

// TestLogsNameRoutes: the request log names routes, never the URL (a capability link) nor
// what was typed.
func TestLogsNameRoutes(t *testing.T) {
	var buf syncbuf.Buffer
	s := newServer(t, web.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	st := s.start("phone", map[string]any{"phone": "+9996621234"}, loginstep.StepIDCode)
	s.do("GET", s.handler.LinkPath(st.LoginID)+"/login", nil)
	s.input(st, map[string]any{"code": "22222"}, http.StatusOK, loginstep.StepIDComplete)
	log := buf.String()
	if !strings.Contains(log, `route="GET /l/{secret}/login"`) {
		t.Errorf("no route in the log:\n%s", log)
	}
	for _, secret := range []string{st.LoginID, "22222", "9996621234"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}
}
