package view

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func samplePlayground() PlaygroundPage {
	return PlaygroundPage{
		CSRFToken: "tok123",
		Steps:     []StepView{{1, "Client and scopes", "done"}, {2, "Authorization request", "current"}, {3, "Callback", "todo"}},
		Clients:   []OptionView{{Value: "demo-client", Label: "Demo Accounting App", Selected: true}},
		Setup: &PlaygroundSetup{ClientID: "demo-client", ClientName: "Demo Accounting App", Confidential: true, Secret: "s",
			RedirectURI: "http://localhost:8080/playground/callback", RedirectRegistered: true,
			Scopes:   []ScopeOption{{Name: "users:read", Description: "Read users", Checked: true}, {Name: "vendors:write"}},
			Subjects: []OptionView{{Value: "", Label: "None", Selected: true}, {Value: "urn:pleo:company:x", Label: "Acme"}}},
		Request: &PlaygroundRequest{ClientName: "Demo Accounting App", AuthorizeURL: "http://localhost:8080/oauth/authorize?a=1&b=2",
			Params: []ParamView{{Name: "state", Value: "abc", Explanation: "echoed"}}, Verifier: "v", Challenge: "c"},
		Callback: &PlaygroundCallback{Params: []ParamView{{Name: "code", Value: "xyz"}}, StateOK: true, StateMessage: "The state matches", Code: "xyz"},
		Tokens: &PlaygroundTokens{TokenType: "Bearer", ExpiresIn: 900, AccessToken: "a.b.c", RefreshToken: "r",
			JWTHeader: `{"typ": "at+jwt"}`, JWTClaims: `{"sub": "x"}`, Claims: []ParamView{{Name: "sub", Value: "x"}}},
		Call: APICallForm{Methods: []OptionView{{Value: "GET", Label: "GET", Selected: true}}, Path: "/v1/introspect", Paths: []string{"/v1/introspect"}},
		Exchanges: []ExchangeView{{ID: "exchange-1", Title: "Token request", Method: "POST", URL: "http://x/oauth/token",
			RequestHeaders: []HeaderView{{Name: "Authorization", Value: "Basic [redacted]"}}, RequestBody: "grant_type=authorization_code",
			Status: 200, StatusText: "OK", Success: true, ResponseBody: "{}", Open: true}},
	}
}

func sampleApps() ConnectedAppsPage {
	return ConnectedAppsPage{CSRFToken: "tok123", RevokeAction: "/settings/apps/revoke", UserName: "Anna", UserEmail: "a@x.test",
		Groups: []AppGroupView{{Label: "Acme Denmark ApS", Kind: "company", Role: "Admin", SubjectURN: "urn:pleo:company:x",
			Apps: []ConnectedAppView{{ClientID: "demo-client", ClientName: "Demo Accounting App", Status: "Authorized",
				Scopes:    []ScopeView{{Name: "users:read", Description: "Read users"}},
				GrantedAt: TimeView{Text: "just now", ISO: "2026-01-02T15:00:00Z"}, Authorisations: 1}},
			Disconnected: []ConnectedAppView{{ClientName: "Old App", Status: "Inactive"}}}}}
}

// formControlID finds the id of each input, select and textarea: the
// attribute named exactly id, not aria-invalid or data-id.
var formControlID = regexp.MustCompile(`<(?:input|select|textarea)\s(?:[^>]*\s)?id="([^"]+)"`)

func TestToolPagesLayout(t *testing.T) {
	pages := map[string]Page{"start": StartPage{}, "playground": samplePlayground(), "apps": sampleApps()}
	for section, p := range pages {
		_, body := render(t, http.StatusOK, p)
		mustContain(t, body, "Pleo emulator", "not the real Pleo", `<link rel="stylesheet" href="/assets/app.css">`,
			`href="/`+map[string]string{"start": "", "playground": "playground", "apps": "settings/apps"}[section]+`" aria-current="page"`)
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 elements, want 1", section, n)
		}
		mustNotContain(t, body, "<script", "style=", "<style")
		// Every visible form control has a label.
		for _, m := range formControlID.FindAllStringSubmatch(body, -1) {
			mustContain(t, body, `<label for="`+m[1]+`"`)
		}
		if strings.Count(body, `<form method="post"`) != strings.Count(body, `name="csrf_token" value="tok123"`) {
			t.Errorf("%s: a POST form lacks its csrf_token", section)
		}
	}
}

