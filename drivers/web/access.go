package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tgauth/tgauth/machine"
)

// apiAuth requires the bearer token, when one is set.
func (h *Handler) apiAuth(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.opts.Token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			switch {
			case !ok || got == "":
				writeError(w, http.StatusUnauthorized, "M_MISSING_TOKEN", "the API needs Authorization: Bearer TOKEN", nil)
				return
			case subtle.ConstantTimeCompare([]byte(got), []byte(h.opts.Token)) != 1:
				writeError(w, http.StatusUnauthorized, "M_UNKNOWN_TOKEN", "unknown token", nil)
				return
			}
		}
		f(w, r)
	}
}

// withID passes the {login_id} of the route on.
func (h *Handler) withID(f func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { f(w, r, r.PathValue("login_id")) }
}

// pageAuth resolves a capability link to its login: 404 for a secret that is not one of
// ours, 410 once the login ended without an account. A POST must also carry the page's
// cookie and an Origin header (ServeHTTP already refused a foreign one).
func (h *Handler) pageAuth(f func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret := r.PathValue("secret")
		id, ok := h.linkID(secret)
		if !ok {
			writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such link", nil)
			return
		}
		snap, err := h.engine.Get(r.Context(), id)
		if errors.Is(err, machine.ErrNotFound) {
			writeError(w, http.StatusNotFound, "M_NOT_FOUND", "no such link", nil)
			return
		}
		if err != nil {
			h.internal(w, err)
			return
		}
		if closed(snap) {
			writeError(w, http.StatusGone, "TGAUTH_LOGIN_CLOSED", "this link has expired: "+snap.Prompt.Message, nil)
			return
		}
		if r.Method == http.MethodPost {
			c, err := r.Cookie(cookieName)
			if err != nil || r.Header.Get("Origin") == "" ||
				!hmac.Equal([]byte(c.Value), []byte(h.mac("page", id))) {
				writeError(w, http.StatusForbidden, "TGAUTH_FORBIDDEN", "open the login page again", nil)
				return
			}
		} else if r.URL.Path == "/l/"+secret {
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: h.mac("page", id), Path: "/l/" + secret,
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r)})
		}
		f(w, r, id)
	}
}

const cookieName = "tgauth_page"

// mac is the base64url HMAC-SHA256 of id under the link key, for one purpose.
func (h *Handler) mac(purpose, id string) string {
	m := hmac.New(sha256.New, h.opts.LinkKey)
	m.Write([]byte("tgauth " + purpose + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// LinkPath returns the path of login id's capability link: /l/{id}.{mac}.
func (h *Handler) LinkPath(id string) string { return "/l/" + id + "." + h.mac("link", id) }

// linkID returns the login a link secret opens, comparing its MAC in constant time.
func (h *Handler) linkID(secret string) (string, bool) {
	i := strings.LastIndexByte(secret, '.')
	if i <= 0 {
		return "", false
	}
	id := secret[:i]
	return id, hmac.Equal([]byte(secret[i+1:]), []byte(h.mac("link", id)))
}

// sameOrigin refuses a request a browser sent from another site: its Origin must be this
// server (as the request names it, or Options.BaseURL). A request without Origin is not
// a browser's cross-site one (or comes from a client that is no browser).
func (h *Handler) sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if origin == scheme+"://"+r.Host {
		return true
	}
	if h.opts.BaseURL != "" {
		if u, err := url.Parse(h.opts.BaseURL); err == nil && origin == u.Scheme+"://"+u.Host {
			return true
		}
	}
	return false
}

func (h *Handler) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(h.opts.BaseURL, "https:")
}

// baseURL is how the client reached us, for minted links.
func (h *Handler) baseURL(r *http.Request) string {
	if h.opts.BaseURL != "" {
		return strings.TrimSuffix(h.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
