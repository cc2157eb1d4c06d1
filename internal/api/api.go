// Package api is the mock of Pleo's External API: the resource server that
// answers integrations with the companies, employees and accounting entries
// in the store, at Pleo's paths and in Pleo's JSON shapes.
//
// Every route is listed once, in routes.go, with the scope that guards it,
// and wrapped by one middleware (auth.go) that fires injected faults,
// verifies the bearer token and checks the route's scope. Handlers bind
// every read and write to the token's subject (subject.go): a company token
// sees its company, an organisation token its organisation's companies.
// Lists page with opaque keyset cursors (pagination.go). Errors use Pleo's
// ExceptionInfo shape (errors.go).
//
// To add a Pleo resource:
//  1. migrations/: a numbered SQL file with its table.
//  2. internal/pleo: the Go type in Pleo's JSON shape, its enums and its
//     validation rules (the one copy api and store both call).
//  3. internal/store: a file with its reads (keyset pagination via
//     cursor.go) and its writes (in a Tx, run by the single writer).
//  4. internal/api: a file with the handlers and each operation's OpenAPI
//     description (operation), rows in routes.go with their scope
//     (a constant in internal/oauth/scopes.go; add one there, with its
//     description, only for a new scope), and the names Pleo's documents
//     give its types in schemaNames (openapi_schema.go).
//  5. internal/seed: demo rows, so a fresh start exercises it.
//  6. Tests: a sample request per route in routes_test.go (the scope
//     matrix, the golden files in testdata/golden and the fuzzers use it),
//     and the resource's own tests.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
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

// Options configure the API.
type Options struct {
	// PublicURL is the API's public base URL (scheme, host and any path
	// prefix; a trailing slash is dropped), such as config.APIBaseURL().
	// Export items link to their accounting entries under it
	// (_links.api.accountingEntry); when empty the links are paths, e.g.
	// /v1/accounting-entries/{id}.
	PublicURL string
}

// API is the mock External API.
type API struct {
	opt    Options
	store  *store.Store
	clock  Clock
	verify Verifier
	faults *faults.Queue
	log    *slog.Logger
	routes []route
	turns  chan struct{} // requests being handled; see authenticate
	keyMu  sync.Mutex    // guards urlKey
	urlKey []byte        // signs receipt URLs; see receiptKey
}

// New builds the mock External API. Faults queued in fq fire on its routes
// (fq may be nil).
func New(opt Options, st *store.Store, clk Clock, v Verifier, fq *faults.Queue, log *slog.Logger) *API {
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	a := &API{opt: opt, store: st, clock: clk, verify: v, faults: fq, log: log, turns: make(chan struct{}, runtime.GOMAXPROCS(0))}
	a.routes = a.table()
	return a
}

// Route is one operation of the API: method, chi pattern and the scope a
// token needs ("" means any valid token).
type Route struct{ Method, Pattern, Scope string }

// Routes lists every route the API serves, in table order.
func (a *API) Routes() []Route {
	out := make([]Route, len(a.routes))
	for i, rt := range a.routes {
		out[i] = Route{Method: rt.method, Pattern: rt.pattern, Scope: rt.scope}
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
