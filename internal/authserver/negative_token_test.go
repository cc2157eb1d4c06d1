package authserver_test

// Negative tests of the token, introspection and revocation endpoints
// (channel 3: RFC 6749 §5.2 JSON). Helpers shared with the authorisation
// endpoint tests are in negative_test.go and package apptest; basicAuth
// (the Basic header without the form-encoding step) is in
// token_fuzz_test.go.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// rawPost sends body to path with the given content type and, if auth is
// not empty, that Authorization header.
func rawPost(t *testing.T, u, contentType, body, auth string) (*http.Response, string) {
	t.Helper()
	var header http.Header
	if auth != "" {
		header = http.Header{"Authorization": {auth}}
	}
	return apptest.Send(t, http.MethodPost, u, contentType, header, strings.NewReader(body))
}

// assertInactive checks the RFC 7662 answer for a token that must not be
// described: exactly {"active": false}, nothing else.
func assertInactive(t *testing.T, info map[string]any) {
	t.Helper()
	if info["active"] != false || len(info) != 1 {
		t.Errorf("introspection = %v, want exactly {\"active\": false}", info)
	}
}

// refreshAs posts a refresh_token grant as client id (Basic).
func refreshAs(t *testing.T, e *apptest.Emulator, id, secret, refreshToken string, extra url.Values) (*http.Response, string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	for k, v := range extra {
		form[k] = v
	}
	return apptest.PostForm(t, e.URL+"/oauth/token", form, id, secret)
}

