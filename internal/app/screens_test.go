package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestLoginPageNamesTheAppAndListsOnlyExistingDemoUsers: signing in on the
// way to an authorisation names the app; the demo users are listed only
// when they exist (not with --seed none).
func TestLoginPageNamesTheAppAndListsOnlyExistingDemoUsers(t *testing.T) {
	emu := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	authURL := emu.OAuthConfig("users:read").AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	resp, _ := b.Get(authURL)
	_, page := b.Get(apptest.Location(t, resp, emu.URL).String())
	if !strings.Contains(page, "Sign in to connect Demo Accounting App") || !strings.Contains(page, seed.AdminEmail) {
		t.Errorf("login page on the way to demo-client does not name it or lacks the demo users:\n%s", page)
	}

	bare := apptest.Start(t, "", func(c *config.Config) { c.Seed = "none" })
	_, page = apptest.NewBrowser(t).Get(bare.URL + "/login")
	if strings.Contains(page, seed.AdminEmail) || strings.Contains(page, "Demo users") {
		t.Errorf("--seed none login page lists demo users that do not exist:\n%s", page)
	}
}

// TestLockoutSaysMinutesAndResetClearsIt: after five failures the page says
// how long to wait as a person would, and POST /_emulator/reset lifts the
// lockout (a test suite's reset must start from a clean state).
func TestLockoutSaysMinutesAndResetClearsIt(t *testing.T) {
	emu := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	try := func(password string) (*http.Response, string) {
		_, page := b.Get(emu.URL + "/login")
		form := apptest.FormFields(page)
		form.Set("email", seed.AdminEmail)
		form.Set("password", password)
		return b.Post(emu.URL+"/login", form)
	}
	var resp *http.Response
	var page string
	for range 6 {
		resp, page = try("wrong")
	}
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "Try again in 5 minutes.") {
		t.Fatalf("sixth failure: %d, want 429 with \"Try again in 5 minutes.\":\n%s", resp.StatusCode, page)
	}
	reset, err := http.Post(emu.URL+"/_emulator/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	reset.Body.Close()
	if resp, _ = try(seed.DemoPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in after reset: %d, want 303", resp.StatusCode)
	}
}

// TestUntrustedRedirectPageShowsWhatToFix: an unregistered redirect URI
// shows the received one next to the registered ones, as text (never a
// link), a link to the start page, and keeps parameter names lower-case.
func TestUntrustedRedirectPageShowsWhatToFix(t *testing.T) {
	emu := apptest.Start(t, "")
	q := url.Values{"response_type": {"code"}, "client_id": {seed.DemoClientID}, "redirect_uri": {"https://evil.test/cb"}, "scope": {"users:read"}}
	resp, page := apptest.NewBrowser(t).Get(emu.URL + "/oauth/authorize?" + q.Encode())
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"<code>https://evil.test/cb</code>", "<code>http://localhost:3000/callback</code>", `href="/"`, "redirect_uri is not registered"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `href="https://evil.test`) {
		t.Error("the untrusted redirect URI is a link")
	}
	_, page = apptest.NewBrowser(t).Get(emu.URL + "/oauth/authorize?response_type=code")
	if !strings.Contains(page, "client_id is missing") {
		t.Errorf("parameter name capitalised or message lost:\n%s", page)
	}
}

// TestAutoApproveIsShown: an active --auto-approve is on the start page.
func TestAutoApproveIsShown(t *testing.T) {
	emu := apptest.Start(t, "", func(c *config.Config) { c.AutoApprove = seed.AdminEmail })
	if _, page := apptest.NewBrowser(t).Get(emu.URL + "/"); !strings.Contains(page, "Auto-approve is on") || !strings.Contains(page, seed.AdminEmail) {
		t.Errorf("start page does not show auto-approve:\n%s", page)
	}
}

// TestConsentScreenWithoutDeadEnds: nothing is preselected when the admin
// may connect several subjects; a hint naming a subject the user cannot
// connect says so; a second submit says it was answered; a session that
// ended offers to sign in again and continue; an employee's denial says why.
func TestConsentScreenWithoutDeadEnds(t *testing.T) {
	emu := apptest.Start(t, "")
	conf := emu.OAuthConfig("users:read")
	authURL := func(opts ...oauth2.AuthCodeOption) string {
		return conf.AuthCodeURL("st", append(opts, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))...)
	}
	b := apptest.NewBrowser(t)
	page := b.Login(emu.URL, authURL(), seed.AdminEmail, seed.DemoPassword)
	if strings.Contains(page, " checked") {
		t.Error("consent preselects a subject although the admin has several")
	}
	_, page = b.Get(authURL(oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", "urn:pleo:company:"+seed.DenmarkID)))
	if !strings.Contains(page, `value="urn:pleo:company:`+seed.DenmarkID+`" required checked`) {
		t.Error("the hinted company is not preselected")
	}
	foreign := "urn:pleo:company:00000000-0000-4000-8000-000000000000"
	_, page = b.Get(authURL(oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", foreign)))
	if !strings.Contains(page, foreign) || !strings.Contains(page, "cannot connect apps for") {
		t.Errorf("a hint the user cannot connect is dropped silently:\n%s", page)
	}

	form := apptest.FormFields(page)
	form.Set("decision", "deny")
	if resp, _ := b.Post(emu.URL+"/oauth/consent", form); resp.StatusCode != http.StatusFound {
		t.Fatalf("first answer: %d", resp.StatusCode)
	}
	if _, again := b.Post(emu.URL+"/oauth/consent", form); !strings.Contains(again, "Already answered") {
		t.Errorf("second submit does not say it was answered:\n%s", again)
	}

	_, page = b.Get(authURL())
	form = apptest.FormFields(page)
	b.Post(emu.URL+"/logout", url.Values{"csrf_token": {form.Get("csrf_token")}, "continue": {"/"}})
	form.Set("decision", "approve")
	form.Set("subject", "urn:pleo:company:"+seed.DenmarkID)
	resp, expired := b.Post(emu.URL+"/oauth/consent", form)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(expired, "Sign in again and continue") ||
		!strings.Contains(expired, `href="/login?continue=%2Foauth%2Fauthorize%3F`) {
		t.Errorf("session ended: %d, no way on:\n%s", resp.StatusCode, expired)
	}

	emp := apptest.NewBrowser(t)
	page = emp.Login(emu.URL, authURL(), seed.EmployeeEmail, seed.DemoPassword)
	back := emp.Decide(emu.URL, page, "deny", "")
	if back.Query().Get("error") != "access_denied" || !strings.Contains(back.Query().Get("error_description"), "only admins and bookkeepers") {
		t.Fatalf("employee going back: %v", back.Query())
	}
	_, page = emp.Get(authURL())
	form = apptest.FormFields(page)
	form.Set("decision", "approve")
	form.Set("subject", "urn:pleo:company:"+seed.DenmarkID)
	resp, _ = emp.Post(emu.URL+"/oauth/consent", form)
	if d := apptest.Location(t, resp, emu.URL).Query().Get("error_description"); !strings.Contains(d, "only admins and bookkeepers") {
		t.Errorf("employee's access_denied does not say why: %q", d)
	}
}
