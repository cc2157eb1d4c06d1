package control

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFaultTargetsMatchTheirRequests(t *testing.T) {
	cases := []struct {
		target, method, path string
		want                 bool
	}{
		{"token", "POST", "/oauth/token", true},
		{"token", "POST", "/oauth/token/introspect", false},
		{"introspect", "POST", "/oauth/token/introspect", true},
		{"authorize", "GET", "/oauth/authorize", true},
		{"revoke", "POST", "/oauth/revoke", true},
		{"api", "GET", "/v2/employees", true},
		{"api", "GET", "/oauth/token", false},
		{"GET /v2/employees", "GET", "/v2/employees", true},
		{"GET /v2/employees", "POST", "/v2/employees", false},
		{"GET /v2/employees/{employeeId}", "GET", "/v2/employees/abc", true},
		{"GET /v2/employees/{employeeId}", "GET", "/v2/employees", false},
		{"/v3/export-jobs/*", "PUT", "/v3/export-jobs/1", true},
		{"/v3/export-jobs/*", "GET", "/v3/export-jobs/1/items", false},
	}
	for _, tc := range cases {
		f := Fault{Target: tc.target, Status: 500}
		if err := f.validate(); err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		if got := f.matches(httptest.NewRequest(tc.method, tc.path, nil)); got != tc.want {
			t.Errorf("%s vs %s %s = %v, want %v", tc.target, tc.method, tc.path, got, tc.want)
		}
	}
}

func TestFaultsFireInOrderAndRunOut(t *testing.T) {
	fs := &Faults{clientRedirect: func(*http.Request) string { return "" }}
	if _, err := fs.Add(Fault{Target: "token", Status: 503, Count: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Add(Fault{Target: "token", Status: 429}); err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	h := fs.Middleware(next)
	var got []int
	for range 4 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/oauth/token", nil))
		got = append(got, rec.Code)
	}
	want := []int{503, 503, 429, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}
	if len(fs.List()) != 0 {
		t.Fatal("spent faults are still queued")
	}
}

func TestDefaultStatusFollowsTheOAuthError(t *testing.T) {
	for code, want := range map[string]int{"invalid_client": 401, "temporarily_unavailable": 503, "server_error": 500, "invalid_grant": 400} {
		f := Fault{Target: "token", Error: code}
		if err := f.validate(); err != nil || f.Status != want {
			t.Errorf("%s: status %d (%v), want %d", code, f.Status, err, want)
		}
	}
}
