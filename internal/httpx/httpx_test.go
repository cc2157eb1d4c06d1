package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{64 << 10: "64 KiB", 1 << 20: "1 MiB", 1000: "1000 bytes", 0: "0 bytes"} {
		if got := ByteSize(n); got != want {
			t.Errorf("ByteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestReadJSONReportsEachProblem(t *testing.T) {
	type body struct {
		Name string `json:"name"`
	}
	cases := []struct {
		name, contentType, body string
		opt                     JSONOptions
		want                    BodyProblem // 0: accepted
	}{
		{"ok", "application/json", `{"name":"x"}`, JSONOptions{}, 0},
		{"+json", "application/merge-patch+json; charset=utf-8", `{"name":"x"}`, JSONOptions{}, 0},
		{"unknown field, lenient", "application/json", `{"name":"x","other":1}`, JSONOptions{}, 0},
		{"unknown field, strict", "application/json", `{"name":"x","other":1}`, JSONOptions{Strict: true}, BodyInvalidJSON},
		{"trailing data, strict", "application/json", `{"name":"x"} {}`, JSONOptions{Strict: true}, BodyInvalidJSON},
		{"empty", "application/json", ``, JSONOptions{}, BodyMissing},
		{"empty, optional", "", ``, JSONOptions{Optional: true}, 0},
		{"form", "application/x-www-form-urlencoded", `name=x`, JSONOptions{}, BodyMediaType},
		{"no content type", "", `{"name":"x"}`, JSONOptions{}, BodyMediaType},
		{"latin-1", "application/json", "{\"name\":\"\xe9\"}", JSONOptions{}, BodyNotUTF8},
		{"syntax", "application/json", `{"name":`, JSONOptions{}, BodyInvalidJSON},
		{"type", "application/json", `{"name":1}`, JSONOptions{}, BodyInvalidJSON},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 100) + `"}`, JSONOptions{Limit: 64}, BodyTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			if tc.opt.Limit == 0 {
				tc.opt.Limit = 1 << 20
			}
			var dst body
			err := ReadJSON(httptest.NewRecorder(), r, &dst, tc.opt)
			var be *BodyError
			switch {
			case tc.want == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != 0 && !errors.As(err, &be):
				t.Fatalf("err = %v, want a *BodyError", err)
			case tc.want != 0 && be.Problem != tc.want:
				t.Fatalf("problem %d (%v), want %d", be.Problem, err, tc.want)
			case tc.want != 0 && (err.Error() == "" || strings.HasSuffix(err.Error(), ".")):
				t.Fatalf("message %q must be a lower-case phrase without a full stop", err.Error())
			}
		})
	}
}

func TestReadJSONKeepsTheCauseOfInvalidJSON(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name": 5}`))
	r.Header.Set("Content-Type", "application/json")
	var dst struct{ Name string }
	err := ReadJSON(httptest.NewRecorder(), r, &dst, JSONOptions{Limit: 1024})
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Field != "Name" {
		t.Fatalf("err = %v, want the *json.UnmarshalTypeError for Name", err)
	}
}

func TestFromOtherSite(t *testing.T) {
	const origin = "http://localhost:8080"
	cases := []struct {
		site, origin, host string
		want               bool
	}{
		{"", "", "localhost:8080", false},                      // curl, tests, the CLI
		{"same-origin", origin, "localhost:8080", false},       // the emulator's own page
		{"", "http://127.0.0.1:8080", "127.0.0.1:8080", false}, // the page's own host
		{"cross-site", "", "localhost:8080", true},
		{"same-site", "http://localhost:3000", "localhost:8080", true}, // another localhost port
		{"", "http://evil.test", "localhost:8080", true},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodPost, "http://"+tc.host+"/login", nil)
		if tc.site != "" {
			r.Header.Set("Sec-Fetch-Site", tc.site)
		}
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if got := FromOtherSite(r, origin); got != tc.want {
			t.Errorf("Sec-Fetch-Site %q, Origin %q, Host %q: %v, want %v", tc.site, tc.origin, tc.host, got, tc.want)
		}
	}
}

func TestCSRFTokenRoundTrip(t *testing.T) {
	c := CSRF{}
	page := httptest.NewRecorder()
	tok := c.Token(page, httptest.NewRequest(http.MethodGet, "/login", nil))
	cookies := page.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Value != tok {
		t.Fatalf("cookie %+v for token %q", cookies, tok)
	}
	post := func(field string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("csrf_token="+field))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookies[0])
		return r
	}
	if !c.Check(post(tok)) {
		t.Fatal("the page's own token is refused")
	}
	wrong := []byte(tok)
	wrong[0] ^= 1 // still base64url, never the same
	if c.Check(post(string(wrong))) {
		t.Fatal("a wrong token is accepted")
	}
	noCookie := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("csrf_token="+tok))
	noCookie.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.Check(noCookie) {
		t.Fatal("a form without the cookie is accepted")
	}
}
