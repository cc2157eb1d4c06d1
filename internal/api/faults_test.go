package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
)

// TestFaultsAnswerInPleosShape checks that a fault queued for an API route
// fires in the route's wrapper, in Pleo's error shape, before the token is
// looked at, and that the next request is served again.
func TestFaultsAnswerInPleosShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	add := func(f faults.Fault) {
		if _, err := e.faults.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	add(faults.Fault{Target: "GET /v2/employees/{employeeId}", Status: 503, RetryAfter: 3})
	add(faults.Fault{Target: "api", Status: 401})
	add(faults.Fault{Target: "POST /v1/vendors:search", Type: "TOO_MANY_REQUESTS", Message: "Slow down.", Status: 429})

	r := e.do("GET", "/v2/employees/any", "", "")
	var body struct{ Type, Message string }
	_ = json.Unmarshal(r.body, &body)
	if r.status != 503 || r.header.Get("Retry-After") != "3" || body.Type != "SERVICE_UNAVAILABLE" || body.Message != faults.DefaultMessage {
		t.Fatalf("route fault: %d %v %s", r.status, r.header, r.body)
	}
	r = e.do("GET", "/v2/employees", "dk", "")
	if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Fatalf("401 fault: %d %v %s; want the API's own invalid_token challenge", r.status, r.header, r.body)
	}
	r = e.do("POST", "/v1/vendors:search", "dk", `{}`)
	_ = json.Unmarshal(r.body, &body)
	if r.status != 429 || body.Type != "TOO_MANY_REQUESTS" || body.Message != "Slow down." {
		t.Fatalf("typed fault: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/v2/employees", "dk", ""); r.status != http.StatusOK {
		t.Fatalf("after the faults: %d %s", r.status, r.body)
	}
	if left := e.faults.List(); len(left) != 0 {
		t.Fatalf("faults left: %v", left)
	}
}
