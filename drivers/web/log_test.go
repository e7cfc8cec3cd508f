package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tgauth/tgauth/drivers/web"
)

// TestLogsNameRoutes: the request log names routes, never the URL (a capability link) nor
// what was typed.
func TestLogsNameRoutes(t *testing.T) {
	var buf syncBuf
	s := newServer(t, web.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	st := s.start("phone", map[string]any{"phone": "+9996621234"}, web.StepIDCode)
	s.do("GET", s.handler.LinkPath(st.LoginID)+"/login", nil)
	s.input(st, map[string]any{"code": "22222"}, http.StatusOK, web.StepIDComplete)
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

// syncBuf is a bytes.Buffer the server's goroutines write to.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
