package browser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// denmarkURN is the demo company the tests connect.
var denmarkURN = "urn:pleo:company:" + seed.DenmarkID

// newestExchange is the newest entry of the playground's HTTP log.
const newestExchange = ".exchange-list > li:first-child"

// beginFlow builds the demo client's authorisation request in the
// playground and opens it, which lands on the login page.
func (b *browser) beginFlow(shots bool) {
	b.t.Helper()
	if status := b.navigate("/playground"); status != 200 {
		b.t.Fatalf("playground: status %d", status)
	}
	b.mustContain("#step-1", "Demo Accounting App", seed.DemoClientID)
	if shots {
		b.screenshot("playground-1-client")
	}
	b.click("#build-request")
	b.mustContain("#step-2", "code_challenge", "S256", "state", "/playground/callback")
	if shots {
		b.screenshotElement("playground-2-request", "#step-2")
	}
	b.click("#open-authorize")
	if p := b.path(); !strings.HasPrefix(p, "/login?") {
		b.t.Fatalf("authorize without a session went to %s, want the login page", p)
	}
}

// logIn signs in as the demo admin by clicking.
func (b *browser) logIn() {
	b.t.Helper()
	b.do("fill in the login form",
		chromedp.SendKeys(chromedp.CSS("#email"), seed.AdminEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), seed.DemoPassword))
	b.click("form.form button[type=submit]")
}

// approveDenmark picks the Denmark company on the consent screen and approves.
func (b *browser) approveDenmark() {
	b.t.Helper()
	b.do("choose Acme Denmark", chromedp.Click(chromedp.CSS(`input[name=subject][value="`+denmarkURN+`"]`)))
	b.click(`button[name=decision][value=approve]`)
}

// tokens runs the whole flow and exchanges the code, ending on step 4.
func (b *browser) tokens() {
	b.t.Helper()
	b.beginFlow(false)
	b.logIn()
	b.approveDenmark()
	b.click("#exchange-code")
	b.mustContain("#step-4", "at+jwt")
}

// TestConsentFlowByClicking logs in, picks a company and approves; the
// browser lands back on the playground's callback with a code and the state
// checked. It saves the login and error screens (TestConsentLayout saves
// the consent screen).
func TestConsentFlowByClicking(t *testing.T) {
	b := newBrowser(t, startEmulator(t))
	b.beginFlow(true)
	b.mustContain("main", "Sign in", seed.AdminEmail)
	b.screenshot("login")
	b.logIn()
	b.mustContain("main", "Demo Accounting App", "wants to access your Pleo account", "Acme Denmark ApS", "Approve", "Deny")
	b.approveDenmark()
	if p := b.path(); p != "/playground#step-3" {
		t.Fatalf("after approval the browser is on %s, want /playground#step-3 (via /playground/callback)", p)
	}
	b.mustContain("#step-3", "code", "The state matches the value sent in step 2")
	b.screenshotElement("playground-3-callback", "#step-3")

	if status := b.navigate("/oauth/authorize?client_id=no-such-client&response_type=code"); status != 400 {
		t.Errorf("unknown client: status %d, want 400", status)
	}
	b.mustContain("main", "This app sent an invalid request", "invalid_client")
	b.screenshot("error")
}

// TestDenyPath signs in with the keyboard only and denies: the callback
// carries access_denied and no code.
func TestDenyPath(t *testing.T) {
	b := newBrowser(t, startEmulator(t))
	b.beginFlow(false)
	// The email field has focus; type, Tab to the password, Enter submits.
	b.do("type the email", chromedp.KeyEvent(seed.AdminEmail))
	b.do("tab to the password", chromedp.KeyEvent("\t"))
	b.do("type the password", chromedp.KeyEvent(seed.DemoPassword))
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("submit the login form with Enter: %v", err)
	}
	b.mustContain("main", "wants to access your Pleo account")
	b.click(`button[name=decision][value=deny]`)
	if p := b.path(); p != "/playground#step-3" {
		t.Fatalf("after denying the browser is on %s, want /playground#step-3", p)
	}
	b.mustContain("#step-3", "access_denied", "The state matches", "No code was issued")
	if strings.Contains(b.text("main"), "Exchange the code for tokens") {
		t.Error("a denied request offers a code exchange")
	}
	b.screenshotElement("playground-denied", "#step-3")
}

