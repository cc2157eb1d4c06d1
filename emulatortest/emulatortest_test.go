package emulatortest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// introspection is the part of the RFC 7662 answer the tests read.
type introspection struct {
	Active     bool   `json:"active"`
	Scope      string `json:"scope"`
	ClientID   string `json:"client_id"`
	TokenType  string `json:"token_type"`
	SubjectURN string `json:"urn:pleo:params:oauth:subject_urn"`
	Iss        string `json:"iss"`
	Aud        string `json:"aud"`
}

// introspect asks the introspection endpoint about a token of the demo client.
func introspect(t *testing.T, emu *emulatortest.Emulator, token string) introspection {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, emu.IntrospectURL(), strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(emulatortest.DemoClientID, emulatortest.DemoClientSecret)
	resp, err := emu.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out introspection
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// refresh forces a refresh of tok through conf, as an expired token would.
func refresh(t *testing.T, conf *oauth2.Config, tok *oauth2.Token) (*oauth2.Token, error) {
	t.Helper()
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	return conf.TokenSource(t.Context(), &expired).Token()
}

func TestDemoConstantsMatchTheSeed(t *testing.T) {
	for name, pair := range map[string][2]string{
		"OrganizationID":   {emulatortest.OrganizationID, seed.OrganizationID},
		"DenmarkCompanyID": {emulatortest.DenmarkCompanyID, seed.DenmarkID},
		"SwedenCompanyID":  {emulatortest.SwedenCompanyID, seed.SwedenID},
		"AdminUserID":      {emulatortest.AdminUserID, seed.AdminUserID},
		"AdminEmail":       {emulatortest.AdminEmail, seed.AdminEmail},
		"BookkeeperEmail":  {emulatortest.BookkeeperEmail, seed.BookkeeperEmail},
		"EmployeeEmail":    {emulatortest.EmployeeEmail, seed.EmployeeEmail},
		"DemoPassword":     {emulatortest.DemoPassword, seed.DemoPassword},
		"DemoClientID":     {emulatortest.DemoClientID, seed.DemoClientID},
		"DemoClientSecret": {emulatortest.DemoClientSecret, seed.DemoClientSecret},
		"PublicClientID":   {emulatortest.PublicClientID, seed.PublicClientID},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %s, the seed has %s", name, pair[0], pair[1])
		}
	}
}

