package app_test

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

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// control sends a JSON request to the control API and decodes the answer.
func control(t *testing.T, e *emulator, method, path, body string, out any) int {
	t.Helper()
	return controlWithToken(t, e, method, path, body, "", out)
}

func controlWithToken(t *testing.T, e *emulator, method, path, body, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, e.URL+"/_emulator"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

type minted struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	SubjectURN   string `json:"subject_urn"`
	Error        string `json:"error"`
}

func mint(t *testing.T, e *emulator, body string) minted {
	t.Helper()
	var m minted
	if st := control(t, e, "POST", "/tokens", body, &m); st != http.StatusOK {
		t.Fatalf("mint: %d %s", st, m.Error)
	}
	return m
}

func TestControlClientsLifecycle(t *testing.T) {
	e := startEmulator(t, "")
	var raw map[string]any
	st := control(t, e, "POST", "/clients", `{"client_id": "ci-app", "name": "CI App", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, &raw)
	if st != http.StatusCreated || raw["client_secret"] == "" || raw["client_secret"] == nil || raw["type"] != "confidential" {
		t.Fatalf("create: %d %v", st, raw)
	}
	secret := raw["client_secret"].(string)

	// The secret is shown once only.
	var got map[string]any
	if control(t, e, "GET", "/clients/ci-app", "", &got) != http.StatusOK || got["client_secret"] != nil {
		t.Fatalf("get: %v", got)
	}
	// The new client works at once: mint, then refresh with its secret.
	m := mint(t, e, `{"client_id": "ci-app", "subject": "`+seed.DenmarkID+`", "scope": "users:read"}`)
	resp, body := postForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m.RefreshToken}}, "ci-app", secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh with the new client: %d %s", resp.StatusCode, body)
	}
	// Update keeps the secret when none is given.
	if st := control(t, e, "PUT", "/clients/ci-app", `{"name": "CI App 2", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read", "companies:read"]}`, &got); st != http.StatusOK || got["name"] != "CI App 2" {
		t.Fatalf("update: %d %v", st, got)
	}
	resp, _ = postForm(t, e.URL+"/oauth/token/introspect", url.Values{"token": {m.AccessToken}}, "ci-app", secret)
	if resp.StatusCode != http.StatusOK {
		t.Fatal("secret lost on update")
	}
	var list struct{ Clients []map[string]any }
	control(t, e, "GET", "/clients", "", &list)
	if len(list.Clients) != 3 {
		t.Fatalf("list: %d clients", len(list.Clients))
	}
	if control(t, e, "DELETE", "/clients/ci-app", "", nil) != http.StatusNoContent || control(t, e, "GET", "/clients/ci-app", "", nil) != http.StatusNotFound {
		t.Fatal("delete did not remove the client")
	}
	if control(t, e, "POST", "/clients", `{"client_id": "demo-client", "name": "x", "redirect_uris": ["http://localhost/cb"], "scopes": ["users:read"]}`, nil) != http.StatusConflict {
		t.Fatal("duplicate client id not refused")
	}
}

func TestControlBadInputAnswers400WithAMessage(t *testing.T) {
	e := startEmulator(t, "")
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
			if st := control(t, e, tc.method, tc.path, tc.body, &out); st != http.StatusBadRequest || !strings.Contains(out.Error, tc.want) {
				t.Fatalf("status %d, error %q; want 400 containing %q", st, out.Error, tc.want)
			}
		})
	}
}

func TestControlDirectoryAtRunTime(t *testing.T) {
	e := startEmulator(t, "")
	var org, co map[string]any
	if control(t, e, "POST", "/organizations", `{"name": "Globex"}`, &org) != http.StatusCreated {
		t.Fatal("create organisation")
	}
	if control(t, e, "POST", "/companies", `{"name": "Globex AS", "currency": "NOK", "organization_id": "`+org["id"].(string)+`"}`, &co) != http.StatusCreated {
		t.Fatal("create company")
	}
	companyID := co["id"].(string)
	if st := control(t, e, "POST", "/users", `{"email": "cfo@globex.test", "name": "CFO", "password": "pw", "roles": [{"company_id": "`+companyID+`", "role": "admin"}]}`, nil); st != http.StatusCreated {
		t.Fatalf("create user: %d", st)
	}
	// The new user can log in and connect the new company.
	b := newBrowser(t)
	page := b.login(e.URL, e.oauthConfig("users:read").AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), "cfo@globex.test", "pw")
	if !strings.Contains(page, "Globex AS") {
		t.Fatal("the new company is not offered on the consent screen")
	}
	m := mint(t, e, `{"client_id": "demo-client", "subject": "urn:pleo:company:`+companyID+`"}`)
	if m.SubjectURN != "urn:pleo:company:"+companyID {
		t.Fatalf("minted for %s", m.SubjectURN)
	}
	if control(t, e, "DELETE", "/companies/"+companyID, "", nil) != http.StatusNoContent {
		t.Fatal("delete company")
	}
	if introspect(t, e, m.AccessToken)["active"] != false {
		t.Fatal("a token of a deleted company is still active")
	}
}

