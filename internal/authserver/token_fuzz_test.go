package authserver_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// issueCode runs the auto-approved authorisation request fuzzAuthorizeQuery
// and returns the code it redirects with.
func (fs *fuzzServers) issueCode(t *testing.T) string {
	t.Helper()
	res := serve(fs.autoApprove.Authorize, httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+fuzzAuthorizeQuery, nil))
	u, err := url.Parse(res.header.Get("Location"))
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("authorize: status %d, Location %q", res.status, res.header.Get("Location"))
	}
	return u.Query().Get("code")
}

// issueRefreshToken mints a token pair of the demo client for Denmark and
// returns its refresh token.
func (fs *fuzzServers) issueRefreshToken(t *testing.T) string {
	t.Helper()
	tok, _, err := fs.screens.Mint(context.Background(), authserver.MintRequest{ClientID: seed.DemoClientID,
		Subject: oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}, Scopes: []string{"users:read", "export-jobs:read"}})
	if err != nil {
		t.Fatal(err)
	}
	return tok.RefreshToken
}

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// FuzzToken proves that POST /oauth/token, for any form body and any
// Authorization header, never panics or answers 5xx, always sends
// Cache-Control: no-store, answers every 4xx with an RFC 6749 §5.2 JSON body
// carrying an error code (and every 401 with WWW-Authenticate), and every
// 200 with a bearer token. In the body, "{code}" stands for a fresh
// authorisation code (issued for redirect URI http://localhost:3000/callback
// and the PKCE verifier fuzzVerifier) and "{refresh}" for a fresh refresh
// token, both of the demo client.
func FuzzToken(f *testing.F) {
	fs := newFuzzServers(f)
	demo := basicAuth(seed.DemoClientID, seed.DemoClientSecret)
	exchange := "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&code_verifier=" + fuzzVerifier
	for _, seedInput := range []struct{ body, authorization string }{
		{exchange, demo},
		{exchange + "&client_id=demo-client&client_secret=demo-secret", ""},
		{exchange + "&client_id=demo-client", demo},
		{exchange + "&client_secret=demo-secret", demo},
		{exchange + "&client_id=demo-public-client", ""},
		{exchange + "x", demo},
		{strings.Replace(exchange, "localhost", "127.0.0.1", 1), demo},
		{strings.Replace(exchange, "&code_verifier="+fuzzVerifier, "", 1), demo},
		{exchange + "&code_verifier=again", demo},
		{"grant_type=authorization_code&code=unknown-code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback", demo},
		{"grant_type=refresh_token&refresh_token={refresh}", demo},
		{"grant_type=refresh_token&refresh_token={refresh}&scope=users%3Aread", demo},
		{"grant_type=refresh_token&refresh_token={refresh}&scope=vendors%3Awrite", demo},
		{"grant_type=refresh_token&refresh_token={refresh}&scope=", demo},
		{"grant_type=refresh_token&refresh_token={refresh}&client_id=demo-public-client", ""},
		{"grant_type=client_credentials", demo},
		{"grant_type=password&username=admin%40acme.test&password=demo", demo},
		{"grant_type=authorization_code&grant_type=refresh_token", demo},
		{"", ""},
		{"%zz", demo},
		{"grant_type=authorization_code&code={code}", basicAuth(seed.DemoClientID, "wrong")},
		{"grant_type=authorization_code&code={code}", basicAuth("demo%zz", "x")},
		{"grant_type=authorization_code&code={code}", "Basic " + base64.StdEncoding.EncodeToString([]byte("demo-client"))},
		{"grant_type=authorization_code&code={code}", "Basic !!!"},
		{"grant_type=authorization_code&code={code}", "Bearer abc"},
		{"grant_type=authorization_code&code={code}", basicAuth(seed.PublicClientID, "")},
	} {
		f.Add(seedInput.body, seedInput.authorization)
	}
	f.Fuzz(func(t *testing.T, body, authorization string) {
		fs.log.Reset()
		if strings.Contains(body, "{code}") {
			body = strings.ReplaceAll(body, "{code}", fs.issueCode(t))
		}
		if strings.Contains(body, "{refresh}") {
			body = strings.ReplaceAll(body, "{refresh}", fs.issueRefreshToken(t))
		}
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authorization != "" {
			req.Header["Authorization"] = []string{authorization}
		}
		res := serve(fs.screens.Token, req)
		if res.status >= 500 {
			t.Fatalf("status %d; body %s; log %s", res.status, res.body, fs.log)
		}
		if cc := res.header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("status %d with Cache-Control %q, want no-store", res.status, cc)
		}
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("status %d with content type %q, want JSON", res.status, ct)
		}
		var answer map[string]any
		if err := json.Unmarshal(res.body, &answer); err != nil {
			t.Fatalf("status %d: body %q is not a JSON object: %v", res.status, res.body, err)
		}
		switch {
		case res.status == http.StatusOK:
			if tok, _ := answer["access_token"].(string); tok == "" || answer["token_type"] != "Bearer" {
				t.Fatalf("200 without a bearer token: %s", res.body)
			}
		case res.status >= 400:
			if code, _ := answer["error"].(string); code == "" {
				t.Fatalf("status %d without an error code: %s", res.status, res.body)
			}
			if res.status == http.StatusUnauthorized && res.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("401 without WWW-Authenticate: %s", res.body)
			}
		default:
			t.Fatalf("status %d: %s", res.status, res.body)
		}
	})
}