func TestNewServesTheDemoSeedOnLoopback(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	u, err := url.Parse(emu.URL)
	if err != nil || u.Hostname() != "127.0.0.1" && u.Hostname() != "::1" || u.Port() == "" {
		t.Fatalf("URL %q is not a loopback address with a port", emu.URL)
	}
	if emu.AuthURL() != emu.URL+"/oauth/authorize" || emu.TokenURL() != emu.URL+"/oauth/token" || emu.APIBaseURL() != emu.URL {
		t.Fatalf("URLs: %s %s %s", emu.AuthURL(), emu.TokenURL(), emu.APIBaseURL())
	}
	resp, err := emu.HTTPClient().Get(emu.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var meta struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.Issuer != emu.URL || meta.AuthorizationEndpoint != emu.AuthURL() || meta.TokenEndpoint != emu.TokenURL() {
		t.Fatalf("metadata %+v does not match %s", meta, emu.URL)
	}
}

func TestTokenIsAcceptedAndBoundToDenmark(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	tok := emu.Token(t, "users:read", "companies:read")
	if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.ExpiresIn != 900 || time.Until(tok.Expiry) < 14*time.Minute {
		t.Fatalf("token %+v", tok)
	}
	if tok.Extra("subject_urn") != emulatortest.DenmarkCompanyURN || tok.Extra("scope") != "users:read companies:read" {
		t.Fatalf("extra: %v %v", tok.Extra("subject_urn"), tok.Extra("scope"))
	}
	got := introspect(t, emu, tok.AccessToken)
	if !got.Active || got.Scope != "users:read companies:read" || got.SubjectURN != emulatortest.DenmarkCompanyURN || got.ClientID != emulatortest.DemoClientID {
		t.Fatalf("introspection: %+v", got)
	}
}

func TestTokenForOtherSubjectsAndMintToken(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	if got := introspect(t, emu, emu.TokenFor(t, emulatortest.OrganizationURN).AccessToken); got.SubjectURN != emulatortest.OrganizationURN {
		t.Errorf("organisation token: %+v", got)
	}
	if got := introspect(t, emu, emu.TokenFor(t, emulatortest.SwedenCompanyID, "users:read").AccessToken); got.SubjectURN != emulatortest.SwedenCompanyURN || got.Scope != "users:read" {
		t.Errorf("Sweden token: %+v", got)
	}
	tok := emu.MintToken(t, emulatortest.TokenRequest{Scopes: []string{"vendors:read"}, AccessTokenTTL: 30 * time.Second, RefreshTokenTTL: time.Hour})
	if tok.ExpiresIn != 30 {
		t.Errorf("expires_in %d, want 30", tok.ExpiresIn)
	}
}

func TestAuthorizeAndExchangeThenRefresh(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read", "export-jobs:read")
	tok := emu.AuthorizeAndExchange(t, t.Context(), conf)
	got := introspect(t, emu, tok.AccessToken)
	if !got.Active || got.SubjectURN != emulatortest.DenmarkCompanyURN || got.Scope != "users:read export-jobs:read" {
		t.Fatalf("introspection after the flow: %+v", got)
	}

	fresh, err := refresh(t, conf, tok)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == "" || fresh.RefreshToken == tok.RefreshToken {
		t.Fatal("refresh did not issue a new access token and a rotated refresh token")
	}
	if !introspect(t, emu, fresh.AccessToken).Active {
		t.Fatal("refreshed access token is not active")
	}
	if introspect(t, emu, tok.RefreshToken).Active {
		t.Fatal("the used refresh token is still active")
	}
}

func TestAuthorizeAndExchangeAsOtherUserSubjectAndPublicClient(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	tok := emu.AuthorizeAndExchange(t, t.Context(), emu.OAuth2Config("users:read"),
		emulatortest.AsUser(emulatortest.BookkeeperEmail, emulatortest.DemoPassword), emulatortest.ForSubject(emulatortest.DenmarkCompanyID))
	if got := introspect(t, emu, tok.AccessToken); !got.Active || got.SubjectURN != emulatortest.DenmarkCompanyURN {
		t.Fatalf("bookkeeper token: %+v", got)
	}
	tok = emu.AuthorizeAndExchange(t, t.Context(), emu.OAuth2Config("companies:read"), emulatortest.ForSubject(emulatortest.OrganizationURN))
	if got := introspect(t, emu, tok.AccessToken); got.SubjectURN != emulatortest.OrganizationURN {
		t.Fatalf("organisation token: %+v", got)
	}

	public := &oauth2.Config{ClientID: emulatortest.PublicClientID, RedirectURL: emulatortest.DemoRedirectURL, Scopes: []string{"users:read"},
		Endpoint: oauth2.Endpoint{AuthURL: emu.AuthURL(), TokenURL: emu.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}}
	if tok := emu.AuthorizeAndExchange(t, t.Context(), public); tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("public client token %+v", tok)
	}
}

func TestAuthorizePlaysTheBrowserForTheCallersURL(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read")
	verifier := oauth2.GenerateVerifier()
	back := emu.Authorize(t, conf.AuthCodeURL("my-state", oauth2.S256ChallengeOption(verifier)))
	if back.Host != "localhost:3000" || back.Path != "/callback" || back.Query().Get("state") != "my-state" || back.Query().Get("code") == "" {
		t.Fatalf("callback %s", back)
	}
	if _, err := conf.Exchange(t.Context(), back.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}

	denied := emu.Authorize(t, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier)), emulatortest.Deny())
	if denied.Query().Get("error") != "access_denied" || denied.Query().Get("state") != "s2" {
		t.Fatalf("deny: %s", denied)
	}
	// An invalid request with a trusted redirect URI comes back as an error too.
	noPKCE := emu.Authorize(t, conf.AuthCodeURL("s3"))
	if noPKCE.Query().Get("error") != "invalid_request" {
		t.Fatalf("without PKCE: %s", noPKCE)
	}
}

func TestAdvanceClockExpiresTheAccessTokenAndRefreshWorks(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read")
	tok := emu.Token(t, "users:read")
	before := emu.Now(t)
	emu.AdvanceClock(t, time.Duration(tok.ExpiresIn+1)*time.Second)
	if moved := emu.Now(t).Sub(before); moved < 901*time.Second || moved > 910*time.Second {
		t.Fatalf("clock moved by %s", moved)
	}
	if introspect(t, emu, tok.AccessToken).Active {
		t.Fatal("the access token is active past its expiry")
	}
	fresh, err := refresh(t, conf, tok)
	if err != nil {
		t.Fatalf("refresh after expiry: %v", err)
	}
	if !introspect(t, emu, fresh.AccessToken).Active {
		t.Fatal("the refreshed access token is not active")
	}
}

