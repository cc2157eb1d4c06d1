package app_test

// Negative end-to-end tests for the authorisation server: every go-oauth2
// pitfall in the design notes and every error of the authorisation-server
// issue, each asserting the channel (HTML error page, redirect to the
// client, or JSON), the HTTP status and the exact RFC 6749 error code.
// Token, introspection and revocation cases live in negative_token_test.go.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

const (
	demoCallback = "http://localhost:3000/callback"

	// restrictedClient may only ask for users:read and has one redirect URI.
	restrictedClient   = "restricted-client"
	restrictedSecret   = "restricted-secret"
	restrictedCallback = "http://localhost:4000/cb"
	// otherClient is a second confidential client sharing the demo client's redirect URI.
	otherClient = "other-client"
	otherSecret = "other-secret"
	// specialClient's secret has every character that form encoding treats specially.
	specialClient = "special-client"
	specialSecret = "a+b/c=d:e%f%2Bg h&i?"
	// noPKCEClient is a confidential client for which PKCE is optional.
	noPKCEClient = "nopkce-client"
	noPKCESecret = "nopkce-secret"
)

// extraClients registers the clients above through the config file's additions.
func extraClients(c *config.Config) {
	no := false
	all := oauthdomain.ScopeNames()
	c.Additions.Clients = append(c.Additions.Clients,
		config.ClientSpec{ID: restrictedClient, Name: "Restricted App", Secret: restrictedSecret,
			RedirectURIs: []string{restrictedCallback}, Scopes: []string{"users:read"}},
		config.ClientSpec{ID: otherClient, Name: "Other App", Secret: otherSecret, RedirectURIs: []string{demoCallback}, Scopes: all},
		config.ClientSpec{ID: specialClient, Name: "Special App", Secret: specialSecret, RedirectURIs: []string{demoCallback}, Scopes: all},
		config.ClientSpec{ID: noPKCEClient, Name: "No PKCE App", Secret: noPKCESecret, PKCERequired: &no,
			RedirectURIs: []string{demoCallback}, Scopes: all},
	)
}

// signIn returns a browser with a login session for email.
func signIn(t *testing.T, e *emulator, email string) *browser {
	t.Helper()
	b := newBrowser(t)
	_, page := b.get(e.URL + "/login")
	form := formFields(page)
	form.Set("email", email)
	form.Set("password", seed.DemoPassword)
	if resp, body := b.post(e.URL+"/login", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %s", email, resp.StatusCode, body)
	}
	return b
}

