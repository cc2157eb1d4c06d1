package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// authorizeParams explains the authorisation request's parameters, in the order shown.
var authorizeParams = []struct{ name, why string }{
	{"response_type", "code: the authorization code flow, the only flow Pleo offers."},
	{"client_id", "Which registered client is asking."},
	{"redirect_uri", "Where to send the browser back. It must exactly match one the client registered."},
	{"scope", "The permissions asked for, space-separated. The consent screen lists them; the token carries them."},
	{"state", "A random value the client remembers. The callback must echo it, which ties the response to this browser's request (CSRF protection)."},
	{"code_challenge", "The PKCE challenge: BASE64URL(SHA-256(code_verifier)). Only the holder of the verifier can redeem the code."},
	{"code_challenge_method", "S256, the only method the emulator accepts (plain is refused)."},
	{"urn_pleo_params_oauth_subject", "Pleo's subject hint: preselects a company or organisation on the consent screen."},
}

// callbackParams explains what can arrive at the redirect URI.
var callbackParams = map[string]string{
	"code":              "The authorization code: single use, short-lived, bound to this client, the redirect URI and the PKCE challenge.",
	"state":             "The state the client sent in step 2, echoed back.",
	"error":             "Why no code was issued (RFC 6749 §4.1.2.1), for example access_denied when the user denies.",
	"error_description": "A human-readable explanation of the error.",
	"error_uri":         "A page about the error.",
	"iss":               "The issuer that answered (RFC 9207).",
}

// claimExplanations explain the access token's claims.
var claimExplanations = map[string]string{
	"sub":                               "Subject: the ID of the company or organisation the token acts for.",
	"exp":                               "Expiry, in seconds since 1970.",
	"iat":                               "Issued at, in seconds since 1970.",
	"jti":                               "Token ID: lets the server revoke this one token.",
	"client_id":                         "The client the token was issued to.",
	"scope":                             "What the token may do. The API checks it on every route.",
	"urn:pleo:params:oauth:subject_urn": "Pleo's subject as a URN: urn:pleo:company:<id> or urn:pleo:organization:<id>.",
}

// claimExplanation explains a claim of the access token; iss and aud
// follow the --token-claims, --token-issuer and --token-audience settings.
func (h *Handlers) claimExplanation(name string) string {
	switch name {
	case "iss":
		if h.opt.TokenIssuer != h.opt.PublicURL {
			return "Issuer: " + h.opt.TokenIssuer + " (set by --token-claims or --token-issuer), not the metadata's issuer " +
				h.opt.PublicURL + ". The emulator's API accepts it; a strict RFC 9068 validator refuses it."
		}
		return "Issuer: the emulator's public URL, the issuer in its metadata. Check it before trusting a token."
	case "aud":
		return "Audience: " + h.opt.TokenAudience + ". The API refuses tokens meant for another audience."
	}
	return claimExplanations[name]
}

func requestView(s *playState) *view.PlaygroundRequest {
	if s.AuthorizeURL == "" {
		return nil
	}
	values := map[string]string{"response_type": "code", "client_id": s.ClientID, "redirect_uri": s.RedirectURI,
		"scope": oauth.JoinScope(s.Scopes), "state": s.SentState, "code_challenge": s.Challenge,
		"code_challenge_method": oauth.MethodS256, "urn_pleo_params_oauth_subject": s.SubjectHint}
	v := &view.PlaygroundRequest{ClientName: s.ClientName, AuthorizeURL: s.AuthorizeURL, Verifier: s.Verifier, Challenge: s.Challenge}
	for _, p := range authorizeParams {
		if values[p.name] != "" {
			v.Params = append(v.Params, view.ParamView{Name: p.name, Value: values[p.name], Explanation: p.why})
		}
	}
	return v
}

func callbackView(s *playState) *view.PlaygroundCallback {
	cb := s.Callback
	if cb == nil {
		return nil
	}
	v := &view.PlaygroundCallback{StateOK: cb.StateOK, StateMessage: cb.StateMsg, Error: cb.Error,
		ErrorDescription: cb.ErrorDesc, Code: cb.Code, CodeUsed: cb.CodeUsed}
	for _, kv := range cb.Query {
		v.Params = append(v.Params, view.ParamView{Name: kv[0], Value: kv[1], Explanation: callbackParams[kv[0]]})
	}
	return v
}