func decodeToken(t *testing.T, body string) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTokenEndpointRequestAndClientAuthErrors pins the request format and
// client authentication rules (go-oauth2 pitfalls: unknown client answers
// 500, Basic credentials not URL-decoded, public client with any secret,
// password and client_credentials grants on by default).
func TestTokenEndpointRequestAndClientAuthErrors(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	tokenURL := e.URL + "/oauth/token"
	const grant = "grant_type=refresh_token&refresh_token=no-such-token"
	demo := apptest.Basic(seed.DemoClientID, seed.DemoClientSecret)
	cases := []struct {
		name        string
		query       string // appended to the token URL
		contentType string
		body        string
		auth        string
		status      int
		code        string
		wwwAuth     bool // WWW-Authenticate: Basic expected
	}{
		// Controls: a well-formed request gets as far as the grant.
		{"control: Basic", "", apptest.FormType, grant, demo, 400, "invalid_grant", false},
		{"control: client_secret_post", "", apptest.FormType, grant + "&client_id=demo-client&client_secret=demo-secret", "", 400, "invalid_grant", false},
		{"control: Basic and the same client_id in the body", "", apptest.FormType, grant + "&client_id=demo-client", demo, 400, "invalid_grant", false},
		{"control: content type with charset", "", apptest.FormType + "; charset=UTF-8", grant, demo, 400, "invalid_grant", false},
		{"control: public client with client_id only", "", apptest.FormType, grant + "&client_id=demo-public-client", "", 400, "invalid_grant", false},
		{"control: public client with Basic and no password", "", apptest.FormType, grant, apptest.Basic(seed.PublicClientID, ""), 400, "invalid_grant", false},

		// Request format.
		{"parameters in the query string", "?" + grant, apptest.FormType, "", demo, 400, "invalid_request", false},
		{"one parameter in the query string", "?refresh_token=x", apptest.FormType, "grant_type=refresh_token", demo, 400, "invalid_request", false},
		{"client secret in the query string", "?client_secret=demo-secret", apptest.FormType, grant + "&client_id=demo-client", "", 400, "invalid_request", false},
		{"JSON body", "", "application/json", `{"grant_type":"refresh_token","refresh_token":"x"}`, demo, 400, "invalid_request", false},
		{"form body labelled JSON", "", "application/json", grant, demo, 400, "invalid_request", false},
		{"multipart body", "", "multipart/form-data; boundary=x", "--x--", demo, 400, "invalid_request", false},
		{"no content type", "", "", grant, demo, 400, "invalid_request", false},
		{"bad form encoding", "", apptest.FormType, grant + "&%zz=1", demo, 400, "invalid_request", false},
		{"body too large", "", apptest.FormType, grant + "&pad=" + strings.Repeat("a", 70<<10), demo, 413, "invalid_request", false},
		{"grant_type twice", "", apptest.FormType, grant + "&grant_type=refresh_token", demo, 400, "invalid_request", false},
		{"refresh_token twice", "", apptest.FormType, grant + "&refresh_token=other", demo, 400, "invalid_request", false},
		{"client_id twice", "", apptest.FormType, grant + "&client_id=demo-client&client_id=demo-client&client_secret=demo-secret", "", 400, "invalid_request", false},
		{"grant_type missing", "", apptest.FormType, "refresh_token=x", demo, 400, "invalid_request", false},
		{"grant_type empty", "", apptest.FormType, "grant_type=&refresh_token=x", demo, 400, "invalid_request", false},

		// Grant types Pleo does not offer: 400, never 401.
		{"password grant", "", apptest.FormType, "grant_type=password&username=admin@acme.test&password=demo&scope=users:read", demo, 400, "unsupported_grant_type", false},
		{"client_credentials grant", "", apptest.FormType, "grant_type=client_credentials&scope=users:read", demo, 400, "unsupported_grant_type", false},
		{"implicit grant", "", apptest.FormType, "grant_type=implicit", demo, 400, "unsupported_grant_type", false},
		{"token grant", "", apptest.FormType, "grant_type=token", demo, 400, "unsupported_grant_type", false},
		{"code grant", "", apptest.FormType, "grant_type=code", demo, 400, "unsupported_grant_type", false},
		{"device code grant", "", apptest.FormType, "grant_type=" + url.QueryEscape("urn:ietf:params:oauth:grant-type:device_code") + "&device_code=x", demo, 400, "unsupported_grant_type", false},
		{"JWT bearer grant", "", apptest.FormType, "grant_type=" + url.QueryEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=x", demo, 400, "unsupported_grant_type", false},
		{"token exchange grant", "", apptest.FormType, "grant_type=" + url.QueryEscape("urn:ietf:params:oauth:grant-type:token-exchange"), demo, 400, "unsupported_grant_type", false},
		{"grant type in another case", "", apptest.FormType, "grant_type=Refresh_Token&refresh_token=x", demo, 400, "unsupported_grant_type", false},
		{"public client asking for client_credentials", "", apptest.FormType, "grant_type=client_credentials&client_id=demo-public-client", "", 400, "unsupported_grant_type", false},

		// Client authentication: 401 invalid_client, never 500.
		{"no client authentication", "", apptest.FormType, grant, "", 401, "invalid_client", false},
		{"unknown client via Basic", "", apptest.FormType, grant, apptest.Basic("no-such-client", "x"), 401, "invalid_client", true},
		{"unknown client via post", "", apptest.FormType, grant + "&client_id=no-such-client&client_secret=x", "", 401, "invalid_client", false},
		{"unknown client with an unsupported grant", "", apptest.FormType, "grant_type=password", apptest.Basic("no-such-client", "x"), 401, "invalid_client", true},
		{"wrong secret via Basic", "", apptest.FormType, grant, apptest.Basic(seed.DemoClientID, "wrong"), 401, "invalid_client", true},
		{"wrong secret via post", "", apptest.FormType, grant + "&client_id=demo-client&client_secret=wrong", "", 401, "invalid_client", false},
		{"another client's secret", "", apptest.FormType, grant, apptest.Basic(seed.DemoClientID, otherSecret), 401, "invalid_client", true},
		{"secret with a trailing space", "", apptest.FormType, grant, apptest.Basic(seed.DemoClientID, seed.DemoClientSecret+" "), 401, "invalid_client", true},
		{"confidential client without a secret", "", apptest.FormType, grant + "&client_id=demo-client", "", 401, "invalid_client", false},
		{"confidential client with an empty secret", "", apptest.FormType, grant + "&client_id=demo-client&client_secret=", "", 401, "invalid_client", false},
		{"confidential client with Basic and no password", "", apptest.FormType, grant, apptest.Basic(seed.DemoClientID, ""), 401, "invalid_client", true},
		{"public client sending a secret via post", "", apptest.FormType, grant + "&client_id=demo-public-client&client_secret=anything", "", 401, "invalid_client", false},
		{"public client sending a secret via Basic", "", apptest.FormType, grant, apptest.Basic(seed.PublicClientID, "anything"), 401, "invalid_client", true},
		{"public client sending the confidential client's secret", "", apptest.FormType, grant + "&client_id=demo-public-client&client_secret=demo-secret", "", 401, "invalid_client", false},
		{"Basic credentials not form-encoded", "", apptest.FormType, grant, "Basic " + base64.StdEncoding.EncodeToString([]byte("demo-client:%zz")), 401, "invalid_client", true},
		{"Basic with an empty client ID", "", apptest.FormType, grant, apptest.Basic("", "x"), 401, "invalid_client", true},

		// Two authentication methods at once.
		{"Basic and client_secret in the body", "", apptest.FormType, grant + "&client_secret=demo-secret", demo, 400, "invalid_request", false},
		{"Basic and an empty client_secret in the body", "", apptest.FormType, grant + "&client_secret=", demo, 400, "invalid_request", false},
		{"client_id in the body differs from Basic", "", apptest.FormType, grant + "&client_id=" + otherClient, demo, 400, "invalid_request", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawPost(t, tokenURL+tc.query, tc.contentType, tc.body, tc.auth)
			apptest.AssertJSONError(t, resp, body, tc.status, tc.code)
			if wa := resp.Header.Get("WWW-Authenticate"); tc.wwwAuth && !strings.HasPrefix(wa, "Basic") {
				t.Errorf("WWW-Authenticate = %q, want Basic", wa)
			}
		})
	}
}