// validAuthorizeQuery is a correct authorisation request of the demo client.
func validAuthorizeQuery() url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {seed.DemoClientID},
		"redirect_uri":          {demoCallback},
		"scope":                 {"users:read"},
		"state":                 {"st-neg"},
		"code_challenge":        {oauthdomain.S256Challenge(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
}

func authorizeURL(e *emulator, q url.Values) string { return e.URL + "/oauth/authorize?" + q.Encode() }

// Edits of a query for the tables.
func set(k, v string) func(url.Values) { return func(q url.Values) { q.Set(k, v) } }
func add(k, v string) func(url.Values) { return func(q url.Values) { q.Add(k, v) } }
func del(ks ...string) func(url.Values) {
	return func(q url.Values) {
		for _, k := range ks {
			q.Del(k)
		}
	}
}
func edits(fs ...func(url.Values)) func(url.Values) {
	return func(q url.Values) {
		for _, f := range fs {
			f(q)
		}
	}
}

// assertErrorPage checks channel 1: an HTML error page with the given
// status, no Location header, the anti-framing and no-store headers, and
// the OAuth error code shown on the page.
// untrustedURL matches an attribute that would make the browser follow or
// load an attacker's URL.
var untrustedURL = regexp.MustCompile(`(?i)(href|src|action|formaction)="[^"]*evil`)

func assertErrorPage(t *testing.T, resp *http.Response, body string, status int, code string) {
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
	assertPageSecurityHeaders(t, resp)
	if code != "" && !strings.Contains(body, "<code>"+code+"</code>") {
		t.Errorf("page does not show error code %q:\n%s", code, body)
	}
	// The received redirect URI may be shown as text, to compare with the
	// registered ones, but never as a link, image or form target.
	if strings.Contains(body, `href="http`) || untrustedURL.MatchString(body) {
		t.Errorf("error page links to the untrusted redirect URI:\n%s", body)
	}
}

func assertPageSecurityHeaders(t *testing.T, resp *http.Response) {
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

// assertRedirectError checks channel 2: a 302 to exactly redirectURI with
// error, a non-empty error_description and the original state, and no code.
func assertRedirectError(t *testing.T, resp *http.Response, redirectURI, code, state string) {
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

// assertJSONError checks channel 3: RFC 6749 §5.2 JSON, no-store.
func assertJSONError(t *testing.T, resp *http.Response, body string, status int, code string) {
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

// TestAuthorizeUntrustedClientOrRedirectURIShowsPage pins the first error
// channel: until client_id and redirect_uri are verified, every error is an
// HTML page with status 400 and no redirect, and the login redirect never
// comes first (go-oauth2 pitfalls: suffix redirect match, redirect to the
// attacker's URI, login before validation).
func TestAuthorizeUntrustedClientOrRedirectURIShowsPage(t *testing.T) {
	e := startEmulator(t, "", extraClients)
	cases := []struct {
		name string
		edit func(url.Values)
		code string
	}{
		{"missing client_id", del("client_id"), "invalid_request"},
		{"empty client_id", set("client_id", ""), "invalid_request"},
		{"unknown client_id", set("client_id", "no-such-client"), "invalid_client"},
		{"client_id in another case", set("client_id", "Demo-Client"), "invalid_client"},
		{"unknown client_id with an attacker's redirect_uri", edits(set("client_id", "no-such-client"), set("redirect_uri", "https://evil.example/cb")), "invalid_client"},
		{"client_id twice", add("client_id", seed.DemoClientID), "invalid_request"},
		{"client_id twice, different", add("client_id", otherClient), "invalid_request"},
		{"redirect_uri twice", add("redirect_uri", demoCallback), "invalid_request"},
		{"redirect_uri twice, second foreign", add("redirect_uri", "https://evil.example/cb"), "invalid_request"},
		{"redirect_uri omitted while the client has several", del("redirect_uri"), "invalid_request"},
		{"redirect_uri empty while the client has several", set("redirect_uri", ""), "invalid_request"},
		{"redirect_uri not registered", set("redirect_uri", "https://evil.example/callback"), "invalid_request"},
		{"redirect_uri of another client", set("redirect_uri", restrictedCallback), "invalid_request"},
		{"suffix: path traversal", set("redirect_uri", demoCallback+"/../evil"), "invalid_request"},
		{"suffix: longer path", set("redirect_uri", demoCallback+"x"), "invalid_request"},
		{"suffix: sub path", set("redirect_uri", demoCallback+"/evil"), "invalid_request"},
		{"suffix: query", set("redirect_uri", demoCallback+"?x=1"), "invalid_request"},
		{"suffix: fragment", set("redirect_uri", demoCallback+"#evil"), "invalid_request"},
		{"suffix: encoded traversal", set("redirect_uri", demoCallback+"%2F..%2Fevil"), "invalid_request"},
		{"path case", set("redirect_uri", "http://localhost:3000/Callback"), "invalid_request"},
		{"host case", set("redirect_uri", "http://LOCALHOST:3000/callback"), "invalid_request"},
		{"scheme case", set("redirect_uri", "HTTP://localhost:3000/callback"), "invalid_request"},
		{"trailing slash", set("redirect_uri", demoCallback+"/"), "invalid_request"},
		{"other port", set("redirect_uri", "http://localhost:3001/callback"), "invalid_request"},
		{"no port", set("redirect_uri", "http://localhost/callback"), "invalid_request"},
		{"https instead of http", set("redirect_uri", "https://localhost:3000/callback"), "invalid_request"},
		{"host sharing a suffix", set("redirect_uri", "http://evil-localhost:3000/callback"), "invalid_request"},
		{"registered host as a subdomain", set("redirect_uri", "http://localhost.evil.example:3000/callback"), "invalid_request"},
		{"userinfo", set("redirect_uri", "http://evil@localhost:3000/callback"), "invalid_request"},
		{"trailing space", set("redirect_uri", demoCallback+" "), "invalid_request"},
		{"relative", set("redirect_uri", "/callback"), "invalid_request"},
		// Validation of the client comes before everything else, even before
		// errors that would otherwise be redirected.
		{"bad redirect_uri and bad response_type", edits(set("redirect_uri", "https://evil.example/cb"), set("response_type", "token")), "invalid_request"},
		{"bad redirect_uri and unknown scope", edits(set("redirect_uri", "https://evil.example/cb"), set("scope", "openid")), "invalid_request"},
	}
	sessions := map[string]*browser{"no session": newBrowser(t), "signed in": signIn(t, e, seed.AdminEmail)}
	for sname, b := range sessions {
		// Control: the valid request reaches login or consent.
		resp, _ := b.get(authorizeURL(e, validAuthorizeQuery()))
		if sname == "no session" && (resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?")) {
			t.Fatalf("valid request without session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if sname == "signed in" && resp.StatusCode != http.StatusOK {
			t.Fatalf("valid request with session: %d", resp.StatusCode)
		}
		for _, tc := range cases {
			t.Run(sname+"/"+tc.name, func(t *testing.T) {
				q := validAuthorizeQuery()
				tc.edit(q)
				resp, body := b.get(authorizeURL(e, q))
				assertErrorPage(t, resp, body, http.StatusBadRequest, tc.code)
			})
		}
	}
}

// TestAuthorizeErrorsAfterValidationRedirect pins the second error channel:
// once the client and redirect URI are trusted, errors go back to the
// registered redirect URI with error, error_description and state, before
// any login (go-oauth2 pitfalls: implicit on by default, plain PKCE).
func TestAuthorizeErrorsAfterValidationRedirect(t *testing.T) {
	e := startEmulator(t, "", extraClients)
	verifier := oauth2.GenerateVerifier()
	restricted := func(q url.Values) {
		q.Set("client_id", restrictedClient)
		q.Set("redirect_uri", restrictedCallback)
	}
	cases := []struct {
		name     string
		edit     func(url.Values)
		code     string
		redirect string // default demoCallback
		state    string // default st-neg
	}{
		{"response_type missing", del("response_type"), "invalid_request", "", ""},
		{"response_type empty", set("response_type", ""), "invalid_request", "", ""},
		{"response_type token (implicit)", set("response_type", "token"), "unsupported_response_type", "", ""},
		{"response_type code token (hybrid)", set("response_type", "code token"), "unsupported_response_type", "", ""},
		{"response_type id_token", set("response_type", "id_token"), "unsupported_response_type", "", ""},
		{"response_type in upper case", set("response_type", "CODE"), "unsupported_response_type", "", ""},
		{"response_type twice", add("response_type", "code"), "invalid_request", "", ""},
		{"scope missing", del("scope"), "invalid_scope", "", ""},
		{"scope blank", set("scope", "   "), "invalid_scope", "", ""},
		{"unknown scope", set("scope", "users:write"), "invalid_scope", "", ""},
		{"unknown scope among known ones", set("scope", "users:read openid"), "invalid_scope", "", ""},
		{"scope in another case", set("scope", "USERS:READ"), "invalid_scope", "", ""},
		{"scope not allowed for the client", edits(restricted, set("scope", "users:read export-jobs:read")), "invalid_scope", restrictedCallback, ""},
		{"redirect_uri omitted, client has exactly one", edits(restricted, del("redirect_uri"), set("scope", "export-jobs:read")), "invalid_scope", restrictedCallback, ""},
		{"scope twice", add("scope", "users:read"), "invalid_request", "", ""},
		{"state twice: the first is echoed", add("state", "st-second"), "invalid_request", "", ""},
		{"PKCE missing for a PKCE-required client", del("code_challenge", "code_challenge_method"), "invalid_request", "", ""},
		{"PKCE missing, restricted client", edits(restricted, del("code_challenge", "code_challenge_method")), "invalid_request", restrictedCallback, ""},
		{"plain method", edits(set("code_challenge_method", "plain"), set("code_challenge", verifier)), "invalid_request", "", ""},
		{"plain method with an S256-shaped challenge", set("code_challenge_method", "plain"), "invalid_request", "", ""},
		{"plain method where PKCE is optional", edits(set("client_id", noPKCEClient), set("code_challenge_method", "plain"), set("code_challenge", verifier)), "invalid_request", "", ""},
		{"method missing with a challenge (defaults to plain)", del("code_challenge_method"), "invalid_request", "", ""},
		{"method in lower case", set("code_challenge_method", "s256"), "invalid_request", "", ""},
		{"unknown method", set("code_challenge_method", "S512"), "invalid_request", "", ""},
		{"method without a challenge", del("code_challenge"), "invalid_request", "", ""},
		{"method without a challenge where PKCE is optional", edits(set("client_id", noPKCEClient), del("code_challenge")), "invalid_request", "", ""},
		{"method twice", add("code_challenge_method", "S256"), "invalid_request", "", ""},
		{"challenge twice", add("code_challenge", oauthdomain.S256Challenge(verifier)), "invalid_request", "", ""},
		{"challenge 42 characters", set("code_challenge", oauthdomain.S256Challenge(verifier)[:42]), "invalid_request", "", ""},
		{"challenge 44 characters", set("code_challenge", oauthdomain.S256Challenge(verifier)+"A"), "invalid_request", "", ""},
		{"challenge padded", set("code_challenge", oauthdomain.S256Challenge(verifier)+"="), "invalid_request", "", ""},
		{"challenge with standard base64 characters", set("code_challenge", strings.Repeat("+/", 21)+"A"), "invalid_request", "", ""},
		{"challenge with a space", set("code_challenge", strings.Repeat("a", 42)+" "), "invalid_request", "", ""},
		{"challenge is a 128-character verifier", set("code_challenge", strings.Repeat("a", 128)), "invalid_request", "", ""},
		{"subject not a URN", set("urn_pleo_params_oauth_subject", seed.DenmarkID), "invalid_request", "", ""},
		{"subject with a bad UUID", set("urn_pleo_params_oauth_subject", "urn:pleo:company:not-a-uuid"), "invalid_request", "", ""},
		{"subject of an unknown kind", set("urn_pleo_params_oauth_subject", "urn:pleo:user:"+seed.AdminUserID), "invalid_request", "", ""},
		{"subject without urn prefix", set("urn_pleo_params_oauth_subject", "company:"+seed.DenmarkID), "invalid_request", "", ""},
		{"subject twice", edits(set("urn_pleo_params_oauth_subject", "urn:pleo:company:"+seed.DenmarkID), add("urn_pleo_params_oauth_subject", "urn:pleo:company:"+seed.SwedenID)), "invalid_request", "", ""},
		{"no state: none echoed", edits(del("state"), set("response_type", "token")), "unsupported_response_type", "", "-"},
		{"state with special characters", edits(set("state", "a b&c=d/é"), set("response_type", "token")), "unsupported_response_type", "", "a b&c=d/é"},
	}
	sessions := map[string]*browser{"no session": newBrowser(t), "signed in": signIn(t, e, seed.AdminEmail)}
	for sname, b := range sessions {
		for _, tc := range cases {
			t.Run(sname+"/"+tc.name, func(t *testing.T) {
				q := validAuthorizeQuery()
				tc.edit(q)
				redirect, state := tc.redirect, tc.state
				if redirect == "" {
					redirect = demoCallback
				}
				switch state {
				case "":
					state = "st-neg"
				case "-":
					state = ""
				}
				resp, _ := b.get(authorizeURL(e, q))
				assertRedirectError(t, resp, redirect, tc.code, state)
			})
		}
	}
	// Control: PKCE is optional for noPKCEClient, so omitting it passes validation.
	q := validAuthorizeQuery()
	q.Set("client_id", noPKCEClient)
	del("code_challenge", "code_challenge_method")(q)
	if resp, _ := sessions["signed in"].get(authorizeURL(e, q)); resp.StatusCode != http.StatusOK {
		t.Errorf("PKCE-optional client without PKCE: status %d, want the consent page", resp.StatusCode)
	}
}

func TestConsentCSRFAndDoubleSubmit(t *testing.T) {
	e := startEmulator(t, "")
	b := signIn(t, e, seed.AdminEmail)
	resp, page := b.get(authorizeURL(e, validAuthorizeQuery()))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	assertPageSecurityHeaders(t, resp)
	form := formFields(page)
	form.Set("decision", "approve")
	form.Set("subject", "urn:pleo:company:"+seed.DenmarkID)

	for name, token := range map[string]string{"missing": "", "wrong": strings.Repeat("x", 43)} {
		forged := url.Values{}
		for k, v := range form {
			forged[k] = v
		}
		if token == "" {
			forged.Del("csrf_token")
		} else {
			forged.Set("csrf_token", token)
		}
		resp, body := b.post(e.URL+"/oauth/consent", forged)
		t.Run("csrf "+name, func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusForbidden, "invalid_request") })
	}
	// A cross-site post carries no cookies at all (SameSite=Lax).
	resp, body := newBrowser(t).post(e.URL+"/oauth/consent", form)
	t.Run("no cookies", func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusForbidden, "invalid_request") })

	// The refused posts did not consume the request: the real one works once.
	resp, body = b.post(e.URL+"/oauth/consent", form)
	if resp.StatusCode != http.StatusFound || location(t, resp, e.URL).Query().Get("code") == "" {
		t.Fatalf("approval: %d %s", resp.StatusCode, body)
	}
	resp, body = b.post(e.URL+"/oauth/consent", form)
	t.Run("double submit", func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_request") })
	form.Set("decision", "deny")
	resp, body = b.post(e.URL+"/oauth/consent", form)
	t.Run("deny after approve", func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_request") })
	form.Set("request", "no-such-request")
	resp, body = b.post(e.URL+"/oauth/consent", form)
	t.Run("unknown request", func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_request") })
}

func TestConsentRequestExpires(t *testing.T) {
	e := startEmulator(t, "")
	b := signIn(t, e, seed.AdminEmail)
	_, page := b.get(authorizeURL(e, validAuthorizeQuery()))
	form := formFields(page)
	form.Set("decision", "approve")
	form.Set("subject", "urn:pleo:company:"+seed.DenmarkID)
	e.Clock.Advance(31 * time.Minute)
	resp, body := b.post(e.URL+"/oauth/consent", form)
	assertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_request")
}

// loginPost posts the login form with a fresh CSRF token from GET /login.
func loginPost(t *testing.T, e *emulator, b *browser, email, password, cont string) (*http.Response, string) {
	t.Helper()
	_, page := b.get(e.URL + "/login")
	form := formFields(page)
	form.Set("email", email)
	form.Set("password", password)
	form.Set("continue", cont)
	return b.post(e.URL+"/login", form)
}

var loginAlert = `role="alert" id="login-error">`

func alertText(body string) string {
	_, after, ok := strings.Cut(body, loginAlert)
	if !ok {
		return ""
	}
	text, _, _ := strings.Cut(after, "<")
	return text
}

func TestLoginCSRF(t *testing.T) {
	e := startEmulator(t, "")
	creds := url.Values{"email": {seed.AdminEmail}, "password": {seed.DemoPassword}, "continue": {"/"}}
	// No cookie and no token.
	resp, _ := newBrowser(t).post(e.URL+"/login", creds)
	if resp.StatusCode != http.StatusForbidden || len(sessionCookies(resp)) != 0 {
		t.Errorf("login without CSRF: %d, session cookie %v", resp.StatusCode, sessionCookies(resp))
	}
	assertPageSecurityHeaders(t, resp)
	// A cookie but a missing or wrong token.
	b := newBrowser(t)
	_, page := b.get(e.URL + "/login")
	good := formFields(page).Get("csrf_token")
	for name, tok := range map[string]string{"missing": "", "wrong": strings.Repeat("y", len(good)), "truncated": good[:len(good)-1]} {
		form := url.Values{"email": creds["email"], "password": creds["password"]}
		if tok != "" {
			form.Set("csrf_token", tok)
		}
		if resp, _ := b.post(e.URL+"/login", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("login with %s CSRF token: %d", name, resp.StatusCode)
		}
	}
	// The right token but no cookie (another browser).
	form := url.Values{"email": creds["email"], "password": creds["password"], "csrf_token": {good}}
	if resp, _ := newBrowser(t).post(e.URL+"/login", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a token but no cookie: %d", resp.StatusCode)
	}
}

func sessionCookies(resp *http.Response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "pleo_emulator_session" && c.MaxAge >= 0 && c.Value != "" {
			out = append(out, c)
		}
	}
	return out
}

func TestLoginFailuresAreGenericAndThrottled(t *testing.T) {
	e := startEmulator(t, "")
	b := newBrowser(t)
	wrongPW, wrongPWBody := loginPost(t, e, b, seed.AdminEmail, "not-the-password", "/")
	unknown, unknownBody := loginPost(t, e, b, "nobody@acme.test", seed.DemoPassword, "/")
	if wrongPW.StatusCode != unknown.StatusCode || wrongPW.StatusCode != http.StatusUnauthorized {
		t.Errorf("statuses: wrong password %d, unknown email %d; want the same 401", wrongPW.StatusCode, unknown.StatusCode)
	}
	if a, u := alertText(wrongPWBody), alertText(unknownBody); a == "" || a != u {
		t.Errorf("messages differ: wrong password %q, unknown email %q", a, u)
	}
	if len(sessionCookies(wrongPW))+len(sessionCookies(unknown)) != 0 {
		t.Error("a failed login set a session cookie")
	}

	// Four more failures for the admin (five in all), with varying case.
	for i := range 4 {
		email := seed.AdminEmail
		if i%2 == 1 {
			email = strings.ToUpper(email)
		}
		if resp, _ := loginPost(t, e, b, email, "wrong", "/"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+2, resp.StatusCode)
		}
	}
	resp, body := loginPost(t, e, b, seed.AdminEmail, seed.DemoPassword, "/")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt with the right password: %d, want 429", resp.StatusCode)
	}
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" || strings.ContainsFunc(ra, func(r rune) bool { return r < '0' || r > '9' }) {
		t.Errorf("Retry-After = %q", ra)
	}
	if len(sessionCookies(resp)) != 0 || alertText(body) == "" {
		t.Error("throttled login set a session or showed no message")
	}
	// The throttle is per email: another user still signs in.
	if resp, _ := loginPost(t, e, newBrowser(t), seed.BookkeeperEmail, seed.DemoPassword, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another user during the throttle: %d", resp.StatusCode)
	}
	// It lifts once the window has passed.
	e.Clock.Advance(6 * time.Minute)
	if resp, _ := loginPost(t, e, b, seed.AdminEmail, seed.DemoPassword, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login after the throttle window: %d", resp.StatusCode)
	}
}

