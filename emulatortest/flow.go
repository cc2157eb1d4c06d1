package emulatortest

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// This file plays the browser: the real authorisation flow, headless.

// AuthorizeAndExchange runs the real authorisation code flow with PKCE
// (S256) for conf, headless: authorisation request, login as the demo admin,
// consent for the Denmark company, then the code exchange at conf's token
// endpoint (with ctx, as conf.Exchange uses it). Options change the user and
// the subject. With auto-approve the login and consent steps do not happen.
// The test fails if the flow ends in an error.
func (e *Emulator) AuthorizeAndExchange(tb testing.TB, ctx context.Context, conf *oauth2.Config, opts ...FlowOption) *oauth2.Token {
	tb.Helper()
	f := newFlow(opts)
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	params := append(f.params, oauth2.S256ChallengeOption(verifier))
	if f.subject != "" {
		params = append(params, oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", f.subject))
	}
	back, err := e.walk(conf.AuthCodeURL(state, params...), f)
	if err != nil {
		tb.Fatalf("emulatortest: authorize: %v", err)
	}
	q := back.Query()
	if q.Get("error") != "" {
		tb.Fatalf("emulatortest: authorize: redirected back with error %s: %s", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != state || q.Get("code") == "" {
		tb.Fatalf("emulatortest: authorize: redirected back to %s without the state or a code", back)
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		tb.Fatalf("emulatortest: exchange: %v", err)
	}
	return tok
}

// Authorize plays the browser for an authorisation URL built by the code
// under test: it logs in as the demo admin, approves the consent for the
// Denmark company (options change both) and returns the redirect back to the
// client's redirect URI, with its code and state or error, without following
// it. The test fails if the flow does not get back to the redirect URI.
func (e *Emulator) Authorize(tb testing.TB, authURL string, opts ...FlowOption) *url.URL {
	tb.Helper()
	back, err := e.walk(authURL, newFlow(opts))
	if err != nil {
		tb.Fatalf("emulatortest: authorize: %v", err)
	}
	return back
}

func newFlow(opts []FlowOption) *flow {
	f := &flow{email: AdminEmail, password: DemoPassword}
	for _, opt := range opts {
		opt(f)
	}
	return f
}

// subjectURN turns a bare company ID into its URN.
func subjectURN(s string) string {
	if strings.HasPrefix(s, "urn:") {
		return s
	}
	return "urn:pleo:company:" + s
}

// maxHops bounds the requests of one walk through the flow.
const maxHops = 10

// walk follows the flow from authURL like a browser with cookies: it
// follows redirects within the emulator, fills in the login and consent
// forms, and stops at the redirect to the client's redirect URI.
func (e *Emulator) walk(authURL string, f *flow) (*url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, err
	}
	redirectURI := start.Query().Get("redirect_uri")
	jar := f.jar
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	browser := &http.Client{Transport: e.lb.Client().Transport, Jar: jar, Timeout: controlTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	emu, _ := url.Parse(e.URL)

	req, _ := http.NewRequest(http.MethodGet, start.String(), nil)
	loggedIn := false
	for range maxHops {
		resp, err := browser.Do(req)
		if err != nil {
			return nil, err
		}
		page, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
			next, err := req.URL.Parse(loc)
			if err != nil {
				return nil, err
			}
			if isRedirectURI(next, redirectURI, emu) {
				return next, nil
			}
			if next.Host != emu.Host {
				return nil, fmt.Errorf("redirected to %s, which is neither the emulator nor the redirect URI", next)
			}
			req, _ = http.NewRequest(http.MethodGet, next.String(), nil)
			continue
		}
		forms := parseForms(string(page))
		switch {
		case resp.StatusCode == http.StatusOK && forms["/oauth/consent"] != nil:
			form := forms["/oauth/consent"]
			form.Set("decision", "approve")
			if f.deny {
				form.Set("decision", "deny")
			}
			subject := f.subject
			if subject == "" {
				subject = DenmarkCompanyURN
			}
			form.Set("subject", subject)
			req = postForm(req.URL, "/oauth/consent", form)
		case forms["/login"] != nil && !loggedIn:
			form := forms["/login"]
			form.Set("email", f.email)
			form.Set("password", f.password)
			req = postForm(req.URL, "/login", form)
			loggedIn = true
		case forms["/login"] != nil:
			return nil, fmt.Errorf("login as %s failed (HTTP %d)", f.email, resp.StatusCode)
		default:
			return nil, fmt.Errorf("%s %s answered %d: %s", req.Method, req.URL.Path, resp.StatusCode, pageText(page))
		}
	}
	return nil, fmt.Errorf("no redirect to the redirect URI after %d requests", maxHops)
}

// isRedirectURI reports whether u is the client's redirect URI (ignoring
// the query the emulator adds); without a redirect_uri in the request, any
// URL outside the emulator is.
func isRedirectURI(u *url.URL, redirectURI string, emu *url.URL) bool {
	if redirectURI == "" {
		return u.Host != emu.Host
	}
	r, err := url.Parse(redirectURI)
	return err == nil && r.Scheme == u.Scheme && r.Host == u.Host && r.Path == u.Path
}

func postForm(page *url.URL, action string, form url.Values) *http.Request {
	target, _ := page.Parse(action)
	req, _ := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

var (
	formTag   = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputTag  = regexp.MustCompile(`<input\b([^>]*)>`)
	attribute = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
	tags      = regexp.MustCompile(`(?s)<style.*?</style>|<script.*?</script>|<[^>]+>`)
)

// parseForms returns the hidden inputs of each form of an HTML page, keyed
// by the form's action.
func parseForms(page string) map[string]url.Values {
	forms := map[string]url.Values{}
	for _, m := range formTag.FindAllStringSubmatch(page, -1) {
		action := attrs(m[1])["action"]
		values := url.Values{}
		for _, in := range inputTag.FindAllStringSubmatch(m[2], -1) {
			a := attrs(in[1])
			if a["type"] == "hidden" && a["name"] != "" {
				values.Set(a["name"], a["value"])
			}
		}
		forms[action] = values
	}
	return forms
}

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attribute.FindAllStringSubmatch(s, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// pageText is the visible text of an HTML page, shortened, for error messages.
func pageText(page []byte) string {
	text := strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(string(page), " "))), " ")
	if len(text) > 300 {
		text = text[:300] + "…"
	}
	return text
}