func TestStartPageRender(t *testing.T) {
	_, body := render(t, http.StatusOK, StartPage{
		Endpoints: []EndpointView{{Name: "Token endpoint", URL: "http://localhost:8080/oauth/token"}},
		Users:     []UserView{{Name: "Anna", Email: "admin@acme.test", Password: "demo", CanAdmin: true}, {Name: "Greta", Email: "cfo@x.test"}},
		Clients:   []ClientSummary{{ID: "my erp", Name: "My ERP", Type: "confidential", Scopes: []string{"users:read"}}},
	})
	mustContain(t, body, "http://localhost:8080/oauth/token", "admin@acme.test", "<code>demo</code>", "cfo@x.test",
		`href="/playground?client=my%20erp"`, "Can connect apps", "Cannot connect apps")
	if strings.Count(body, "<dt>Password</dt>") != 1 {
		t.Error("a password row is shown for a user without a shown password")
	}
	_, body = render(t, http.StatusOK, StartPage{})
	mustContain(t, body, "No users yet", "No clients yet")
}

func TestPlaygroundPageRender(t *testing.T) {
	_, body := render(t, http.StatusOK, samplePlayground())
	mustContain(t, body, `action="/playground/authorize"`, `name="client_id" value="demo-client"`,
		`type="password"`, `name="scope" value="users:read" checked`, `aria-current="step"`,
		`href="http://localhost:8080/oauth/authorize?a=1&amp;b=2"`, "The state matches", `action="/playground/exchange"`,
		`id="access-token">a.b.c<`, `action="/playground/refresh"`, `action="/playground/introspect"`,
		`action="/playground/revoke"`, `action="/playground/call"`, `<datalist id="api-paths">`, "<details class=\"exchange\" open>",
		"Basic [redacted]", "grant_type=authorization_code")
	if tag := inputTag(body, `value="vendors:write"`); strings.Contains(tag, "checked") {
		t.Errorf("unchecked scope rendered checked: %s", tag)
	}

	p := samplePlayground()
	p.Setup.RedirectRegistered = false
	p.Callback = &PlaygroundCallback{StateMessage: "The state does not match", Error: "access_denied"}
	p.Tokens = nil
	_, body = render(t, http.StatusOK, p)
	mustContain(t, body, "has not registered", "disabled", "The state does not match", "access_denied", "Get tokens in step 4 first")
	mustNotContain(t, body, `action="/playground/exchange"`, `action="/playground/call"`)
}

func TestConnectedAppsPageRender(t *testing.T) {
	_, body := render(t, http.StatusOK, sampleApps())
	mustContain(t, body, "Anna", "a@x.test", "Acme Denmark ApS", "Company · Admin", "Demo Accounting App", "Authorized",
		`<time datetime="2026-01-02T15:00:00Z"`, "Never",
		`href="/settings/apps/revoke?client_id=demo-client&amp;subject=urn%3apleo%3acompany%3ax"`,
		"Revoke access<span class=\"visually-hidden\"> of Demo Accounting App to Acme Denmark ApS</span>", "Disconnected", "Old App")
	p := sampleApps()
	p.Groups = nil
	p.Notice = "Done."
	_, body = render(t, http.StatusOK, p)
	mustContain(t, body, `role="status">Done.`, "Nothing to manage")
}

func TestRevokeAppPageRender(t *testing.T) {
	p := RevokeAppPage{Action: "/settings/apps/revoke", CSRFToken: "tok", CancelURL: "/settings/apps", UserEmail: "a@x.test",
		App: ConnectedAppView{ClientID: "demo-client", ClientName: "Demo Accounting App", LogoURL: "https://x.test/l.png",
			Scopes: []ScopeView{{Name: "users:read"}, {Name: "vendors:write"}}},
		SubjectURN: "urn:pleo:company:x", SubjectLabel: "Acme Denmark ApS", SubjectKind: "company"}
	_, body := render(t, http.StatusOK, p)
	mustContain(t, body, "Revoke access of <span class=\"client-name\">Demo Accounting App</span> to Acme Denmark ApS?",
		"loses its 2 permissions on Acme Denmark ApS (Company)", `<form method="post" action="/settings/apps/revoke">`,
		`name="csrf_token" value="tok"`, `name="client_id" value="demo-client"`, `name="subject" value="urn:pleo:company:x"`,
		`<a class="btn btn-secondary" href="/settings/apps">Cancel</a>`, `aria-current="page">Connected apps`,
		`<img class="logo-image" src="https://x.test/l.png" alt=""`)
}

func TestToolPagesEscape(t *testing.T) {
	evil := `<script>alert(1)</script>`
	p := samplePlayground()
	p.Exchanges[0].ResponseBody = evil
	p.Tokens.JWTClaims = evil
	a := sampleApps()
	a.Groups[0].Apps[0].ClientName = evil
	r := RevokeAppPage{App: ConnectedAppView{ClientName: evil}, SubjectLabel: evil}
	for _, pg := range []Page{p, a, r, StartPage{Users: []UserView{{Name: evil, Email: evil}}}} {
		_, body := render(t, http.StatusOK, pg)
		mustNotContain(t, body, "<script")
		mustContain(t, body, "&lt;script&gt;")
	}
}
