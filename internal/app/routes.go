package app

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
	"github.com/pleo-emulator/pleo-emulator/internal/ui"
)

// routes builds the router. Every URL the emulator serves is listed here.
func (a *App) routes(as *authserver.Server, pages *ui.Renderer) http.Handler {
	r := chi.NewRouter()
	r.Use(a.requestLog)
	r.Use(middleware.Recoverer) // inside the log, so a recovered panic is logged as its 500
	r.Use(a.Requests.Middleware("/_emulator", "/assets", "/healthz", "/readyz"))
	r.Use(a.Faults.Middleware)

	// Operations.
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	r.Handle("/assets/*", ui.AssetsHandler())
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		pages.Render(w, http.StatusNotFound, ui.ErrorPage{Title: "Page not found",
			Message: "There is no page at this address. The start page lists what the emulator serves.", BackURL: "/"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, http.StatusMethodNotAllowed, ui.ErrorPage{Title: "Method not allowed",
			Message: r.Method + " is not allowed at this address.", BackURL: "/"})
	})

	// Authorisation server (paths as Pleo documents; /oauth/revoke and the
	// .well-known documents are emulator additions).
	forms := r.With(a.sameSiteForms(pages)) // HTML forms: refuse posts from other sites' pages
	r.Get("/oauth/authorize", as.Authorize)
	forms.Post("/oauth/consent", as.Consent)
	r.Post("/oauth/token", as.Token)
	r.Post("/oauth/token/introspect", as.Introspect)
	r.Post("/oauth/revoke", as.Revoke)
	r.Get("/.well-known/oauth-authorization-server", as.ServeMetadata)
	r.Get("/.well-known/jwks.json", as.ServeJWKS)
	r.Get("/login", as.LoginPage)
	forms.Post("/login", as.Login)
	forms.Post("/logout", as.Logout)

	a.webRoutes(r, forms, as, pages)

	// The mock External API at Pleo's paths, verified by the authorisation
	// server's token verifier, and its OpenAPI document.
	apiHandler := a.API.Handler()
	for _, prefix := range []string{"/v0/*", "/v1/*", "/v2/*", "/v3/*"} {
		r.Handle(prefix, apiHandler)
	}
	r.Handle("/openapi.json", apiHandler)

	// Test-fixture control API.
	if a.Config.Control {
		r.Mount("/_emulator", control.New(control.Deps{Store: a.Store, Clock: a.Clock, Auth: as, Faults: a.Faults,
			Requests: a.Requests, Reset: a.Reset, Token: a.Config.ControlToken, PublicOrigin: a.Config.PublicOrigin(), Log: a.Log}).Handler())
	}
	return r
}

// requestLog logs one structured line per request.
func (a *App) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		a.Log.LogAttrs(r.Context(), levelFor(ww.Status()), "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()), slog.Duration("duration", time.Since(start)))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sameSiteForms refuses form posts that a browser sent from another site's
// page (see ui.FromOtherSite), with an error page.
func (a *App) sameSiteForms(pages *ui.Renderer) func(http.Handler) http.Handler {
	origin := a.Config.PublicOrigin()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ui.FromOtherSite(r, origin) {
				pages.Render(w, http.StatusForbidden, ui.ErrorPage{Title: "Request refused",
					Message: "This form was sent from another site's page. Start again from the emulator's own page.",
					Detail:  "cross-site request", BackURL: "/"})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