func TestMintedTokensRefreshAndExpireWithTheClock(t *testing.T) {
	e := startEmulator(t, "")
	m := mint(t, e, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read companies:read"}`)
	if m.ExpiresIn != 900 || m.Scope != "users:read companies:read" {
		t.Fatalf("minted %+v", m)
	}
	if introspect(t, e, m.AccessToken)["active"] != true {
		t.Fatal("minted token inactive")
	}
	var clock struct{ Now time.Time }
	control(t, e, "POST", "/clock", `{"advance": "16m"}`, &clock)
	if time.Until(clock.Now) < 15*time.Minute {
		t.Fatalf("clock now %v", clock.Now)
	}
	if introspect(t, e, m.AccessToken)["active"] != false {
		t.Fatal("access token active after its expiry")
	}
	conf := e.oauthConfig()
	tok, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: m.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh after expiry: %v", err)
	}
	if introspect(t, e, tok.AccessToken)["active"] != true {
		t.Fatal("refreshed token inactive")
	}
	if control(t, e, "POST", "/clock", `{"reset": true}`, &clock) != http.StatusOK || time.Since(clock.Now) > time.Minute {
		t.Fatal("clock reset")
	}
	short := mint(t, e, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "access_token_ttl": "30s"}`)
	if short.ExpiresIn != 30 {
		t.Fatalf("expires_in = %d", short.ExpiresIn)
	}
}

func TestFaultsFireExactlyNTimes(t *testing.T) {
	e := startEmulator(t, "")
	m := mint(t, e, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	if st := control(t, e, "POST", "/faults", `{"target": "introspect", "status": 503, "error": "temporarily_unavailable", "retry_after": 2, "count": 2}`, nil); st != http.StatusCreated {
		t.Fatalf("add fault: %d", st)
	}
	for i := range 3 {
		resp, body := postForm(t, e.URL+"/oauth/token/introspect", url.Values{"token": {m.AccessToken}}, seed.DemoClientID, seed.DemoClientSecret)
		if i < 2 {
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "temporarily_unavailable") || resp.Header.Get("Retry-After") != "2" {
				t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
			}
		} else if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d after the faults: %d", i, resp.StatusCode)
		}
	}
	var list struct{ Faults []any }
	control(t, e, "GET", "/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Fatalf("spent faults still listed: %v", list.Faults)
	}
	// An authorize fault with an OAuth error goes back to a registered redirect URI.
	control(t, e, "POST", "/faults", `{"target": "authorize", "error": "temporarily_unavailable"}`, nil)
	resp, _ := newBrowser(t).get(e.oauthConfig("users:read").AuthCodeURL("st-f", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	back := location(t, resp, e.URL)
	if back.Host != "localhost:3000" || back.Query().Get("error") != "temporarily_unavailable" || back.Query().Get("state") != "st-f" {
		t.Fatalf("authorize fault redirect: %s", back)
	}
	control(t, e, "POST", "/faults", `{"target": "token", "status": 500, "count": 5}`, nil)
	if control(t, e, "DELETE", "/faults", "", nil) != http.StatusNoContent {
		t.Fatal("clear")
	}
	control(t, e, "GET", "/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Fatal("faults not cleared")
	}
}

func TestResetRestoresTheSeedRowForRow(t *testing.T) {
	e := startEmulator(t, "", func(c *config.Config) {
		c.Additions.Clients = append(c.Additions.Clients, config.ClientSpec{ID: "from-file", Name: "From File", Secret: "s",
			RedirectURIs: []string{"http://localhost:1/cb"}, Scopes: []string{"users:read"}})
	})
	ctx := context.Background()
	skip := []string{"signing_keys", "schema_migrations"}
	before, err := e.Store.TableHashes(ctx, skip...)
	if err != nil {
		t.Fatal(err)
	}
	e.tokenPair(t, "users:read")
	control(t, e, "POST", "/clients", `{"client_id": "temp", "name": "Temp", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, nil)
	control(t, e, "POST", "/clock", `{"advance": "48h"}`, nil)
	var out struct {
		Status     string
		DurationMS float64 `json:"duration_ms"`
	}
	if st := control(t, e, "POST", "/reset", "", &out); st != http.StatusOK {
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
	if control(t, e, "GET", "/clients/from-file", "", nil) != http.StatusOK || control(t, e, "GET", "/clients/temp", "", nil) != http.StatusNotFound {
		t.Error("reset did not restore the config file's clients only")
	}
}

func TestControlTokenProtectsTheControlAPI(t *testing.T) {
	e := startEmulator(t, "", func(c *config.Config) { c.ControlToken = "s3cret" })
	if st := control(t, e, "GET", "/clock", "", nil); st != http.StatusUnauthorized {
		t.Fatalf("without token: %d", st)
	}
	if st := controlWithToken(t, e, "GET", "/clock", "", "wrong", nil); st != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", st)
	}
	if st := controlWithToken(t, e, "GET", "/clock", "", "s3cret", nil); st != http.StatusOK {
		t.Fatalf("right token: %d", st)
	}
	off := startEmulator(t, "", func(c *config.Config) { c.Control = false })
	if st := control(t, off, "GET", "/clock", "", nil); st != http.StatusNotFound {
		t.Fatalf("--control=false: %d", st)
	}
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	e := startEmulator(t, "")
	code, verifier := e.authorizeCode(t, e.oauthConfig("users:read"))
	postForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {"http://localhost:3000/callback"}, "code_verifier": {verifier}}, seed.DemoClientID, seed.DemoClientSecret)
	var log struct {
		Requests []struct {
			Method, Path string
			Status       int
			ClientID     string `json:"client_id"`
		}
	}
	control(t, e, "GET", "/requests?client_id=demo-client&path=/oauth/token", "", &log)
	if len(log.Requests) != 1 || log.Requests[0].Status != http.StatusOK || log.Requests[0].Method != "POST" {
		t.Fatalf("token requests logged: %+v", log.Requests)
	}
	var all struct{ Requests []map[string]any }
	control(t, e, "GET", "/requests", "", &all)
	raw, _ := json.Marshal(all)
	for _, secret := range []string{code, verifier, seed.DemoClientSecret, "password="} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("request log contains %q", secret)
		}
	}
}