// TestClientSecretWithSpecialCharacters: golang.org/x/oauth2 form-encodes
// Basic credentials (RFC 6749 §2.3.1); the emulator must decode them.
func TestClientSecretWithSpecialCharacters(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	for name, style := range map[string]oauth2.AuthStyle{"header": oauth2.AuthStyleInHeader, "params": oauth2.AuthStyleInParams, "autodetect": oauth2.AuthStyleAutoDetect} {
		t.Run(name, func(t *testing.T) {
			conf := e.OAuthConfig("users:read")
			conf.ClientID, conf.ClientSecret, conf.Endpoint.AuthStyle = specialClient, specialSecret, style
			code, verifier := e.AuthorizeCode(t, conf)
			tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			tok.Expiry = time.Now().Add(-time.Minute)
			fresh, err := conf.TokenSource(context.Background(), tok).Token()
			if err != nil || fresh.AccessToken == tok.AccessToken {
				t.Fatalf("refresh: %v", err)
			}
			if info := e.IntrospectAs(t, specialClient, specialSecret, fresh.AccessToken); info["active"] != true {
				t.Errorf("introspection = %v", info)
			}
		})
	}
	// Control: the special characters matter; a near-miss secret fails.
	resp, body := refreshAs(t, e, specialClient, strings.ReplaceAll(specialSecret, "+", " "), "x", nil)
	apptest.AssertJSONError(t, resp, body, http.StatusUnauthorized, "invalid_client")
	// Without the form-encoding step, "+" decodes to a space: the secret is wrong (RFC 6749 §2.3.1).
	resp, body = rawPost(t, e.URL+"/oauth/token", apptest.FormType, "grant_type=refresh_token&refresh_token=x", basicAuth(specialClient, specialSecret))
	apptest.AssertJSONError(t, resp, body, http.StatusUnauthorized, "invalid_client")
}

// TestAuthorizationCodeGrantErrors covers the code exchange: binding to the
// client, the redirect URI and the PKCE verifier.
func TestAuthorizationCodeGrantErrors(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	conf := e.OAuthConfig("users:read")
	bad43 := strings.Repeat("a", 42) + "+"
	cases := []struct {
		name           string
		client, secret string // default: the demo client
		form           func(code, verifier string) url.Values
		code           string
	}{
		{"unknown code", "", "", func(_, v string) url.Values {
			return url.Values{"code": {"not-a-code"}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"missing code", "", "", func(_, v string) url.Values {
			return url.Values{"redirect_uri": {apptest.DemoCallback}, "code_verifier": {v}}
		}, "invalid_request"},
		{"code issued to another client", otherClient, otherSecret, func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"code issued to another client, redeemed by a public client", seed.PublicClientID, "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"redirect_uri registered but not the one used", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {"http://127.0.0.1:3000/callback"}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"redirect_uri with a trailing slash", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback + "/"}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"redirect_uri missing", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "code_verifier": {v}}
		}, "invalid_grant"},
		{"wrong verifier", "", "", func(c, _ string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {oauth2.GenerateVerifier()}}
		}, "invalid_grant"},
		{"the challenge as verifier (plain)", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {oauthdomain.S256Challenge(v)}}
		}, "invalid_grant"},
		{"missing verifier", "", "", func(c, _ string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}}
		}, "invalid_request"},
		{"empty verifier", "", "", func(c, _ string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {""}}
		}, "invalid_request"},
		{"verifier of 42 characters", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {v[:42]}}
		}, "invalid_request"},
		{"verifier of 129 characters", "", "", func(c, _ string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {strings.Repeat("a", 129)}}
		}, "invalid_request"},
		{"verifier with a bad character", "", "", func(c, _ string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {bad43}}
		}, "invalid_request"},
		{"verifier with a space", "", "", func(c, v string) url.Values {
			return url.Values{"code": {c}, "redirect_uri": {apptest.DemoCallback}, "code_verifier": {v[:42] + " "}}
		}, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, verifier := e.AuthorizeCode(t, conf)
			form := tc.form(code, verifier)
			form.Set("grant_type", "authorization_code")
			id, secret := tc.client, tc.secret
			if id == "" {
				id, secret = seed.DemoClientID, seed.DemoClientSecret
			}
			var resp *http.Response
			var body string
			if secret == "" { // public client: client_id in the body
				form.Set("client_id", id)
				resp, body = apptest.PostForm(t, e.URL+"/oauth/token", form, "", "")
			} else {
				resp, body = apptest.PostForm(t, e.URL+"/oauth/token", form, id, secret)
			}
			apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, tc.code)
		})
	}
}

