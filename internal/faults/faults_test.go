package faults

import (
	"context"
	"net/http/httptest"
	"testing"
)

// endpointOf describes a request as the channel serving it would.
func endpointOf(method, path string) Endpoint {
	switch method + " " + path {
	case "GET /oauth/authorize":
		return Endpoint{Target: Authorize}
	case "POST /oauth/token":
		return Endpoint{Target: Token}
	case "POST /oauth/token/introspect":
		return Endpoint{Target: Introspect}
	case "POST /oauth/revoke":
		return Endpoint{Target: Revoke}
	}
	return Endpoint{Method: method, Path: path}
}

func TestFaultTargetsMatchTheirRequests(t *testing.T) {
	cases := []struct {
		target, method, path, pattern string
		want                          bool
	}{
		{"token", "POST", "/oauth/token", "", true},
		{"token", "POST", "/oauth/token/introspect", "", false},
		{"introspect", "POST", "/oauth/token/introspect", "", true},
		{"authorize", "GET", "/oauth/authorize", "", true},
		{"revoke", "POST", "/oauth/revoke", "", true},
		{"api", "GET", "/v2/employees", "/v2/employees", true},
		{"api", "POST", "/oauth/token", "", false},
		{"GET /v2/employees", "GET", "/v2/employees", "/v2/employees", true},
		{"GET /v2/employees", "POST", "/v2/employees", "/v2/employees", false},
		{"GET /v2/employees/{employeeId}", "GET", "/v2/employees/abc", "/v2/employees/{employeeId}", true},
		{"GET /v2/employees/{employeeId}", "GET", "/v2/employees", "/v2/employees", false},
		{"/v3/export-jobs/*", "PUT", "/v3/export-jobs/1", "/v3/export-jobs/{jobId}", true},
		{"/v3/export-jobs/*", "GET", "/v3/export-jobs/1/items", "/v3/export-jobs/{jobId}/items", false},
		// A route's own pattern matches even where a glob of it would not.
		{"POST /v1/vendors/{id}:archive", "POST", "/v1/vendors/x:archive", "/v1/vendors/{id}:archive", true},
	}
	for _, tc := range cases {
		f := Fault{Target: tc.target, Status: 500}
		if err := f.validate(); err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		ep := endpointOf(tc.method, tc.path)
		ep.Pattern = tc.pattern
		if got := f.matches(ep); got != tc.want {
			t.Errorf("%s vs %s %s = %v, want %v", tc.target, tc.method, tc.path, got, tc.want)
		}
	}
}

func TestFaultsFireInOrderAndRunOut(t *testing.T) {
	q := NewQueue()
	if _, err := q.Add(Fault{Target: "token", Status: 503, Count: 2, RetryAfter: 7}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Add(Fault{Target: "token", Status: 429}); err != nil {
		t.Fatal(err)
	}
	var got []int
	var retry []string
	for range 4 {
		rec := httptest.NewRecorder()
		f, ok, err := q.Fire(context.Background(), rec, Endpoint{Target: Token})
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			f.Status = 200
		}
		got = append(got, f.Status)
		retry = append(retry, rec.Header().Get("Retry-After"))
	}
	want := []int{503, 503, 429, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}
	if retry[0] != "7" || retry[2] != "" {
		t.Fatalf("Retry-After = %q, want 7 on the first fault only", retry)
	}
	if len(q.List()) != 0 {
		t.Fatal("spent faults are still queued")
	}
}

func TestDelayOnlyFaultPassesOn(t *testing.T) {
	q := NewQueue()
	if _, err := q.Add(Fault{Target: "api", Delay: "1ms"}); err != nil {
		t.Fatal(err)
	}
	_, ok, err := q.Fire(context.Background(), httptest.NewRecorder(), Endpoint{Method: "GET", Pattern: "/v2/employees", Path: "/v2/employees"})
	if ok || err != nil {
		t.Fatalf("delay-only fault: ok %v, err %v; want the request to go on", ok, err)
	}
	if len(q.List()) != 0 {
		t.Fatal("the delay-only fault is still queued")
	}
}

func TestDefaultStatusFollowsTheOAuthError(t *testing.T) {
	for code, want := range map[string]int{"invalid_client": 401, "temporarily_unavailable": 503, "server_error": 500, "invalid_grant": 400} {
		f := Fault{Target: "token", Error: code}
		if err := f.validate(); err != nil || f.Status != want {
			t.Errorf("%s: status %d (%v), want %d", code, f.Status, err, want)
		}
		if e := f.OAuthError(); e.Status() != want || e.Code.Error() != code {
			t.Errorf("%s: OAuthError = %v (%d)", code, e, e.Status())
		}
	}
}