func TestSetAndResetClock(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	emu.SetClock(t, at)
	if now := emu.Now(t); !now.Equal(at) {
		t.Fatalf("Now = %s after SetClock(%s)", now, at)
	}
	emu.AdvanceClock(t, time.Hour)
	if now := emu.Now(t); !now.Equal(at.Add(time.Hour)) {
		t.Fatalf("Now = %s after advancing an hour", now)
	}
	emu.ResetClock(t)
	if d := time.Since(emu.Now(t)); d < -time.Minute || d > time.Minute {
		t.Fatalf("clock is %s off the real time after ResetClock", d)
	}
}

func TestInjectFaultFiresExactlyCountTimes(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config()
	tok := emu.Token(t)
	emu.InjectFault(t, emulatortest.Fault{Target: "token", Status: 503, Error: "temporarily_unavailable", Count: 2, RetryAfter: 2})
	for i := range 2 {
		_, err := refresh(t, conf, tok)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			t.Fatalf("request %d: %v, want a 503", i+1, err)
		}
		if re.Response.StatusCode != 503 || re.ErrorCode != "temporarily_unavailable" || re.Response.Header.Get("Retry-After") != "2" {
			t.Fatalf("request %d: %d %q Retry-After %q", i+1, re.Response.StatusCode, re.ErrorCode, re.Response.Header.Get("Retry-After"))
		}
	}
	fresh, err := refresh(t, conf, tok)
	if err != nil {
		t.Fatalf("third request: %v, want success", err)
	}

	emu.InjectFault(t, emulatortest.Fault{Target: "token", Error: "server_error", Count: 5})
	emu.ClearFaults(t)
	if _, err := refresh(t, conf, fresh); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}

func TestInjectFaultDelay(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	tok := emu.Token(t)
	emu.InjectFault(t, emulatortest.Fault{Target: "introspect", Delay: 200 * time.Millisecond})
	start := time.Now()
	if !introspect(t, emu, tok.AccessToken).Active {
		t.Fatal("a delay-only fault failed the request")
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("answered after %s, want at least 200ms", d)
	}
}

func TestResetRestoresTheStartState(t *testing.T) {
	t.Parallel()
	client := emulatortest.Client{ID: "my-erp", Secret: "erp-secret", RedirectURIs: []string{"http://localhost:5173/cb"},
		Scopes: []string{"users:read"}, AutoApprove: emulatortest.AdminEmail}
	emu := emulatortest.New(t, emulatortest.WithClient(client))
	tok := emu.Token(t)
	emu.AdvanceClock(t, 24*time.Hour)
	emu.InjectFault(t, emulatortest.Fault{Target: "token", Status: 500, Count: 3})

	emu.Reset(t)

	if got := introspect(t, emu, tok.RefreshToken); got.Active {
		t.Fatal("a refresh token minted before Reset is still active")
	}
	if d := time.Since(emu.Now(t)); d < -time.Minute || d > time.Minute {
		t.Fatalf("clock is %s off the real time after Reset", d)
	}
	// The fault is gone and the WithClient client is still registered.
	conf := &oauth2.Config{ClientID: client.ID, ClientSecret: client.Secret, RedirectURL: client.RedirectURIs[0], Scopes: client.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: emu.AuthURL(), TokenURL: emu.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}}
	if tok := emu.AuthorizeAndExchange(t, t.Context(), conf); tok.AccessToken == "" {
		t.Fatal("no token for the WithClient client after Reset")
	}
}

