package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// exchange is one HTTP request the playground sent and its response, as
// shown on the page: secrets in headers and bodies are already redacted.
type exchange struct {
	N           int
	Title, Note string
	At          time.Time // emulator time
	Method, URL string
	ReqHeaders  [][2]string
	ReqBody     string
	Status      int
	RespHeaders [][2]string
	RespBody    string
}

// request is what the playground sends.
type request struct {
	title, note string
	method      string
	path        string // root-relative path with query, e.g. "/oauth/token"
	header      http.Header
	form        url.Values // sent form-encoded when not nil
	body        string     // sent as is when form is nil
}

// maxResponseBytes bounds what the playground reads of a response.
const maxResponseBytes = 1 << 20

// send makes req against the emulator's own root handler, in process, and
// returns the recorded exchange and the raw response body.
func (h *Handlers) send(ctx context.Context, req request) (exchange, []byte) {
	body := req.body
	if req.form != nil {
		body = req.form.Encode()
	}
	ex := exchange{Title: req.title, Note: req.note, At: h.clock.Now(), Method: req.method, URL: h.opt.PublicURL + req.path,
		ReqBody: displayRequestBody(req.form, body)}
	// The incoming request's context carries chi's routing state, which
	// would make the root router treat this request as a sub-route: drop it.
	ctx = context.WithValue(ctx, chi.RouteCtxKey, (*chi.Context)(nil))
	hr, err := http.NewRequestWithContext(ctx, req.method, "http://emulator.internal"+req.path, strings.NewReader(body))
	if err != nil {
		ex.Status, ex.RespBody = 0, "The request could not be built: "+err.Error()
		return ex, nil
	}
	if u, err := url.Parse(h.opt.PublicURL); err == nil {
		hr.Host = u.Host
	}
	hr.Header = req.header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	if req.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	hr.RemoteAddr = "127.0.0.1:0"
	hr.RequestURI = req.path
	for _, name := range sortedKeys(hr.Header) {
		for _, v := range hr.Header[name] {
			ex.ReqHeaders = append(ex.ReqHeaders, [2]string{name, redactHeader(name, v)})
		}
	}
	rec := &recorder{header: http.Header{}}
	h.root().ServeHTTP(rec, hr)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	ex.Status = rec.status
	for _, name := range sortedKeys(rec.header) {
		for _, v := range rec.header[name] {
			ex.RespHeaders = append(ex.RespHeaders, [2]string{name, v})
		}
	}
	raw := rec.body.Bytes()
	ex.RespBody = displayBody(raw, rec.truncated)
	return ex, raw
}

// recorder is a minimal http.ResponseWriter that keeps the response in memory.
type recorder struct {
	header    http.Header
	status    int
	body      bytes.Buffer
	truncated bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if room := maxResponseBytes - r.body.Len(); len(b) > room {
		r.body.Write(b[:max(room, 0)])
		r.truncated = true
		return len(b), nil
	}
	return r.body.Write(b)
}

func sortedKeys(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }

// redactHeader hides credentials: Basic shows only the client ID, Bearer
// only the token's first characters.
func redactHeader(name, value string) string {
	if !strings.EqualFold(name, "Authorization") {
		return value
	}
	scheme, cred, _ := strings.Cut(value, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		id := "?"
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			user, _, _ := strings.Cut(string(raw), ":")
			if u, err := url.QueryUnescape(user); err == nil {
				id = u
			}
		}
		return "Basic [redacted; client_id " + id + " and its secret]"
	case "bearer":
		return "Bearer " + shorten(cred, 16) + " [redacted]"
	}
	return scheme + " [redacted]"
}

// displayRequestBody is the body as sent, with any client_secret redacted.
func displayRequestBody(form url.Values, body string) string {
	if form == nil {
		return body
	}
	if _, ok := form["client_secret"]; !ok {
		return body
	}
	shown := maps.Clone(form)
	shown.Set("client_secret", "REDACTED")
	return shown.Encode()
}

// displayBody pretty-prints JSON and marks a truncated body.
func displayBody(raw []byte, truncated bool) string {
	var out bytes.Buffer
	if !truncated && json.Valid(raw) && json.Indent(&out, raw, "", "  ") == nil {
		return out.String()
	}
	s := string(raw)
	if truncated {
		s += "\n… (truncated)"
	}
	return s
}

// shorten returns the first n characters of s followed by an ellipsis.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// basicAuth is RFC 6749 §2.3.1's client_secret_basic: both parts form-URL-encoded.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// decodedJWT is an access token's header and claims, pretty-printed.
type decodedJWT struct {
	Header, Claims string
	claims         map[string]json.RawMessage
	order          []string // claim names in token order
}

// decodeJWT decodes a JWT's header and claims without verifying it.
func decodeJWT(token string) (decodedJWT, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return decodedJWT{}, fmt.Errorf("the access token is not a JWT (it has %d parts, not 3)", len(parts))
	}
	var d decodedJWT
	for i, dst := range []*string{&d.Header, &d.Claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return decodedJWT{}, fmt.Errorf("part %d of the JWT is not base64url", i+1)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, raw, "", "  "); err != nil {
			return decodedJWT{}, fmt.Errorf("part %d of the JWT is not JSON", i+1)
		}
		*dst = out.String()
		if i == 1 {
			if err := json.Unmarshal(raw, &d.claims); err != nil {
				return decodedJWT{}, fmt.Errorf("the JWT claims are not a JSON object")
			}
			d.order = jsonKeys(raw)
		}
	}
	return d, nil
}

// jsonKeys returns the top-level keys of a JSON object in document order.
func jsonKeys(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		key, _ := t.(string)
		keys = append(keys, key)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}