func TestLoginContinueIsLocalOnly(t *testing.T) {
	e := startEmulator(t, "")
	for _, cont := range []string{"//evil.example/x", "https://evil.example", `/\evil.example`, `\\evil.example`,
		"/\t/evil.example", "http:evil.example", "javascript:alert(1)", " //evil.example", "///evil.example", "/\\/evil.example", ""} {
		t.Run(cont, func(t *testing.T) {
			// The login page sanitises ?continue= ...
			b := newBrowser(t)
			_, page := b.get(e.URL + "/login?" + url.Values{"continue": {cont}}.Encode())
			if got := formFields(page).Get("continue"); got != "/" {
				t.Errorf("login page continue = %q, want /", got)
			}
			// ... and the POST does too, whatever the form says.
			resp, _ := loginPost(t, e, b, seed.AdminEmail, seed.DemoPassword, cont)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
				t.Errorf("login: %d Location %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
	// Control: a local path is kept.
	resp, _ := loginPost(t, e, newBrowser(t), seed.AdminEmail, seed.DemoPassword, "/oauth/authorize?client_id=x")
	if resp.Header.Get("Location") != "/oauth/authorize?client_id=x" {
		t.Errorf("local continue became %q", resp.Header.Get("Location"))
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		https  bool
		secure bool
	}{{"http public URL", false, false}, {"https public URL", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEmulator(t, "", func(c *config.Config) {
				if tc.https {
					c.PublicURL = strings.Replace(c.PublicURL, "http://", "https://", 1)
				}
			})
			b := newBrowser(t)
			resp, _ := b.get(e.URL + "/login")
			var cookies []*http.Cookie
			cookies = append(cookies, resp.Cookies()...)
			// A Secure cookie is not sent back over http, so post the token with it by hand.
			csrf := findCookie(resp.Cookies(), "pleo_emulator_csrf")
			if csrf == nil {
				t.Fatal("GET /login set no CSRF cookie")
			}
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(url.Values{
				"email": {seed.AdminEmail}, "password": {seed.DemoPassword}, "csrf_token": {csrf.Value}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
			resp, err := newBrowser(t).Do(req) // does not follow the redirect
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			cookies = append(cookies, resp.Cookies()...)
			sess := findCookie(cookies, "pleo_emulator_session")
			if sess == nil {
				t.Fatal("no session cookie")
			}
			for _, c := range []*http.Cookie{sess, csrf} {
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tc.secure || c.Path != "/" {
					t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Secure=%v Path=%q", c.Name, c.HttpOnly, c.SameSite, c.Secure, c.Path)
				}
			}
			if len(sess.Value) < 32 {
				t.Errorf("session ID %q is short", sess.Value)
			}
		})
	}
}

func findCookie(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLogoutCSRF(t *testing.T) {
	e := startEmulator(t, "")
	b := signIn(t, e, seed.AdminEmail)
	resp, page := b.get(authorizeURL(e, validAuthorizeQuery()))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent: %d", resp.StatusCode)
	}
	good := formFields(page).Get("csrf_token")
	for name, form := range map[string]url.Values{"missing": {}, "wrong": {"csrf_token": {strings.Repeat("z", len(good))}}} {
		resp, body := b.post(e.URL+"/logout", form)
		t.Run(name, func(t *testing.T) { assertErrorPage(t, resp, body, http.StatusForbidden, "invalid_request") })
	}
	// Still signed in.
	if resp, _ := b.get(authorizeURL(e, validAuthorizeQuery())); resp.StatusCode != http.StatusOK {
		t.Fatalf("the refused logout ended the session: %d", resp.StatusCode)
	}
	resp, _ = b.post(e.URL+"/logout", url.Values{"csrf_token": {good}, "continue": {"//evil.example"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get(authorizeURL(e, validAuthorizeQuery())); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		t.Fatalf("after logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestMetadata(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*config.Config)
	}{
		{"plain public URL", func(*config.Config) {}},
		{"public URL configured with a trailing slash", func(c *config.Config) { c.PublicURL += "/" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEmulator(t, "", tc.edit)
			resp, body := newBrowser(t).get(e.URL + "/.well-known/oauth-authorization-server")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("metadata: %d", resp.StatusCode)
			}
			var md map[string]any
			if err := json.Unmarshal([]byte(body), &md); err != nil {
				t.Fatal(err)
			}
			if md["issuer"] != e.URL {
				t.Errorf("issuer = %v, want exactly %q", md["issuer"], e.URL)
			}
			for k, path := range map[string]string{
				"authorization_endpoint": "/oauth/authorize", "token_endpoint": "/oauth/token",
				"introspection_endpoint": "/oauth/token/introspect", "revocation_endpoint": "/oauth/revoke",
				"jwks_uri": "/.well-known/jwks.json",
			} {
				if md[k] != e.URL+path {
					t.Errorf("%s = %v, want %s", k, md[k], e.URL+path)
				}
			}
			strs := func(k string) []string {
				var out []string
				for _, v := range md[k].([]any) {
					out = append(out, v.(string))
				}
				return out
			}
			for k, want := range map[string][]string{
				"code_challenge_methods_supported": {"S256"},
				"grant_types_supported":            {"authorization_code", "refresh_token"},
				"response_types_supported":         {"code"},
				"scopes_supported":                 oauthdomain.ScopeNames(),
			} {
				if got := strs(k); !slices.Equal(got, want) {
					t.Errorf("%s = %q, want exactly %q", k, got, want)
				}
			}
			for _, k := range []string{"token_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"} {
				got := strs(k)
				if !slices.Contains(got, "client_secret_basic") || !slices.Contains(got, "client_secret_post") || slices.Contains(got, "client_secret_jwt") {
					t.Errorf("%s = %q", k, got)
				}
			}
		})
	}
}

// TestConsentRequestIsBoundToItsSession: a pending consent request can be
// answered only by the login session that was shown the consent screen.
// SameSite=Lax does not separate ports of one host, and a page on another
// localhost port can plant a CSRF cookie of its own choosing (cookie
// tossing), so the double-submit token alone does not stop a forged
// approval. Here the attacker has a session of their own (the demo
// passwords are public), starts an authorisation for their client and
// gets the victim's browser to approve that request.
func TestConsentRequestIsBoundToItsSession(t *testing.T) {
	e := startEmulator(t, "")
	attacker := signIn(t, e, seed.EmployeeEmail)
	resp, page := attacker.get(authorizeURL(e, validAuthorizeQuery()))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("attacker's consent page: %d", resp.StatusCode)
	}
	planted := formFields(page).Get("request")

	victim := signIn(t, e, seed.AdminEmail)
	_, victimPage := victim.get(authorizeURL(e, validAuthorizeQuery()))
	form := formFields(victimPage) // the victim's own, valid CSRF token
	form.Set("request", planted)
	form.Set("decision", "approve")
	form.Set("subject", "urn:pleo:company:"+seed.DenmarkID)
	resp, body := victim.post(e.URL+"/oauth/consent", form)
	assertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_request")
}
