package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// revokeConfirmURL is the "Revoke access" link of the demo client on Denmark.
var revokeConfirmURL = "/settings/apps/revoke?" + url.Values{"client_id": {seed.DemoClientID}, "subject": {denmark.URN()}}.Encode()

func TestRevokeAsksForConfirmation(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	access, _ := playgroundTokens(t, c)

	_, list := c.get("/settings/apps")
	mustContain(t, list, `href="/settings/apps/revoke?client_id=demo-client&amp;subject=`)
	mustNotContain(t, list, `<form method="post" action="/settings/apps/revoke"`)

	resp, page := c.get(revokeConfirmURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation page: status %d", resp.StatusCode)
	}
	mustContain(t, page, "Revoke access of", "Demo Accounting App", "to Acme Denmark ApS?",
		`<form method="post" action="/settings/apps/revoke">`, `name="csrf_token"`, `name="client_id" value="demo-client"`,
		`name="subject" value="`+denmark.URN()+`"`, `href="/settings/apps">Cancel</a>`)
	// Showing the confirmation revokes nothing.
	if got := apiStatus(t, e.URL, access); got != http.StatusOK {
		t.Fatalf("API after the confirmation page: %d, want 200", got)
	}

	form := url.Values{"csrf_token": {hidden(t, page, "csrf_token")}, "client_id": {seed.DemoClientID}, "subject": {denmark.URN()}}
	resp, _ = c.post("/settings/apps/revoke", form)
	if loc := location(t, resp); loc != "/settings/apps" {
		t.Fatalf("revoke went to %s", loc)
	}
	_, page = c.get("/settings/apps")
	mustContain(t, page, `role="status"`, "Demo Accounting App no longer has access to Acme Denmark ApS")
	// A reload does not repeat the confirmation.
	_, page = c.get("/settings/apps")
	mustNotContain(t, page, `role="status"`, "no longer has access")
	// The app is gone, so its confirmation link now says there is nothing to revoke.
	if resp, page := c.get(revokeConfirmURL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirming an app without access: status %d, want 404", resp.StatusCode)
	} else {
		mustContain(t, page, "Nothing to revoke", `href="/settings/apps"`)
	}
}

func TestConnectedAppsIgnoresNoticesInTheURL(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	playgroundTokens(t, c)
	crafted := "/settings/apps?" + url.Values{"revoked": {seed.DemoClientID}, "subject": {denmark.URN()},
		"notice": {"Your account was hacked"}}.Encode()
	_, page := c.get(crafted)
	mustNotContain(t, page, `role="status"`, "no longer has access", "hacked")
	mustContain(t, page, "Demo Accounting App", "Revoke access")

	// Nor does a planted notice cookie with a made-up ID show anything.
	u, _ := url.Parse(e.URL + "/settings/apps")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "pleo_emulator_notice", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/settings/apps"}})
	_, page = c.get("/settings/apps")
	mustNotContain(t, page, `role="status"`)
}

func TestRevokeNoticeIsForTheRevokingUserOnly(t *testing.T) {
	e := startEmulator(t)
	c := newClient(t, e.URL)
	c.logIn(seed.AdminEmail)
	playgroundTokens(t, c)
	form := url.Values{"csrf_token": {c.csrf("/settings/apps")}, "client_id": {seed.DemoClientID}, "subject": {denmark.URN()}}
	resp, _ := c.post("/settings/apps/revoke", form)
	location(t, resp)
	u, _ := url.Parse(e.URL + "/settings/apps")
	stolen := c.Jar.Cookies(u)

	// The bookkeeper's browser given the admin's notice cookie sees nothing.
	other := newClient(t, e.URL)
	other.logIn(seed.BookkeeperEmail)
	for _, ck := range stolen {
		if ck.Name == "pleo_emulator_notice" {
			other.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/settings/apps"}})
		}
	}
	_, page := other.get("/settings/apps")
	mustNotContain(t, page, `role="status"`, "no longer has access")
}

func TestRevokeConfirmationNeedsLoginAndRights(t *testing.T) {
	e := startEmulator(t)
	anon := newClient(t, e.URL)
	resp, _ := anon.get(revokeConfirmURL)
	wantLogin := "/login?" + url.Values{"continue": {revokeConfirmURL}}.Encode()
	if loc := location(t, resp); loc != wantLogin {
		t.Errorf("without a session the confirmation went to %s", loc)
	}

	c := newClient(t, e.URL)
	c.logIn(seed.BookkeeperEmail)
	swedenURL := "/settings/apps/revoke?" + url.Values{"client_id": {seed.DemoClientID}, "subject": {sweden.URN()}}.Encode()
	if resp, _ := c.get(swedenURL); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bookkeeper confirming for Sweden: status %d, want 403", resp.StatusCode)
	}
	for _, bad := range []string{"/settings/apps/revoke", "/settings/apps/revoke?client_id=demo-client&subject=nonsense"} {
		if resp, page := c.get(bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		} else {
			mustContain(t, page, "Nothing to revoke", "Back to connected apps")
		}
	}
}
