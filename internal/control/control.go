// Package control is the test-fixture control API under /_emulator/: clients,
// organisations, companies and users at run time, token minting, the clock,
// fault injection, reset, the request log and signing-key rotation. It
// answers JSON; errors are {"error": "message"}.
package control

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/requestlog"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Options configure the control API.
type Options struct {
	// Token is the bearer token every request must carry, if not empty.
	Token string
	// PublicOrigin is the scheme and host of the public URL, the one browser
	// origin the control API accepts.
	PublicOrigin string
}

// Deps are what the control API drives.
type Deps struct {
	Store    *store.Store
	Clock    *clock.Clock
	Auth     *authserver.Server
	Faults   *faults.Queue
	Requests *requestlog.Log
	Reset    func(ctx context.Context) error // restores the seed and config-file state
	Log      *slog.Logger
}

// Control serves the control API.
type Control struct {
	Options
	Deps
}

// New builds the control API.
func New(opt Options, d Deps) *Control { return &Control{Options: opt, Deps: d} }

// Handler returns the router, to be mounted at /_emulator.
func (c *Control) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(c.refuseBrowsers)
	r.Use(c.refuseForeignHosts)
	r.Use(c.requireToken)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) { fail(w, http.StatusNotFound, "no such control endpoint") })
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		fail(w, http.StatusMethodNotAllowed, "method not allowed on this control endpoint")
	})
	r.Get("/", c.index)
	r.Route("/clients", func(r chi.Router) {
		r.Get("/", c.listClients)
		r.Post("/", c.createClient)
		r.Get("/{id}", c.getClient)
		r.Put("/{id}", c.updateClient)
		r.Delete("/{id}", c.deleteClient)
	})
	r.Get("/organizations", c.listOrganizations)
	r.Post("/organizations", c.createOrganization)
	r.Delete("/organizations/{id}", c.deleteOrganization)
	r.Get("/companies", c.listCompanies)
	r.Post("/companies", c.createCompany)
	r.Delete("/companies/{id}", c.deleteCompany)
	r.Get("/users", c.listUsers)
	r.Post("/users", c.createUser)
	r.Delete("/users/{id}", c.deleteUser)
	r.Post("/tokens", c.mintTokens)
	r.Get("/clock", c.getClock)
	r.Post("/clock", c.setClock)
	r.Get("/faults", c.listFaults)
	r.Post("/faults", c.addFault)
	r.Delete("/faults", c.clearFaults)
	r.Delete("/faults/{id}", c.removeFault)
	r.Post("/reset", c.reset)
	r.Get("/requests", c.listRequests)
	r.Delete("/requests", c.clearRequests)
	r.Get("/keys", c.listKeys)
	r.Post("/keys/rotate", c.rotateKey)
	r.Delete("/keys/{kid}", c.removeKey)
	r.Post("/accounting-entries/{id}/receipts", c.attachReceipt)
	return r
}

