package apptest

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests walk the flow hop by hop.
type Browser struct {
	// Client keeps the browser's cookies; use it for requests Get and Post
	// do not cover.
	Client *http.Client
	t      testing.TB
}

// NewBrowser is a browser without cookies.
func NewBrowser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Get fetches u and returns the response with its body read.
func (b *Browser) Get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.Client.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, ReadBody(b.t, resp)
}

// Post submits a form.
func (b *Browser) Post(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.Client.PostForm(u, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, ReadBody(b.t, resp)
}

// Login walks from an authorize URL through the login page to the consent
// page and returns the consent page's HTML.
func (b *Browser) Login(emuURL, authorizeURL, email, password string) string {
	b.t.Helper()
	resp, _ := b.Get(authorizeURL)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
		b.t.Fatalf("authorize without session: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := b.Get(Location(b.t, resp, emuURL).String())
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("login page: %d", resp.StatusCode)
	}
	form := FormFields(page)
	form.Set("email", email)
	form.Set("password", password)
	resp, _ = b.Post(emuURL+"/login", form)
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login: status %d", resp.StatusCode)
	}
	resp, page = b.Get(Location(b.t, resp, emuURL).String())
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="decision"`) {
		b.t.Fatalf("consent page: status %d", resp.StatusCode)
	}
	return page
}

// Decide posts the consent form and returns the redirect back to the client.
func (b *Browser) Decide(emuURL, consentPage, decision, subjectURN string) *url.URL {
	b.t.Helper()
	form := FormFields(consentPage)
	form.Set("decision", decision)
	if subjectURN != "" {
		form.Set("subject", subjectURN)
	}
	resp, body := b.Post(emuURL+"/oauth/consent", form)
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("consent: status %d: %s", resp.StatusCode, body)
	}
	return Location(b.t, resp, emuURL)
}

// HiddenField matches a hidden input's name and value in the emulator's pages.
var HiddenField = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

// FormFields extracts the hidden inputs of an HTML page.
func FormFields(page string) url.Values {
	v := url.Values{}
	for _, m := range HiddenField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// Location returns the redirect target of resp resolved against base.
func Location(t testing.TB, resp *http.Response, base string) *url.URL {
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
