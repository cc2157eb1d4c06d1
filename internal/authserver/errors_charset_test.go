package authserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// rfc6749DescriptionByte reports whether c may appear in error_description
// (RFC 6749 §4.1.2.1 and §5.2: %x20-21 / %x23-5B / %x5D-7E).
func rfc6749DescriptionByte(c byte) bool {
	return c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
}

func checkDescription(t *testing.T, where, d string) {
	t.Helper()
	if d == "" {
		t.Errorf("%s: no error_description", where)
	}
	for i := 0; i < len(d); i++ {
		if !rfc6749DescriptionByte(d[i]) {
			t.Errorf("%s: error_description %q has byte %#x outside RFC 6749's set", where, d, d[i])
			return
		}
	}
}

// hostile is request input with every kind of character the description
// set excludes: a double quote, a backslash, non-ASCII and a control.
const hostile = "\"\\é<x>\x01"

func TestErrorDescriptionStaysInRFC6749CharacterSet(t *testing.T) {
	s, _, _ := newServer(t)
	base := url.Values{"response_type": {"code"}, "client_id": {"demo-client"}, "redirect_uri": {"http://localhost:3000/callback"},
		"state": {"st"}, "scope": {"users:read"}}
	for name, q := range map[string]url.Values{
		"unknown scope":        {"scope": {"users:read " + hostile}},
		"duplicated parameter": {hostile: {"a", "b"}},
		"long unknown scope":   {"scope": {strings.Repeat("é", 5000)}},
	} {
		query := url.Values{}
		for k, v := range base {
			query[k] = v
		}
		for k, v := range q {
			query[k] = v
		}
		w := httptest.NewRecorder()
		s.Authorize(w, httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+query.Encode(), nil))
		loc, err := url.Parse(w.Header().Get("Location"))
		if w.Code != http.StatusFound || err != nil {
			t.Fatalf("%s: status %d Location %q", name, w.Code, w.Header().Get("Location"))
		}
		d := loc.Query().Get("error_description")
		checkDescription(t, name, d)
		if len(d) > 300 {
			t.Errorf("%s: error_description is %d bytes; the input should be cut", name, len(d))
		}
	}

	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"demo-public-client"}, hostile: {"1", "2"}}
	r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.Token(w, r)
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error != "invalid_request" {
		t.Fatalf("token: status %d body %s", w.Code, w.Body)
	}
	checkDescription(t, "token endpoint JSON", body.Description)
	if !strings.Contains(body.Description, "%22%5C%C3%A9<x>%01") {
		t.Errorf("token endpoint: description %q does not keep the parameter's name readable", body.Description)
	}
}
