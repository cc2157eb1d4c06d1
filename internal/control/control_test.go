package control_test

// End-to-end tests of the control API (/_emulator): each drives the whole
// emulator on a loopback port through package apptest and checks what a
// control call changes for OAuth clients, the API and the store. Unit
// tests of the package's parts are in faults_test.go and host_test.go.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func TestControlClientsLifecycle(t *testing.T) {
	e := apptest.Start(t, "")
	var raw map[string]any
	st := e.Control(t, "POST", "/clients", `{"client_id": "ci-app", "name": "CI App", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, &raw)
	if st != http.StatusCreated || raw["client_secret"] == "" || raw["client_secret"] == nil || raw["type"] != "confidential" {
		t.Fatalf("create: %d %v", st, raw)
	}
	secret := raw["client_secret"].(string)

	// The secret is shown once only.
	var got map[string]any
	if e.Control(t, "GET", "/clients/ci-app", "", &got) != http.StatusOK || got["client_secret"] != nil {
		t.Fatalf("get: %v", got)
	}
	// The new client works at once: mint, then refresh with its secret.
	m := e.Mint(t, `{"client_id": "ci-app", "subject": "`+seed.DenmarkID+`", "scope": "users:read"}`)
	resp, body := apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m.RefreshToken}}, "ci-app", secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh with the new client: %d %s", resp.StatusCode, body)
	}
	// Update keeps the secret when none is given.
	if st := e.Control(t, "PUT", "/clients/ci-app", `{"name": "CI App 2", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read", "companies:read"]}`, &got); st != http.StatusOK || got["name"] != "CI App 2" {
		t.Fatalf("update: %d %v", st, got)
	}
	resp, _ = apptest.PostForm(t, e.URL+"/oauth/token/introspect", url.Values{"token": {m.AccessToken}}, "ci-app", secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatal("secret lost on update")
	}
	var list struct{ Clients []map[string]any }
	e.Control(t, "GET", "/clients", "", &list)
	if len(list.Clients) != 3 {
		t.Fatalf("list: %d clients", len(list.Clients))
	}
	if e.Control(t, "DELETE", "/clients/ci-app", "", nil) != http.StatusNoContent || e.Control(t, "GET", "/clients/ci-app", "", nil) != http.StatusNotFound {
		t.Fatal("delete did not remove the client")
	}
	if e.Control(t, "POST", "/clients", `{"client_id": "demo-client", "name": "x", "redirect_uris": ["http://localhost/cb"], "scopes": ["users:read"]}`, nil) != http.StatusConflict {
		t.Fatal("duplicate client id not refused")
	}
}

func TestControlBadInputAnswers400WithAMessage(t *testing.T) {
	e := apptest.Start(t, "")
	cases := []struct{ method, path, body, want string }{
		{"POST", "/clients", `{"client_id": "x", "name": "x", "redirect_uris": ["/cb"], "scopes": ["users:read"]}`, "not absolute"},
		{"POST", "/clients", `{"client_id": "x", "name": "x", "redirect_uris": ["http://l/cb"], "scopes": ["expenses:read"]}`, "unknown scope"},
		{"POST", "/clients", `{"client_id": "x", "colour": "red"}`, "unknown field"},
		{"POST", "/clients", `{not json`, "invalid JSON"},
		{"POST", "/tokens", `{"client_id": "nope", "subject": "` + seed.DenmarkID + `"}`, "unknown client_id"},
		{"POST", "/tokens", `{"client_id": "demo-client", "subject": "urn:pleo:planet:x"}`, "subject"},
		{"POST", "/tokens", `{"client_id": "demo-client", "subject": "` + seed.DenmarkID + `", "scope": "nope:read"}`, "unknown scope"},
		{"POST", "/tokens", `{"client_id": "demo-client", "subject": "` + seed.DenmarkID + `", "access_token_ttl": "soon"}`, "access_token_ttl"},
		{"POST", "/tokens", `{"client_id": "demo-client", "subject": "urn:pleo:company:00000000-0000-4000-8000-000000000000"}`, "no company"},
		{"POST", "/clock", `{"advance": "later"}`, "advance"},
		{"POST", "/clock", `{"advance": "-5m"}`, "advance"},
		{"POST", "/clock", `{"advance": "5m", "reset": true}`, "exactly one"},
		{"POST", "/clock", `{"set": "tomorrow"}`, "RFC 3339"},
		{"POST", "/clock", `{"set": "9999-12-31T23:59:59Z"}`, "between 1970 and 2200"},
		{"POST", "/clock", `{"advance": "2000000h"}`, "past 2200"},
		{"POST", "/faults", `{"target": "token", "status": 101}`, "between 200 and 599"},
		{"POST", "/tokens", `{"client_id": "demo-client", "subject": "` + seed.DenmarkID + `", "access_token_ttl": "100000h"}`, "up to 10 years"},
		{"POST", "/faults", `{"target": "token", "status": 503, "count": -1}`, "count"},
		{"POST", "/faults", `{"target": "database", "status": 503}`, "target"},
		{"POST", "/faults", `{"target": "token"}`, "needs a status"},
		{"POST", "/faults", `{"target": "token", "delay": "2 hours"}`, "delay"},
		{"POST", "/users", `{"email": "x@y.test", "password": "p", "roles": [{"company_id": "` + seed.DenmarkID + `", "role": "owner"}]}`, "role"},
		{"POST", "/companies", `{"name": "X", "currency": "danish"}`, "currency"},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path+tc.want, func(t *testing.T) {
			var out struct{ Error string }
			if st := e.Control(t, tc.method, tc.path, tc.body, &out); st != http.StatusBadRequest || !strings.Contains(out.Error, tc.want) {
				t.Fatalf("status %d, error %q; want 400 containing %q", st, out.Error, tc.want)
			}
		})
	}
}