// TestPKCEDowngradeIsRefused: a code issued without a challenge cannot be
// redeemed with a verifier (RFC 9700 §2.1.1), even where PKCE is optional.
func TestPKCEDowngradeIsRefused(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	conf := e.OAuthConfig("users:read")
	conf.ClientID, conf.ClientSecret = noPKCEClient, noPKCESecret
	codeWithoutPKCE := func() string {
		b := apptest.NewBrowser(t)
		page := b.Login(e.URL, conf.AuthCodeURL("st-1"), seed.AdminEmail, seed.DemoPassword)
		return b.Decide(e.URL, page, "approve", "urn:pleo:company:"+seed.DenmarkID).Query().Get("code")
	}
	resp, body := apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {codeWithoutPKCE()},
		"redirect_uri": {apptest.DemoCallback}, "code_verifier": {oauth2.GenerateVerifier()}}, noPKCEClient, noPKCESecret)
	apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
	// Control: without a verifier the PKCE-optional client succeeds.
	if _, err := conf.Exchange(context.Background(), codeWithoutPKCE()); err != nil {
		t.Fatalf("exchange without PKCE for a PKCE-optional client: %v", err)
	}
}

func TestAuthorizationCodeExpires(t *testing.T) {
	e := apptest.Start(t, "")
	conf := e.OAuthConfig("users:read")
	code1, verifier1 := e.AuthorizeCode(t, conf)
	code2, verifier2 := e.AuthorizeCode(t, conf)
	e.Clock.Advance(9 * time.Minute)
	if _, err := conf.Exchange(context.Background(), code1, oauth2.VerifierOption(verifier1)); err != nil {
		t.Fatalf("code after 9 minutes: %v", err)
	}
	e.Clock.Advance(2 * time.Minute)
	resp, body := apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code2},
		"redirect_uri": {apptest.DemoCallback}, "code_verifier": {verifier2}}, seed.DemoClientID, seed.DemoClientSecret)
	apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
}

// TestAuthorizationCodeReuseRevokesTheGrant: a second use of a code is
// invalid_grant and revokes every token issued from it, including those
// from a later rotation (RFC 6749 §4.1.2; go-oauth2 pitfall: no reuse detection).
func TestAuthorizationCodeReuseRevokesTheGrant(t *testing.T) {
	e := apptest.Start(t, "")
	conf := e.OAuthConfig("users:read")
	code, verifier := e.AuthorizeCode(t, conf)
	first, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp, body := refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, first.RefreshToken, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	rotated := decodeToken(t, body)
	// An unrelated grant of the same client must survive.
	_, bystander := e.TokenPair(t, "users:read")

	resp, body = apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {apptest.DemoCallback}, "code_verifier": {verifier}}, seed.DemoClientID, seed.DemoClientSecret)
	apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")

	for name, tok := range map[string]string{"first access": first.AccessToken, "first refresh": first.RefreshToken,
		"rotated access": rotated["access_token"].(string), "rotated refresh": rotated["refresh_token"].(string)} {
		assertInactiveNamed(t, name, e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tok))
	}
	if _, err := e.Auth.VerifyAccessToken(context.Background(), rotated["access_token"].(string)); err == nil {
		t.Error("the API verifier accepts an access token of a revoked grant")
	}
	resp, body = refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, rotated["refresh_token"].(string), nil)
	apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
	if e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, bystander.AccessToken)["active"] != true {
		t.Error("the reuse revoked another grant")
	}
}

func assertInactiveNamed(t *testing.T, name string, info map[string]any) {
	t.Helper()
	t.Run(name, func(t *testing.T) { assertInactive(t, info) })
}

