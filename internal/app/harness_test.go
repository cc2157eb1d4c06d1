package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// emulator is an in-process emulator behind a real HTTP server.
type emulator struct {
	*app.Loopback
	dbPath  string
	stopped bool
}

// startEmulator starts the emulator on a loopback port with a fresh database
// (or dbPath, if given, to test restarts). edit may change the configuration.
func startEmulator(t testing.TB, dbPath string, edit ...func(*config.Config)) *emulator {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "emulator.db")
	}
	cfg := config.Default()
	cfg.DB = dbPath
	lb, err := app.StartLoopback(context.Background(), cfg, slog.New(slog.DiscardHandler), edit...)
	if err != nil {
		t.Fatal(err)
	}
	emu := &emulator{Loopback: lb, dbPath: dbPath}
	t.Cleanup(emu.stop)
	return emu
}

// stop closes the emulator (once), for restart tests and cleanup.
func (e *emulator) stop() {
	if !e.stopped {
		e.stopped = true
		e.Close()
	}
}

// oauthConfig is the demo client's golang.org/x/oauth2 configuration.
func (e *emulator) oauthConfig(scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     seed.DemoClientID,
		ClientSecret: seed.DemoClientSecret,
		RedirectURL:  "http://localhost:3000/callback",
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  e.URL + "/oauth/authorize",
			TokenURL: e.URL + "/oauth/token",
		},
	}
}

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests walk the flow hop by hop.
type browser struct {
	t *testing.T
	*http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches u and returns the response with its body read.
func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readBody(b.t, resp)
}

// post submits a form.
func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, readBody(b.t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var hiddenField = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

// formFields extracts the hidden inputs of an HTML page.
func formFields(html string) url.Values {
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(html, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(s)
}

// location returns the redirect target of resp resolved against base.
func location(t *testing.T, resp *http.Response, base string) *url.URL {
	t.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatalf("status %d without Location", resp.StatusCode)
	}
	b, _ := url.Parse(base)
	u, err := b.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// login walks from an authorize URL through the login page to the consent
// page and returns the consent page's HTML.
func (b *browser) login(emuURL, authorizeURL, email, password string) string {
	b.t.Helper()
	resp, _ := b.get(authorizeURL)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		b.t.Fatalf("authorize without session: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := b.get(location(b.t, resp, emuURL).String())
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("login page: %d", resp.StatusCode)
	}
	form := formFields(page)
	form.Set("email", email)
	form.Set("password", password)
	resp, _ = b.post(emuURL+"/login", form)
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login: status %d", resp.StatusCode)
	}
	resp, page = b.get(location(b.t, resp, emuURL).String())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="decision"`) {
		b.t.Fatalf("consent page: status %d", resp.StatusCode)
	}
	return page
}

// decide posts the consent form and returns the redirect back to the client.
func (b *browser) decide(emuURL, consentPage, decision, subjectURN string) *url.URL {
	b.t.Helper()
	form := formFields(consentPage)
	form.Set("decision", decision)
	if subjectURN != "" {
		form.Set("subject", subjectURN)
	}
	resp, body := b.post(emuURL+"/oauth/consent", form)
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("consent: status %d: %s", resp.StatusCode, body)
	}
	return location(b.t, resp, emuURL)
}

// authorizeCode runs the whole browser flow as the admin for the Denmark
// company and returns the code and the PKCE verifier.
func (e *emulator) authorizeCode(t *testing.T, conf *oauth2.Config, opts ...oauth2.AuthCodeOption) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	b := newBrowser(t)
	page := b.login(e.URL, conf.AuthCodeURL("st-1", append(opts, oauth2.S256ChallengeOption(verifier))...), seed.AdminEmail, seed.DemoPassword)
	back := b.decide(e.URL, page, "approve", "urn:pleo:company:"+seed.DenmarkID)
	if back.Query().Get("state") != "st-1" || back.Query().Get("code") == "" {
		t.Fatalf("callback %s", back)
	}
	return back.Query().Get("code"), verifier
}

// tokenPair runs the flow and exchanges the code.
func (e *emulator) tokenPair(t *testing.T, scopes ...string) (*oauth2.Config, *oauth2.Token) {
	t.Helper()
	conf := e.oauthConfig(scopes...)
	code, verifier := e.authorizeCode(t, conf)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return conf, tok
}

// postForm sends a form to the emulator with optional Basic credentials.
func postForm(t *testing.T, u string, form url.Values, basicUser, basicPass string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}