func TestControlDirectoryAtRunTime(t *testing.T) {
	e := apptest.Start(t, "")
	var org, co map[string]any
	if e.Control(t, "POST", "/organizations", `{"name": "Globex"}`, &org) != http.StatusCreated {
		t.Fatal("create organisation")
	}
	if e.Control(t, "POST", "/companies", `{"name": "Globex AS", "currency": "NOK", "organization_id": "`+org["id"].(string)+`"}`, &co) != http.StatusCreated {
		t.Fatal("create company")
	}
	companyID := co["id"].(string)
	if st := e.Control(t, "POST", "/users", `{"email": "cfo@globex.test", "name": "CFO", "password": "pw", "roles": [{"company_id": "`+companyID+`", "role": "admin"}]}`, nil); st != http.StatusCreated {
		t.Fatalf("create user: %d", st)
	}
	// The new user can log in and connect the new company.
	b := apptest.NewBrowser(t)
	page := b.Login(e.URL, e.OAuthConfig("users:read").AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "cfo@globex.test", "pw")
	if !strings.Contains(page, "Globex AS") {
		t.Fatal("the new company is not offered on the consent screen")
	}
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "urn:pleo:company:`+companyID+`"}`)
	if m.SubjectURN != "urn:pleo:company:"+companyID {
		t.Fatalf("minted for %s", m.SubjectURN)
	}
	if e.Control(t, "DELETE", "/companies/"+companyID, "", nil) != http.StatusNoContent {
		t.Fatal("delete company")
	}
	if e.Introspect(t, m.AccessToken)["active"] != false {
		t.Fatal("a token of a deleted company is still active")
	}
}

func TestMintedTokensRefreshAndExpireWithTheClock(t *testing.T) {
	e := apptest.Start(t, "")
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read companies:read"}`)
	if m.ExpiresIn != 900 || m.Scope != "users:read companies:read" {
		t.Fatalf("minted %+v", m)
	}
	if e.Introspect(t, m.AccessToken)["active"] != true {
		t.Fatal("minted token inactive")
	}
	var clock struct{ Now time.Time }
	e.Control(t, "POST", "/clock", `{"advance": "16m"}`, &clock)
	if time.Until(clock.Now) < 15*time.Minute {
		t.Fatalf("clock now %v", clock.Now)
	}
	if e.Introspect(t, m.AccessToken)["active"] != false {
		t.Fatal("access token active after its expiry")
	}
	conf := e.OAuthConfig()
	tok, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: m.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh after expiry: %v", err)
	}
	if e.Introspect(t, tok.AccessToken)["active"] != true {
		t.Fatal("refreshed token inactive")
	}
	if e.Control(t, "POST", "/clock", `{"reset": true}`, &clock) != http.StatusOK || time.Since(clock.Now) > time.Minute {
		t.Fatal("clock reset")
	}
	short := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "access_token_ttl": "30s"}`)
	if short.ExpiresIn != 30 {
		t.Fatalf("expires_in = %d", short.ExpiresIn)
	}
}

func TestFaultsFireExactlyNTimes(t *testing.T) {
	e := apptest.Start(t, "")
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	if st := e.Control(t, "POST", "/faults", `{"target": "introspect", "status": 503, "error": "temporarily_unavailable", "retry_after": 2, "count": 2}`, nil); st != http.StatusCreated {
		t.Fatalf("add fault: %d", st)
	}
	for i := range 3 {
		resp, body := apptest.PostForm(t, e.URL+"/oauth/token/introspect", url.Values{"token": {m.AccessToken}}, seed.DemoClientID, seed.DemoClientSecret)
		if i < 2 {
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "temporarily_unavailable") || resp.Header.Get("Retry-After") != "2" {
				t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
			}
		} else if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d after the faults: %d", i, resp.StatusCode)
		}
	}
	var list struct{ Faults []any }
	e.Control(t, "GET", "/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Fatalf("spent faults still listed: %v", list.Faults)
	}
	// An authorize fault with an OAuth error goes back to a registered redirect URI.
	e.Control(t, "POST", "/faults", `{"target": "authorize", "error": "temporarily_unavailable"}`, nil)
	resp, _ := apptest.NewBrowser(t).Get(e.OAuthConfig("users:read").AuthCodeURL("st-f", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	back := apptest.Location(t, resp, e.URL)
	if back.Host != "localhost:3000" || back.Query().Get("error") != "temporarily_unavailable" || back.Query().Get("state") != "st-f" {
		t.Fatalf("authorize fault redirect: %s", back)
	}
	e.Control(t, "POST", "/faults", `{"target": "token", "status": 500, "count": 5}`, nil)
	if e.Control(t, "DELETE", "/faults", "", nil) != http.StatusNoContent {
		t.Fatal("clear")
	}
	e.Control(t, "GET", "/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Fatal("faults not cleared")
	}
}

func TestResetRestoresTheSeedRowForRow(t *testing.T) {
	e := apptest.Start(t, "", func(c *config.Config) {
		c.Additions.Clients = append(c.Additions.Clients, config.ClientSpec{ID: "from-file", Name: "From File", Secret: "s",
			RedirectURIs: []string{"http://localhost:1/cb"}, Scopes: []string{"users:read"}})
	})
	ctx := context.Background()
	skip := []string{"signing_keys", "schema_migrations"}
	before, err := e.Store.TableHashes(ctx, skip...)
	if err != nil {
		t.Fatal(err)
	}
	e.TokenPair(t, "users:read")
	e.Control(t, "POST", "/clients", `{"client_id": "temp", "name": "Temp", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, nil)
	e.Control(t, "POST", "/clock", `{"advance": "48h"}`, nil)
	var out struct {
		Status     string
		DurationMS float64 `json:"duration_ms"`
	}
	if st := e.Control(t, "POST", "/reset", "", &out); st != http.StatusOK {
		t.Fatalf("reset: %d", st)
	}
	t.Logf("reset took %.1f ms", out.DurationMS)
	after, err := e.Store.TableHashes(ctx, skip...)
	if err != nil {
		t.Fatal(err)
	}
	for table, h := range before {
		if after[table] != h {
			t.Errorf("table %s differs after reset", table)
		}
	}
	if e.Control(t, "GET", "/clients/from-file", "", nil) != http.StatusOK || e.Control(t, "GET", "/clients/temp", "", nil) != http.StatusNotFound {
		t.Error("reset did not restore the config file's clients only")
	}
}

