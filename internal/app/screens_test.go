package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestLoginPageNamesTheAppAndListsOnlyExistingDemoUsers: signing in on the
// way to an authorisation names the app; the demo users are listed only
// when they exist (not with --seed none).
func TestLoginPageNamesTheAppAndListsOnlyExistingDemoUsers(t *testing.T) {
	emu := startEmulator(t, "")
	b := newBrowser(t)
	authURL := emu.oauthConfig("users:read").AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	resp, _ := b.get(authURL)
	_, page := b.get(location(t, resp, emu.URL).String())
	if !strings.Contains(page, "Sign in to connect Demo Accounting App") || !strings.Contains(page, seed.AdminEmail) {
		t.Errorf("login page on the way to demo-client does not name it or lacks the demo users:\n%s", page)
	}

	bare := startEmulator(t, "", func(c *config.Config) { c.Seed = "none" })
	_, page = newBrowser(t).get(bare.URL + "/login")
	if strings.Contains(page, seed.AdminEmail) || strings.Contains(page, "Demo users") {
		t.Errorf("--seed none login page lists demo users that do not exist:\n%s", page)
	}
}

// TestLockoutSaysMinutesAndResetClearsIt: after five failures the page says
// how long to wait as a person would, and POST /_emulator/reset lifts the
// lockout (a test suite's reset must start from a clean state).
func TestLockoutSaysMinutesAndResetClearsIt(t *testing.T) {
	emu := startEmulator(t, "")
	b := newBrowser(t)
	try := func(password string) (*http.Response, string) {
		_, page := b.get(emu.URL + "/login")
		form := formFields(page)
		form.Set("email", seed.AdminEmail)
		form.Set("password", password)
		return b.post(emu.URL+"/login", form)
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
	emu := startEmulator(t, "")
	q := url.Values{"response_type": {"code"}, "client_id": {seed.DemoClientID}, "redirect_uri": {"https://evil.test/cb"}, "scope": {"users:read"}}
	resp, page := newBrowser(t).get(emu.URL + "/oauth/authorize?" + q.Encode())
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
	_, page = newBrowser(t).get(emu.URL + "/oauth/authorize?response_type=code")
	if !strings.Contains(page, "client_id is missing") {
		t.Errorf("parameter name capitalised or message lost:\n%s", page)
	}
}

// TestAutoApproveIsShown: an active --auto-approve is on the start page.
func TestAutoApproveIsShown(t *testing.T) {
	emu := startEmulator(t, "", func(c *config.Config) { c.AutoApprove = seed.AdminEmail })
	if _, page := newBrowser(t).get(emu.URL + "/"); !strings.Contains(page, "Auto-approve is on") || !strings.Contains(page, seed.AdminEmail) {
		t.Errorf("start page does not show auto-approve:\n%s", page)
	}
}
