package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
)

// The playground's step 3 to 5 actions. Each sends one request to the
// emulator in process, records the exchange and redirects back to the page
// (post/redirect/get), to the step or exchange it produced.

// withFlow runs fn with the browser's flow locked; without a flow it
// redirects to the playground with a message.
func (h *Handlers) withFlow(w http.ResponseWriter, r *http.Request, fn func(s *playState) string) {
	if !h.parsePost(w, r) {
		return
	}
	s := h.play.get(r)
	if s == nil {
		s = h.play.getOrCreate(w, r, h.opt.SecureCookies)
		s.mu.Lock()
		s.err = "The playground has no flow for this browser (it may have been restarted). Start again in step 1."
		s.mu.Unlock()
		seeOther(w, r, playPath)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seeOther(w, r, fn(s))
}

// lastExchange is the anchor of the newest exchange.
func lastExchange(s *playState) string {
	return playPath + "#" + exchangeID(s.nextExchange)
}

// clientAuth authenticates the flow's client on a token, introspection or
// revocation request: client_secret_basic for confidential clients, just
// client_id in the body for public ones.
func (s *playState) clientAuth(form url.Values) http.Header {
	hdr := http.Header{"Accept": {"application/json"}}
	if s.Public {
		form.Set("client_id", s.ClientID)
	} else {
		hdr.Set("Authorization", basicAuth(s.ClientID, s.Secret))
	}
	return hdr
}

// PlaygroundExchange serves POST /playground/exchange: the authorization_code grant.
func (h *Handlers) PlaygroundExchange(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		cb := s.Callback
		if cb == nil || cb.Code == "" || cb.CodeUsed {
			s.err = "There is no unused authorization code to exchange. Start again in step 1."
			return playPath
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Code}, "redirect_uri": {s.RedirectURI},
			"code_verifier": {s.Verifier}}
		ex, raw := h.send(r.Context(), request{title: "Token request: authorization_code", method: http.MethodPost,
			path: "/oauth/token", header: s.clientAuth(form), form: form,
			note: "RFC 6749 §4.1.3 with PKCE. The server checks that the code is unused and unexpired, belongs to this client and redirect URI, and that SHA-256(code_verifier) equals the code_challenge of step 2."})
		s.addExchange(ex)
		cb.CodeUsed = true
		if h.takeTokens(s, ex.Status, raw) {
			return playPath + "#step-4"
		}
		s.err = "The token endpoint refused the code; see the exchange below."
		return lastExchange(s)
	})
}

// PlaygroundRefresh serves POST /playground/refresh: the refresh_token grant.
func (h *Handlers) PlaygroundRefresh(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		if s.Tokens == nil || s.Tokens.RefreshToken == "" {
			s.err = "There is no refresh token yet."
			return playPath
		}
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.Tokens.RefreshToken}}
		ex, raw := h.send(r.Context(), request{title: "Token request: refresh_token", method: http.MethodPost,
			path: "/oauth/token", header: s.clientAuth(form), form: form,
			note: "Refresh with rotation: the answer carries a new access token and a new refresh token, and retires the old refresh token. Presenting a retired refresh token again revokes the whole grant."})
		s.addExchange(ex)
		if h.takeTokens(s, ex.Status, raw) {
			s.notice = "New tokens issued; step 4 shows them. The previous refresh token is now retired."
		}
		return lastExchange(s)
	})
}

// PlaygroundIntrospect serves POST /playground/introspect (field token: access or refresh).
func (h *Handlers) PlaygroundIntrospect(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		if _, _, ok := h.sendPickedToken(r, s, "Introspection", "/oauth/token/introspect", func(string) string {
			return "RFC 7662. active is true while the token is unexpired and neither it nor its grant is revoked. A client may only introspect its own tokens."
		}); !ok {
			return playPath
		}
		return lastExchange(s)
	})
}

