package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// apiGet calls the mock API with a bearer token.
func apiGet(t *testing.T, e *apptest.Emulator, path, token string) (*http.Response, string) {
	t.Helper()
	var header http.Header
	if token != "" {
		header = http.Header{"Authorization": {"Bearer " + token}}
	}
	return apptest.Send(t, http.MethodGet, e.URL+path, "", header, nil)
}

func TestAPIWithTokensFromTheRealFlow(t *testing.T) {
	e := apptest.Start(t, "")
	conf, tok := e.TokenPair(t, "users:read")
	client := conf.Client(context.Background(), tok)
	resp, err := client.Get(e.URL + "/v2/employees?limit=5")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data       []struct{ ID, CompanyID string }
		Pagination struct{ Total int }
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(page.Data) != 5 || page.Pagination.Total < 25 {
		t.Fatalf("employees: %d %v %+v", resp.StatusCode, err, page)
	}
	for _, emp := range page.Data {
		if emp.CompanyID != seed.DenmarkID {
			t.Fatalf("a Denmark token sees employee of %s", emp.CompanyID)
		}
	}
	// The token lacks companies:read.
	resp, _ = apiGet(t, e, "/v1/companies", tok.AccessToken)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="companies:read"`) {
		t.Fatalf("missing scope: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	var intro struct{ Data map[string]string }
	resp, body := apiGet(t, e, "/v1/introspect", tok.AccessToken)
	if json.Unmarshal([]byte(body), &intro) != nil || intro.Data["clientId"] != seed.DemoClientID || intro.Data["subjectURN"] != "urn:pleo:company:"+seed.DenmarkID {
		t.Fatalf("introspect: %d %s", resp.StatusCode, body)
	}
}

func TestRevocationTakesEffectOnTheAPIAtOnce(t *testing.T) {
	e := apptest.Start(t, "")
	_, tok := e.TokenPair(t, "users:read")
	if resp, _ := apiGet(t, e, "/v2/employees", tok.AccessToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("before revocation: %d", resp.StatusCode)
	}
	apptest.PostForm(t, e.URL+"/oauth/revoke", url.Values{"token": {tok.RefreshToken}}, seed.DemoClientID, seed.DemoClientSecret)
	resp, body := apiGet(t, e, "/v2/employees", tok.AccessToken)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) || !strings.Contains(body, `"type"`) {
		t.Fatalf("after revocation: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
}

func TestDeletingTheInstallationDisconnects(t *testing.T) {
	e := apptest.Start(t, "")
	conf, tok := e.TokenPair(t, "users:read")
	resp, body := apiGet(t, e, "/v1/installations/me", tok.AccessToken)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"AUTHORIZED"`) {
		t.Fatalf("installation after consent: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodDelete, e.URL+"/v1/installations/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	del, err := http.DefaultClient.Do(req)
	if err != nil || del.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %d", err, del.StatusCode)
	}
	del.Body.Close()
	if resp, _ := apiGet(t, e, "/v2/employees", tok.AccessToken); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("API after disconnect: %d", resp.StatusCode)
	}
	_, err = conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("refresh after disconnect: %v", err)
	}
}

func TestClockAdvanceExpiresTokensOnTheAPI(t *testing.T) {
	e := apptest.Start(t, "")
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read"}`)
	e.Control(t, "POST", "/clock", `{"advance": "16m"}`, nil)
	if resp, _ := apiGet(t, e, "/v2/employees", m.AccessToken); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired token on the API: %d", resp.StatusCode)
	}
	tok, err := e.OAuthConfig().TokenSource(context.Background(), &oauth2.Token{RefreshToken: m.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := apiGet(t, e, "/v2/employees", tok.AccessToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("refreshed token on the API: %d", resp.StatusCode)
	}
}

func TestAPIFaultAnswersInPleosShape(t *testing.T) {
	e := apptest.Start(t, "")
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read"}`)
	e.Control(t, "POST", "/faults", `{"target": "GET /v2/employees", "status": 429, "retry_after": 2}`, nil)
	resp, body := apiGet(t, e, "/v2/employees", m.AccessToken)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" || !strings.Contains(body, `"TOO_MANY_REQUESTS"`) {
		t.Fatalf("fault: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, _ := apiGet(t, e, "/v2/employees", m.AccessToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the fault: %d", resp.StatusCode)
	}
	// The request log names the client of API calls.
	var log struct {
		Requests []struct {
			Status   int
			ClientID string `json:"client_id"`
		}
	}
	e.Control(t, "GET", "/requests?path=/v2/employees", "", &log)
	if len(log.Requests) != 2 || log.Requests[0].ClientID != seed.DemoClientID || log.Requests[1].Status != http.StatusTooManyRequests {
		t.Fatalf("request log: %+v", log.Requests)
	}
}
