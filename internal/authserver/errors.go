package authserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// The authorisation server answers errors in three channels (RFC 6749
// §4.1.2.1 and §5.2), each written by one function here:
//   - an HTML error page, before authorize trusts the client and redirect URI;
//   - a redirect to the client with error and error_description, after;
//   - JSON from the token, introspection and revocation endpoints.
// Every error is an *oauth.Error; anything else is a server_error.

// oauthError is the *oauth.Error with code and description.
func oauthError(code error, description string) *oauth.Error {
	return oauth.NewError(code, description)
}

// writeJSONError is the JSON channel. An error that is no *oauth.Error is
// logged and answered as server_error; a client that went away gets no
// answer (499 in the log, nginx's convention).
func (s *Server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	var e *oauth.Error
	if !errors.As(err, &e) {
		if r.Context().Err() != nil {
			w.WriteHeader(499)
			return
		}
		s.log.ErrorContext(r.Context(), "token endpoint failure", "path", r.URL.Path, "error", err)
		e = oauthError(oautherrors.ErrServerError, "internal error")
	}
	writeError(w, r, e)
}

// writeError writes e as RFC 6749 §5.2 JSON. invalid_client carries a
// WWW-Authenticate challenge for HTTP Basic (§5.2: required when the client
// tried Basic, where it names the charset of RFC 7617 §2.1).
func writeError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	if e.Code == oautherrors.ErrInvalidClient {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="pleo-emulator", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="pleo-emulator"`)
		}
	}
	writeNoStoreJSON(w, e.Status(), map[string]string{"error": e.Code.Error(), "error_description": describe(e)})
}

// describe is e's error_description as RFC 6749 §4.1.2.1 and §5.2 allow
// it: only %x20-21 / %x23-5B / %x5D-7E. Every other byte (the double quote,
// the backslash, controls, UTF-8 beyond ASCII) and the percent sign itself
// are percent-encoded, so a description that quotes a request's input stays
// readable and can be decoded back. Both channels that carry the parameter
// (redirect and JSON) write it through here.
func describe(e *oauth.Error) string {
	d := e.Description
	var b strings.Builder
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' && c != '%' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// maxQuoted is how much of a request's input a description repeats.
const maxQuoted = 64

// quoted repeats a value from the request in an error description: in
// single quotes, cut to maxQuoted bytes (at a character boundary) so an
// oversized parameter is not echoed back in full. describe makes the
// result safe for the channel.
func quoted(v string) string {
	if len(v) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut] + "..."
	}
	return "'" + v + "'"
}

// MaxFormBytes is the largest form body the token, introspection and
// revocation endpoints and the login and consent forms accept. The router
// enforces it before any handler runs (see RefuseRequest); the handlers do
// not check it again.
const MaxFormBytes = 64 << 10

// RefuseRequest writes a request refused before it reaches its endpoint (a
// body over MaxFormBytes, a parameter that is not UTF-8) in the JSON
// channel: invalid_request with status, which is 400, 408 or 413 (RFC 9110
// §15.5.9, §15.5.14).
func RefuseRequest(w http.ResponseWriter, r *http.Request, status int, message string) {
	writeError(w, r, &oauth.Error{Code: oautherrors.ErrInvalidRequest, Description: message, StatusCode: status})
}

// writeNoStoreJSON writes v as JSON with the caching headers RFC 6749 §5.1 requires.
func writeNoStoreJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	httpx.WriteJSON(w, status, "application/json;charset=UTF-8", v)
}

// redirectError is the redirect channel: once the client and redirect URI
// are trusted, errors go back to the client with error, error_description
// and state (RFC 6749 §4.1.2.1), keeping the URI's own query, and iss
// (see redirectTo).
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e *oauth.Error) {
	q := url.Values{"error": {e.Code.Error()}, "error_description": {describe(e)}}
	if state != "" {
		q.Set("state", state)
	}
	s.redirectTo(w, r, redirectURI, q)
}

// redirectTo sends an authorisation response, success or error, to the
// client's redirect URI base with q added to its query, and with iss, the
// issuer identifier (RFC 9207 §2; emulator choice, Pleo does not document
// it): a client that talks to several authorisation servers can tell which
// one answered, the mix-up defence of RFC 9700 §4.4.
func (s *Server) redirectTo(w http.ResponseWriter, r *http.Request, base string, q url.Values) {
	u, err := url.Parse(base)
	if err != nil { // registered URIs are validated; this cannot happen
		http.Error(w, "bad redirect URI", http.StatusInternalServerError)
		return
	}
	existing := u.Query()
	for k, vs := range q {
		existing[k] = vs
	}
	existing.Set("iss", s.opt.PublicURL)
	u.RawQuery = existing.Encode()
	httpx.SetSecurityHeaders(w.Header())
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// errorPage is the page channel: before the client and redirect URI are
// trusted, show an HTML page and never redirect (RFC 6749 §4.1.2.1).
func (s *Server) errorPage(w http.ResponseWriter, status int, title, message, detail string) {
	s.pages.Render(w, status, view.ErrorPage{Title: title, Message: message, Detail: detail})
}
