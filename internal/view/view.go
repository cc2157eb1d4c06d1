// Package view holds the page models of the emulator's HTML screens (error,
// login, consent, start page, playground and connected apps) and the
// renderer that fills them into the templates embedded in package
// templates; it also serves the stylesheet.
package view

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/templates"
)

// StylesheetPath is the URL path at which AssetsHandler serves the stylesheet
// and that every page links to.
const StylesheetPath = "/assets/app.css"

// Page is one of the emulator's screens: ErrorPage, LoginPage, ConsentPage,
// StartPage, PlaygroundPage, ConnectedAppsPage, RevokeAppPage, WebhooksPage or SpendingPage. The interface is sealed;
// other packages cannot add pages.
type Page interface {
	templateName() string
	title() string
	section() string // the header navigation entry to mark current, or ""
}

// focusedPage is implemented by pages shown in the middle of an
// authorisation flow. The layout then leaves out the emulator's site
// navigation, as a real sign-in or consent screen has none: a link away
// would abandon the request.
type focusedPage interface {
	focused() bool
}

// isFocused reports whether page asks for the focused layout.
func isFocused(page Page) bool {
	f, ok := page.(focusedPage)
	return ok && f.focused()
}

// ErrorPage is a generic error screen.
type ErrorPage struct {
	Title   string // heading; "Something went wrong" when empty
	Message string // human-readable explanation
	Detail  string // e.g. the OAuth error code, shown small; optional
	BackURL string // optional "Go back" link; set only when the URL is safe to link to
	// BackLabel replaces "Go back" as the link text when set.
	BackLabel string
	// ReceivedRedirectURI and RegisteredRedirectURIs, when set, show a
	// redirect URI that did not match next to the client's registered ones,
	// as text only: the received one is untrusted and never a link.
	ReceivedRedirectURI    string
	RegisteredRedirectURIs []string
}

// LoginPage is the sign-in form. It posts fields email, password, csrf_token
// and continue to Action.
type LoginPage struct {
	Action     string   // form POST target, e.g. "/login"
	CSRFToken  string   // hidden input csrf_token
	Continue   string   // hidden input continue: where to go after login (a relative URL)
	Email      string   // prefilled email on retry
	Error      string   // generic error shown in a role=alert box, e.g. "Wrong email or password."
	ClientName string   // optional: heading becomes "Sign in to connect <ClientName>"
	DemoUsers  []string // emails of the demo users that exist, shown with the demo password
}

// ConsentPage asks the signed-in user to approve or deny a client's
// authorisation request. The form posts csrf_token, request, subject and
// decision ("approve" or "deny") to Action. A separate sign-out form posts
// csrf_token and continue (= ContinueURL) to /logout.
type ConsentPage struct {
	Action      string // POST target, e.g. "/oauth/consent"
	CSRFToken   string // hidden csrf_token (both forms)
	RequestID   string // hidden request: identifies the pending authorisation request
	UserEmail   string // "Signed in as ..."
	ContinueURL string // hidden continue of the sign-out form
	Client      ClientView
	Scopes      []ScopeView
	Subjects    []SubjectView // radio group "subject" (value = URN), required
	// CannotConnect, when non-empty, is shown instead of the subject choice
	// and the Approve button; only a "Back to <client>" button
	// (decision=deny) remains.
	CannotConnect string
	// HintNotAllowed, when set, says that the subject the app asked for
	// (urn_pleo_params_oauth_subject) is not one the user can connect.
	HintNotAllowed string
}

// ClientView describes the OAuth client on the consent screen.
type ClientView struct {
	Name         string
	LogoURL      string // optional; a coloured square with the initial is shown when empty
	ClientURI    string // optional "Website" link
	TermsURL     string // optional
	PrivacyURL   string // optional
	RedirectHost string // e.g. "localhost:3000"
}

// ScopeView is one requested scope.
type ScopeView struct {
	Name        string // shown in monospace, e.g. "expenses:read"
	Description string
}

// ScopeGroupView is the requested scopes of one kind of access, for the
// consent screen's compact list.
type ScopeGroupView struct {
	ID        string // "read", "write" or "other": for element IDs
	Title     string // e.g. "Read access"
	Hint      string // what that kind of access allows
	Resources string // the scopes' resources as words, e.g. "users, tag groups"
	Scopes    []ScopeView
}

// ScopeGroups groups the requested scopes by their access suffix: ":read"
// scopes first, then ":write", then any other (such as test:test), each in
// request order. Empty groups are left out.
func (p ConsentPage) ScopeGroups() []ScopeGroupView {
	groups := []ScopeGroupView{
		{ID: "read", Title: "Read access", Hint: "See this data"},
		{ID: "write", Title: "Write access", Hint: "Create, change and delete this data"},
		{ID: "other", Title: "Other access"},
	}
	for _, sc := range p.Scopes {
		resource, access, _ := strings.Cut(sc.Name, ":")
		g := &groups[2]
		switch access {
		case "read":
			g = &groups[0]
		case "write":
			g = &groups[1]
		default:
			resource = sc.Name
		}
		if g.Resources != "" {
			g.Resources += ", "
		}
		g.Resources += strings.ReplaceAll(resource, "-", " ")
		g.Scopes = append(g.Scopes, sc)
	}
	nonEmpty := groups[:0]
	for _, g := range groups {
		if len(g.Scopes) > 0 {
			nonEmpty = append(nonEmpty, g)
		}
	}
	return nonEmpty
}

