package view

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
)

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func render(t *testing.T, status int, p Page) (*httptest.ResponseRecorder, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	newRenderer(t).Render(rec, status, p)
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body:\n%s", rec.Code, status, rec.Body.String())
	}
	return rec, rec.Body.String()
}

func mustContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("body does not contain %q", s)
		}
	}
}

func mustNotContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("body unexpectedly contains %q", s)
		}
	}
}

// inputTag returns the first <input ...> tag containing all of the given attribute snippets.
func inputTag(body string, attrs ...string) string {
	for _, m := range regexp.MustCompile(`<input[^>]*>`).FindAllString(body, -1) {
		ok := true
		for _, a := range attrs {
			if !strings.Contains(m, a) {
				ok = false
				break
			}
		}
		if ok {
			return m
		}
	}
	return ""
}

func sampleConsent() ConsentPage {
	return ConsentPage{
		Action:      "/oauth/consent",
		CSRFToken:   "tok123",
		RequestID:   "req-42",
		UserEmail:   "admin@acme.test",
		ContinueURL: "/oauth/authorize?client_id=demo",
		Client: ClientView{
			Name:         "Demo Accounting App",
			ClientURI:    "https://demo.example/",
			TermsURL:     "https://demo.example/terms",
			PrivacyURL:   "https://demo.example/privacy",
			RedirectHost: "localhost:3000",
		},
		Scopes: []ScopeView{
			{Name: "expenses:read", Description: "Read expenses"},
			{Name: "users:read", Description: "Read users"},
		},
		Subjects: []SubjectView{
			{URN: "urn:pleo:company:acme-dk", Label: "Acme ApS", Kind: "company", Detail: "Company · DKK · CVR 12345678"},
			{URN: "urn:pleo:company:acme-se", Label: "Acme AB", Kind: "company", Detail: "Company · SEK", Selected: true},
			{URN: "urn:pleo:organisation:acme", Label: "Acme Group", Kind: "organisation", Detail: "Organisation · 2 companies"},
		},
	}
}

func TestSecurityHeadersAndContentType(t *testing.T) {
	rec, _ := render(t, http.StatusOK, LoginPage{Action: "/login"})
	h := rec.Header()
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data: https: http:; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "same-origin",
		"X-Content-Type-Options":  "nosniff",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	h2 := http.Header{}
	httpx.SetSecurityHeaders(h2)
	for k, v := range want {
		if k == "Content-Type" {
			continue
		}
		if got := h2.Get(k); got != v {
			t.Errorf("SetSecurityHeaders: %s = %q, want %q", k, got, v)
		}
	}
}

func TestLayoutCommon(t *testing.T) {
	pages := []Page{ErrorPage{Message: "x"}, LoginPage{Action: "/login"}, sampleConsent()}
	for _, p := range pages {
		_, body := render(t, http.StatusOK, p)
		mustContain(t, body,
			`<html lang="en">`,
			`<meta name="viewport"`,
			`<link rel="stylesheet" href="/assets/app.css">`,
			"<header", "<main", "<footer",
			"Pleo emulator", "not the real Pleo",
			"<h1>",
		)
		if n := strings.Count(body, "<h1"); n != 1 {
			t.Errorf("%s: %d h1 elements, want 1", p.templateName(), n)
		}
		mustNotContain(t, body, "<script", "style=", "<style")
	}
}

func TestErrorPage(t *testing.T) {
	_, body := render(t, http.StatusBadRequest, ErrorPage{
		Title:   "Invalid request",
		Message: "The redirect URI is not registered.",
		Detail:  "invalid_request",
		BackURL: "/login",
	})
	mustContain(t, body,
		"<title>Invalid request · Pleo emulator</title>",
		"<h1>Invalid request</h1>",
		"The redirect URI is not registered.",
		"<code>invalid_request</code>",
		`href="/login"`,
	)

	_, body = render(t, http.StatusInternalServerError, ErrorPage{Message: "Oops"})
	mustContain(t, body, "<h1>Something went wrong</h1>")
	mustNotContain(t, body, "Error code", "Go back")
}

func TestErrorPageUnsafeBackURL(t *testing.T) {
	_, body := render(t, http.StatusBadRequest, ErrorPage{Message: "m", BackURL: "javascript:alert(1)"})
	mustNotContain(t, body, "javascript:")
}

