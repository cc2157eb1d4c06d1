// Package api is the mock of Pleo's External API: the resource server that
// answers integrations with the companies, employees and accounting entries
// in the store, at Pleo's paths and in Pleo's JSON shapes.
//
// Every route is listed once, in routes.go, and wrapped by one middleware
// (auth.go) that verifies the bearer token and checks the scope the
// catalogue in internal/oauth assigns to the route. Handlers bind every read
// and write to the token's subject (subject.go): a company token sees its
// company, an organisation token its organisation's companies. Lists page
// with opaque keyset cursors (pagination.go). Errors use Pleo's ExceptionInfo
// shape (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Verifier checks a bearer access token (signature, exp, iss, aud, not
// revoked) and returns its principal. Any failure is an error; the API
// answers 401 invalid_token for all of them.
type Verifier interface {
	VerifyAccessToken(ctx context.Context, raw string) (oauth.Principal, error)
}

// Clock gives the time every write records.
type Clock interface{ Now() time.Time }

// API is the mock External API.
type API struct {
	store   *store.Store
	clock   Clock
	verify  Verifier
	log     *slog.Logger
	routes  []route
	exports exportConfig  // set by SetPublicURL (exports.go)
	turns   chan struct{} // requests being handled; see authenticate
}

// New builds the mock External API. It panics if the route table disagrees
// with the scope catalogue (a programming error caught by every test run).
func New(st *store.Store, clk Clock, v Verifier, log *slog.Logger) *API {
	a := &API{store: st, clock: clk, verify: v, log: log, turns: make(chan struct{}, runtime.GOMAXPROCS(0))}
	a.routes = a.table()
	for _, rt := range a.routes {
		if err := rt.checkScope(); err != nil {
			panic(err)
		}
	}
	return a
}

// Route is one operation of the API: method, chi pattern and the scope a
// token needs ("" means any valid token).
type Route struct{ Method, Pattern, Scope string }

// Routes lists every route the API serves, in table order.
func (a *API) Routes() []Route {
	out := make([]Route, len(a.routes))
	for i, rt := range a.routes {
		out[i] = Route{Method: rt.method, Pattern: rt.pattern, Scope: rt.scope()}
	}
	return out
}

// Handler returns the API router serving every route at its Pleo path
// (/v0/..., /v1/..., /v2/..., /v3/...) plus GET /openapi.json. Unknown paths
// answer a JSON 404 and known paths with the wrong method a JSON 405, in
// Pleo's error shape. The router matches the full URL path, so it may be
// mounted anywhere in another chi router or used on its own.
func (a *API) Handler() http.Handler {
	r := chi.NewRouter()
	for _, rt := range a.routes {
		r.Method(rt.method, rt.pattern, a.authenticate(rt))
	}
	doc := a.openAPIDocument()
	r.Get("/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", doc)
	})
	r.NotFound(func(w http.ResponseWriter, req *http.Request) {
		a.writeError(w, req, notFound("No route matches "+req.URL.Path+"."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if r.Match(chi.NewRouteContext(), m, req.URL.Path) {
				allowed = append(allowed, m)
			}
		}
		for _, m := range allowed {
			w.Header().Add("Allow", m)
		}
		a.writeError(w, req, &apiError{Status: http.StatusMethodNotAllowed, Type: "METHOD_NOT_ALLOWED",
			Message: "Method " + req.Method + " is not allowed on " + req.URL.Path + "."})
	})
	return fullPathRouter{r}
}

// fullPathRouter is a chi.Router that routes on the full URL path even when
// an outer chi router mounted it (which would hand it only the remainder).
type fullPathRouter struct{ chi.Router }

func (f fullPathRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.Router.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, (*chi.Context)(nil))))
}