// PlaygroundRevoke serves POST /playground/revoke (field token: access or refresh).
func (h *Handlers) PlaygroundRevoke(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		ex, label, ok := h.sendPickedToken(r, s, "Revocation", "/oauth/revoke", func(hint string) string {
			if hint == "refresh_token" {
				return "RFC 7009. Revoking a refresh token revokes its whole grant: every token issued from this authorisation stops working. Refreshing now fails with invalid_grant, and the API answers 401."
			}
			return "RFC 7009. Revoking the access token stops only that token: the API answers 401 to it from now on."
		})
		if !ok {
			return playPath
		}
		if ex.Status == http.StatusOK {
			s.notice = "The " + label + " is revoked. Call the API or refresh to see it refused."
		}
		return lastExchange(s)
	})
}

// apiPath is what the API call form accepts: a versioned API path with an optional query.
var apiPath = regexp.MustCompile(`^/v[0-9]+/[^\s#]*$`)

// PlaygroundCall serves POST /playground/call (fields method, path, body):
// it calls the mock External API with the current access token.
func (h *Handlers) PlaygroundCall(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		method, path, body := r.PostFormValue("method"), strings.TrimSpace(r.PostFormValue("path")), r.PostFormValue("body")
		s.CallMethod, s.CallPath, s.CallBody = method, path, body
		switch {
		case s.Tokens == nil:
			s.err = "There is no access token yet."
			return playPath
		case !slices.Contains(apiMethods, method):
			s.err = "Choose GET, POST, PUT or DELETE."
			return playPath + "#step-5"
		case !apiPath.MatchString(path):
			s.err = "The path must be an API path such as /v1/introspect or /v2/employees."
			return playPath + "#step-5"
		}
		hdr := http.Header{"Accept": {"application/json"}, "Authorization": {"Bearer " + s.Tokens.AccessToken}}
		if (method != http.MethodPost && method != http.MethodPut) || strings.TrimSpace(body) == "" {
			body = ""
		}
		if body != "" {
			hdr.Set("Content-Type", "application/json")
		}
		ex, _ := h.send(r.Context(), request{title: "API call", method: method, path: path, header: hdr, body: body,
			note: "A bearer token request (RFC 6750). 401 means the token is invalid, expired or revoked; 403 that it lacks the route's scope or company."})
		s.addExchange(ex)
		return lastExchange(s)
	})
}

// sendPickedToken posts the token that the form field token picks (access
// or refresh) to the OAuth endpoint path, authenticated as the client, and
// records the exchange, titled "<what> of the <label>"; note gives, from
// the token type hint, the explanation shown with the answer. Without such
// a token yet it sets s.err and returns ok false.
func (h *Handlers) sendPickedToken(r *http.Request, s *playState, what, path string, note func(hint string) string) (ex exchange, label string, ok bool) {
	token, hint, label, ok := pickToken(s, r.PostFormValue("token"))
	if !ok {
		s.err = "There is no such token yet."
		return ex, label, false
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	ex, _ = h.send(r.Context(), request{title: what + " of the " + label, method: http.MethodPost,
		path: path, header: s.clientAuth(form), form: form, note: note(hint)})
	s.addExchange(ex)
	return ex, label, true
}

// pickToken returns the flow's access or refresh token with its type hint and a label.
func pickToken(s *playState, which string) (token, hint, label string, ok bool) {
	if s.Tokens == nil {
		return "", "", "", false
	}
	if which == "refresh" {
		return s.Tokens.RefreshToken, "refresh_token", "refresh token", s.Tokens.RefreshToken != ""
	}
	return s.Tokens.AccessToken, "access_token", "access token", s.Tokens.AccessToken != ""
}

// takeTokens keeps a successful token response; it reports whether there was one.
func (h *Handlers) takeTokens(s *playState, status int, raw []byte) bool {
	if status != http.StatusOK {
		return false
	}
	var resp authserver.TokenResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.AccessToken == "" {
		return false
	}
	s.Tokens = &tokenSet{AccessToken: resp.AccessToken, RefreshToken: resp.RefreshToken, TokenType: resp.TokenType,
		ExpiresIn: resp.ExpiresIn, Scope: resp.Scope, ReceivedAt: h.clock.Now()}
	return true
}