func TestControlTokenProtectsTheControlAPI(t *testing.T) {
	e := apptest.Start(t, "", func(c *config.Config) { c.ControlToken = "s3cret" })
	if st := e.Control(t, "GET", "/clock", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("without token: %d", st)
	}
	if st := e.ControlWithToken(t, "GET", "/clock", "", "wrong", nil); st != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", st)
	}
	if st := e.ControlWithToken(t, "GET", "/clock", "", "s3cret", nil); st != http.StatusOK {
		t.Fatalf("right token: %d", st)
	}
	off := apptest.Start(t, "", func(c *config.Config) { c.Control = false })
	if st := off.Control(t, "GET", "/clock", "", nil); st != http.StatusNotFound {
		t.Fatalf("--control=false: %d", st)
	}
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	e := apptest.Start(t, "")
	code, verifier := e.AuthorizeCode(t, e.OAuthConfig("users:read"))
	apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://localhost:3000/callback"}, "code_verifier": {verifier}}, seed.DemoClientID, seed.DemoClientSecret)
	var log struct {
		Requests []struct {
			Method, Path string
			Status       int
			ClientID     string `json:"client_id"`
		}
	}
	e.Control(t, "GET", "/requests?client_id=demo-client&path=/oauth/token", "", &log)
	if len(log.Requests) != 1 || log.Requests[0].Status != http.StatusOK || log.Requests[0].Method != "POST" {
		t.Fatalf("token requests logged: %+v", log.Requests)
	}
	var all struct{ Requests []map[string]any }
	e.Control(t, "GET", "/requests", "", &all)
	raw, _ := json.Marshal(all)
	for _, secret := range []string{code, verifier, seed.DemoClientSecret, "password="} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("request log contains %q", secret)
		}
	}
}

