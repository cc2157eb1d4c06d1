// Package apptest runs the whole emulator (package app) behind a real HTTP
// server on a loopback port, for end-to-end tests of the authorisation
// server, the control API and the app itself, and holds the HTTP helpers
// those tests share: form posts with client credentials, a cookie-keeping
// browser that walks the login and consent pages, control API calls, and
// assertions for the authorisation server's three error channels.
//
// It is test support: only _test.go files import it. Every helper that
// takes a testing.TB marks itself as a helper and fails the test with
// t.Fatal (or t.Error, for assertions) when the emulator's answer is not
// the expected one.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// DemoCallback is the redirect URI of the demo clients that the tests use.
const DemoCallback = "http://localhost:3000/callback"

// Emulator is an in-process emulator behind a real HTTP server. The
// embedded app.Loopback gives the tests its URL and the App's parts (Store,
// Clock, Auth, ...).
type Emulator struct {
	*app.Loopback
	// DBPath is the SQLite file, for tests that restart on the same database.
	DBPath  string
	stopped bool
}

// Start starts the emulator on a loopback port with a fresh database (or
// dbPath, if given, to test restarts) and stops it when the test ends. edit
// may change the configuration after its address and public URL point at
// the port.
func Start(t testing.TB, dbPath string, edit ...func(*config.Config)) *Emulator {
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
	emu := &Emulator{Loopback: lb, DBPath: dbPath}
	t.Cleanup(emu.Stop)
	return emu
}

// Stop closes the emulator (once), for restart tests and cleanup.
func (e *Emulator) Stop() {
	if !e.stopped {
		e.stopped = true
		e.Close()
	}
}

// OAuthConfig is the demo client's golang.org/x/oauth2 configuration.
func (e *Emulator) OAuthConfig(scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     seed.DemoClientID,
		ClientSecret: seed.DemoClientSecret,
		RedirectURL:  DemoCallback,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  e.URL + "/oauth/authorize",
			TokenURL: e.URL + "/oauth/token",
		},
	}
}

// AuthorizeURL is the authorisation endpoint with query q.
func (e *Emulator) AuthorizeURL(q url.Values) string { return e.URL + "/oauth/authorize?" + q.Encode() }

// AuthorizeCode runs the whole browser flow as the admin for the Denmark
// company and returns the code and the PKCE verifier.
func (e *Emulator) AuthorizeCode(t testing.TB, conf *oauth2.Config, opts ...oauth2.AuthCodeOption) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	b := NewBrowser(t)
	page := b.Login(e.URL, conf.AuthCodeURL("st-1", append(opts, oauth2.S256ChallengeOption(verifier))...), seed.AdminEmail, seed.DemoPassword)
	back := b.Decide(e.URL, page, "approve", "urn:pleo:company:"+seed.DenmarkID)
	if back.Query().Get("state") != "st-1" || back.Query().Get("code") == "" {
		t.Fatalf("callback %s", back)
	}
	return back.Query().Get("code"), verifier
}

// TokenPair runs the flow and exchanges the code.
func (e *Emulator) TokenPair(t testing.TB, scopes ...string) (*oauth2.Config, *oauth2.Token) {
	t.Helper()
	conf := e.OAuthConfig(scopes...)
	code, verifier := e.AuthorizeCode(t, conf)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return conf, tok
}

// Introspect asks the introspection endpoint about token as the demo client.
func (e *Emulator) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	_, info := e.introspect(t, seed.DemoClientID, seed.DemoClientSecret, token)
	return info
}

// IntrospectAs asks the introspection endpoint about token as client id
// and checks that the answer may not be stored (Cache-Control: no-store).
func (e *Emulator) IntrospectAs(t testing.TB, id, secret, token string) map[string]any {
	t.Helper()
	resp, info := e.introspect(t, id, secret, token)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("introspection Cache-Control = %q", cc)
	}
	return info
}

// introspect asks about token as client id, fails the test unless the
// answer is a 200 with a JSON body, and returns the answer and that body.
func (e *Emulator) introspect(t testing.TB, id, secret, token string) (*http.Response, map[string]any) {
	t.Helper()
	resp, body := PostForm(t, e.URL+"/oauth/token/introspect", url.Values{"token": {token}}, id, secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect: %d %s", resp.StatusCode, body)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// Send sends one request with header and contentType (when not empty) and
// returns the answer with its body read. A body that is not a
// *strings.Reader (or another reader whose length http.NewRequest knows)
// is sent chunked.
func Send(t testing.TB, method, u, contentType string, header http.Header, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return resp, ReadBody(t, resp)
}

// PostForm sends a form to the emulator with Basic credentials, when
// basicUser is not empty, form-encoded as RFC 6749 §2.3.1 asks.
func PostForm(t testing.TB, u string, form url.Values, basicUser, basicPass string) (*http.Response, string) {
	t.Helper()
	var header http.Header
	if basicUser != "" {
		header = http.Header{"Authorization": {Basic(basicUser, basicPass)}}
	}
	return Send(t, http.MethodPost, u, FormType, header, strings.NewReader(form.Encode()))
}

// ReadBody reads and closes resp's body.
func ReadBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
