package authserver_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// fuzzPublicURL is the public URL of the fuzz targets' servers.
const fuzzPublicURL = "http://emulator.test"

// fuzzVerifier is the PKCE verifier of the fuzz seeds; fuzzChallenge is its
// S256 challenge.
const (
	fuzzVerifier  = "fuzz-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
	fuzzChallenge = "oMGBJDm5bwJzWpUdm9sj4DVNHvSsmfAaVkVkxm7HDJE"
)

// fuzzAuthorizeQuery is a valid authorisation request of the demo client.
const fuzzAuthorizeQuery = "response_type=code&client_id=demo-client&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback" +
	"&scope=users%3Aread+export-jobs%3Aread&state=st-1&code_challenge=" + fuzzChallenge + "&code_challenge_method=S256"

// fuzzServers is what the authorisation server's fuzz targets run against:
// one seeded store, a server showing the login and consent screens, a
// server approving every request as the admin, and the admin's session.
type fuzzServers struct {
	st          *store.Store
	screens     *authserver.Server
	autoApprove *authserver.Server
	cookies     []*http.Cookie // the admin's session and CSRF cookies (for screens)
	csrfToken   string
	log         *bytes.Buffer // the servers' log, reset before every input
}

// newFuzzServers builds the servers over a fresh demo database and signs
// the admin in through the login form.
func newFuzzServers(f *testing.F) *fuzzServers {
	f.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(f.TempDir(), "db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	clk := clock.New()
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: fuzzPublicURL, Anchor: clk.Now()})
	}); err != nil {
		f.Fatal(err)
	}
	pages, err := view.New()
	if err != nil {
		f.Fatal(err)
	}
	fs := &fuzzServers{st: st, log: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(fs.log, nil))
	opt := authserver.Options{PublicURL: fuzzPublicURL, APIBaseURL: fuzzPublicURL, CodeTTL: 10 * time.Minute,
		AccessTokenTTL: 15 * time.Minute, RefreshTokenTTL: 24 * time.Hour, SessionTTL: time.Hour}
	if fs.screens, err = authserver.New(ctx, opt, st, clk, pages, nil, logger); err != nil {
		f.Fatal(err)
	}
	opt.AutoApprove = seed.AdminEmail
	if fs.autoApprove, err = authserver.New(ctx, opt, st, clk, pages, nil, logger); err != nil {
		f.Fatal(err)
	}
	fs.signIn(f)
	return fs
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn fetches the login page (for the CSRF cookie and token) and posts
// the admin's credentials, keeping the cookies it is given.
func (fs *fuzzServers) signIn(f *testing.F) {
	f.Helper()
	page := serve(fs.screens.LoginPage, httptest.NewRequest(http.MethodGet, "/login", nil))
	m := csrfField.FindStringSubmatch(string(page.body))
	if page.status != http.StatusOK || m == nil {
		f.Fatalf("login page: status %d", page.status)
	}
	fs.csrfToken = m[1]
	fs.cookies = page.cookies
	form := url.Values{"email": {seed.AdminEmail}, "password": {seed.DemoPassword}, "csrf_token": {fs.csrfToken}, "continue": {"/"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range fs.cookies {
		req.AddCookie(c)
	}
	res := serve(fs.screens.Login, req)
	if res.status != http.StatusSeeOther || len(res.cookies) == 0 {
		f.Fatalf("login: status %d", res.status)
	}
	fs.cookies = append(fs.cookies, res.cookies...)
}

// signedIn adds the admin's cookies to req.
func (fs *fuzzServers) signedIn(req *http.Request) *http.Request {
	for _, c := range fs.cookies {
		req.AddCookie(c)
	}
	return req
}

// registeredURIs returns the redirect URIs of the client with id, or none
// when there is no such client.
func (fs *fuzzServers) registeredURIs(id string) []string {
	c, err := fs.st.Client(context.Background(), id)
	if err != nil {
		return nil
	}
	return c.RedirectURIs
}

// served is one recorded response.
type served struct {
	status  int
	header  http.Header
	body    []byte
	cookies []*http.Cookie
}

// serve runs handler for req in process.
func serve(handler http.HandlerFunc, req *http.Request) served {
	rec := httptest.NewRecorder()
	handler(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return served{status: res.StatusCode, header: res.Header, body: body, cookies: res.Cookies()}
}

// checkBrowserAnswer asserts what every answer of a browser-facing endpoint
// must be: never a 5xx; a redirect only to the login page or to one of
// registered (with the answer in its query); anything else an HTML page.
func checkBrowserAnswer(t *testing.T, res served, registered []string, log *bytes.Buffer) {
	t.Helper()
	if res.status >= 500 {
		t.Fatalf("status %d; body %.300s; log %s", res.status, res.body, log)
	}
	if res.status >= 300 && res.status < 400 {
		checkRedirect(t, res, registered)
		return
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("status %d with content type %q, want an HTML page", res.status, ct)
	}
}

// checkRedirect asserts that a redirect goes to the local login page or to
// a registered redirect URI, never anywhere else.
func checkRedirect(t *testing.T, res served, registered []string) {
	t.Helper()
	if res.status != http.StatusFound && res.status != http.StatusSeeOther {
		t.Fatalf("redirect status %d, want 302 or 303", res.status)
	}
	loc := res.header.Get("Location")
	if strings.HasPrefix(loc, "/login?") {
		return
	}
	base, _, _ := strings.Cut(loc, "?")
	if !slices.Contains(registered, base) {
		t.Fatalf("redirect to %q, which is neither the login page nor a registered redirect URI %q", loc, registered)
	}
	u, err := url.Parse(loc)
	if err != nil || u.Fragment != "" || strings.Contains(loc, "#") {
		t.Fatalf("redirect to %q: not a URL without fragment (%v)", loc, err)
	}
	q := u.Query()
	if q.Get("code") == "" && q.Get("error") == "" {
		t.Fatalf("redirect to %q carries neither code nor error", loc)
	}
}

// FuzzAuthorize proves that GET /oauth/authorize, for any query string,
// signed out, signed in or with auto-approve, never panics or answers 5xx,
// and redirects only to the login page or to a redirect URI registered for
// the client named by client_id; every other answer is an HTML page.
func FuzzAuthorize(f *testing.F) {
	fs := newFuzzServers(f)
	hint := "&urn_pleo_params_oauth_subject=urn%3Apleo%3Acompany%3A" + seed.DenmarkID
	for _, q := range []string{
		fuzzAuthorizeQuery,
		fuzzAuthorizeQuery + hint,
		fuzzAuthorizeQuery + "&urn_pleo_params_oauth_subject=urn%3Apleo%3Aorganization%3A" + seed.OrganizationID,
		fuzzAuthorizeQuery + "&urn_pleo_params_oauth_subject=urn%3Apleo%3Acompany%3Anot-a-uuid",
		strings.Replace(fuzzAuthorizeQuery, "localhost%3A3000", "evil.example", 1),
		strings.Replace(fuzzAuthorizeQuery, "callback", "callback%2F..%2F..%2Fevil", 1),
		strings.Replace(fuzzAuthorizeQuery, "callback", "callback%3Fnext%3Dhttp%3A%2F%2Fevil.example", 1),
		strings.Replace(fuzzAuthorizeQuery, "callback", "callback%23frag", 1),
		strings.Replace(fuzzAuthorizeQuery, "demo-client", "demo-public-client", 1),
		strings.Replace(fuzzAuthorizeQuery, "demo-client", "no-such-client", 1),
		strings.Replace(fuzzAuthorizeQuery, "response_type=code", "response_type=token", 1),
		strings.Replace(fuzzAuthorizeQuery, "S256", "plain", 1),
		strings.Replace(fuzzAuthorizeQuery, "users%3Aread", "admin%3Aall", 1),
		fuzzAuthorizeQuery + "&client_id=demo-public-client",
		fuzzAuthorizeQuery + "&state=again",
		"response_type=code&client_id=demo-client&scope=users%3Aread",
		"client_id=demo-client&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&scope=%20%20&code_challenge=short",
		"client_id=%zz&redirect_uri=%",
		"client_id=demo-client;redirect_uri=http://localhost:3000/callback",
		"",
	} {
		for mode := range uint8(3) {
			f.Add(q, mode)
		}
	}
	f.Fuzz(func(t *testing.T, query string, mode uint8) {
		fs.log.Reset()
		req := httptest.NewRequest(http.MethodGet, "/oauth/authorize", nil)
		req.URL.RawQuery = query
		req.RequestURI = "/oauth/authorize?" + query
		handler := fs.screens.Authorize
		switch mode % 3 {
		case 1:
			fs.signedIn(req)
		case 2:
			handler = fs.autoApprove.Authorize
		}
		res := serve(handler, req)
		checkBrowserAnswer(t, res, fs.registeredURIs(req.URL.Query().Get("client_id")), fs.log)
	})
}

var requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)

// FuzzConsent proves that POST /oauth/consent, for any form body, never
// panics or answers 5xx and redirects only to the demo client's registered
// redirect URIs. Before every input the signed-in admin opens a fresh
// consent screen; "{request}" and "{csrf}" in the body stand for its request
// ID and the CSRF token, so the fuzzer reaches past the form checks.
func FuzzConsent(f *testing.F) {
	fs := newFuzzServers(f)
	dk, org := url.QueryEscape("urn:pleo:company:"+seed.DenmarkID), url.QueryEscape("urn:pleo:organization:"+seed.OrganizationID)
	for _, form := range []string{
		"csrf_token={csrf}&request={request}&decision=approve&subject=" + dk,
		"csrf_token={csrf}&request={request}&decision=approve&subject=" + org,
		"csrf_token={csrf}&request={request}&decision=deny",
		"csrf_token={csrf}&request={request}&decision=approve&subject=urn%3Apleo%3Acompany%3A" + seed.SwedenID,
		"csrf_token={csrf}&request={request}&decision=approve&subject=urn%3Apleo%3Acompany%3A00000000-0000-0000-0000-000000000000",
		"csrf_token={csrf}&request={request}&decision=approve&subject=not-a-urn",
		"csrf_token={csrf}&request={request}&decision=approve",
		"csrf_token={csrf}&request=forged&decision=approve&subject=" + dk,
		"csrf_token=wrong&request={request}&decision=approve&subject=" + dk,
		"csrf_token={csrf}&request={request}&request={request}&decision=approve&decision=deny",
		"csrf_token={csrf}&request={request}&decision=%zz",
		"",
	} {
		f.Add(form)
	}
	f.Fuzz(func(t *testing.T, form string) {
		fs.log.Reset()
		screen := httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+fuzzAuthorizeQuery, nil)
		page := serve(fs.screens.Authorize, fs.signedIn(screen))
		m := requestField.FindStringSubmatch(string(page.body))
		if page.status != http.StatusOK || m == nil {
			t.Fatalf("consent screen: status %d", page.status)
		}
		body := strings.NewReplacer("{request}", m[1], "{csrf}", fs.csrfToken).Replace(form)
		req := httptest.NewRequest(http.MethodPost, "/oauth/consent", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res := serve(fs.screens.Consent, fs.signedIn(req))
		checkBrowserAnswer(t, res, fs.registeredURIs(seed.DemoClientID), fs.log)
	})
}

// The fuzz seeds' PKCE pair must stay a valid pair.
func TestFuzzPKCEPair(t *testing.T) {
	if got := oauth.S256Challenge(fuzzVerifier); got != fuzzChallenge {
		t.Fatalf("S256(%q) = %q, want %q", fuzzVerifier, got, fuzzChallenge)
	}
}