func TestRefreshGrantErrors(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	demoID, demoSecret := seed.DemoClientID, seed.DemoClientSecret

	t.Run("another client's refresh token", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		resp, body := refreshAs(t, e, otherClient, otherSecret, tok.RefreshToken, nil)
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {seed.PublicClientID}}
		resp, body = apptest.PostForm(t, e.URL+"/oauth/token", form, "", "")
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		// Not revoked for its owner.
		if e.IntrospectAs(t, demoID, demoSecret, tok.RefreshToken)["active"] != true || e.IntrospectAs(t, demoID, demoSecret, tok.AccessToken)["active"] != true {
			t.Fatal("another client's attempt revoked the owner's tokens")
		}
		if resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("owner's refresh: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("scope widening", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		for _, scope := range []string{"users:read export-jobs:read", "export-jobs:read", "users:write", "users:read users:write"} {
			resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, url.Values{"scope": {scope}})
			apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_scope")
		}
		// The refused requests did not use up the refresh token.
		if resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh after refused widening: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("scope narrowing", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read", "export-jobs:read")
		resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, url.Values{"scope": {"users:read"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("narrowing refresh: %d %s", resp.StatusCode, body)
		}
		narrow := decodeToken(t, body)
		if narrow["scope"] != "users:read" {
			t.Errorf("narrowed scope = %v", narrow["scope"])
		}
		info := e.IntrospectAs(t, demoID, demoSecret, narrow["access_token"].(string))
		if info["active"] != true || info["scope"] != "users:read" {
			t.Errorf("narrowed access token = %v", info)
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(narrow["access_token"].(string), claims); err != nil || claims["scope"] != "users:read" {
			t.Errorf("narrowed JWT scope = %v (%v)", claims["scope"], err)
		}
		p, err := e.Auth.VerifyAccessToken(context.Background(), narrow["access_token"].(string))
		if err != nil || p.HasScope("export-jobs:read") || !p.HasScope("users:read") {
			t.Errorf("API principal of the narrowed token = %+v, %v", p, err)
		}
		// RFC 6749 §6: the new refresh token keeps the original scope.
		resp, body = refreshAs(t, e, demoID, demoSecret, narrow["refresh_token"].(string), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh after narrowing: %d %s", resp.StatusCode, body)
		}
		if again := decodeToken(t, body); again["scope"] != "users:read export-jobs:read" {
			t.Errorf("scope after a narrowed refresh = %v, want the original", again["scope"])
		}
	})

	t.Run("rotated token reuse revokes the grant", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		_, bystander := e.TokenPair(t, "users:read")
		resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh: %d %s", resp.StatusCode, body)
		}
		fresh := decodeToken(t, body)
		resp, body = refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil)
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		for name, tk := range map[string]string{"old access": tok.AccessToken, "new access": fresh["access_token"].(string),
			"new refresh": fresh["refresh_token"].(string), "old refresh": tok.RefreshToken} {
			assertInactiveNamed(t, name, e.IntrospectAs(t, demoID, demoSecret, tk))
		}
		resp, body = refreshAs(t, e, demoID, demoSecret, fresh["refresh_token"].(string), nil)
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		if e.IntrospectAs(t, demoID, demoSecret, bystander.RefreshToken)["active"] != true {
			t.Error("the reuse revoked another grant")
		}
	})

	t.Run("request errors", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			code   string
		}{
			{"missing refresh_token", url.Values{"grant_type": {"refresh_token"}}, 400, "invalid_request"},
			{"empty refresh_token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {""}}, 400, "invalid_request"},
			{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"no-such-token"}}, 400, "invalid_grant"},
			{"access token as refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.AccessToken}}, 400, "invalid_grant"},
			{"code grant with a refresh token", url.Values{"grant_type": {"authorization_code"}, "code": {tok.RefreshToken},
				"redirect_uri": {apptest.DemoCallback}, "code_verifier": {oauth2.GenerateVerifier()}}, 400, "invalid_grant"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := apptest.PostForm(t, e.URL+"/oauth/token", tc.form, demoID, demoSecret)
				apptest.AssertJSONError(t, resp, body, tc.status, tc.code)
			})
		}
		// None of these touched the real token.
		if resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh: %d %s", resp.StatusCode, body)
		}
	})
}

func TestRefreshTokenExpires(t *testing.T) {
	e := apptest.Start(t, "")
	_, tokA := e.TokenPair(t, "users:read")
	_, tokB := e.TokenPair(t, "users:read")
	e.Clock.Advance(59 * 24 * time.Hour)
	if resp, body := refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, tokA.RefreshToken, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh after 59 days: %d %s", resp.StatusCode, body)
	}
	e.Clock.Advance(24*time.Hour + time.Minute)
	if e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tokB.RefreshToken)["active"] != false {
		t.Error("expired refresh token introspects active")
	}
	resp, body := refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, tokB.RefreshToken, nil)
	apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
}

func TestIntrospectionClientAuthAndForeignTokens(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	_, tok := e.TokenPair(t, "users:read")
	introURL := e.URL + "/oauth/token/introspect"
	body := "token=" + url.QueryEscape(tok.AccessToken)
	for _, tc := range []struct {
		name, body, auth string
		status           int
		code             string
		wwwAuth          bool
	}{
		{"no client authentication", body, "", 401, "invalid_client", false},
		{"client_id only for a confidential client", body + "&client_id=demo-client", "", 401, "invalid_client", false},
		{"wrong secret via Basic", body, apptest.Basic(seed.DemoClientID, "wrong"), 401, "invalid_client", true},
		{"wrong secret via post", body + "&client_id=demo-client&client_secret=wrong", "", 401, "invalid_client", false},
		{"unknown client", body, apptest.Basic("no-such-client", "x"), 401, "invalid_client", true},
		{"missing token", "", apptest.Basic(seed.DemoClientID, seed.DemoClientSecret), 400, "invalid_request", false},
		{"empty token", "token=", apptest.Basic(seed.DemoClientID, seed.DemoClientSecret), 400, "invalid_request", false},
		{"token twice", body + "&token=x", apptest.Basic(seed.DemoClientID, seed.DemoClientSecret), 400, "invalid_request", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, out := rawPost(t, introURL, apptest.FormType, tc.body, tc.auth)
			apptest.AssertJSONError(t, resp, out, tc.status, tc.code)
			if tc.wwwAuth && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	t.Run("token in the query string", func(t *testing.T) {
		resp, out := rawPost(t, introURL+"?"+body, apptest.FormType, "", apptest.Basic(seed.DemoClientID, seed.DemoClientSecret))
		apptest.AssertJSONError(t, resp, out, 400, "invalid_request")
	})
	// Another client's tokens are not described, whatever the hint.
	for _, c := range []struct{ id, secret string }{{otherClient, otherSecret}, {seed.PublicClientID, ""}} {
		for name, tk := range map[string]string{"access": tok.AccessToken, "refresh": tok.RefreshToken} {
			for _, hint := range []string{"", "access_token", "refresh_token"} {
				t.Run("foreign "+name+" as "+c.id+" hint "+hint, func(t *testing.T) {
					form := url.Values{"token": {tk}}
					if hint != "" {
						form.Set("token_type_hint", hint)
					}
					var resp *http.Response
					var out string
					if c.secret == "" {
						form.Set("client_id", c.id)
						resp, out = apptest.PostForm(t, introURL, form, "", "")
					} else {
						resp, out = apptest.PostForm(t, introURL, form, c.id, c.secret)
					}
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("%d %s", resp.StatusCode, out)
					}
					assertInactive(t, decodeToken(t, out))
				})
			}
		}
	}
	// Control: the owner sees both.
	for _, tk := range []string{tok.AccessToken, tok.RefreshToken} {
		if e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tk)["active"] != true {
			t.Fatal("the owner's token is inactive")
		}
	}
}