func TestWithClientAutoApproveAndLifetimes(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t,
		emulatortest.WithClient(emulatortest.Client{ID: "ci-app", Secret: "ci-secret", RedirectURIs: []string{"http://localhost:9000/cb"},
			Scopes: []string{"users:read", "companies:read"}, DisablePKCE: true}),
		emulatortest.WithAutoApprove(emulatortest.AdminEmail),
		emulatortest.WithAccessTokenTTL(time.Minute),
		emulatortest.WithRefreshTokenTTL(2*time.Hour))
	conf := &oauth2.Config{ClientID: "ci-app", ClientSecret: "ci-secret", RedirectURL: "http://localhost:9000/cb", Scopes: []string{"users:read"},
		Endpoint: oauth2.Endpoint{AuthURL: emu.AuthURL(), TokenURL: emu.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}}
	tok := emu.AuthorizeAndExchange(t, t.Context(), conf, emulatortest.ForSubject(emulatortest.SwedenCompanyURN))
	if tok.ExpiresIn != 60 {
		t.Fatalf("expires_in %d, want 60", tok.ExpiresIn)
	}
	emu.AdvanceClock(t, 2*time.Hour+time.Second)
	if _, err := refresh(t, conf, tok); err == nil {
		t.Fatal("refresh token outlived WithRefreshTokenTTL")
	}
	// PKCE is optional for this client: a request without it gets a code.
	if back := emu.Authorize(t, conf.AuthCodeURL("s")); back.Query().Get("code") == "" {
		t.Fatalf("without PKCE: %s", back)
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]emulatortest.Option{
		"demo client redefined": emulatortest.WithClient(emulatortest.Client{ID: emulatortest.DemoClientID, Secret: "x",
			RedirectURIs: []string{"http://localhost/cb"}, Scopes: []string{"users:read"}}),
		"unknown scope":     emulatortest.WithClient(emulatortest.Client{ID: "x", Secret: "x", RedirectURIs: []string{"http://localhost/cb"}, Scopes: []string{"no:such"}}),
		"zero access TTL":   emulatortest.WithAccessTokenTTL(0),
		"negative refresh":  emulatortest.WithRefreshTokenTTL(-time.Second),
		"public, no PKCE":   emulatortest.WithClient(emulatortest.Client{ID: "spa", RedirectURIs: []string{"http://localhost/cb"}, Scopes: []string{"users:read"}, DisablePKCE: true}),
		"no redirect URIs":  emulatortest.WithClient(emulatortest.Client{ID: "y", Secret: "y", Scopes: []string{"users:read"}}),
		"empty client ID":   emulatortest.WithClient(emulatortest.Client{Secret: "y", RedirectURIs: []string{"http://localhost/cb"}}),
		"bad redirect URIs": emulatortest.WithClient(emulatortest.Client{ID: "z", Secret: "z", RedirectURIs: []string{"not a url"}, Scopes: []string{"users:read"}}),
	} {
		emu, err := emulatortest.Start(opt)
		if err == nil {
			emu.Close()
			t.Errorf("%s: Start succeeded", name)
		} else if !strings.HasPrefix(err.Error(), "emulatortest: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	emu, err := emulatortest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	if err := emu.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := http.Get(emu.URL + "/healthz"); err == nil {
		t.Fatal("the server still answers after Close")
	}
}

// fatalRecorder is a testing.TB whose Fatal ends the goroutine and keeps
// the message, to test how helpers fail.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// fatalMessage runs f with a fatalRecorder and returns its Fatal message
// ("" when f returned normally).
func fatalMessage(t *testing.T, f func(tb testing.TB)) string {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(rec)
	}()
	<-done
	return rec.msg
}

func TestHelpersFailTheTestWithAClearMessage(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read")
	for _, c := range []struct {
		name string
		f    func(tb testing.TB)
		want string
	}{
		{"wrong password", func(tb testing.TB) {
			emu.AuthorizeAndExchange(tb, t.Context(), conf, emulatortest.AsUser(emulatortest.AdminEmail, "wrong"))
		}, "emulatortest: authorize: login as admin@acme.test failed (HTTP 401)"},
		{"employee may not connect", func(tb testing.TB) {
			emu.AuthorizeAndExchange(tb, t.Context(), conf, emulatortest.AsUser(emulatortest.EmployeeEmail, emulatortest.DemoPassword))
		}, "emulatortest: authorize: redirected back with error access_denied: the user may not connect apps"},
		{"extra parameters reach the server", func(tb testing.TB) {
			emu.AuthorizeAndExchange(tb, t.Context(), conf, emulatortest.WithAuthCodeOptions(oauth2.SetAuthURLParam("urn_pleo_params_oauth_subject", "bogus")))
		}, "emulatortest: authorize: redirected back with error invalid_request: urn_pleo_params_oauth_subject must be"},
		{"denied", func(tb testing.TB) {
			emu.AuthorizeAndExchange(tb, t.Context(), conf, emulatortest.Deny())
		}, "emulatortest: authorize: redirected back with error access_denied"},
		{"unknown client", func(tb testing.TB) {
			emu.MintToken(tb, emulatortest.TokenRequest{ClientID: "nobody"})
		}, `emulatortest: POST /_emulator/tokens: invalid token request: unknown client_id "nobody" (HTTP 400)`},
		{"bad fault", func(tb testing.TB) {
			emu.InjectFault(tb, emulatortest.Fault{Target: "token", Status: 503, Count: -1})
		}, "emulatortest: POST /_emulator/faults: count must not be negative (HTTP 400)"},
		{"negative advance", func(tb testing.TB) { emu.AdvanceClock(tb, -time.Second) }, "emulatortest: POST /_emulator/clock: advance must be a non-negative duration"},
		{"bad start", func(tb testing.TB) { emulatortest.New(tb, emulatortest.WithAccessTokenTTL(0)) }, "emulatortest: token lifetimes must be positive"},
	} {
		if got := fatalMessage(t, c.f); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: fatal %q, want it to start with %q", c.name, got, c.want)
		}
	}
}
