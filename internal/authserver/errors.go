package authserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/pleo-emulator/pleo-emulator/internal/ui"
)

// Error is an RFC 6749 error: a code from go-oauth2's vocabulary (§4.1.2.1,
// §5.2) and a human description.
type Error struct {
	Code        error // one of go-oauth2's errors.Err* values
	Description string
	basicAuth   bool // the client authenticated with HTTP Basic (for WWW-Authenticate)
}

func (e *Error) Error() string { return e.Code.Error() + ": " + e.Description }

func oauthError(code error, description string) *Error {
	return &Error{Code: code, Description: description}
}

// status maps an error to its HTTP status: 400 by default, 401 for
// invalid_client (RFC 6749 §5.2), 503 for temporarily_unavailable.
func (e *Error) status() int {
	switch e.Code {
	case oautherrors.ErrInvalidClient:
		return http.StatusUnauthorized
	case oautherrors.ErrTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	case oautherrors.ErrServerError:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// writeJSONError is channel 3: the token, introspection and revocation
// endpoints answer RFC 6749 §5.2 JSON.
func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		if r.Context().Err() != nil {
			w.WriteHeader(499) // the client left; not a server fault (nginx's convention)
			return
		}
		s.log.ErrorContext(r.Context(), "token endpoint failure", "path", r.URL.Path, "error", err)
		e = oauthError(oautherrors.ErrServerError, "internal error")
	}
	if e.Code == oautherrors.ErrInvalidClient {
		if e.basicAuth {
			w.Header().Set("WWW-Authenticate", `Basic realm="pleo-emulator", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="pleo-emulator"`)
		}
	}
	writeNoStoreJSON(w, e.status(), map[string]string{"error": e.Code.Error(), "error_description": e.Description})
}

// MaxFormBytes is the largest form body the token, introspection and
// revocation endpoints and the login and consent forms accept. The router
// enforces it before any handler runs (see RefuseRequest); the handlers do
// not check it again.
const MaxFormBytes = 64 << 10

// RefuseRequest writes a request refused before it reaches its endpoint (a
// body over MaxFormBytes, a parameter that is not UTF-8) in the token
// endpoint's channel: invalid_request (RFC 6749 §5.2) with status, which is
// 400, 408 or 413 (RFC 9110 §15.5.9, §15.5.14).
func RefuseRequest(w http.ResponseWriter, _ *http.Request, status int, message string) {
	writeNoStoreJSON(w, status, map[string]string{"error": oautherrors.ErrInvalidRequest.Error(), "error_description": message})
}

// writeNoStoreJSON writes v as JSON with the caching headers RFC 6749 §5.1 requires.
func writeNoStoreJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// redirectError is channel 2: once the client and redirect URI are trusted,
// errors go back to the client (RFC 6749 §4.1.2.1).
func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e *Error) {
	RedirectWithError(w, r, redirectURI, state, e.Code.Error(), e.Description)
}

// RedirectWithError sends the browser back to a trusted redirect URI with
// error, error_description and state (RFC 6749 §4.1.2.1), keeping the URI's
// own query. Injected authorize faults use it too.
func RedirectWithError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, description string) {
	q := url.Values{"error": {code}, "error_description": {description}}
	if state != "" {
		q.Set("state", state)
	}
	redirectTo(w, r, redirectURI, q)
}

// redirectTo sends the browser to base with q added to its query.
func redirectTo(w http.ResponseWriter, r *http.Request, base string, q url.Values) {
	u, err := url.Parse(base)
	if err != nil { // registered URIs are validated; this cannot happen
		http.Error(w, "bad redirect URI", http.StatusInternalServerError)
		return
	}
	existing := u.Query()
	for k, vs := range q {
		existing[k] = vs
	}
	u.RawQuery = existing.Encode()
	ui.SetSecurityHeaders(w.Header())
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// errorPage is channel 1: before the client and redirect URI are trusted,
// show an HTML page and never redirect (RFC 6749 §4.1.2.1).
func (s *Server) errorPage(w http.ResponseWriter, status int, title, message, detail string) {
	s.pages.Render(w, status, ui.ErrorPage{Title: title, Message: message, Detail: detail})
}