func TestKeyRotationKeepsOldKeyUntilRemoved(t *testing.T) {
	e := startEmulator(t, "")
	before := mint(t, e, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	var rotated struct{ Kid string }
	if control(t, e, "POST", "/keys/rotate", "", &rotated) != http.StatusCreated {
		t.Fatal("rotate")
	}
	var jwks struct{ Keys []struct{ Kid string } }
	resp, body := newBrowser(t).get(e.URL + "/.well-known/jwks.json")
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &jwks) != nil || len(jwks.Keys) != 2 || jwks.Keys[0].Kid != rotated.Kid {
		t.Fatalf("jwks after rotation: %s", body)
	}
	after := mint(t, e, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`"}`)
	if introspect(t, e, before.AccessToken)["active"] != true || introspect(t, e, after.AccessToken)["active"] != true {
		t.Fatal("tokens of both keys must verify")
	}
	old := jwks.Keys[1].Kid
	if control(t, e, "DELETE", "/keys/"+rotated.Kid, "", nil) != http.StatusNotFound {
		t.Fatal("the active key was removable")
	}
	if control(t, e, "DELETE", "/keys/"+old, "", nil) != http.StatusNoContent {
		t.Fatal("remove old key")
	}
	if introspect(t, e, before.AccessToken)["active"] != false {
		t.Fatal("a token of a removed key still verifies")
	}
}

func TestWebPagesCannotDriveTheControlAPI(t *testing.T) {
	e := startEmulator(t, "")
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
	e := startEmulator(t, "")
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
	e := startEmulator(t, "")
	var created map[string]any
	control(t, e, "POST", "/clients", `{"client_id": "shrinking", "name": "Shrinking", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read", "companies:read"]}`, &created)
	secret := created["client_secret"].(string)
	m := mint(t, e, `{"client_id": "shrinking", "subject": "`+seed.DenmarkID+`"}`)
	control(t, e, "PUT", "/clients/shrinking", `{"name": "Shrinking", "redirect_uris": ["http://localhost:9/cb"], "scopes": ["users:read"]}`, nil)
	resp, body := postForm(t, e.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {m.RefreshToken}}, "shrinking", secret)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid_scope") || !strings.Contains(body, "companies:read") {
		t.Fatalf("refresh after the client lost a scope: %d %s", resp.StatusCode, body)
	}
}
