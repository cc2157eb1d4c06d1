package app_test

// Hostile input: bodies over the limit (with a Content-Length, chunked, or
// with a Content-Length that lies), long query parameters, invalid UTF-8 and
// wrong content types. Each is refused in its endpoint's own error channel
// (RFC 6749 JSON, Pleo's JSON error, the control API's JSON error, or an
// HTML error page), never with a 5xx, a hang or a change to the data.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// The documented body limits.
const (
	formLimit = 64 << 10 // HTML forms and the token, introspection and revocation endpoints
	jsonLimit = 1 << 20  // the API and the control API
)

// channel asserts that an answer is an error of one family of endpoints
// with status; code is the family's error code (the OAuth error, Pleo's
// error type), checked when not empty.
type channel func(t *testing.T, resp *http.Response, body string, status int, code string)

// oauthChannel is RFC 6749 §5.2 JSON.
func oauthChannel(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	apptest.AssertJSONError(t, resp, body, status, code)
}

// jsonAnswer checks that an answer has status and a JSON body, and decodes
// the body into dst.
func jsonAnswer(t *testing.T, resp *http.Response, body string, status int, dst any) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != status || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("status %d with Content-Type %q, want %d with JSON (%s)", resp.StatusCode, ct, status, body)
	}
	if err := json.Unmarshal([]byte(body), dst); err != nil {
		t.Fatalf("body is not JSON: %q", body)
	}
}

// apiChannel is Pleo's ExceptionInfo: {"type": ..., "message": ...}.
func apiChannel(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	var e struct{ Type, Message string }
	jsonAnswer(t, resp, body, status, &e)
	if e.Type == "" || e.Message == "" || (code != "" && e.Type != code) {
		t.Errorf("Pleo error %+v, want type %q and a message", e, code)
	}
}

// controlChannel is the control API's {"error": "message"}.
func controlChannel(t *testing.T, resp *http.Response, body string, status int, _ string) {
	t.Helper()
	var e struct{ Error string }
	jsonAnswer(t, resp, body, status, &e)
	if e.Error == "" {
		t.Errorf("no error message in %s", body)
	}
}

// pageChannel is an HTML error page.
func pageChannel(t *testing.T, resp *http.Response, body string, status int, _ string) {
	t.Helper()
	apptest.AssertErrorPage(t, resp, body, status, "")
}

// bodyEndpoint is an endpoint that takes a request body.
type bodyEndpoint struct {
	method, path string
	contentType  string
	header       http.Header // credentials
	limit        int
	channel      channel
	tooLarge     string // the channel's code for a 413
}

