package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

var (
	denmark = oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}
	sweden  = oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.SwedenID}
)

// playgroundTokens runs the playground's flow for the demo client as the
// signed-in user of c, approving for Denmark, and returns the tokens.
func playgroundTokens(t *testing.T, c *client) (access, refresh string) {
	t.Helper()
	form := url.Values{"csrf_token": {c.csrf("/playground")}, "client_id": {seed.DemoClientID},
		"client_secret": {seed.DemoClientSecret}, "scope": {"users:read", "companies:read"}}
	resp, _ := c.post("/playground/authorize", form)
	if loc := location(t, resp); loc != "/playground#step-2" {
		t.Fatalf("authorize step went to %s", loc)
	}
	_, page := c.get("/playground")
	m := regexp.MustCompile(`id="open-authorize" href="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no authorization link on step 2")
	}
	resp, consent := c.get(html.UnescapeString(m[1]))
	if resp.StatusCode != http.StatusOK || !strings.Contains(consent, `name="decision"`) {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	resp, _ = c.post("/oauth/consent", url.Values{"csrf_token": {hidden(t, consent, "csrf_token")},
		"request": {hidden(t, consent, "request")}, "decision": {"approve"}, "subject": {denmark.URN()}})
	callback := location(t, resp)
	if !strings.Contains(callback, "/playground/callback?") {
		t.Fatalf("approval went to %s", callback)
	}
	resp, _ = c.get(callback)
	if loc := location(t, resp); loc != "/playground#step-3" {
		t.Fatalf("callback went to %s", loc)
	}
	resp, _ = c.post("/playground/exchange", url.Values{"csrf_token": {c.csrf("/playground")}})
	if loc := location(t, resp); loc != "/playground#step-4" {
		t.Fatalf("exchange went to %s", loc)
	}
	_, page = c.get("/playground")
	access = tokenText(t, page, "access-token")
	refresh = tokenText(t, page, "refresh-token")
	return access, refresh
}

func tokenText(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">([^<]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s on the page", id)
	}
	return m[1]
}

func TestStartPageListsClientsAndUsers(t *testing.T) {
	e := startEmulator(t, func(c *config.Config) {
		c.Additions.Clients = append(c.Additions.Clients, config.ClientSpec{ID: "my-erp", Name: "My ERP", Secret: "erp-secret-value",
			RedirectURIs: []string{"http://localhost:5173/cb"}, Scopes: []string{"users:read"}})
		c.Additions.Users = append(c.Additions.Users, config.UserSpec{ID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
			Email: "cfo@globex.test", Name: "Greta CFO", Password: "globex-password",
			Roles: []config.RoleSpec{{CompanyID: seed.DenmarkID, Role: "admin"}}})
	})
	resp, page := newClient(t, e.URL).get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, page,
		e.URL+"/oauth/authorize", e.URL+"/oauth/token", e.URL+"/oauth/token/introspect", e.URL+"/oauth/revoke",
		e.URL+"/.well-known/jwks.json", e.URL+"/.well-known/oauth-authorization-server",
		seed.DemoClientID, "Demo Accounting App", seed.PublicClientID, "Demo Mobile App", "my-erp", "My ERP",
		"<code>"+seed.DemoClientSecret+"</code>",
		seed.AdminEmail, seed.BookkeeperEmail, seed.EmployeeEmail, "cfo@globex.test", "Greta CFO",
		"<code>"+seed.DemoPassword+"</code>", "Admin of Acme Group (organisation)", "Bookkeeper of Acme Denmark ApS",
		`href="/playground"`, `href="/settings/apps"`, `href="/playground?client=my-erp"`)
	mustNotContain(t, page, "erp-secret-value", "globex-password", "<script", "style=")
	if n := strings.Count(page, "<dt>Password</dt>"); n != 3 {
		t.Errorf("%d passwords shown, want the 3 demo users'", n)
	}
}

func TestConnectedAppsRequiresLogin(t *testing.T) {
	e := startEmulator(t)
	resp, _ := newClient(t, e.URL).get("/settings/apps")
	if loc := location(t, resp); loc != "/login?continue=/settings/apps" {
		t.Errorf("Location = %q", loc)
	}
}

func TestConnectedAppsListsGrants(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	_, page := c.get("/settings/apps")
	mustContain(t, page, "Anna Admin", "Acme Group", "Acme Denmark ApS", "Acme Sweden AB", "No apps are connected to Acme Denmark ApS")

	playgroundTokens(t, c)
	_, page = c.get("/settings/apps")
	mustContain(t, page, "Demo Accounting App", "Authorized", "Access granted", "Last used", "Never",
		"users:read", "companies:read", `href="/settings/apps/revoke?client_id=demo-client&amp;subject=urn%3apleo%3acompany%3a`+seed.DenmarkID+`"`, "Revoke access")
	mustNotContain(t, page, "No apps are connected to Acme Denmark ApS")
}

func TestRevokeRequiresCSRF(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	access, _ := playgroundTokens(t, c)
	for name, token := range map[string]string{"missing": "", "wrong": strings.Repeat("x", 43)} {
		form := url.Values{"client_id": {seed.DemoClientID}, "subject": {denmark.URN()}}
		if token != "" {
			form.Set("csrf_token", token)
		}
		if resp, _ := c.post("/settings/apps/revoke", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s CSRF token: status %d, want 403", name, resp.StatusCode)
		}
	}
	if _, info := postJSON(t, e.URL+"/oauth/token/introspect", url.Values{"token": {access}}); info["active"] != true {
		t.Errorf("a refused revocation changed the token: %v", info)
	}
}

func TestRevokeMakesTokensInactive(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	access, refresh := playgroundTokens(t, c)
	if got := apiStatus(t, e.URL, access); got != http.StatusOK {
		t.Fatalf("API before revocation: %d, want 200", got)
	}

	form := url.Values{"csrf_token": {c.csrf("/settings/apps")}, "client_id": {seed.DemoClientID}, "subject": {denmark.URN()}}
	resp, _ := c.post("/settings/apps/revoke", form)
	loc := location(t, resp)
	if loc != "/settings/apps" {
		t.Fatalf("revoke went to %s", loc)
	}
	_, page := c.get(loc)
	mustContain(t, page, `role="status"`, "Demo Accounting App no longer has access to Acme Denmark ApS", "Disconnected", "Inactive")
	mustNotContain(t, page, `name="client_id" value="demo-client"`)

	if _, info := postJSON(t, e.URL+"/oauth/token/introspect", url.Values{"token": {access}}); info["active"] != false {
		t.Errorf("access token after revocation: %v", info)
	}
	if _, info := postJSON(t, e.URL+"/oauth/token/introspect", url.Values{"token": {refresh}}); info["active"] != false {
		t.Errorf("refresh token after revocation: %v", info)
	}
	status, body := postJSON(t, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("refresh after revocation: %d %v", status, body)
	}
	if got := apiStatus(t, e.URL, access); got != http.StatusUnauthorized {
		t.Errorf("API after revocation: %d, want 401", got)
	}
	in, err := e.Store.Installation(context.Background(), seed.DemoClientID, denmark)
	if err != nil || in.Status != store.InstallationInactive {
		t.Errorf("installation = %+v, %v; want INACTIVE", in, err)
	}
	if n, _ := e.Store.ActiveGrantCount(context.Background(), seed.DemoClientID, denmark); n != 0 {
		t.Errorf("%d active grants left", n)
	}
}

// apiStatus calls GET /v1/introspect with token.
func apiStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/introspect", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	return resp.StatusCode
}

func TestRevokeNeedsRightsOnTheSubject(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.BookkeeperEmail)
	_, page := c.get("/settings/apps")
	mustContain(t, page, "Acme Denmark ApS", "Bookkeeper")
	mustNotContain(t, page, "Acme Sweden AB", "Acme Group")
	form := url.Values{"csrf_token": {c.csrf("/settings/apps")}, "client_id": {seed.DemoClientID}, "subject": {sweden.URN()}}
	if resp, _ := c.post("/settings/apps/revoke", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bookkeeper revoking for Sweden: status %d, want 403", resp.StatusCode)
	}

	emp := newClient(t, e.URL)
	emp.logIn(seed.EmployeeEmail)
	_, page = emp.get("/settings/apps")
	mustContain(t, page, "Nothing to manage")
}

func TestPlaygroundCallbackChecksState(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.get("/playground/callback?code=abc&state=forged")
	_, page := c.get("/playground")
	mustContain(t, page, "No authorization request is pending")
	mustNotContain(t, page, "Exchange the code for tokens")

	form := url.Values{"csrf_token": {c.csrf("/playground")}, "client_id": {seed.PublicClientID}, "scope": {"users:read"}}
	if resp, _ := c.post("/playground/authorize", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: %d", resp.StatusCode)
	}
	c.get("/playground/callback?code=abc&state=forged")
	_, page = c.get("/playground")
	mustContain(t, page, "The state does not match")
	mustNotContain(t, page, "Exchange the code for tokens")
}

func TestPlaygroundFormsRequireCSRF(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	for _, path := range []string{"/playground/authorize", "/playground/exchange", "/playground/refresh",
		"/playground/introspect", "/playground/revoke", "/playground/call", "/playground/reset"} {
		resp, _ := c.post(path, url.Values{"client_id": {seed.DemoClientID}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without CSRF token: status %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestPlaygroundRedactsSecretsAndUsesTheAPI(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	access, _ := playgroundTokens(t, c)
	_, page := c.get("/playground")
	mustContain(t, page, `&#34;typ&#34;: &#34;at&#43;jwt&#34;`)
	_, log, _ := strings.Cut(page, `id="exchanges"`)
	mustContain(t, log, "Token request: authorization_code", "200 OK", "[redacted; client_id demo-client and its secret]", "code_verifier=")
	mustNotContain(t, log, seed.DemoClientSecret)

	csrf := c.csrf("/playground")
	resp, _ := c.post("/playground/call", url.Values{"csrf_token": {csrf}, "method": {"GET"}, "path": {"/playground/reset"}})
	location(t, resp)
	_, page = c.get("/playground")
	mustContain(t, page, "The path must be an API path")

	resp, _ = c.post("/playground/call", url.Values{"csrf_token": {csrf}, "method": {"GET"}, "path": {"/v1/introspect"}})
	if loc := location(t, resp); !strings.HasPrefix(loc, "/playground#exchange-") {
		t.Errorf("API call went to %s", loc)
	}
	_, page = c.get("/playground")
	mustContain(t, page, "API call", "Bearer "+access[:16]+"… [redacted]")
	mustNotContain(t, page, "Bearer "+access)
}
