package apptest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// FormType is the content type of HTML forms and of the token,
// introspection and revocation endpoints' requests.
const FormType = "application/x-www-form-urlencoded"

// Basic is an RFC 6749 §2.3.1 Authorization header (credentials form-encoded).
func Basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// ValidAuthorizeQuery is a correct authorisation request of the demo
// client, with state st-neg and a fresh S256 challenge.
func ValidAuthorizeQuery() url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {seed.DemoClientID},
		"redirect_uri":          {DemoCallback},
		"scope":                 {"users:read"},
		"state":                 {"st-neg"},
		"code_challenge":        {oauthdomain.S256Challenge(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

// AssertErrorPage checks error channel 1: an HTML error page with the
// given status, no Location header, the anti-framing and no-store headers,
// and the OAuth error code shown on the page (when code is not empty).
func AssertErrorPage(t testing.TB, resp *http.Response, body string, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d", resp.StatusCode, status)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Errorf("error page redirects to %q", loc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	AssertPageSecurityHeaders(t, resp)
	if code != "" && !strings.Contains(body, "<code>"+code+"</code>") {
		t.Errorf("page does not show error code %q:\n%s", code, body)
	}
	// The received redirect URI may be shown as text, to compare with the
	// registered ones, but never as a link, image or form target.
	if strings.Contains(body, `href="http`) || untrustedURL.MatchString(body) {
		t.Errorf("error page links to the untrusted redirect URI:\n%s", body)
	}
}

// untrustedURL matches an attribute that would make the browser follow or
// load an attacker's URL (the tests' untrusted URIs contain "evil").
var untrustedURL = regexp.MustCompile(`(?i)(href|src|action|formaction)="[^"]*evil`)

// AssertPageSecurityHeaders checks that an HTML page may not be framed or
// stored.
func AssertPageSecurityHeaders(t testing.TB, resp *http.Response) {
	t.Helper()
	h := resp.Header
	if h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("X-Frame-Options = %q", h.Get("X-Frame-Options"))
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", h.Get("Content-Security-Policy"))
	}
	if !strings.Contains(h.Get("Cache-Control"), "no-store") {
		t.Errorf("Cache-Control = %q", h.Get("Cache-Control"))
	}
}

// AssertRedirectError checks error channel 2: a 302 to exactly redirectURI
// with error, a non-empty error_description and the original state (none
// when state is empty), and no code.
func AssertRedirectError(t testing.TB, resp *http.Response, redirectURI, code, state string) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	loc.RawQuery = ""
	if loc.String() != redirectURI {
		t.Errorf("redirected to %s, want %s", loc, redirectURI)
	}
	if q.Get("error") != code {
		t.Errorf("error = %q (%s), want %q", q.Get("error"), q.Get("error_description"), code)
	}
	if q.Get("error_description") == "" {
		t.Error("error_description is empty")
	}
	switch {
	case state == "" && q.Has("state"):
		t.Errorf("state = %q, want none", q["state"])
	case state != "" && (q.Get("state") != state || len(q["state"]) != 1):
		t.Errorf("state = %q, want %q", q["state"], state)
	}
	if q.Has("code") {
		t.Error("an error redirect carries a code")
	}
}

// AssertJSONError checks error channel 3: RFC 6749 §5.2 JSON, no-store.
func AssertJSONError(t testing.TB, resp *http.Response, body string, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d (%s)", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("body is not JSON: %q", body)
	}
	if out["error"] != code {
		t.Errorf("error = %v (%v), want %q", out["error"], out["error_description"], code)
	}
	if d, _ := out["error_description"].(string); d == "" {
		t.Errorf("error_description missing in %s", body)
	}
}