func TestLoginPage(t *testing.T) {
	_, body := render(t, http.StatusUnauthorized, LoginPage{
		Action:     "/login",
		CSRFToken:  "tok123",
		Continue:   "/oauth/authorize?client_id=demo&state=x",
		Email:      "admin@acme.test",
		Error:      "Wrong email or password.",
		ClientName: "Demo Accounting App",
		DemoUsers:  []string{"admin@acme.test", "bookkeeper@acme.test", "employee@acme.test"},
	})
	mustContain(t, body,
		`<form class="form" method="post" action="/login">`,
		`name="csrf_token" value="tok123"`,
		`name="continue" value="/oauth/authorize?client_id=demo&amp;state=x"`,
		`value="admin@acme.test"`,
		`role="alert"`, "Wrong email or password.",
		"Sign in to connect Demo Accounting App",
		"admin@acme.test", "bookkeeper@acme.test", "employee@acme.test", "<code>demo</code>",
		`<label for="email">`, `<label for="password">`,
	)
	if tag := inputTag(body, `name="password"`); !strings.Contains(tag, "autofocus") {
		t.Errorf("password field should be focused on retry: %s", tag)
	}

	_, body = render(t, http.StatusOK, LoginPage{Action: "/login"})
	mustNotContain(t, body, `role="alert"`, "Demo users", "to connect")
	if tag := inputTag(body, `name="email"`); !strings.Contains(tag, "autofocus") {
		t.Errorf("email field should be focused: %s", tag)
	}
}

func TestConsentPage(t *testing.T) {
	_, body := render(t, http.StatusOK, sampleConsent())
	mustContain(t, body,
		"Demo Accounting App</span> wants to access your Pleo account",
		`<form class="consent-form" method="post" action="/oauth/consent">`,
		`name="csrf_token" value="tok123"`,
		`name="request" value="req-42"`,
		`<form method="post" action="/logout">`,
		`name="continue" value="/oauth/authorize?client_id=demo"`,
		"admin@acme.test",
		`<code class="scope-name">expenses:read</code>`, "Read expenses",
		"<fieldset", "<legend>",
		"You will be sent back to <strong>localhost:3000</strong>",
		`href="https://demo.example/terms" rel="noopener noreferrer"`,
		`href="https://demo.example/privacy" rel="noopener noreferrer"`,
		`name="decision" value="approve"`,
		`name="decision" value="deny"`,
		"Company · DKK · CVR 12345678",
		`<span class="choice-label">Acme Group</span>`,
		`<span class="client-logo" aria-hidden="true"><span class="logo-initial">D</span></span>`,
	)
	// Focused layout: no site navigation in the middle of the flow.
	mustNotContain(t, body, `class="site-nav"`, `href="/playground"`)
	mustContain(t, body, `<body class="focused">`, "not the real Pleo")

	selected := inputTag(body, `value="urn:pleo:company:acme-se"`)
	if !strings.Contains(selected, "checked") || !strings.Contains(selected, `name="subject"`) || !strings.Contains(selected, "required") {
		t.Errorf("selected subject not checked/required: %s", selected)
	}
	for _, urn := range []string{"urn:pleo:company:acme-dk", "urn:pleo:organisation:acme"} {
		if tag := inputTag(body, `value="`+urn+`"`); tag == "" || strings.Contains(tag, "checked") {
			t.Errorf("subject %s: unexpected tag %q", urn, tag)
		}
	}
	// Every radio has a label.
	for _, id := range regexp.MustCompile(`<input type="radio" id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		mustContain(t, body, `<label for="`+id[1]+`">`)
	}
	// Approve comes before Deny (implicit submission = the primary action).
	if strings.Index(body, `value="approve"`) > strings.Index(body, `value="deny"`) {
		t.Error("approve button should precede deny")
	}
}

func TestConsentPageLogoAndNoLinks(t *testing.T) {
	p := sampleConsent()
	p.Client.LogoURL = "https://demo.example/logo.png"
	p.Client.TermsURL, p.Client.PrivacyURL, p.Client.ClientURI = "", "", ""
	_, body := render(t, http.StatusOK, p)
	// The initial stays behind the image, so a logo that fails to load
	// leaves it visible; alt="" because the h1 names the app.
	mustContain(t, body, `<span class="logo-initial">D</span><img class="logo-image" src="https://demo.example/logo.png" alt=""`)
	mustNotContain(t, body, "Terms of service", "Privacy policy", "client-links")
}

func TestConsentPageCannotConnect(t *testing.T) {
	p := sampleConsent()
	p.CannotConnect = "Only admins and bookkeepers can connect apps."
	_, body := render(t, http.StatusForbidden, p)
	mustContain(t, body,
		"Only admins and bookkeepers can connect apps.",
		`name="decision" value="deny"`,
		"Back to Demo Accounting App",
		`name="request" value="req-42"`,
	)
	mustNotContain(t, body, `value="approve"`, `name="subject"`, "<fieldset")
}

func TestConsentPageKindFallback(t *testing.T) {
	p := sampleConsent()
	p.Subjects = []SubjectView{{URN: "urn:x", Label: "Acme Group", Kind: "organisation", Selected: true}}
	_, body := render(t, http.StatusOK, p)
	mustContain(t, body, `<span class="choice-detail">Organisation</span>`)
}

func TestConsentPageNoSubjects(t *testing.T) {
	p := sampleConsent()
	p.Subjects = nil
	_, body := render(t, http.StatusOK, p)
	mustNotContain(t, body, `value="approve"`, "<fieldset")
	mustContain(t, body, `value="deny"`)
}

func TestEscaping(t *testing.T) {
	evil := `<script>alert("x")</script>`
	p := sampleConsent()
	p.Client.Name = evil
	p.UserEmail = evil
	p.Scopes = []ScopeView{{Name: evil, Description: evil}}
	p.Subjects = []SubjectView{{URN: `"><script>`, Label: evil, Detail: evil, Kind: evil}}
	p.Client.TermsURL = "javascript:alert(1)"
	pages := []Page{
		p,
		LoginPage{Action: "/login", ClientName: evil, Email: `"><script>`, Error: evil, Continue: `"><script>`},
		ErrorPage{Title: evil, Message: evil, Detail: evil},
	}
	for _, pg := range pages {
		_, body := render(t, http.StatusOK, pg)
		mustNotContain(t, body, "<script", "javascript:alert")
		mustContain(t, body, "&lt;script&gt;")
	}
}

func TestRenderPointerPage(t *testing.T) {
	_, body := render(t, http.StatusOK, &ErrorPage{Title: "Pointer"})
	mustContain(t, body, "<h1>Pointer</h1>")
}

func TestAssetsHandler(t *testing.T) {
	h := AssetsHandler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/assets/app.css", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age") || strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q", cc)
	}
	if !strings.Contains(rec.Body.String(), ".card") {
		t.Error("stylesheet body looks wrong")
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	req := httptest.NewRequest(http.MethodGet, "/assets/app.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET status = %d, want 304", rec.Code)
	}

	for _, path := range []string{"/assets/other.css", "/assets/layout.html", "/assets/"} {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status = %d, want 404", path, rec.Code)
		}
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/assets/app.css", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST status = %d, want 405", rec.Code)
	}
}

