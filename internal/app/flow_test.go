package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func TestFullFlowWithGolangOAuth2(t *testing.T) {
	e := apptest.Start(t, "")
	conf, tok := e.TokenPair(t, "users:read", "export-jobs:read")
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Extra("scope") != "users:read export-jobs:read" {
		t.Fatalf("token = %+v scope=%v", tok, tok.Extra("scope"))
	}
	if exp, _ := tok.Extra("expires_in").(float64); exp != 900 {
		t.Errorf("expires_in = %v, want 900", tok.Extra("expires_in"))
	}

	// The access token is an RFC 9068 JWT with Pleo's subject URN.
	parsed, _, err := jwt.NewParser().ParseUnverified(tok.AccessToken, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header["typ"] != "at+jwt" || parsed.Header["alg"] != "RS256" || parsed.Header["kid"] == "" {
		t.Errorf("header = %v", parsed.Header)
	}
	claims := parsed.Claims.(jwt.MapClaims)
	for k, want := range map[string]any{"iss": e.URL, "sub": seed.DenmarkID, "client_id": seed.DemoClientID,
		"scope": "users:read export-jobs:read", "urn:pleo:params:oauth:subject_urn": "urn:pleo:company:" + seed.DenmarkID} {
		if claims[k] != want {
			t.Errorf("claim %s = %v, want %v", k, claims[k], want)
		}
	}
	if aud, _ := claims.GetAudience(); len(aud) != 1 || aud[0] != e.URL {
		t.Errorf("aud = %v", aud)
	}

	info := e.Introspect(t, tok.AccessToken)
	if info["active"] != true || info["token_type"] != "Bearer" || info["token_use"] != "access_token" || info["client_id"] != seed.DemoClientID {
		t.Errorf("introspection = %v", info)
	}

	// Refresh through the library's TokenSource: rotation gives a new pair.
	old := *tok
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := conf.TokenSource(context.Background(), tok).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == old.AccessToken || fresh.RefreshToken == old.RefreshToken {
		t.Fatal("refresh did not rotate both tokens")
	}
	if e.Introspect(t, old.RefreshToken)["active"] != false {
		t.Error("the rotated refresh token is still active")
	}
	if e.Introspect(t, fresh.RefreshToken)["active"] != true {
		t.Error("the new refresh token is not active")
	}

	// Revoking the refresh token revokes the grant: the access token dies too.
	resp, _ := apptest.PostForm(t, e.URL+"/oauth/revoke", url.Values{"token": {fresh.RefreshToken}}, seed.DemoClientID, seed.DemoClientSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if e.Introspect(t, fresh.AccessToken)["active"] != false {
		t.Error("access token still active after its grant was revoked")
	}
	if _, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token(); err == nil {
		t.Error("a revoked refresh token still refreshes")
	}
}

func TestPublicClientFlow(t *testing.T) {
	e := apptest.Start(t, "")
	conf := e.OAuthConfig("users:read")
	conf.ClientID, conf.ClientSecret = seed.PublicClientID, ""
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	code, verifier := e.AuthorizeCode(t, conf)
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
}

func TestDenyGoesBackWithAccessDenied(t *testing.T) {
	e := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	page := b.Login(e.URL, e.OAuthConfig("users:read").AuthCodeURL("st-deny", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), seed.AdminEmail, seed.DemoPassword)
	back := b.Decide(e.URL, page, "deny", "")
	if back.Host != "localhost:3000" || back.Query().Get("error") != "access_denied" || back.Query().Get("state") != "st-deny" || back.Query().Get("code") != "" {
		t.Fatalf("deny redirect = %s", back)
	}
}

func TestEmployeeMayNotConnectApps(t *testing.T) {
	e := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	page := b.Login(e.URL, e.OAuthConfig("users:read").AuthCodeURL("st-emp", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), seed.EmployeeEmail, seed.DemoPassword)
	if !strings.Contains(page, "not an admin or bookkeeper") || strings.Contains(page, `value="approve"`) {
		t.Fatal("the employee is offered an Approve button or no reason")
	}
	// Even a forged approval for the employee's company is refused.
	back := b.Decide(e.URL, page, "approve", "urn:pleo:company:"+seed.DenmarkID)
	if back.Query().Get("error") != "access_denied" || back.Query().Get("state") != "st-emp" {
		t.Fatalf("redirect = %s", back)
	}
}

func TestBookkeeperSeesOnlyTheirCompany(t *testing.T) {
	e := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	page := b.Login(e.URL, e.OAuthConfig("users:read").AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), seed.BookkeeperEmail, seed.DemoPassword)
	if !strings.Contains(page, "urn:pleo:company:"+seed.DenmarkID) || strings.Contains(page, seed.SwedenID) || strings.Contains(page, seed.OrganizationID) {
		t.Fatal("bookkeeper's subject choice is wrong")
	}
	back := b.Decide(e.URL, page, "approve", "urn:pleo:company:"+seed.SwedenID)
	if back.Query().Get("error") != "access_denied" {
		t.Fatalf("approval for a foreign company: %s", back)
	}
}

func TestSubjectHintPreselectsAndOrganisationTokens(t *testing.T) {
	e := apptest.Start(t, "")
	conf := e.OAuthConfig("companies:read")
	verifier := oauth2.GenerateVerifier()
	b := apptest.NewBrowser(t)
	orgURN := "urn:pleo:organization:" + seed.OrganizationID
	page := b.Login(e.URL, conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", orgURN)), seed.AdminEmail, seed.DemoPassword)
	if !strings.Contains(page, `value="`+orgURN+`" required checked`) {
		t.Fatal("the hinted organisation is not preselected")
	}
	back := b.Decide(e.URL, page, "approve", orgURN)
	tok, err := conf.Exchange(context.Background(), back.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if info := e.Introspect(t, tok.AccessToken); info["urn:pleo:params:oauth:subject_urn"] != orgURN || info["sub"] != seed.OrganizationID {
		t.Fatalf("introspection = %v", info)
	}
}

func TestParallelCodeRedemptionsGiveExactlyOneSuccess(t *testing.T) {
	e := apptest.Start(t, "")
	conf := e.OAuthConfig("users:read")
	code, verifier := e.AuthorizeCode(t, conf)
	statuses := parallelPosts(t, 50, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {conf.RedirectURL}, "code_verifier": {verifier}})
	if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 49 {
		t.Fatalf("statuses = %v, want one 200 and 49 400", statuses)
	}
}

func TestParallelRefreshesGiveExactlyOneSuccessAndRevokeTheGrant(t *testing.T) {
	e := apptest.Start(t, "")
	_, tok := e.TokenPair(t, "users:read")
	statuses := parallelPosts(t, 50, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
	if statuses[http.StatusOK] != 1 || statuses[http.StatusBadRequest] != 49 {
		t.Fatalf("statuses = %v, want one 200 and 49 400", statuses)
	}
	if e.Introspect(t, tok.AccessToken)["active"] != false {
		t.Error("the reuse did not revoke the grant")
	}
}

// parallelPosts sends the same token request n times at once as the demo client.
func parallelPosts(t *testing.T, n int, u string, form url.Values) map[int]int {
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			resp, _ := apptest.PostForm(t, u, form, seed.DemoClientID, seed.DemoClientSecret)
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

func TestTokensSurviveARestart(t *testing.T) {
	e := apptest.Start(t, "")
	conf, tok := e.TokenPair(t, "users:read")
	db := e.DBPath
	e.Stop()
	e2 := apptest.Start(t, db, func(c *config.Config) { c.PublicURL = e.URL })
	_ = conf
	if e2.Introspect(t, tok.AccessToken)["active"] != true {
		t.Fatal("access token not active after restart")
	}
	resp, body := apptest.PostForm(t, e2.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, seed.DemoClientID, seed.DemoClientSecret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh after restart: %d %s", resp.StatusCode, body)
	}
}

func TestSingleURIClientMayOmitRedirectURIAtAuthorizeAndSendItAtToken(t *testing.T) {
	const uri = "http://localhost:7000/only"
	e := apptest.Start(t, "", func(c *config.Config) {
		c.Additions.Clients = append(c.Additions.Clients, config.ClientSpec{ID: "one-uri", Name: "One URI",
			RedirectURIs: []string{uri}, Scopes: []string{"users:read"}})
	})
	conf := e.OAuthConfig("users:read")
	conf.ClientID, conf.ClientSecret, conf.RedirectURL = "one-uri", "", ""
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	code, verifier := e.AuthorizeCode(t, conf)
	// An empty client_secret from a public client counts as none.
	resp, body := apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {uri}, "code_verifier": {verifier}, "client_id": {"one-uri"}, "client_secret": {""}}, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("exchange: %d %s", resp.StatusCode, body)
	}
}

func TestParallelPasswordGuessesAreThrottledToo(t *testing.T) {
	e := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	_, page := b.Get(e.URL + "/login")
	form := apptest.FormFields(page)
	form.Set("email", seed.BookkeeperEmail)
	form.Set("password", "wrong")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, _ := b.Post(e.URL+"/login", form)
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusTooManyRequests] < 15 {
		t.Fatalf("statuses = %v: more than five guesses were checked", statuses)
	}
}

func TestFormsRefusePostsFromOtherSites(t *testing.T) {
	e := apptest.Start(t, "")
	b := apptest.NewBrowser(t)
	_, page := b.Get(e.URL + "/login")
	form := apptest.FormFields(page)
	form.Set("email", seed.AdminEmail)
	form.Set("password", seed.DemoPassword)
	for _, path := range []string{"/login", "/logout", "/oauth/consent", "/settings/apps/revoke", "/playground/reset"} {
		for _, h := range []map[string]string{{"Origin": "http://localhost:3000"}, {"Sec-Fetch-Site": "same-site"}} {
			req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := b.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %v: %d, want 403", path, h, resp.StatusCode)
			}
		}
	}
	// The emulator's own pages may post.
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin login: %d", resp.StatusCode)
	}
}
