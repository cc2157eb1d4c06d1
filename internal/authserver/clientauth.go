package authserver

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"

	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/requestlog"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// parseForm reads an application/x-www-form-urlencoded body (RFC 6749 §3.2).
// Parameters in the query string, repeated parameters and other content
// types are invalid_request. The body's size is bounded before the handler
// runs (MaxFormBytes, enforced by the router).
func parseForm(r *http.Request) (url.Values, error) {
	if r.URL.RawQuery != "" {
		return nil, oauthError(oautherrors.ErrInvalidRequest, "parameters must be sent in the form-encoded request body, not the query string")
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthError(oautherrors.ErrInvalidRequest, "the request body must be application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return nil, oauthError(oautherrors.ErrInvalidRequest, "the request body is not valid form encoding")
	}
	if name := repeated(r.PostForm); name != "" {
		return nil, oauthError(oautherrors.ErrInvalidRequest, "parameter "+quoted(name)+" is given more than once")
	}
	return r.PostForm, nil
}

// repeated returns the first (alphabetically) parameter given more than once.
func repeated(v url.Values) string {
	var names []string
	for k, vs := range v {
		if len(vs) > 1 {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// authenticateClient identifies and authenticates the client of a token,
// introspection or revocation request (RFC 6749 §2.3): client_secret_basic
// (credentials form-URL-decoded, §2.3.1), client_secret_post, or a public
// client sending only client_id. Using two methods is invalid_request; any
// failure is invalid_client (401). Secrets are compared in constant time.
func (s *Server) authenticateClient(r *http.Request, form url.Values) (oauth.Client, error) {
	basicID, basicSecret, basic := r.BasicAuth()
	invalid := func(desc string) error {
		return oauthError(oautherrors.ErrInvalidClient, desc)
	}
	var id, secret string
	secretGiven := false
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return oauth.Client{}, invalid("the Basic credentials are not form-URL-encoded")
		}
		if _, ok := form["client_secret"]; ok {
			return oauth.Client{}, oauthError(oautherrors.ErrInvalidRequest, "use one client authentication method: Basic or client_secret in the body, not both")
		}
		if fid, ok := form["client_id"]; ok && fid[0] != id {
			return oauth.Client{}, oauthError(oautherrors.ErrInvalidRequest, "client_id in the body differs from the Basic credentials")
		}
		secretGiven = secret != ""
	} else {
		id = form.Get("client_id")
		secret = form.Get("client_secret")
		secretGiven = secret != "" // an empty client_secret is the same as none
	}
	if id == "" {
		return oauth.Client{}, invalid("client authentication is required (HTTP Basic, or client_id and client_secret in the body)")
	}
	c, err := s.st.Client(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return oauth.Client{}, invalid("unknown client or wrong secret")
	}
	if err != nil {
		return oauth.Client{}, err
	}
	switch c.Type {
	case oauth.Public:
		if secretGiven {
			return oauth.Client{}, invalid("a public client must not send a client secret")
		}
	default:
		if !c.CheckSecret(secret) {
			return oauth.Client{}, invalid("unknown client or wrong secret")
		}
	}
	requestlog.SetClientID(r.Context(), c.ID)
	return c, nil
}

// clientRequest is a request to the token, introspection or revocation
// endpoint whose form is parsed and whose client is authenticated.
type clientRequest struct {
	client oauth.Client
	form   url.Values
}

// clientHandler serves an endpoint of the JSON channel for an
// authenticated client. A returned error is written by writeJSONError; a
// handler returns an error only before writing.
type clientHandler func(w http.ResponseWriter, r *http.Request, req clientRequest) error

// serveClient is the one shape of the token, introspection and revocation
// endpoints: fire a fault queued for target, parse the form, authenticate
// the client, run h, and write any error as RFC 6749 §5.2 JSON.
func (s *Server) serveClient(w http.ResponseWriter, r *http.Request, target string, h clientHandler) {
	f, fire, err := s.faults.Fire(r.Context(), w, faults.Endpoint{Target: target})
	switch {
	case err != nil:
		return // the client went away during the fault's delay
	case fire:
		writeError(w, r, f.OAuthError())
		return
	}
	form, err := parseForm(r)
	var client oauth.Client
	if err == nil {
		client, err = s.authenticateClient(r, form)
	}
	if err == nil {
		err = h(w, r, clientRequest{client: client, form: form})
	}
	if err != nil {
		s.writeJSONError(w, r, err)
	}
}

// withToken adapts h to a request that names a token, introspection's or
// revocation's (RFC 7662 §2.1, RFC 7009 §2.1), where the token parameter is
// required.
func withToken(h func(w http.ResponseWriter, r *http.Request, req clientRequest, token string) error) clientHandler {
	return func(w http.ResponseWriter, r *http.Request, req clientRequest) error {
		token := req.form.Get("token")
		if token == "" {
			return oauthError(oautherrors.ErrInvalidRequest, "token is required")
		}
		return h(w, r, req, token)
	}
}