func TestIntrospectionOfExpiredAccessToken(t *testing.T) {
	e := apptest.Start(t, "")
	_, tok := e.TokenPair(t, "users:read")
	e.Clock.Advance(16 * time.Minute)
	assertInactive(t, e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tok.AccessToken))
	if _, err := e.Auth.VerifyAccessToken(context.Background(), tok.AccessToken); err == nil {
		t.Error("the API verifier accepts an expired access token")
	}
	// The refresh token still works.
	if resp, body := refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, tok.RefreshToken, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
}

// jwtParts splits a compact JWS.
func jwtParts(t *testing.T, tok string) (header, payload map[string]any, sig string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload, parts[2]
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// TestForgedAndMalformedAccessTokensAreInactive checks the token verifier
// behind introspection and the API: signature, alg, kid, typ, iss, aud,
// exp, iat, jti and the client binding.
func TestForgedAndMalformedAccessTokensAreInactive(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	_, tok := e.TokenPair(t, "users:read")
	kid, key, err := e.Auth.Keys().Active(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	header, payload, sig := jwtParts(t, tok.AccessToken)
	parts := strings.Split(tok.AccessToken, ".")

	// sign re-signs the real token's claims, edited, with key (the real one by default).
	sign := func(method jwt.SigningMethod, k any, editHeader func(map[string]any), editClaims func(jwt.MapClaims)) string {
		claims := jwt.MapClaims{}
		for k, v := range payload {
			claims[k] = v
		}
		if editClaims != nil {
			editClaims(claims)
		}
		nt := jwt.NewWithClaims(method, claims)
		nt.Header["typ"], nt.Header["kid"] = header["typ"], kid
		if editHeader != nil {
			editHeader(nt.Header)
		}
		s, err := nt.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rs256 := jwt.SigningMethodRS256
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	widened := map[string]any{}
	for k, v := range payload {
		widened[k] = v
	}
	widened["scope"] = "users:read export-jobs:write"
	now := time.Now()

	// Control: the forging harness itself yields an accepted token.
	if e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, sign(rs256, key, nil, nil))["active"] != true {
		t.Fatal("a faithful re-signing with the real key is not active: the cases below would prove nothing")
	}

	for _, tc := range []struct{ name, token string }{
		{"garbage", "garbage"},
		{"three empty parts", ".."},
		{"dots only", "a.b.c"},
		{"two parts", parts[0] + "." + parts[1]},
		{"four parts", tok.AccessToken + ".x"},
		{"Bearer prefix", "Bearer " + tok.AccessToken},
		{"trailing whitespace", tok.AccessToken + " "},
		{"very long", strings.Repeat("A", 60000)},
		{"non-base64 header", "!!!." + parts[1] + "." + parts[2]},
		{"flipped character in the signature", parts[0] + "." + parts[1] + "." + flip(sig, len(sig)/2)},
		{"signature removed", parts[0] + "." + parts[1] + "."},
		{"signature of another token", parts[0] + "." + parts[1] + "." + strings.Split(sign(rs256, key, nil, func(c jwt.MapClaims) { c["jti"] = "x" }), ".")[2]},
		{"payload changed, signature kept", parts[0] + "." + b64JSON(t, widened) + "." + sig},
		{"header kid changed, signature kept", b64JSON(t, map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": kid + "x"}) + "." + parts[1] + "." + sig},
		{"another RSA key with the same kid", sign(rs256, otherKey, nil, nil)},
		{"another RSA key, no kid", sign(rs256, otherKey, func(h map[string]any) { delete(h, "kid") }, nil)},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil, nil)},
		{"alg none with the real signature", b64JSON(t, map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "." + sig},
		{"HS256 keyed with the public key", sign(jwt.SigningMethodHS256, pubDER, nil, nil)},
		{"RS512 with the real key", sign(jwt.SigningMethodRS512, key, nil, nil)},
		{"PS256 with the real key", sign(jwt.SigningMethodPS256, key, nil, nil)},
		{"real key, unknown kid", sign(rs256, key, func(h map[string]any) { h["kid"] = "other" }, nil)},
		{"real key, no kid", sign(rs256, key, func(h map[string]any) { delete(h, "kid") }, nil)},
		{"real key, typ JWT", sign(rs256, key, func(h map[string]any) { h["typ"] = "JWT" }, nil)},
		{"real key, no typ", sign(rs256, key, func(h map[string]any) { delete(h, "typ") }, nil)},
		{"real key, wrong iss", sign(rs256, key, nil, func(c jwt.MapClaims) { c["iss"] = "https://auth.staging.pleo.io" })},
		{"real key, iss with a trailing slash", sign(rs256, key, nil, func(c jwt.MapClaims) { c["iss"] = e.URL + "/" })},
		{"real key, no iss", sign(rs256, key, nil, func(c jwt.MapClaims) { delete(c, "iss") })},
		{"real key, wrong aud", sign(rs256, key, nil, func(c jwt.MapClaims) { c["aud"] = []string{"https://external.staging.pleo.io"} })},
		{"real key, no aud", sign(rs256, key, nil, func(c jwt.MapClaims) { delete(c, "aud") })},
		{"real key, no exp", sign(rs256, key, nil, func(c jwt.MapClaims) { delete(c, "exp") })},
		{"real key, expired", sign(rs256, key, nil, func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })},
		{"real key, issued in the future", sign(rs256, key, nil, func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() })},
		{"real key, unknown jti", sign(rs256, key, nil, func(c jwt.MapClaims) { c["jti"] = "no-such-jti" })},
		{"real key, no jti", sign(rs256, key, nil, func(c jwt.MapClaims) { delete(c, "jti") })},
		{"real key, client_id of another client", sign(rs256, key, nil, func(c jwt.MapClaims) { c["client_id"] = otherClient })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertInactive(t, e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tc.token))
			if _, err := e.Auth.VerifyAccessToken(context.Background(), tc.token); err == nil {
				t.Error("the API verifier accepts it")
			}
		})
	}
	// A token relabelled for another client is not active for that client either.
	relabelled := sign(rs256, key, nil, func(c jwt.MapClaims) { c["client_id"] = otherClient })
	assertInactive(t, e.IntrospectAs(t, otherClient, otherSecret, relabelled))
	// Revoking the forgeries changed nothing: the real token is still active.
	if e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tok.AccessToken)["active"] != true {
		t.Fatal("the real token is no longer active")
	}
}

