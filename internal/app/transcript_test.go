package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

var updateTranscript = flag.Bool("update", false, "rewrite testdata/flows/authorization-code.txt from a real run")

// transcriptPath is the recorded authorization code flow people read to see
// what their client will see.
const transcriptPath = "../../testdata/flows/authorization-code.txt"

// TestAuthorizationCodeTranscript runs the whole authorization code flow
// against a loopback emulator, writes every HTTP exchange as a transcript
// with secrets and run-specific values replaced by placeholders, and compares
// it with testdata/flows/authorization-code.txt (-update rewrites the file).
func TestAuthorizationCodeTranscript(t *testing.T) {
	got := recordAuthorizationCodeFlow(t)
	if *updateTranscript {
		if err := os.WriteFile(transcriptPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(transcriptPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/app -run Transcript -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the flow no longer matches %s (if the change is intended, run go test ./internal/app -run Transcript -update):\n%s",
			transcriptPath, firstDifference(want, got))
	}
}

// recordAuthorizationCodeFlow walks authorize → login → consent → token →
// refresh → API → revoke → API as a browser and the demo client's back end,
// checks every answer and returns the rendered transcript.
func recordAuthorizationCodeFlow(t *testing.T) []byte {
	e := apptest.Start(t, "")
	rec := &recorder{next: e.Client().Transport}
	b := apptest.NewBrowser(t)
	b.Client.Transport = rec
	backEnd := &http.Client{Transport: rec}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, backEnd)
	conf := e.OAuthConfig("users:read")
	verifier := oauth2.GenerateVerifier()

	expect := func(resp *http.Response, status int) {
		t.Helper()
		if resp.StatusCode != status {
			t.Fatalf("%s %s: status %d, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status)
		}
	}

	rec.step("Browser: the app sends the user to the authorisation endpoint; without a session, on to the login page")
	resp, _ := b.Get(conf.AuthCodeURL("af0ifjsldkj", oauth2.S256ChallengeOption(verifier)))
	expect(resp, http.StatusFound)

	rec.step("Browser: the login page; the CSRF cookie and the form's csrf_token carry the same value")
	resp, page := b.Get(apptest.Location(t, resp, e.URL).String())
	expect(resp, http.StatusOK)

	rec.step("Browser: the user signs in and is sent back to the authorisation request")
	form := apptest.FormFields(page)
	form.Set("email", seed.AdminEmail)
	form.Set("password", seed.DemoPassword)
	resp, _ = b.Post(e.URL+"/login", form)
	expect(resp, http.StatusSeeOther)

	rec.step("Browser: signed in, the consent screen: the scopes, and what the user may connect the app to")
	resp, page = b.Get(apptest.Location(t, resp, e.URL).String())
	expect(resp, http.StatusOK)

	rec.step("Browser: the user approves for Acme Denmark ApS and goes back to the app with a code and the state")
	fields := apptest.FormFields(page)
	resp, _ = b.Post(e.URL+"/oauth/consent", url.Values{"csrf_token": {fields.Get("csrf_token")}, "request": {fields.Get("request")},
		"subject": {"urn:pleo:company:" + seed.DenmarkID}, "decision": {"approve"}})
	expect(resp, http.StatusFound)
	back := apptest.Location(t, resp, e.URL)
	if back.Query().Get("state") != "af0ifjsldkj" || back.Query().Get("code") == "" {
		t.Fatalf("callback %s", back)
	}

	rec.step("App back end: exchanges the code and the PKCE verifier for a token pair (golang.org/x/oauth2)")
	tok, err := conf.Exchange(ctx, back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}

	rec.step("App back end: refreshes; both tokens rotate and the old refresh token stops working")
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
		t.Fatal("the refresh did not rotate both tokens")
	}

	bearerGet := func(path, token string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := backEnd.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		apptest.ReadBody(t, resp)
		return resp
	}
	rec.step("App back end: calls the API with the new access token")
	expect(bearerGet("/v2/employees?limit=2", fresh.AccessToken), http.StatusOK)

	rec.step("App back end: revokes the refresh token (RFC 7009), and with it the whole grant")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.URL+"/oauth/revoke",
		strings.NewReader(url.Values{"token": {fresh.RefreshToken}, "token_type_hint": {"refresh_token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(seed.DemoClientID), url.QueryEscape(seed.DemoClientSecret))
	resp, err = backEnd.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	apptest.ReadBody(t, resp)
	expect(resp, http.StatusOK)

	rec.step("App back end: the same API call with the same access token is now refused")
	expect(bearerGet("/v2/employees?limit=2", fresh.AccessToken), http.StatusUnauthorized)

	out := renderTranscript(t, rec.exchanges, e.URL)
	secrets := []string{verifier, oauth2.S256ChallengeFromVerifier(verifier), back.Query().Get("code"), tok.AccessToken,
		tok.RefreshToken, fresh.AccessToken, fresh.RefreshToken, fields.Get("csrf_token"), fields.Get("request"),
		seed.DemoClientSecret, "password=" + seed.DemoPassword, "eyJ", e.URL}
	emuURL, _ := url.Parse(e.URL)
	for _, c := range b.Client.Jar.Cookies(emuURL) {
		secrets = append(secrets, c.Value)
	}
	for _, s := range secrets {
		if s == "" || bytes.Contains(out, []byte(s)) {
			t.Errorf("the transcript shows %q", s)
		}
	}
	return out
}

// exchange is one recorded request and its answer.
type exchange struct {
	title      string
	req        *http.Request
	reqBody    []byte
	resp       *http.Response
	respBody   []byte
	respHeader http.Header
}

// recorder is a RoundTripper that keeps every exchange it carries, titled
// by the step announced before it.
type recorder struct {
	next      http.RoundTripper
	title     string
	exchanges []exchange
}

func (r *recorder) step(title string) { r.title = title }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	r.exchanges = append(r.exchanges, exchange{title: r.title, req: req, reqBody: body, resp: resp,
		respBody: respBody, respHeader: resp.Header.Clone()})
	r.title = ""
	return resp, nil
}

const transcriptHeader = `# The OAuth 2.0 authorization code flow with PKCE against pleo-emulator, as
# your client will see it: first the user's browser (authorize, login,
# consent), then the app's back end (token, refresh, API, revoke) for the
# demo client and the demo data.
#
# Recorded from a real run by TestAuthorizationCodeTranscript in
# internal/app/transcript_test.go, which fails when the emulator's answers
# change; go test ./internal/app -run Transcript -update rewrites this file.
#
# {{...}} stands for a value that is secret or differs on every run: codes,
# tokens, the PKCE verifier and challenge, cookies, CSRF values, random IDs
# and times. The same placeholder is the same value throughout. Basic
# credentials are base64("demo-client:" + client secret), the JWT access
# tokens are shown decoded after the response that issues them, HTML pages
# are shortened to their title, heading and forms, and the Date and
# Content-Length headers are left out. The emulator's address is written as
# localhost:8080.
`

// renderTranscript writes the exchanges as a readable HTTP transcript.
func renderTranscript(t *testing.T, exchanges []exchange, emuURL string) []byte {
	t.Helper()
	r := newRedactor(emuURL)
	var out strings.Builder
	out.WriteString(transcriptHeader)
	for i, x := range exchanges {
		r.learn(t, x)
		fmt.Fprintf(&out, "\n### %d. %s\n\n", i+1, x.title)
		out.WriteString(r.request(x))
		out.WriteString("\n")
		out.WriteString(r.response(t, x))
	}
	return []byte(out.String())
}

// redactor replaces secrets and run-specific values with placeholders. It
// learns the values from the exchanges in order, so each placeholder is
// named after where its value first appears.
type redactor struct {
	emuURL, emuHost string
	names           map[string]string // value → placeholder
	counts          map[string]int    // kind → values seen
}

func newRedactor(emuURL string) *redactor {
	r := &redactor{emuURL: emuURL, emuHost: strings.TrimPrefix(emuURL, "http://"), names: map[string]string{}, counts: map[string]int{}}
	r.add("client_secret", seed.DemoClientSecret, false)
	return r
}

// add names value as {{kind}} (or {{kind_N}} when numbered or not the first
// value of its kind).
func (r *redactor) add(kind, value string, numbered bool) {
	if value == "" || r.names[value] != "" {
		return
	}
	r.counts[kind]++
	name := kind
	if numbered || r.counts[kind] > 1 {
		name += "_" + strconv.Itoa(r.counts[kind])
	}
	r.names[value] = "{{" + name + "}}"
}

var (
	// randomUUID matches version 4 UUIDs (the demo data's are version 5, stable).
	randomUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	timestamp  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
)

// learn records the secrets an exchange introduces.
func (r *redactor) learn(t *testing.T, x exchange) {
	q := x.req.URL.Query()
	r.add("code_challenge", q.Get("code_challenge"), false)
	if form, err := url.ParseQuery(string(x.reqBody)); err == nil && isForm(x.req.Header) {
		r.add("code", form.Get("code"), false)
		r.add("code_verifier", form.Get("code_verifier"), false)
	}
	for _, c := range x.resp.Cookies() {
		kind := map[string]string{"pleo_emulator_csrf": "csrf_token", "pleo_emulator_session": "session_id"}[c.Name]
		if kind == "" {
			kind = "cookie_" + c.Name
		}
		r.add(kind, c.Value, false)
	}
	if loc, err := url.Parse(x.respHeader.Get("Location")); err == nil {
		r.add("code", loc.Query().Get("code"), false)
	}
	if isHTML(x.respHeader) {
		for _, m := range apptest.HiddenField.FindAllStringSubmatch(string(x.respBody), -1) {
			switch m[1] {
			case "csrf_token":
				r.add("csrf_token", m[2], false)
			case "request":
				r.add("consent_request", m[2], false)
			}
		}
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(x.respBody, &tok) == nil {
		r.add("access_token", tok.AccessToken, true)
		r.add("refresh_token", tok.RefreshToken, true)
		if tok.AccessToken != "" {
			header, claims := decodeJWT(t, tok.AccessToken)
			if kid, _ := header["kid"].(string); kid != "" {
				r.add("kid", kid, false)
			}
			if jti, _ := claims["jti"].(string); jti != "" {
				r.add("jti", jti, true)
			}
		}
	}
}

// apply replaces every known value, the emulator's address, random UUIDs
// and timestamps.
func (r *redactor) apply(s string) string {
	values := make([]string, 0, len(r.names))
	for v := range r.names {
		values = append(values, v)
	}
	// Longest first, so a value never hides inside a shorter one's placeholder.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, v := range values {
		pairs = append(pairs, v, r.names[v])
	}
	s = strings.NewReplacer(pairs...).Replace(s)
	s = strings.ReplaceAll(s, r.emuURL, "http://localhost:8080")
	s = strings.ReplaceAll(s, url.QueryEscape(r.emuURL), url.QueryEscape("http://localhost:8080"))
	s = strings.ReplaceAll(s, r.emuHost, "localhost:8080")
	s = randomUUID.ReplaceAllStringFunc(s, func(id string) string {
		r.add("uuid", id, true)
		return r.names[id]
	})
	return timestamp.ReplaceAllString(s, "{{timestamp}}")
}

// request renders the request line, headers and body.
func (r *redactor) request(x exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\nHost: %s\n", x.req.Method, x.req.URL.RequestURI(), x.req.URL.Host)
	for _, k := range sortedKeys(x.req.Header) {
		for _, v := range x.req.Header[k] {
			if k == "Authorization" && strings.HasPrefix(v, "Basic ") {
				v = "Basic {{client_credentials}}"
			}
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if len(x.reqBody) > 0 {
		b.WriteString("\n")
		if isForm(x.req.Header) {
			b.WriteString(redactFormFields(string(x.reqBody)))
		} else {
			b.Write(x.reqBody)
		}
		b.WriteString("\n")
	}
	return r.apply(b.String())
}

// redactFormFields hides the values of fields that are secret by name (the
// others are secret by value and replaced everywhere).
func redactFormFields(body string) string {
	pairs := strings.Split(body, "&")
	for i, p := range pairs {
		if k, _, _ := strings.Cut(p, "="); k == "password" || k == "client_secret" {
			pairs[i] = k + "={{" + k + "}}"
		}
	}
	return strings.Join(pairs, "&")
}

// response renders the status line, headers (without Date and
// Content-Length) and body: JSON indented, HTML summarised.
func (r *redactor) response(t *testing.T, x exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %s\n", x.resp.Status)
	for _, k := range sortedKeys(x.respHeader) {
		if k == "Date" || k == "Content-Length" {
			continue
		}
		for _, v := range x.respHeader[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	var jwts []string
	if len(x.respBody) > 0 {
		b.WriteString("\n")
		switch {
		case isHTML(x.respHeader):
			b.WriteString(summariseHTML(string(x.respBody)))
		case json.Valid(x.respBody):
			var indented bytes.Buffer
			if err := json.Indent(&indented, x.respBody, "", "  "); err != nil {
				t.Fatal(err)
			}
			b.Write(bytes.TrimSpace(indented.Bytes()))
			b.WriteString("\n")
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			if json.Unmarshal(x.respBody, &tok) == nil && tok.AccessToken != "" {
				jwts = append(jwts, tok.AccessToken)
			}
		default:
			b.Write(bytes.TrimSpace(x.respBody))
			b.WriteString("\n")
		}
	}
	for _, tok := range jwts {
		b.WriteString(describeJWT(t, r.names[tok], tok))
	}
	return r.apply(b.String())
}

// describeJWT shows an access token's header and claims as comments, with
// iat as {{iat}} and the other times relative to it.
func describeJWT(t *testing.T, name, token string) string {
	header, claims := decodeJWT(t, token)
	iat, _ := claims["iat"].(float64)
	for _, k := range []string{"iat", "exp", "nbf"} {
		if v, ok := claims[k].(float64); ok {
			claims[k] = fmt.Sprintf("{{iat%+d}}", int64(v-iat))
		}
	}
	claims["iat"] = "{{iat}}"
	h, _ := json.MarshalIndent(header, "#   ", "  ")
	c, _ := json.MarshalIndent(claims, "#   ", "  ")
	return fmt.Sprintf("\n# %s is a JWT; its header:\n#   %s\n# and its claims:\n#   %s\n", name, h, quotedTime.ReplaceAll(c, []byte("$1")))
}

// quotedTime is a time placeholder in a JSON string, shown unquoted.
var quotedTime = regexp.MustCompile(`"(\{\{iat[^}]*\}\})"`)

func decodeJWT(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q is not a JWT", token)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

var (
	htmlTitle   = regexp.MustCompile(`(?s)<title>(.*?)</title>`)
	htmlHeading = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	htmlForm    = regexp.MustCompile(`(?s)<form([^>]*)>(.*?)</form>`)
	htmlControl = regexp.MustCompile(`<(input|button)([^>]*)>`)
	htmlAttr    = regexp.MustCompile(`([a-z-]+)(?:="([^"]*)")?`)
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
)

// summariseHTML shortens a page to its title, main heading and forms; a
// page with none of them (a redirect's note) is shown as it is.
func summariseHTML(page string) string {
	if !htmlTitle.MatchString(page) && !htmlForm.MatchString(page) {
		return strings.TrimSpace(page) + "\n"
	}
	var b strings.Builder
	b.WriteString("<!-- HTML page, shortened -->\n")
	text := func(s string) string {
		return html.UnescapeString(strings.Join(strings.Fields(htmlTag.ReplaceAllString(s, "")), " "))
	}
	if m := htmlTitle.FindStringSubmatch(page); m != nil {
		fmt.Fprintf(&b, "title: %s\n", text(m[1]))
	}
	if m := htmlHeading.FindStringSubmatch(page); m != nil {
		fmt.Fprintf(&b, "h1:    %s\n", text(m[1]))
	}
	for _, f := range htmlForm.FindAllStringSubmatch(page, -1) {
		a := attrs(f[1])
		fmt.Fprintf(&b, "form:  %s %s\n", strings.ToUpper(a["method"]), a["action"])
		for _, c := range htmlControl.FindAllStringSubmatch(f[2], -1) {
			a := attrs(c[2])
			kind := c[1]
			if a["type"] != "" {
				kind += " " + a["type"]
			}
			line := fmt.Sprintf("  %-16s %s", kind, a["name"])
			if _, ok := a["value"]; ok && a["value"] != "" {
				line += " = " + a["value"]
			}
			if _, ok := a["checked"]; ok {
				line += " (checked)"
			}
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	return b.String()
}

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range htmlAttr.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

func isForm(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func isHTML(h http.Header) bool { return strings.HasPrefix(h.Get("Content-Type"), "text/html") }

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// firstDifference shows where two texts first differ, with a few lines of context.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	from := max(0, i-3)
	show := func(lines []string) string {
		return strings.Join(lines[from:min(len(lines), i+4)], "\n")
	}
	return fmt.Sprintf("first difference at line %d\n--- file\n%s\n--- this run\n%s", i+1, show(w), show(g))
}