func TestKeyRotationKeepsOldKeyUntilRemoved(t *testing.T) {
	e := apptest.Start(t, "")
	before := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	var rotated struct{ Kid string }
	if e.Control(t, "POST", "/keys/rotate", "", &rotated) != http.StatusCreated {
		t.Fatal("rotate")
	}
	var jwks struct{ Keys []struct{ Kid string } }
	resp, body := apptest.NewBrowser(t).Get(e.URL + "/.well-known/jwks.json")
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &jwks) != nil || len(jwks.Keys) != 2 || jwks.Keys[0].Kid != rotated.Kid {
		t.Fatalf("jwks after rotation: %s", body)
	}
	after := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	if e.Introspect(t, before.AccessToken)["active"] != true || e.Introspect(t, after.AccessToken)["active"] != true {
		t.Fatal("tokens of both keys must verify")
	}
	old := jwks.Keys[1].Kid
	if e.Control(t, "DELETE", "/keys/"+rotated.Kid, "", nil) != http.StatusNotFound {
		t.Fatal("the active key was removable")
	}
	if e.Control(t, "DELETE", "/keys/"+old, "", nil) != http.StatusNoContent {
		t.Fatal("remove old key")
	}
	if e.Introspect(t, before.AccessToken)["active"] != false {
		t.Fatal("a token of a removed key still verifies")
	}
}

func TestWebPagesCannotDriveTheControlAPI(t *testing.T) {
	e := apptest.Start(t, "")
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example"},
		{"Origin": "http://localhost:3000"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": e.URL},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/_emulator/reset", nil)
		req.Header.Set("Content-Type", "text/plain")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("headers %v: status %d, want 403", h, resp.StatusCode)
		}
	}
	// The emulator's own origin (its pages) and plain clients are accepted.
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/_emulator/clock", nil)
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("same origin: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
}

// A page on a rebound domain is same-origin with itself, so only the Host
// header tells its requests apart.
func TestControlAPIRefusesRequestsForAnotherHost(t *testing.T) {
	e := apptest.Start(t, "")
	for host, want := range map[string]int{
		"rebound.attacker.example": http.StatusForbidden,
		"localhost":                http.StatusOK,
		"pleo-emulator:8080":       http.StatusOK,
	} {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/_emulator/clock", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || (want == http.StatusForbidden && !strings.Contains(string(body), `"error"`)) {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
		}
	}
}

func TestRefreshStopsIssuingScopesTheClientLost(t *testing.T) {
	e := apptest.Start(t, "")
	var created map[string]any
	e.Control(t, "POST", "/clients", `{"client_id": "shrinking", "name": "Shrinking", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read", "companies:read"]}`, &created)
	secret := created["client_secret"].(string)
	m := e.Mint(t, `{"client_id": "shrinking", "subject": "`+seed.DenmarkID+`"}`)
	e.Control(t, "PUT", "/clients/shrinking", `{"name": "Shrinking", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, nil)
	resp, body := apptest.PostForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m.RefreshToken}}, "shrinking", secret)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid_scope") || !strings.Contains(body, "companies:read") {
		t.Fatalf("refresh after the client lost a scope: %d %s", resp.StatusCode, body)
	}
}