func (h *Handlers) tokensView(s *playState) *view.PlaygroundTokens {
	t := s.Tokens
	if t == nil {
		return nil
	}
	now := h.clock.Now()
	v := &view.PlaygroundTokens{TokenType: t.TokenType, ExpiresIn: t.ExpiresIn, Scope: t.Scope,
		ExpiresAt:   timeView(t.ReceivedAt.Add(time.Duration(t.ExpiresIn)*time.Second), now),
		AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	d, err := decodeJWT(t.AccessToken)
	if err != nil {
		v.DecodeError = err.Error()
		return v
	}
	v.JWTHeader, v.JWTClaims = d.Header, d.Claims
	for _, name := range d.order {
		v.Claims = append(v.Claims, view.ParamView{Name: name, Value: claimValue(name, d.claims[name], now),
			Explanation: h.claimExplanation(name)})
	}
	return v
}

// claimValue shows a claim's JSON value, with times in words.
func claimValue(name string, raw json.RawMessage, now time.Time) string {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	if name == "exp" || name == "iat" || name == "nbf" {
		if secs, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			t := time.Unix(secs, 0)
			return fmt.Sprintf("%d (%s, %s)", secs, t.UTC().Format("2 Jan 2006 15:04:05 UTC"), relative(t, now))
		}
	}
	return string(raw)
}

// exchangeViews lists the log newest first, the newest expanded.
func (h *Handlers) exchangeViews(s *playState) []view.ExchangeView {
	now := h.clock.Now()
	var out []view.ExchangeView
	for i := len(s.Exchanges) - 1; i >= 0; i-- {
		e := s.Exchanges[i]
		v := view.ExchangeView{ID: exchangeID(e.N), Title: e.Title, Note: e.Note, At: timeView(e.At, now),
			Method: e.Method, URL: e.URL, RequestBody: e.ReqBody, Status: e.Status, StatusText: http.StatusText(e.Status),
			Success: e.Status >= 200 && e.Status < 300, ResponseBody: e.RespBody, Open: i == len(s.Exchanges)-1}
		for _, kv := range e.ReqHeaders {
			v.RequestHeaders = append(v.RequestHeaders, view.HeaderView{Name: kv[0], Value: kv[1]})
		}
		for _, kv := range e.RespHeaders {
			v.ResponseHeaders = append(v.ResponseHeaders, view.HeaderView{Name: kv[0], Value: kv[1]})
		}
		out = append(out, v)
	}
	return out
}

func exchangeID(n int) string { return "exchange-" + strconv.Itoa(n) }

// apiMethods are the methods the API call form offers.
var apiMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}

func callForm(s *playState, routes []api.Route) view.APICallForm {
	method, path, body := http.MethodGet, "/v1/introspect", ""
	if s != nil && s.CallPath != "" {
		method, path, body = s.CallMethod, s.CallPath, s.CallBody
	}
	f := view.APICallForm{Path: path, Body: body, Paths: apiPaths(routes)}
	for _, m := range apiMethods {
		f.Methods = append(f.Methods, view.OptionView{Value: m, Label: m, Selected: m == method})
	}
	return f
}

// apiPaths suggests, from the API's route table, the paths without path
// parameters that a GET or a search reads: first the routes any token may
// call, then the rest in table order.
func apiPaths(routes []api.Route) []string {
	var open, scoped []string
	for _, rt := range routes {
		if strings.Contains(rt.Pattern, "{") || (rt.Method != http.MethodGet && !strings.HasSuffix(rt.Pattern, ":search")) {
			continue
		}
		switch {
		case slices.Contains(open, rt.Pattern), slices.Contains(scoped, rt.Pattern):
		case rt.Scope == "":
			open = append(open, rt.Pattern)
		default:
			scoped = append(scoped, rt.Pattern)
		}
	}
	return append(open, scoped...)
}
