package config_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// exampleDir holds the config files people copy; the README quotes example.yaml.
const exampleDir = "../../testdata/config"

// exampleCase says how to start an example and what it must have created.
type exampleCase struct {
	// edit changes the loaded configuration before the start, for checks
	// that need more than the file alone (such as a headless approval).
	edit  func(*config.Config)
	check func(t *testing.T, lb *app.Loopback)
}

// examples lists every file of exampleDir; a file without a case fails.
var examples = map[string]exampleCase{
	"example.yaml":                    {check: checkExample},
	"example.json":                    {check: checkExample},
	"spa-public-client.yaml":          {edit: autoApproveAs(seed.AdminEmail), check: checkSPA},
	"multi-company-organization.yaml": {edit: autoApproveAs("group-admin@initech.test"), check: checkOrganization},
	"ci-auto-approve.yaml":            {check: checkCI},
}

func autoApproveAs(email string) func(*config.Config) {
	return func(c *config.Config) { c.AutoApprove = email }
}

// loadExample loads an example the way serve does, on a fresh database.
func loadExample(t *testing.T, name string) config.Config {
	t.Helper()
	db := filepath.Join(t.TempDir(), "emulator.db")
	c, err := config.Load("serve", []string{"--config", filepath.Join(exampleDir, name), "--db", db}, env(nil), io.Discard)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return c
}

func TestExampleConfigsLoadAndStart(t *testing.T) {
	entries, err := os.ReadDir(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
		if _, ok := examples[e.Name()]; !ok {
			t.Errorf("%s/%s has no test case: add it to examples", exampleDir, e.Name())
		}
	}
	for name := range examples {
		if !slices.Contains(files, name) {
			t.Errorf("example %s is missing from %s", name, exampleDir)
		}
	}
	for _, name := range files {
		tc, ok := examples[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			cfg := loadExample(t, name)
			var edits []func(*config.Config)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			lb, err := app.StartLoopback(t.Context(), cfg, slog.New(slog.DiscardHandler), edits...)
			if err != nil {
				t.Fatalf("start with %s: %v", name, err)
			}
			t.Cleanup(func() { lb.Close() })
			if resp, body := send(t, lb, http.MethodGet, "/readyz", nil, nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("readyz: %d %s", resp.StatusCode, body)
			}
			tc.check(t, lb)
		})
	}
}

func TestExampleYAMLAndJSONAreTheSameConfiguration(t *testing.T) {
	y, j := loadExample(t, "example.yaml"), loadExample(t, "example.json")
	y.ConfigFile, j.ConfigFile, y.DB, j.DB = "", "", "", ""
	if !reflect.DeepEqual(y, j) {
		t.Errorf("example.yaml and example.json differ:\nyaml %+v\njson %+v", y, j)
	}
	if y.LogLevel != "debug" || len(y.Additions.Clients) != 1 || len(y.Additions.Users) != 1 {
		t.Errorf("example.yaml lost its settings: %+v", y)
	}
}

// readmeExampleMarker is the link the README puts right before its quote of
// example.yaml.
const readmeExampleMarker = "(testdata/config/example.yaml)"