// refuseBrowsers keeps web pages away from the control API: a browser sends
// Sec-Fetch-Site and Origin on cross-origin requests, so a page on another
// site (or another localhost port) cannot register clients, mint tokens or
// reset the emulator through the user's browser. Test code, curl and the CLI
// send neither header. --control-token adds a secret on top.
func (c *Control) refuseBrowsers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if httpx.FromOtherSite(r, c.PublicOrigin) {
			fail(w, http.StatusForbidden, "the control API does not accept requests from web pages of other sites")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuseForeignHosts defends against DNS rebinding: a page on a domain the
// attacker controls, re-pointed at 127.0.0.1, is same-origin with itself, so
// the browser sends no cross-site marks, but the request's Host still names
// the attacker's domain. The control API answers only requests addressed to
// the public URL's host, an IP address, localhost (or a .localhost name) or a
// single-label name such as a Docker Compose service; another dotted name
// needs --public-url.
func (c *Control) refuseForeignHosts(next http.Handler) http.Handler {
	publicHost := ""
	if u, err := url.Parse(c.PublicOrigin); err == nil {
		publicHost = u.Hostname()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !addressedHere(r.Host, publicHost) {
			fail(w, http.StatusForbidden, fmt.Sprintf("the control API does not answer requests for host %q: "+
				"use localhost, an IP address or the --public-url host", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// addressedHere reports whether a request's Host header (host[:port]) is one
// refuseForeignHosts accepts.
func addressedHere(hostport, publicHost string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	switch {
	case host == "":
		return false
	case strings.EqualFold(host, publicHost), net.ParseIP(host) != nil:
		return true
	case host == "localhost", strings.HasSuffix(host, ".localhost"):
		return true
	}
	return !strings.Contains(host, ".")
}

// requireToken enforces --control-token (constant-time comparison).
func (c *Control) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.Token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(c.Token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pleo-emulator control API"`)
				fail(w, http.StatusUnauthorized, "the control API requires Authorization: Bearer <control token>")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *Control) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"endpoints": []string{
		"GET|POST /_emulator/clients", "GET|PUT|DELETE /_emulator/clients/{id}",
		"GET|POST /_emulator/organizations", "DELETE /_emulator/organizations/{id}",
		"GET|POST /_emulator/companies", "DELETE /_emulator/companies/{id}",
		"GET|POST /_emulator/users", "DELETE /_emulator/users/{id}",
		"POST /_emulator/tokens", "GET|POST /_emulator/clock",
		"GET|POST|DELETE /_emulator/faults", "DELETE /_emulator/faults/{id}",
		"POST /_emulator/reset", "GET|DELETE /_emulator/requests",
		"GET /_emulator/keys", "POST /_emulator/keys/rotate", "DELETE /_emulator/keys/{kid}",
		"POST /_emulator/accounting-entries/{id}/receipts",
	}})
}

// MaxBodyBytes bounds control API request bodies.
const MaxBodyBytes = 1 << 20

// RefuseRequest writes a request refused before it reaches the control API
// (a body over MaxBodyBytes, a parameter that is not UTF-8) as its JSON
// error, with status.
func RefuseRequest(w http.ResponseWriter, _ *http.Request, status int, message string) {
	fail(w, status, message)
}

// decode reads a JSON body strictly (httpx.ReadJSON: unknown fields and
// trailing data are errors, a body in another media type is 415, JSON that
// is not UTF-8 is 400); on failure it has written the error.
func decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	err := httpx.ReadJSON(w, r, dst, httpx.JSONOptions{Limit: MaxBodyBytes, Strict: true})
	if err == nil {
		return true
	}
	status := http.StatusBadRequest
	var be *httpx.BodyError
	if errors.As(err, &be) {
		switch be.Problem {
		case httpx.BodyTooLarge:
			status = http.StatusRequestEntityTooLarge
		case httpx.BodyMediaType:
			status = http.StatusUnsupportedMediaType
		}
	}
	fail(w, status, err.Error())
	return false
}

// fail writes the control API's error shape, {"error": "message"}.
func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON writes v as the control API's JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	httpx.WriteJSON(w, status, "application/json;charset=UTF-8", v)
}

// storeFail answers a store error: 404, 409 or a logged 500.
func (c *Control) storeFail(w http.ResponseWriter, r *http.Request, what string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		fail(w, http.StatusNotFound, what+" not found")
	case errors.Is(err, store.ErrConflict):
		fail(w, http.StatusConflict, what+" already exists")
	default:
		c.Log.ErrorContext(r.Context(), "control API failure", "what", what, "error", err)
		fail(w, http.StatusInternalServerError, fmt.Sprintf("%s: internal error", what))
	}
}

// deleteByID answers DELETE .../{id}: 204 when remove deleted the row with
// that ID in one transaction, 404 when there was none.
func (c *Control) deleteByID(w http.ResponseWriter, r *http.Request, what string,
	remove func(ctx context.Context, tx *store.Tx, id string) error) {
	id := chi.URLParam(r, "id")
	if err := c.Store.Write(r.Context(), func(tx *store.Tx) error { return remove(r.Context(), tx, id) }); err != nil {
		c.storeFail(w, r, what+" "+id, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
