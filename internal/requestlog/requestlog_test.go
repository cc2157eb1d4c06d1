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
	for _, secret := range []string{"abc", "=v", "=t&", "=p"} {
		if strings.Contains(got, secret) {
			t.Errorf("Redact kept %q: %s", secret, got)
		}
	}
	if !strings.Contains(got, "client_id=demo") || !strings.Contains(got, "state=s1") {
		t.Errorf("Redact dropped harmless parameters: %s", got)
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
	for _, p := range []string{"/a", "/skip/x", "/b", "/named", "/c"} {
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.SetBasicAuth("basic%2Bclient", "secret")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	all := l.Entries("", "", 10)
	if len(all) != 3 || all[0].Path != "/c" || all[2].Path != "/b" {
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