func TestREADMEQuotesTheExampleConfigByteForByte(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(exampleDir, "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	quoted, err := quotedBlockAfter(readme, readmeExampleMarker, "yaml")
	if err != nil {
		t.Fatalf("README: %v", err)
	}
	if !bytes.Equal(quoted, file) {
		t.Errorf("the README's quote of testdata/config/example.yaml differs from the file; copy the file into the README.\nREADME:\n%s\nfile:\n%s", quoted, file)
	}
	// Every other example is at least named, so people find it.
	entries, err := os.ReadDir(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !bytes.Contains(readme, []byte("testdata/config/"+e.Name())) {
			t.Errorf("the README does not mention testdata/config/%s", e.Name())
		}
	}
}

// quotedBlockAfter returns the body of the first fenced code block of the
// given language after marker, with its final newline.
func quotedBlockAfter(doc []byte, marker, lang string) ([]byte, error) {
	_, rest, ok := bytes.Cut(doc, []byte(marker))
	if !ok {
		return nil, errorString("no " + marker)
	}
	_, rest, ok = bytes.Cut(rest, []byte("\n```"+lang+"\n"))
	if !ok {
		return nil, errorString("no ```" + lang + " block after " + marker)
	}
	body, _, ok := bytes.Cut(rest, []byte("\n```\n"))
	if !ok {
		return nil, errorString("the ```" + lang + " block after " + marker + " does not end")
	}
	return append(body, '\n'), nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestQuotedBlockAfter(t *testing.T) {
	doc := []byte("intro\n```yaml\nnot: this\n```\nSee [x](testdata/config/example.yaml):\n\n```yaml\na: 1\nb: 2\n```\n\nmore\n")
	got, err := quotedBlockAfter(doc, readmeExampleMarker, "yaml")
	if err != nil || string(got) != "a: 1\nb: 2\n" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, bad := range []string{"no marker\n```yaml\na: 1\n```\n", "(testdata/config/example.yaml)\n```sh\nx\n```\n", "(testdata/config/example.yaml)\n```yaml\na: 1\n"} {
		if _, err := quotedBlockAfter([]byte(bad), readmeExampleMarker, "yaml"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// checkExample: the README's example adds a confidential client, an
// organisation with one company and that company's admin, beside the demo data.
func checkExample(t *testing.T, lb *app.Loopback) {
	ctx := t.Context()
	c, err := lb.Store.Client(ctx, "my-erp")
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != oauth.Confidential || !c.CheckSecret("change-me") || !c.PKCERequired || c.LogoURL != "https://example.com/logo.png" ||
		!slices.Equal(c.RedirectURIs, []string{"http://localhost:5173/oauth/callback"}) || len(c.Scopes) != 4 {
		t.Errorf("my-erp = %+v", c)
	}
	if _, err := lb.Store.Client(ctx, seed.DemoClientID); err != nil {
		t.Errorf("the demo seed is gone: %v", err)
	}
	companies, err := lb.Store.CompaniesOfOrganization(ctx, "6f1c7a52-1c3a-4a54-9a4e-0f2b8c7d9e10")
	if err != nil {
		t.Fatal(err)
	}
	if len(companies) != 1 || companies[0].Name != "Globex Norway AS" || companies[0].Currency != "NOK" || companies[0].RegistrationNumber != "923456789" {
		t.Errorf("Globex Holding's companies = %+v", companies)
	}
	u, err := lb.Store.UserByEmail(ctx, "cfo@globex.test")
	if err != nil {
		t.Fatal(err)
	}
	if !oauth.CheckPassword(u.ID, "globex", u.PasswordHash) {
		t.Error("cfo@globex.test's password is not globex")
	}
	ms, err := lb.Store.Memberships(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Subject.URN() != "urn:pleo:company:0b7e3c1d-2f44-4f3a-8d55-3c2a1b0e9f88" || ms[0].Role != oauth.RoleAdmin {
		t.Errorf("cfo@globex.test's roles = %+v", ms)
	}
}

// checkSPA: the public client has no secret, must send a PKCE challenge, and
// exchanges its code with client_id and code_verifier alone.
func checkSPA(t *testing.T, lb *app.Loopback) {
	const id, redirect = "my-spa", "http://localhost:5173/callback"
	c, err := lb.Store.Client(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != oauth.Public || len(c.SecretHash) != 0 || !c.PKCERequired || len(c.RedirectURIs) != 2 {
		t.Errorf("my-spa = %+v", c)
	}
	noPKCE := authorize(t, lb, url.Values{"client_id": {id}, "redirect_uri": {redirect}, "scope": {"users:read"}, "state": {"s"}})
	if noPKCE.Query().Get("error") != "invalid_request" || noPKCE.Query().Get("code") != "" {
		t.Errorf("authorize without PKCE went back to %s", noPKCE)
	}
	code, _ := authorizeCode(t, lb, id, redirect, "users:read companies:read", "")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "client_id": {id}}
	if resp, body := send(t, lb, http.MethodPost, "/oauth/token", form, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("exchange without code_verifier: %d %s", resp.StatusCode, body)
	}
	code, verifier := authorizeCode(t, lb, id, redirect, "users:read companies:read", "")
	form.Set("code", code)
	form.Set("code_verifier", verifier)
	tok := exchange(t, lb, form, nil)
	if tok.RefreshToken == "" || tok.Scope != "users:read companies:read" {
		t.Errorf("token response = %+v", tok)
	}
	if resp, body := send(t, lb, http.MethodGet, "/v2/employees?limit=1", nil, bearer(tok.AccessToken)); resp.StatusCode != http.StatusOK {
		t.Errorf("API with the SPA's token: %d %s", resp.StatusCode, body)
	}
}

// checkOrganization: one organisation with three companies and nothing of
// the demo data; an organisation token sees all three companies.
func checkOrganization(t *testing.T, lb *app.Loopback) {
	const orgID = "f442b4a1-bee6-4246-b52a-406c5eefc38c"
	ctx := t.Context()
	orgs, err := lb.Store.Organizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].ID != orgID || orgs[0].Name != "Initech Group" {
		t.Errorf("organisations = %+v", orgs)
	}
	all, err := lb.Store.Companies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ofOrg, err := lb.Store.CompaniesOfOrganization(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	var currencies []string
	for _, c := range ofOrg {
		currencies = append(currencies, c.Currency)
	}
	slices.Sort(currencies)
	if len(all) != 3 || len(ofOrg) != 3 || !slices.Equal(currencies, []string{"DKK", "EUR", "SEK"}) {
		t.Errorf("companies = %+v, of the organisation %+v", all, ofOrg)
	}
	clients, err := lb.Store.Clients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 1 || clients[0].ID != "group-consolidation" {
		t.Errorf("clients = %+v, want only group-consolidation (no demo seed)", clients)
	}
	for email, want := range map[string]string{
		"group-admin@initech.test": "urn:pleo:organization:" + orgID + " admin",
		"bookkeeper@initech.test":  "urn:pleo:company:94bd8c47-af3a-4f1a-8782-a04d21813f3a bookkeeper",
	} {
		u, err := lb.Store.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := lb.Store.Memberships(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Subject.URN()+" "+string(ms[0].Role) != want {
			t.Errorf("%s's roles = %+v, want %s", email, ms, want)
		}
		if !oauth.CheckPassword(u.ID, "initech", u.PasswordHash) {
			t.Errorf("%s's password is not initech", email)
		}
	}

	const redirect = "http://localhost:4000/oauth/callback"
	code, verifier := authorizeCode(t, lb, "group-consolidation", redirect, "companies:read", "urn:pleo:organization:"+orgID)
	tok := exchange(t, lb, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {verifier}}, basic("group-consolidation", "change-me"))
	resp, body := send(t, lb, http.MethodGet, "/v1/companies", nil, bearer(tok.AccessToken))
	var page struct {
		Data       []struct{ OrganizationID string }
		Pagination struct{ Total int }
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || page.Pagination.Total != 3 || len(page.Data) != 3 {
		t.Fatalf("GET /v1/companies with the organisation token: %d %s", resp.StatusCode, body)
	}
	for _, c := range page.Data {
		if c.OrganizationID != orgID {
			t.Errorf("company of organisation %q", c.OrganizationID)
		}
	}
}

// checkCI: the CI client gets a code straight from /oauth/authorize, with no
// login or consent page, and the token works on the API; other clients still
// see the login page.
func checkCI(t *testing.T, lb *app.Loopback) {
	const redirect = "http://localhost:9000/callback"
	c, err := lb.Store.Client(t.Context(), "ci-app")
	if err != nil {
		t.Fatal(err)
	}
	if c.AutoApproveUser != seed.AdminEmail || !c.CheckSecret("ci-secret") {
		t.Errorf("ci-app = %+v", c)
	}
	if lb.Config.AutoApprove != "" {
		t.Errorf("the example turns on auto-approve for every client (%q)", lb.Config.AutoApprove)
	}
	code, verifier := authorizeCode(t, lb, "ci-app", redirect, "users:read", "urn:pleo:company:"+seed.DenmarkID)
	tok := exchange(t, lb, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"code_verifier": {verifier}}, basic("ci-app", "ci-secret"))
	if resp, body := send(t, lb, http.MethodGet, "/v2/employees?limit=1", nil, bearer(tok.AccessToken)); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, seed.DenmarkID) {
		t.Errorf("API with the CI token: %d %s", resp.StatusCode, body)
	}
	other := authorize(t, lb, url.Values{"client_id": {seed.DemoClientID}, "redirect_uri": {"http://localhost:3000/callback"},
		"scope": {"users:read"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"}})
	if other.Path != "/login" {
		t.Errorf("the demo client was sent to %s, want the login page", other)
	}
}

// authorize sends an authorisation request (response_type=code is added)
// and returns where the emulator redirects the browser.
func authorize(t *testing.T, lb *app.Loopback, q url.Values) *url.URL {
	t.Helper()
	q.Set("response_type", "code")
	resp, body := send(t, lb, http.MethodGet, "/oauth/authorize?"+q.Encode(), nil, nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorizeCode gets a code from an auto-approving emulator, with PKCE.
func authorizeCode(t *testing.T, lb *app.Loopback, clientID, redirect, scope, subject string) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "scope": {scope}, "state": {"st"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	if subject != "" {
		q.Set("urn_pleo_params_oauth_subject", subject)
	}
	back := authorize(t, lb, q)
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirect || back.Query().Get("code") == "" || back.Query().Get("state") != "st" {
		t.Fatalf("authorize went to %s, want %s with a code", back, redirect)
	}
	return back.Query().Get("code"), verifier
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// exchange posts to the token endpoint and fails unless it answers 200.
func exchange(t *testing.T, lb *app.Loopback, form url.Values, header http.Header) tokenResponse {
	t.Helper()
	resp, body := send(t, lb, http.MethodPost, "/oauth/token", form, header)
	var tok tokenResponse
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, body)
	}
	return tok
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

func basic(user, pass string) http.Header {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	return r.Header
}

// send makes one request to the emulator without following redirects; a
// form is sent form-encoded.
func send(t *testing.T, lb *app.Loopback, method, path string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, lb.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := *lb.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