// TestPlaygroundEndToEnd exchanges the code, refreshes, introspects and
// calls the API from the playground, checking each exchange's status.
func TestPlaygroundEndToEnd(t *testing.T) {
	b := newBrowser(t, startEmulator(t))
	b.screenshotStart()
	b.tokens()
	b.mustContain("#step-4", `"typ": "at+jwt"`, "urn:pleo:params:oauth:subject_urn", denmarkURN)
	b.mustContain(newestExchange, "Token request: authorization_code", "200 OK", "[redacted; client_id demo-client")
	if strings.Contains(b.text("main"), seed.DemoClientSecret) {
		t.Error("the client secret appears on the page")
	}
	b.screenshotElement("playground-4-tokens", "#step-4")
	before := b.text("#access-token")

	b.click("#refresh-tokens")
	b.mustContain(newestExchange, "Token request: refresh_token", "200 OK")
	if after := b.text("#access-token"); after == before {
		t.Error("refresh did not replace the access token")
	}

	b.click("#introspect-access")
	b.mustContain(newestExchange, "Introspection of the access token", "200 OK", `"active": true`)

	b.do("choose the API route", chromedp.SetValue(chromedp.CSS("#api-path"), "/v1/introspect"))
	b.click("#call-api")
	b.mustContain(newestExchange, "API call", "GET", "/v1/introspect", "Bearer eyJ", "200 OK")
	b.screenshotElement("playground-5-use", "#step-5")
	b.screenshotElement("playground-6-exchanges", "#exchanges")
}

// TestRevokeFromConnectedApps revokes the app on the connected-apps page,
// through its confirmation page (checked at 1280 and 375 px); afterwards the API refuses the token, introspection says inactive and
// refreshing fails with invalid_grant.
func TestRevokeFromConnectedApps(t *testing.T) {
	b := newBrowser(t, startEmulator(t))
	b.tokens()
	b.click("#introspect-access") // a use of the token on the server side
	b.do("choose the API route", chromedp.SetValue(chromedp.CSS("#api-path"), "/v1/introspect"))
	b.click("#call-api")
	b.mustContain(newestExchange, "API call", "200 OK")

	b.navigate("/settings/apps")
	b.mustContain("main", "Connected apps", "Acme Denmark ApS", "Demo Accounting App", "Revoke access")
	b.screenshot("connected-apps")
	b.click(`a[href^="/settings/apps/revoke?client_id=demo-client"]`)
	b.mustContain("main", "Revoke access of", "Demo Accounting App", "to Acme Denmark ApS?", "tokens stop working", "Cancel")
	for _, vp := range viewports {
		b.do(vp.name, vp.set)
		if !b.inView(`main button[type=submit]`) || !b.inView(`main a[href="/settings/apps"]`) {
			t.Errorf("%s: the confirmation's buttons are not in view", vp.name)
		}
	}
	b.do("desktop viewport", desktopViewport)
	b.screenshot("connected-apps-revoke")
	b.screenshotPhone("connected-apps-revoke-phone")
	b.click(`main button[type=submit]`)
	if p := b.path(); p != "/settings/apps" {
		t.Fatalf("after revoking the browser is on %s, want /settings/apps (no message in the URL)", p)
	}
	b.mustContain("[role=status]", "Demo Accounting App no longer has access to Acme Denmark ApS")
	b.screenshot("connected-apps-revoked")
	b.navigate("/settings/apps") // a reload does not repeat the message
	if eval[bool](b, `document.querySelector('[role=status]') !== null`) {
		t.Error("reloading the connected-apps page repeats the revocation message")
	}

	b.navigate("/playground")
	b.click("#call-api")
	b.mustContain(newestExchange, "API call", "401 Unauthorized")
	b.click("#introspect-access")
	b.mustContain(newestExchange, "Introspection of the access token", `"active": false`)
	b.click("#refresh-tokens")
	b.mustContain(newestExchange, "Token request: refresh_token", "400 Bad Request", "invalid_grant")
}

// screenshotStart saves the start page.
func (b *browser) screenshotStart() {
	b.t.Helper()
	b.navigate("/")
	b.mustContain("main", "Endpoints", "/oauth/token", seed.AdminEmail, seed.DemoClientID, seed.DemoClientSecret)
	b.screenshot("start")
	b.screenshotPhone("start-phone")
}
