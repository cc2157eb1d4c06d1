// Package control is the test-fixture control API under /_emulator/: clients,
// organisations, companies and users at run time, token minting, the clock,
// fault injection, reset, the request log and signing-key rotation. It
// answers JSON; errors are {"error": "message"}.
package control

import (
	"context"
	"crypto/sha256"
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
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
)

// Options configure the control API.
type Options struct {
	// Token is the bearer token every request must carry, if not empty.
	Token string
	// Open lets peers on other machines use the control API without a
	// token (--control-open). Without it, and without Token, only loopback
	// peers are answered; see refuseRemotePeers.
	Open bool
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
	Webhooks *webhooks.Dispatcher
	Spend    *spend.Service
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
	r.Use(c.refuseRemotePeers)
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
	r.Post("/events", c.createEvent)
	r.Get("/webhooks/subscriptions", c.listSubscriptions)
	r.Get("/webhooks/deliveries", c.listDeliveries)
	r.Get("/webhooks/deliveries/{id}", c.getDelivery)
	r.Post("/webhooks/deliveries/{id}/redeliver", c.redeliver)
	r.Post("/webhooks/deliver-now", c.deliverNow)
	r.Get("/webhooks/faults", c.listWebhookFaults)
	r.Post("/webhooks/faults", c.addWebhookFault)
	r.Delete("/webhooks/faults", c.clearWebhookFaults)
	r.Post("/accounting-entries/{id}/receipts", c.attachReceipt)
	r.Post("/companies/{id}/accounting-entries", c.createEntry)
	r.Post("/accounting-entries/{id}/settle", c.settleEntry)
	r.Post("/accounting-entries/{id}/review", c.reviewEntry)
	r.Patch("/accounting-entries/{id}", c.editEntry)
	r.Delete("/accounting-entries/{id}", c.deleteEntry)
	r.Post("/companies/{id}/generate", c.generateEntries)
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

// refuseRemotePeers keeps the control API to this machine when it has no
// token: with neither --control-token nor --control-open, a request whose
// TCP peer is not a loopback address is refused (emulator choice: the
// control API can mint tokens, add admin users and reset everything, so an
// emulator listening on every interface, as in a container, must not hand
// that to its whole network). A reverse proxy on the same machine is a
// loopback peer; put the token on it if it forwards other machines' traffic.
func (c *Control) refuseRemotePeers(next http.Handler) http.Handler {
	if c.Token != "" || c.Open {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !LoopbackPeer(r.RemoteAddr) {
			fail(w, http.StatusForbidden, "the control API answers only this machine unless it has a token: "+
				"start the emulator with --control-token <secret> (or PLEO_EMULATOR_CONTROL_TOKEN) and send "+
				"Authorization: Bearer <secret>; --control-open allows other machines without a token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LoopbackPeer reports whether hostport (a request's RemoteAddr or a
// listener's address) is a loopback address: 127.0.0.0/8 or ::1.
func LoopbackPeer(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ExposureWarning returns the warning serve prints and logs at start when
// the control API is reachable from other machines with no token (listen is
// the listener's address), or "" when it is not. Each message ends with the
// one-line fix.
func ExposureWarning(listen net.Addr, token string, open bool) string {
	if token != "" || LoopbackPeer(listen.String()) {
		return ""
	}
	if open {
		return "the control API has no token and --control-open lets every machine that reaches " + listen.String() +
			" mint tokens, add users and clients, reset and move the clock; fix: --control-token <secret> (or PLEO_EMULATOR_CONTROL_TOKEN)"
	}
	return "the emulator listens on " + listen.String() + " beyond this machine and the control API has no token, so it " +
		"refuses other machines (including a container's host); fix: --control-token <secret> (or PLEO_EMULATOR_CONTROL_TOKEN)"
}

// requireToken enforces --control-token. It compares SHA-256 digests in
// constant time, so neither the token's content nor its length shows in
// the time a refusal takes (subtle.ConstantTimeCompare returns at once on
// inputs of different lengths).
func (c *Control) requireToken(next http.Handler) http.Handler {
	if c.Token == "" {
		return next
	}
	want := sha256.Sum256([]byte(c.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !sameDigest(sha256.Sum256([]byte(got)), want) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pleo-emulator control API"`)
			fail(w, http.StatusUnauthorized, "the control API requires Authorization: Bearer <control token>")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameDigest compares two fixed-size digests in constant time.
func sameDigest(a, b [sha256.Size]byte) bool { return subtle.ConstantTimeCompare(a[:], b[:]) == 1 }

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
		"POST /_emulator/events", "GET /_emulator/webhooks/subscriptions", "GET /_emulator/webhooks/deliveries",
		"GET /_emulator/webhooks/deliveries/{id}", "POST /_emulator/webhooks/deliveries/{id}/redeliver",
		"POST /_emulator/webhooks/deliver-now", "GET|POST|DELETE /_emulator/webhooks/faults",
		"POST /_emulator/accounting-entries/{id}/receipts",
		"POST /_emulator/companies/{id}/accounting-entries", "POST /_emulator/accounting-entries/{id}/settle",
		"POST /_emulator/accounting-entries/{id}/review", "PATCH|DELETE /_emulator/accounting-entries/{id}",
		"POST /_emulator/companies/{id}/generate",
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
	return decodeJSON(w, r, dst, httpx.JSONOptions{Limit: MaxBodyBytes, Strict: true})
}

// decodeJSON is decode with opt.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, opt httpx.JSONOptions) bool {
	err := httpx.ReadJSON(w, r, dst, opt)
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