// bodyEndpoints lists endpoints of every channel that take a body, with
// credentials that get the request past authentication.
func bodyEndpoints(t *testing.T, e *apptest.Emulator) []bodyEndpoint {
	t.Helper()
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "`+oauthdomain.JoinScope(oauthdomain.ScopeNames())+`"}`)
	client := http.Header{"Authorization": {apptest.Basic(seed.DemoClientID, seed.DemoClientSecret)}}
	bearer := http.Header{"Authorization": {"Bearer " + m.AccessToken}}
	const jsonType = "application/json"
	return []bodyEndpoint{
		{"POST", "/oauth/token", apptest.FormType, client, formLimit, oauthChannel, "invalid_request"},
		{"POST", "/oauth/token/introspect", apptest.FormType, client, formLimit, oauthChannel, "invalid_request"},
		{"POST", "/oauth/revoke", apptest.FormType, client, formLimit, oauthChannel, "invalid_request"},
		{"POST", "/v0/tag-groups?company_id=" + seed.DenmarkID, jsonType, bearer, jsonLimit, apiChannel, "PAYLOAD_TOO_LARGE"},
		{"PUT", "/v1/installations/me", jsonType, bearer, jsonLimit, apiChannel, "PAYLOAD_TOO_LARGE"},
		{"POST", "/v1/accounting-entries:search", jsonType, bearer, jsonLimit, apiChannel, "PAYLOAD_TOO_LARGE"},
		{"POST", "/_emulator/clients", jsonType, nil, jsonLimit, controlChannel, ""},
		{"POST", "/_emulator/tokens", jsonType, nil, jsonLimit, controlChannel, ""},
		{"POST", "/_emulator/companies/" + seed.DenmarkID + "/accounting-entries", jsonType, nil, control.MaxEntryBodyBytes, controlChannel, ""},
		{"PATCH", "/_emulator/accounting-entries/" + seed.ID("acme-denmark/entry/1"), jsonType, nil, control.MaxEntryBodyBytes, controlChannel, ""},
		{"POST", "/login", apptest.FormType, nil, formLimit, pageChannel, ""},
		{"POST", "/logout", apptest.FormType, nil, formLimit, pageChannel, ""},
		{"POST", "/oauth/consent", apptest.FormType, nil, formLimit, pageChannel, ""},
		{"POST", "/playground/call", apptest.FormType, nil, formLimit, pageChannel, ""},
		{"POST", "/settings/apps/revoke", apptest.FormType, nil, formLimit, pageChannel, ""},
	}
}

// paddedBody is a body of exactly n bytes in contentType: a form with one
// long parameter, or a JSON object with one long string.
func paddedBody(contentType string, n int) string {
	if contentType == apptest.FormType {
		return "pad=" + strings.Repeat("a", n-len("pad="))
	}
	return `{"pad":"` + strings.Repeat("a", n-len(`{"pad":""}`)) + `"}`
}

// answer is one HTTP answer with its body read.
type answer struct {
	resp *http.Response
	body string
}

// rawRequest writes a request with the given Content-Length header and body
// over a new connection, which it does not close (so a server waiting for
// more of the body would wait), and reads answers until the server closes
// the connection. It fails the test if the server sends no answer, or keeps
// the connection open for 5 s.
func rawRequest(t *testing.T, e *apptest.Emulator, ep bodyEndpoint, contentLength int, body string) []answer {
	t.Helper()
	u, _ := url.Parse(e.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n", ep.method, ep.path, u.Host, ep.contentType, contentLength)
	for k, vs := range ep.header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, vs[0])
	}
	head.WriteString("\r\n")
	go func() { _, _ = io.WriteString(conn, head.String()+body) }()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	var out []answer
	for {
		resp, err := http.ReadResponse(br, nil)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatalf("the connection is still open after 5 s and %d answers", len(out))
		case err != nil && len(out) == 0:
			t.Fatalf("no answer: %v", err)
		case err != nil:
			return out
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		out = append(out, answer{resp, string(b)})
	}
}

// TestBodiesOverTheLimitAnswer413InTheirChannel: a body over the endpoint's
// limit answers 413 in the endpoint's channel, whether its length is
// declared, unknown (chunked) or declared larger than what is sent; a body
// of exactly the limit is not refused for its size.
func TestBodiesOverTheLimitAnswer413InTheirChannel(t *testing.T) {
	e := apptest.Start(t, "")
	for _, ep := range bodyEndpoints(t, e) {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			u := e.URL + ep.path
			sizes := []int{ep.limit + 1}
			if ep.limit < jsonLimit {
				sizes = append(sizes, jsonLimit+1)
			}
			for _, n := range sizes {
				body := paddedBody(ep.contentType, n)
				resp, got := apptest.Send(t, ep.method, u, ep.contentType, ep.header, strings.NewReader(body))
				ep.channel(t, resp, got, http.StatusRequestEntityTooLarge, ep.tooLarge)
				resp, got = apptest.Send(t, ep.method, u, ep.contentType, ep.header, io.MultiReader(strings.NewReader(body)))
				ep.channel(t, resp, got, http.StatusRequestEntityTooLarge, ep.tooLarge)
			}
			answers := rawRequest(t, e, ep, 2*max(ep.limit, jsonLimit), paddedBody(ep.contentType, 16))
			ep.channel(t, answers[0].resp, answers[0].body, http.StatusRequestEntityTooLarge, ep.tooLarge)
			if len(answers) > 1 {
				t.Errorf("%d answers to one request", len(answers))
			}

			resp, got := apptest.Send(t, ep.method, u, ep.contentType, ep.header, strings.NewReader(paddedBody(ep.contentType, ep.limit)))
			if resp.StatusCode == http.StatusRequestEntityTooLarge || resp.StatusCode >= 500 {
				t.Errorf("a body of exactly %d bytes: status %d: %.200s", ep.limit, resp.StatusCode, got)
			}
		})
	}
	if resp, body := apptest.Send(t, "GET", e.URL+"/readyz", "", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the oversized bodies /readyz answers %d %s", resp.StatusCode, body)
	}
}

// TestContentLengthShorterThanTheBody: a client that declares fewer bytes
// than it sends gets a 4xx for the request it declared and a 4xx for the
// rest, which is not a request, and the connection closes; never a 5xx.
func TestContentLengthShorterThanTheBody(t *testing.T) {
	e := apptest.Start(t, "")
	for _, ep := range bodyEndpoints(t, e) {
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			answers := rawRequest(t, e, ep, 16, paddedBody(ep.contentType, 2*jsonLimit))
			for _, a := range answers {
				if a.resp.StatusCode < 400 || a.resp.StatusCode >= 500 {
					t.Errorf("status %d: %.300s", a.resp.StatusCode, a.body)
				}
			}
			if len(answers) != 2 {
				t.Errorf("%d answers, want one to the request and one to the rest", len(answers))
			}
		})
	}
}

// TestLongQueryParametersAre4xx: long parameters within the header limit
// are refused as bad parameters, never a 5xx.
func TestLongQueryParametersAre4xx(t *testing.T) {
	e := apptest.Start(t, "")
	long := strings.Repeat("9", 10<<10)

	// Authorisation endpoint: once the client and redirect URI are
	// trusted, the error goes back to the client (RFC 6749 §4.1.2.1).
	q := apptest.ValidAuthorizeQuery()
	q.Set("scope", strings.Repeat("x", 10<<10))
	resp, _ := apptest.NewBrowser(t).Get(e.AuthorizeURL(q))
	apptest.AssertRedirectError(t, resp, apptest.DemoCallback, "invalid_scope", "st-neg")
	// Before they are trusted, an HTML page.
	q = apptest.ValidAuthorizeQuery()
	q.Set("client_id", long)
	resp, body := apptest.NewBrowser(t).Get(e.AuthorizeURL(q))
	apptest.AssertErrorPage(t, resp, body, http.StatusBadRequest, "invalid_client")

	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "users:read tag-groups:read"}`)
	for _, path := range []string{
		"/v2/employees?limit=" + long,
		"/v2/employees?before=" + long,
		"/v2/employees?after=" + long,
		"/v2/employees?companyId=" + long,
		"/v0/tag-groups?company_id=" + long,
	} {
		resp, body := apiGet(t, e, path, m.AccessToken)
		apiChannel(t, resp, body, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	}
}