func TestJWKSPublishesTheSigningKey(t *testing.T) {
	e := apptest.Start(t, "")
	_, tok := e.TokenPair(t, "users:read")
	header, _, _ := jwtParts(t, tok.AccessToken)
	resp, body := apptest.NewBrowser(t).Get(e.URL + "/.well-known/jwks.json")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("jwks: %d", resp.StatusCode)
	}
	var set struct {
		Keys []struct{ Kty, Use, Alg, Kid, N, E string } `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatal(err)
	}
	var pub *rsa.PublicKey
	for _, k := range set.Keys {
		if strings.Contains(body, `"d"`) || strings.Contains(body, `"p"`) {
			t.Fatal("the JWKS publishes private key material")
		}
		if k.Kid == header["kid"] {
			n, _ := base64.RawURLEncoding.DecodeString(k.N)
			ex, _ := base64.RawURLEncoding.DecodeString(k.E)
			if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
				t.Errorf("key %+v", k)
			}
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}
		}
	}
	if pub == nil {
		t.Fatalf("kid %v not in the JWKS %s", header["kid"], body)
	}
	// A relying party verifies the token with the published key alone.
	parsed, err := jwt.Parse(tok.AccessToken, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(e.URL), jwt.WithAudience(e.URL))
	if err != nil || !parsed.Valid {
		t.Fatalf("token does not verify with the JWKS key: %v", err)
	}
}

func TestRevocation(t *testing.T) {
	e := apptest.Start(t, "", extraClients)
	demoID, demoSecret := seed.DemoClientID, seed.DemoClientSecret
	revokeURL := e.URL + "/oauth/revoke"
	revoke := func(id, secret, token string) (*http.Response, string) {
		return apptest.PostForm(t, revokeURL, url.Values{"token": {token}}, id, secret)
	}
	assertOK := func(t *testing.T, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d %s", resp.StatusCode, body)
		}
	}

	t.Run("unknown tokens answer 200", func(t *testing.T) {
		for _, tk := range []string{"no-such-token", "a.b.c", strings.Repeat("x", 500)} {
			resp, body := revoke(demoID, demoSecret, tk)
			assertOK(t, resp, body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		resp, body := rawPost(t, revokeURL, apptest.FormType, "token=x", "")
		apptest.AssertJSONError(t, resp, body, http.StatusUnauthorized, "invalid_client")
		resp, body = rawPost(t, revokeURL, apptest.FormType, "token=x", apptest.Basic(demoID, "wrong"))
		apptest.AssertJSONError(t, resp, body, http.StatusUnauthorized, "invalid_client")
		resp, body = rawPost(t, revokeURL, apptest.FormType, "", apptest.Basic(demoID, demoSecret))
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_request")
		resp, body = rawPost(t, revokeURL+"?token=x", apptest.FormType, "", apptest.Basic(demoID, demoSecret))
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_request")
	})
	t.Run("another client's tokens", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		for _, tk := range []string{tok.RefreshToken, tok.AccessToken} {
			resp, body := revoke(otherClient, otherSecret, tk)
			assertOK(t, resp, body)
			form := url.Values{"token": {tk}, "client_id": {seed.PublicClientID}}
			resp, body = apptest.PostForm(t, revokeURL, form, "", "")
			assertOK(t, resp, body)
		}
		for _, tk := range []string{tok.RefreshToken, tok.AccessToken} {
			if e.IntrospectAs(t, demoID, demoSecret, tk)["active"] != true {
				t.Fatal("another client revoked the owner's token")
			}
		}
		if resp, body := refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("owner's refresh: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("access token only", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		resp, body := revoke(demoID, demoSecret, tok.AccessToken)
		assertOK(t, resp, body)
		assertInactive(t, e.IntrospectAs(t, demoID, demoSecret, tok.AccessToken))
		if _, err := e.Auth.VerifyAccessToken(context.Background(), tok.AccessToken); err == nil {
			t.Error("the API verifier accepts a revoked access token")
		}
		if e.IntrospectAs(t, demoID, demoSecret, tok.RefreshToken)["active"] != true {
			t.Fatal("revoking the access token revoked the refresh token")
		}
		resp, body = refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("refresh after access-token revocation: %d %s", resp.StatusCode, body)
		}
		if e.IntrospectAs(t, demoID, demoSecret, decodeToken(t, body)["access_token"].(string))["active"] != true {
			t.Error("the new access token is inactive")
		}
	})
	t.Run("a token failing more than its expiry revokes nothing", func(t *testing.T) {
		// Revocation tolerates an expired access token, and only that: a
		// token with the live token's jti but another issuer or audience,
		// also expired, must not revoke the live one.
		_, tok := e.TokenPair(t, "users:read")
		kid, key, err := e.Auth.Keys().Active(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, payload, _ := jwtParts(t, tok.AccessToken)
		for name, edit := range map[string]func(jwt.MapClaims){
			"issuer":   func(c jwt.MapClaims) { c["iss"] = "https://auth.staging.pleo.io" },
			"audience": func(c jwt.MapClaims) { c["aud"] = "https://external.staging.pleo.io" },
		} {
			claims := jwt.MapClaims{}
			for k, v := range payload {
				claims[k] = v
			}
			edit(claims)
			claims["exp"] = time.Now().Add(-time.Hour).Unix()
			claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			forged := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
			forged.Header["typ"], forged.Header["kid"] = "at+jwt", kid
			signed, err := forged.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := revoke(demoID, demoSecret, signed)
			assertOK(t, resp, body)
			if e.IntrospectAs(t, demoID, demoSecret, tok.AccessToken)["active"] != true {
				t.Fatalf("an expired token with another %s revoked the live token with its jti", name)
			}
		}
		// Control: a merely expired copy does revoke it.
		claims := jwt.MapClaims{}
		for k, v := range payload {
			claims[k] = v
		}
		claims["exp"], claims["iat"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix()
		expired := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
		expired.Header["typ"], expired.Header["kid"] = "at+jwt", kid
		signed, _ := expired.SignedString(key)
		resp, body := revoke(demoID, demoSecret, signed)
		assertOK(t, resp, body)
		assertInactive(t, e.IntrospectAs(t, demoID, demoSecret, tok.AccessToken))
	})
	t.Run("refresh token revokes the grant", func(t *testing.T) {
		_, tok := e.TokenPair(t, "users:read")
		resp, body := revoke(demoID, demoSecret, tok.RefreshToken)
		assertOK(t, resp, body)
		assertInactive(t, e.IntrospectAs(t, demoID, demoSecret, tok.AccessToken))
		resp, body = refreshAs(t, e, demoID, demoSecret, tok.RefreshToken, nil)
		apptest.AssertJSONError(t, resp, body, http.StatusBadRequest, "invalid_grant")
		// Revoking again is still 200.
		resp, body = revoke(demoID, demoSecret, tok.RefreshToken)
		assertOK(t, resp, body)
	})
}
