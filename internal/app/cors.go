package app

import (
	"net/http"
	"net/url"
	"strings"
)

// CORS (emulator choice; Pleo documents no browser access): a browser app
// registered as a public client calls the token and revocation endpoints and
// reads the metadata and JWKS from its own origin, so those endpoints answer
// CORS requests (Fetch standard, "CORS protocol") from the origins in
// --cors-origins. By default those are the origins of the registered redirect
// URIs, read at request time so clients added at run time count. No
// credentials (cookies) are allowed, and the control API and the HTML pages
// never answer CORS requests.

// corsAllowedMethods and corsAllowedHeaders are what a preflight allows: the
// methods of the four endpoints and the headers a client sends to them.
const (
	corsAllowedMethods = "GET, HEAD, POST"
	corsAllowedHeaders = "Authorization, Content-Type"
	corsMaxAge         = "600" // seconds a browser may cache a preflight answer
)

// cors answers CORS requests for the endpoints it wraps, and preflight
// (OPTIONS) requests itself with 204.
func (a *App) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := a.corsAllowed(r)
		if allowed != "" {
			h.Set("Access-Control-Allow-Origin", allowed)
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if allowed != "" {
			h.Set("Access-Control-Allow-Methods", corsAllowedMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// corsAllowed returns the Access-Control-Allow-Origin value for r: its
// Origin when that origin is allowed, "*" when every origin is, else "".
func (a *App) corsAllowed(r *http.Request) string {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return ""
	}
	registered := false
	for _, f := range strings.Fields(a.Config.CORSOrigins) {
		switch {
		case f == "*":
			return "*"
		case f == "registered":
			registered = true
		case strings.EqualFold(f, origin):
			return origin
		}
	}
	if registered && a.registeredOrigin(r, origin) {
		return origin
	}
	return ""
}

// registeredOrigin reports whether origin is the origin (RFC 6454: scheme,
// host and port) of a redirect URI some client has registered.
func (a *App) registeredOrigin(r *http.Request, origin string) bool {
	clients, err := a.Store.Clients(r.Context())
	if err != nil {
		a.Log.Warn("cors: cannot read the clients", "error", err)
		return false
	}
	for _, c := range clients {
		for _, uri := range c.RedirectURIs {
			if u, err := url.Parse(uri); err == nil && u.Host != "" && strings.EqualFold(u.Scheme+"://"+u.Host, origin) {
				return true
			}
		}
	}
	return false
}