func TestConsentScopeGroups(t *testing.T) {
	p := ConsentPage{Scopes: []ScopeView{{Name: "vendors:write"}, {Name: "users:read"}, {Name: "test:test"},
		{Name: "tag-groups:read"}, {Name: "export-jobs:write"}}}
	got := p.ScopeGroups()
	type summary struct{ id, resources string }
	var sums []summary
	for _, g := range got {
		sums = append(sums, summary{g.ID, g.Resources})
	}
	want := []summary{{"read", "users, tag groups"}, {"write", "vendors, export jobs"}, {"other", "test:test"}}
	if !reflect.DeepEqual(sums, want) {
		t.Fatalf("groups %v, want %v", sums, want)
	}
	if n := len(got[1].Scopes); n != 2 || got[1].Scopes[0].Name != "vendors:write" {
		t.Errorf("write group scopes: %v", got[1].Scopes)
	}
	if got := (ConsentPage{Scopes: []ScopeView{{Name: "users:read"}}}).ScopeGroups(); len(got) != 1 || got[0].ID != "read" {
		t.Errorf("only read scopes: %v", got)
	}

	_, body := render(t, http.StatusOK, ConsentPage{Client: ClientView{Name: "X"}, Scopes: p.Scopes,
		Subjects: []SubjectView{{URN: "urn:pleo:company:x", Label: "X ApS"}}})
	mustContain(t, body, `scope-group scope-group-read`, "Read access", "See this data: users, tag groups",
		"Write access", "Create, change and delete this data: vendors, export jobs", "2 permissions",
		`<code class="scope-name">vendors:write</code>`, `class="actions consent-actions"`)
	// The permissions come before the choice and the buttons, all in one form.
	if strings.Index(body, "Write access") > strings.Index(body, "<fieldset") ||
		strings.Index(body, "<fieldset") > strings.Index(body, `value="approve"`) {
		t.Error("consent page order: permissions, then subject, then buttons")
	}
}

func TestLoginPageFocusedOnlyInAFlow(t *testing.T) {
	_, body := render(t, http.StatusOK, LoginPage{Action: "/login", ClientName: "Demo Accounting App"})
	mustNotContain(t, body, `class="site-nav"`)
	_, body = render(t, http.StatusOK, LoginPage{Action: "/login"})
	mustContain(t, body, `class="site-nav"`)
	_, body = render(t, http.StatusOK, ErrorPage{Message: "x"})
	mustContain(t, body, `class="site-nav"`)
}
