package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// TestHeadAnswersLikeGet: HEAD on a GET route answers what GET answers,
// without content (RFC 9110 §9.3.2), for pages, metadata, JWKS, health,
// the API and the favicon; HEAD on a POST-only route answers 405 like GET.
func TestHeadAnswersLikeGet(t *testing.T) {
	emu := apptest.Start(t, "")
	for path, want := range map[string]int{
		"/": 200, "/login": 200, "/playground": 200, "/healthz": 200, "/readyz": 200,
		"/.well-known/oauth-authorization-server": 200, "/.well-known/jwks.json": 200, "/openapi.json": 200,
		"/favicon.ico": 200, "/v2/employees": 401, "/oauth/token": 405, "/no-such-page": 404,
	} {
		get, err := http.Get(emu.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		get.Body.Close()
		head, err := http.Head(emu.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode != want || get.StatusCode != want {
			t.Errorf("%s: HEAD %d, GET %d, want %d", path, head.StatusCode, get.StatusCode, want)
		}
		if len(body) != 0 || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("%s: HEAD sent %d bytes, Content-Type %q (GET %q)", path, len(body), head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
	}
}

// corsRequest sends method to path with an Origin (and, for OPTIONS, a
// preflight's Access-Control-Request-Method).
func corsRequest(t *testing.T, method, u, origin string) *http.Response {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {"demo-public-client"}}.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestCORSForBrowserApps: the token and revocation endpoints, the metadata
// and the JWKS answer CORS requests and preflights from the origins of
// registered redirect URIs (http://localhost:3000 for the demo clients)
// and from no other; the control API, introspection and the pages never do.
func TestCORSForBrowserApps(t *testing.T) {
	emu := apptest.Start(t, "")
	const registered, stranger = "http://localhost:3000", "http://evil.test"
	open := []string{"/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server", "/.well-known/jwks.json"}
	for _, path := range open {
		pre := corsRequest(t, http.MethodOptions, emu.URL+path, registered)
		if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != registered ||
			!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Content-Type") ||
			!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight %s: %d %v", path, pre.StatusCode, pre.Header)
		}
		if pre.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s allows credentials", path)
		}
		if got := corsRequest(t, http.MethodOptions, emu.URL+path, stranger).Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("preflight %s from %s: Access-Control-Allow-Origin %q", path, stranger, got)
		}
		method := http.MethodGet
		if strings.HasPrefix(path, "/oauth/") {
			method = http.MethodPost
		}
		resp := corsRequest(t, method, emu.URL+path, registered)
		if resp.Header.Get("Access-Control-Allow-Origin") != registered || !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("%s %s: %d, headers %v", method, path, resp.StatusCode, resp.Header)
		}
		if got := corsRequest(t, method, emu.URL+path, stranger).Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s %s from %s: Access-Control-Allow-Origin %q", method, path, stranger, got)
		}
	}
	for _, path := range []string{"/_emulator/tokens", "/_emulator/clients", "/oauth/token/introspect", "/login", "/v2/employees"} {
		for _, method := range []string{http.MethodOptions, http.MethodGet} {
			if got := corsRequest(t, method, emu.URL+path, registered).Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s %s answers CORS (%q); it must stay closed to browsers", method, path, got)
			}
		}
	}
}

// TestCORSOriginsSetting: "none" closes CORS, "*" opens it to every origin,
// and a list allows exactly its origins.
func TestCORSOriginsSetting(t *testing.T) {
	for setting, want := range map[string]map[string]string{
		"none":                      {"http://localhost:3000": "", "http://evil.test": ""},
		"*":                         {"http://localhost:3000": "*", "http://evil.test": "*"},
		"https://spa.example":       {"http://localhost:3000": "", "https://spa.example": "https://spa.example"},
		"registered localhost:3000": {}, // not an origin: no scheme
		"none *":                    {},
	} {
		cfgErr := func(c *config.Config) { c.CORSOrigins = setting }
		if len(want) == 0 {
			c := config.Default()
			cfgErr(&c)
			if err := c.Validate(); err == nil {
				t.Errorf("cors-origins %q accepted", setting)
			}
			continue
		}
		emu := apptest.Start(t, "", cfgErr)
		for origin, allow := range want {
			if got := corsRequest(t, http.MethodGet, emu.URL+"/.well-known/jwks.json", origin).Header.Get("Access-Control-Allow-Origin"); got != allow {
				t.Errorf("cors-origins %q, Origin %s: Access-Control-Allow-Origin %q, want %q", setting, origin, got, allow)
			}
		}
	}
}

// TestControlOffAnswersJSON404: with --control=false, /_emulator/* is a
// JSON 404 saying the control API is off, not the HTML not-found page.
func TestControlOffAnswersJSON404(t *testing.T) {
	emu := apptest.Start(t, "", func(c *config.Config) { c.Control = false })
	for _, path := range []string{"/_emulator", "/_emulator/tokens", "/_emulator/reset"} {
		resp, err := http.Post(emu.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || err != nil || !strings.Contains(body["error"], "control API is off") {
			t.Errorf("%s: %d %v %v", path, resp.StatusCode, body, err)
		}
	}
}
