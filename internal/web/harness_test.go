package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// startEmulator runs an in-process emulator with a fresh database on a
// loopback port, closed when the test ends.
func startEmulator(t *testing.T, edit ...func(*config.Config)) *app.Loopback {
	t.Helper()
	return apptest.Start(t, "", edit...).Loopback
}

// client is a cookie-keeping HTTP client that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	*http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches a path (or an absolute URL) and returns the response and its body.
func (c *client) get(target string) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.Get(c.abs(target))
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

// post submits a form to a path.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.PostForm(c.abs(path), form)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

func (c *client) abs(target string) string {
	if strings.HasPrefix(target, "http") {
		return target
	}
	return c.base + target
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

// csrf fetches a page and returns its csrf_token field.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, page := c.get(path)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("%s has no csrf_token field", path)
	}
	return m[1]
}

// logIn signs in with the login form.
func (c *client) logIn(email string) {
	c.t.Helper()
	form := url.Values{"csrf_token": {c.csrf("/login")}, "email": {email}, "password": {seed.DemoPassword}, "continue": {"/"}}
	if resp, body := c.post("/login", form); resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
}

// mustContain fails unless body contains every want.
func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("page contains %q", b)
		}
	}
}

// location returns a redirect's target.
func location(t *testing.T, resp *http.Response) string {
	t.Helper()
	if resp.StatusCode/100 != 3 {
		t.Fatalf("status %d, want a redirect", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// hidden returns the value of the named hidden field of an HTML page.
func hidden(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no field %s", name)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// postJSON sends a form to an OAuth endpoint as the demo client and decodes the JSON answer.
func postJSON(t *testing.T, endpoint string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(readBody(t, resp)), &out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}
