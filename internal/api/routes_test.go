package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Demo IDs the tests use.
var (
	dkEmployee   = seed.ID("acme-denmark/employee/0")
	seEmployee   = seed.ID("acme-sweden/employee/0")
	dkEntry      = seed.ID("acme-denmark/entry/0")
	seEntry      = seed.ID("acme-sweden/entry/0")
	dkDeleted    = seed.ID("acme-denmark/entry/5") // every 73rd entry from the 6th is deleted
	unknownUUID  = "0b3c6f0e-5d7a-4c1e-9a55-000000000000"
	installation = "/v1/installations/me"
)

// sample is a request that exercises a route for the Denmark token.
type sample struct{ path, body string }

// samples holds one request per route; TestEveryRouteHasASample makes
// sure a new route gets one, so the scope matrix and golden files cover it.
var samples = map[string]sample{
	"GET /v1/introspect":                             {"/v1/introspect", ""},
	"GET /v2/employees":                              {"/v2/employees?limit=2", ""},
	"GET /v2/employees/{employeeId}":                 {"/v2/employees/" + dkEmployee, ""},
	"GET /v1/companies":                              {"/v1/companies", ""},
	"GET /v1/companies/{companyId}":                  {"/v1/companies/" + seed.DenmarkID, ""},
	"POST /v1/accounting-entries:search":             {"/v1/accounting-entries:search?limit=2", `{"families":["BILL_INVOICE"]}`},
	"GET /v1/accounting-entries/{accountingEntryId}": {"/v1/accounting-entries/" + dkEntry, ""},
	"GET /v1/installations/me":                       {installation, ""},
	"POST /v1/installations/me":                      {installation, `{"status":"PENDING_INTEGRATION","metadata":{"externalConfigurationId":"123456789"}}`},
	"PUT /v1/installations/me":                       {installation, `{"status":"ERROR","errorCode":"AUTH_ERROR","metadata":{"externalConfigurationId":"123456789"}}`},
	"DELETE /v1/installations/me":                    {installation, ""},
	"POST /v1/installations/me:activate":             {installation + ":activate", ""},
}

func TestEveryRouteHasASample(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, rt := range e.api.Routes() {
		if _, ok := samples[rt.Method+" "+rt.Pattern]; !ok {
			t.Errorf("route %s %s has no sample request in routes_test.go", rt.Method, rt.Pattern)
		}
	}
}

// TestRouteScopesComeFromTheCatalogue checks that every route's scope is
// in the catalogue, and that only the routes Pleo opens to any valid token
// (introspection and installations) have none.
func TestRouteScopesComeFromTheCatalogue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, rt := range e.api.Routes() {
		open := rt.Pattern == "/v1/introspect" || strings.HasPrefix(rt.Pattern, "/v1/installations/")
		if open != (rt.Scope == "") {
			t.Errorf("%s %s: scope %q; only introspection and installations take any valid token", rt.Method, rt.Pattern, rt.Scope)
		}
		if rt.Scope != "" {
			if _, ok := oauth.LookupScope(rt.Scope); !ok {
				t.Errorf("%s %s: scope %q is not in the catalogue", rt.Method, rt.Pattern, rt.Scope)
			}
		}
	}
}

// TestScopeMatrix calls every route with no token, a bad token, a token
// lacking the route's scope and a token holding only that scope.
func TestScopeMatrix(t *testing.T) {
	t.Parallel()
	routes := newEnv(t).api.Routes()
	for _, rt := range routes {
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := samples[rt.Method+" "+rt.Pattern]
			for _, header := range []string{"", "Basic ZGVtbzo=", "Bearer", "Bearer not-a-token", "Bearer a b", "bearer"} {
				req, _ := http.NewRequest(rt.Method, e.srv.URL+s.path, strings.NewReader(s.body))
				if header != "" {
					req.Header.Set("Authorization", header)
				}
				res, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					t.Errorf("Authorization %q: status %d, want 401", header, res.StatusCode)
				}
				if got := res.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
					t.Errorf("Authorization %q: WWW-Authenticate %q", header, got)
				}
			}
			e.do(rt.Method, s.path, "", s.body).fails(t, http.StatusUnauthorized, "UNAUTHORIZED")

			others := slices.DeleteFunc(oauth.ScopeNames(), func(n string) bool { return n == rt.Scope })
			e.addToken("without", denmark, others)
			r := e.do(rt.Method, s.path, "without", s.body)
			if rt.Scope != "" {
				r.fails(t, http.StatusForbidden, "INSUFFICIENT_SCOPE")
				want := `Bearer error="insufficient_scope", scope="` + rt.Scope + `"`
				if got := r.header.Get("WWW-Authenticate"); got != want {
					t.Errorf("WWW-Authenticate %q, want %q", got, want)
				}
			} else if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
				t.Errorf("any valid token: status %d; body %s", r.status, r.body)
			}

			var only []string
			if rt.Scope != "" {
				only = []string{rt.Scope}
			}
			e.addToken("only", denmark, only)
			if r := e.do(rt.Method, s.path, "only", s.body); r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
				t.Errorf("token with the scope: status %d; body %s", r.status, r.body)
			}
		})
	}
}

func TestUnknownRouteAndWrongMethodAnswerJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do("GET", "/v1/nothing-here", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v2/employees/", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	r := e.do("DELETE", "/v2/employees", "dk", "")
	r.fails(t, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	if got := r.header.Values("Allow"); !slices.Equal(got, []string{"GET"}) {
		t.Errorf("Allow %v, want [GET]", got)
	}
	r = e.do("PATCH", installation, "dk", "{}")
	r.fails(t, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	if got := r.header.Values("Allow"); !slices.Equal(got, []string{"GET", "POST", "PUT", "DELETE"}) {
		t.Errorf("Allow %v, want [GET POST PUT DELETE]", got)
	}
}

func TestSuccessContentType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/v2/employees", "dk", "")
	if got := r.header.Get("Content-Type"); got != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", got)
	}
}