// SubjectView is one company or organisation the user may connect the client to.
type SubjectView struct {
	URN      string // radio value
	Label    string // e.g. "Acme ApS"
	Kind     string // "company" or "organisation"
	Detail   string // e.g. "Company · DKK · CVR 12345678"
	Selected bool   // pre-checked
}

func (ErrorPage) templateName() string { return "error.html" }
func (ErrorPage) section() string      { return "" }
func (p ErrorPage) title() string {
	if p.Title != "" {
		return p.Title
	}
	return "Something went wrong"
}

func (LoginPage) templateName() string { return "login.html" }
func (LoginPage) title() string        { return "Sign in" }
func (LoginPage) section() string      { return "" }

// focused: the login page of an authorisation request (one that names the
// app) is part of the flow.
func (p LoginPage) focused() bool { return p.ClientName != "" }

func (ConsentPage) templateName() string { return "consent.html" }
func (ConsentPage) section() string      { return "" }
func (ConsentPage) focused() bool        { return true }
func (p ConsentPage) title() string {
	if p.Client.Name != "" {
		return "Connect " + p.Client.Name
	}
	return "Connect an app"
}

// pageTemplates lists every page template; each is parsed together with layout.html.
var pageTemplates = []string{"error.html", "login.html", "consent.html", "start.html", "playground.html", "apps.html",
	"revoke.html", "webhooks.html", "spending.html"}

// Renderer renders the emulator's HTML pages from the embedded templates.
// It is safe for concurrent use.
type Renderer struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	// sentence upper-cases the first letter of s (messages are sometimes
	// built from lower-case OAuth error descriptions), unless s starts with a
	// parameter name such as client_id, which keeps its spelling.
	"sentence": func(s string) string {
		r, n := utf8.DecodeRuneInString(s)
		first, _, _ := strings.Cut(s, " ")
		if n == 0 || strings.ContainsAny(first, "_:") {
			return s
		}
		return string(unicode.ToUpper(r)) + s[n:]
	},
	// initial returns the first letter or digit of s, upper-cased, or "?".
	"initial": func(s string) string {
		for _, r := range s {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return string(unicode.ToUpper(r))
			}
		}
		return "?"
	},
	// kindLabel turns a SubjectView.Kind into display text.
	"kindLabel": func(kind string) string {
		switch kind {
		case "company":
			return "Company"
		case "organisation":
			return "Organisation"
		}
		if kind == "" {
			return ""
		}
		r, n := utf8.DecodeRuneInString(kind)
		return string(unicode.ToUpper(r)) + kind[n:]
	},
}

// New parses the embedded templates once.
func New() (*Renderer, error) {
	r := &Renderer{pages: make(map[string]*template.Template, len(pageTemplates))}
	for _, name := range pageTemplates {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.FS, "layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("view: parse %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("view: %s does not define a content template", name)
		}
		r.pages[name] = t
	}
	return r, nil
}

// layoutData is what layout.html receives; the page's own template gets Page.
type layoutData struct {
	Title      string
	Stylesheet string
	Section    string // "start", "playground" or "apps": the navigation entry marked current
	Focused    bool   // leave out the site navigation (see focusedPage)
	Page       Page
}

// Render writes page with status. It sets Content-Type text/html;
// charset=utf-8 and the security headers of httpx.SetSecurityHeaders. The page is
// rendered to a buffer first, so a template error yields a plain 500 instead
// of a half-written page.
func (r *Renderer) Render(w http.ResponseWriter, status int, page Page) {
	h := w.Header()
	httpx.SetSecurityHeaders(h)
	if page == nil {
		log.Printf("view: Render called with a nil page")
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	t, ok := r.pages[page.templateName()]
	if !ok {
		log.Printf("view: no template %q", page.templateName())
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout.html", layoutData{
		Title:      page.title(),
		Stylesheet: StylesheetPath,
		Section:    page.section(),
		Focused:    isFocused(page),
		Page:       page,
	})
	if err != nil {
		log.Printf("view: render %s: %v", page.templateName(), err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// AssetsHandler serves the embedded stylesheet at StylesheetPath
// ("/assets/app.css") and answers 404 for any other path. Mount it with
// r.Handle("/assets/*", view.AssetsHandler()). It honours If-None-Match via a
// content hash ETag and allows caching for an hour.
func AssetsHandler() http.Handler {
	css, err := fs.ReadFile(templates.FS, "app.css")
	if err != nil {
		// The file is embedded at compile time, so this cannot happen in a
		// correctly built binary.
		panic("view: app.css not embedded: " + err.Error())
	}
	sum := sha256.Sum256(css)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != StylesheetPath {
			http.NotFound(w, req)
			return
		}
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", etag)
		http.ServeContent(w, req, "app.css", time.Time{}, bytes.NewReader(css))
	})
}