// TestInvalidUTF8IsRefusedWith400: a form value, query parameter or JSON
// string that is not UTF-8 is a 400 naming the problem, in the channel;
// nothing is stored with the bytes replaced.
func TestInvalidUTF8IsRefusedWith400(t *testing.T) {
	e := apptest.Start(t, "")
	client := http.Header{"Authorization": {apptest.Basic(seed.DemoClientID, seed.DemoClientSecret)}}
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "tag-groups:read tag-groups:write"}`)
	bearer := http.Header{"Authorization": {"Bearer " + m.AccessToken}}
	authorize := apptest.ValidAuthorizeQuery()
	authorize.Set("state", "st-\xff")
	cases := []struct {
		name, method, path, contentType string
		header                          http.Header
		body                            string
		channel                         channel
		code                            string
	}{
		{"token form value", "POST", "/oauth/token", apptest.FormType, client, "grant_type=refresh_token&refresh_token=%FF%FE", oauthChannel, "invalid_request"},
		{"token form value sent raw", "POST", "/oauth/token", apptest.FormType, client, "grant_type=refresh_token&refresh_token=\xff", oauthChannel, "invalid_request"},
		{"token form name", "POST", "/oauth/token", apptest.FormType, client, "grant_type=refresh_token&refresh_token=x&%C3%28=1", oauthChannel, "invalid_request"},
		{"introspection form value", "POST", "/oauth/token/introspect", apptest.FormType, client, "token=%C3%28", oauthChannel, "invalid_request"},
		{"revocation form value", "POST", "/oauth/revoke", apptest.FormType, client, "token=%ED%A0%80", oauthChannel, "invalid_request"},
		{"authorize query parameter", "GET", "/oauth/authorize?" + authorize.Encode(), "", nil, "", pageChannel, ""},
		{"login form value", "POST", "/login", apptest.FormType, nil, "email=%FF%40acme.test&password=demo", pageChannel, ""},
		{"API query parameter", "GET", "/v0/tags?company_id=" + seed.DenmarkID + "&text_search=%FF", "", bearer, "", apiChannel, "PARAMETER_VALIDATION_FAILED"},
		{"API JSON string", "POST", "/v0/tag-groups?company_id=" + seed.DenmarkID, "application/json", bearer, "{\"name\":\"Bad \xff name\",\"code\":\"UTF8\",\"archived\":false}", apiChannel, "JSON_MAPPING_EXCEPTION"},
		{"control API JSON string", "POST", "/_emulator/clients", "application/json", nil,
			"{\"client_id\":\"utf8-app\",\"name\":\"Bad \xff name\",\"redirect_uris\":[\"http://localhost:9/cb\"],\"scopes\":[\"users:read\"]}", controlChannel, ""},
		{"control API query parameter", "GET", "/_emulator/requests?path=%FF", "", nil, "", controlChannel, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, got := apptest.Send(t, tc.method, e.URL+tc.path, tc.contentType, tc.header, body)
			tc.channel(t, resp, got, http.StatusBadRequest, tc.code)
			if !strings.Contains(got, "UTF-8") {
				t.Errorf("the answer does not say what is wrong: %.300s", got)
			}
		})
	}
	// Nothing was stored with the invalid bytes replaced.
	resp, body := apiGet(t, e, "/v0/tag-groups?company_id="+seed.DenmarkID, m.AccessToken)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "UTF8") || strings.Contains(body, "\uFFFD") {
		t.Errorf("tag groups after the refused write: %d %.300s", resp.StatusCode, body)
	}
	if st := e.Control(t, "GET", "/clients/utf8-app", "", nil); st != http.StatusNotFound {
		t.Errorf("the refused client exists: GET answers %d", st)
	}
}

// TestWrongContentTypes: the token, introspection and revocation endpoints
// answer 400 invalid_request to anything but a form (RFC 6749 §3.2, §5.2);
// the JSON APIs answer 415 to a body that is not declared JSON, including
// one without a Content-Type or with one that does not parse (RFC 9110
// §15.5.16), and accept application/json with or without a charset.
func TestWrongContentTypes(t *testing.T) {
	e := apptest.Start(t, "")
	client := http.Header{"Authorization": {apptest.Basic(seed.DemoClientID, seed.DemoClientSecret)}}
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "tag-groups:read tag-groups:write"}`)
	bearer := http.Header{"Authorization": {"Bearer " + m.AccessToken}}
	wrong := []string{"application/json", "text/plain", "multipart/form-data; boundary=x", "", "application/x-www-form-urlencoded; charset", "form/"}

	for _, path := range []string{"/oauth/token", "/oauth/token/introspect", "/oauth/revoke"} {
		for _, ct := range wrong {
			t.Run(path+" "+ct, func(t *testing.T) {
				resp, body := apptest.Send(t, "POST", e.URL+path, ct, client, strings.NewReader("grant_type=refresh_token&refresh_token=x&token=x"))
				oauthChannel(t, resp, body, http.StatusBadRequest, "invalid_request")
				if !strings.Contains(body, "application/x-www-form-urlencoded") {
					t.Errorf("the answer does not name the content type to use: %s", body)
				}
			})
		}
	}

	jsonWrong := []string{"text/plain", "", "application/x-www-form-urlencoded", "application/json; charset", "json"}
	for _, ct := range jsonWrong {
		t.Run("API "+ct, func(t *testing.T) {
			resp, body := apptest.Send(t, "POST", e.URL+"/v0/tag-groups?company_id="+seed.DenmarkID, ct, bearer, strings.NewReader(`{"name":"Wrong type","code":"WRONG","archived":false}`))
			apiChannel(t, resp, body, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
			if !strings.Contains(body, "application/json") {
				t.Errorf("the answer does not name the content type to use: %s", body)
			}
		})
		t.Run("control API "+ct, func(t *testing.T) {
			resp, body := apptest.Send(t, "POST", e.URL+"/_emulator/clock", ct, nil, strings.NewReader(`{"advance":"1s"}`))
			controlChannel(t, resp, body, http.StatusUnsupportedMediaType, "")
			if !strings.Contains(body, "application/json") {
				t.Errorf("the answer does not name the content type to use: %s", body)
			}
		})
	}
	for i, ct := range []string{"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"} {
		resp, body := apptest.Send(t, "POST", e.URL+"/v0/tag-groups?company_id="+seed.DenmarkID, ct, bearer,
			strings.NewReader(fmt.Sprintf(`{"name":"Right type %d","code":"RIGHT%d","archived":false}`, i, i)))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("API with %q: %d %s", ct, resp.StatusCode, body)
		}
		resp, body = apptest.Send(t, "POST", e.URL+"/_emulator/clock", ct, nil, strings.NewReader(`{"advance":"1s"}`))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("control API with %q: %d %s", ct, resp.StatusCode, body)
		}
	}
	// A write without a body needs no Content-Type.
	resp, body := apptest.Send(t, "POST", e.URL+"/_emulator/reset", "", nil, nil)
	if resp.StatusCode >= 400 {
		t.Errorf("reset without a body: %d %s", resp.StatusCode, body)
	}
}
