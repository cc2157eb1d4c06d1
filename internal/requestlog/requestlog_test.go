package requestlog

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRedactHidesSecretParameters(t *testing.T) {
	u, _ := url.Parse("/oauth/authorize?client_id=demo&code=abc&state=s1&code_verifier=v&token=t&password=p")
	got := Redact(u)
	path, query, _ := strings.Cut(got, "?")
	q, err := url.ParseQuery(query)
	if path != "/oauth/authorize" || err != nil {
		t.Fatalf("Redact = %s (%v)", got, err)
	}
	for _, secret := range []string{"code", "code_verifier", "token", "password"} {
		if v := q[secret]; len(v) != 1 || v[0] != "REDACTED" {
			t.Errorf("Redact left %s = %q: %s", secret, v, got)
		}
	}
	if q.Get("client_id") != "demo" || q.Get("state") != "s1" || len(q) != 6 {
		t.Errorf("Redact dropped or changed harmless parameters: %s", got)
	}
	if p := Redact(&url.URL{Path: "/oauth/token"}); p != "/oauth/token" {
		t.Errorf("Redact without a query = %q", p)
	}
}

func TestMiddlewareRecordsNewestFirstAndHonoursFilters(t *testing.T) {
	l := New(3, func() time.Time { return time.Unix(0, 0) })
	h := l.Middleware("/skip")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/named" {
			SetClientID(r.Context(), "from-handler")
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	// The skipped path comes late, so the ring of 3 would hold it if it were recorded.
	for _, p := range []string{"/a", "/b", "/named", "/skip/x", "/c"} {
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.SetBasicAuth("basic%2Bclient", "secret")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	all := l.Entries("", "", 10)
	if len(all) != 3 || all[0].Path != "/c" || all[1].Path != "/named" || all[2].Path != "/b" {
		t.Fatalf("ring of 3 = %+v", all)
	}
	if all[0].ClientID != "basic+client" || all[0].Status != http.StatusTeapot {
		t.Errorf("entry = %+v", all[0])
	}
	if named := l.Entries("from-handler", "", 10); len(named) != 1 || named[0].Path != "/named" {
		t.Errorf("client filter = %+v", named)
	}
	if got := l.Entries("", "/b", 10); len(got) != 1 {
		t.Errorf("path filter = %+v", got)
	}
	l.Clear()
	if len(l.Entries("", "", 10)) != 0 {
		t.Error("Clear left entries")
	}
}
