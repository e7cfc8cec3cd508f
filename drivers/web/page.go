package web

import (
	"embed"
	"errors"
	"net/http"

	"rsc.io/qr"

	"github.com/tgauth/tgauth/machine"
)

// The page's files: one HTML page, its script and its style; nothing is loaded from
// elsewhere.
//
//go:embed page
var pageFiles embed.FS

// csp allows the page its own files and nothing else.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (h *Handler) page(w http.ResponseWriter, r *http.Request, id string) {
	data, err := pageFiles.ReadFile("page/index.html")
	if err != nil {
		h.internal(w, err)
		return
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Referrer-Policy", "no-referrer") // the URL is the capability
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(data)
}

// static serves the page's script and style.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	types := map[string]string{"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
	ct, ok := types[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := pageFiles.ReadFile("page/" + r.URL.Path)
	if err != nil {
		h.internal(w, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
}

// qrImage draws the login's current QR code as a PNG.
func (h *Handler) qrImage(w http.ResponseWriter, r *http.Request, id string) {
	snap, err := h.engine.Get(r.Context(), id)
	if errors.Is(err, machine.ErrNotFound) || (err == nil && snap.Prompt.QR == nil) {
		writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no QR code to show now", nil)
		return
	}
	if err != nil {
		h.internal(w, err)
		return
	}
	code, err := qr.Encode(snap.Prompt.QR.URL, qr.M)
	if err != nil {
		h.internal(w, err)
		return
	}
	code.Scale = 6
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(code.PNG())
}
