package app

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
	"github.com/pleo-emulator/pleo-emulator/internal/web"
)

// routes builds the router. Every URL the emulator serves is listed here.
func (a *App) routes(as *authserver.Server, pages *view.Renderer) http.Handler {
	r := chi.NewRouter()
	r.Use(a.requestLog)
	r.Use(middleware.Recoverer) // inside the log, so a recovered panic is logged as its 500
	r.Use(a.Requests.Middleware("/_emulator", "/assets", "/healthz", "/readyz"))
	r.Use(headAsGet)

	// Operations.
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ok"})
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context()); err != nil {
			httpx.WriteJSON(w, http.StatusServiceUnavailable, "application/json", map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
	})
	r.Handle("/assets/*", view.AssetsHandler())
	r.Get(view.FaviconPath, view.FaviconHandler)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		pages.Render(w, http.StatusNotFound, view.ErrorPage{Title: "Page not found",
			Message: "There is no page at this address. The start page lists what the emulator serves.", BackURL: "/"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		pages.Render(w, http.StatusMethodNotAllowed, view.ErrorPage{Title: "Method not allowed",
			Message: r.Method + " is not allowed at this address.", BackURL: "/"})
	})

	// Every route taking input is behind httpx.GuardInput, which refuses
	// oversized bodies and text that is not UTF-8 in the route's own error
	// channel. Injected faults fire inside each channel (authserver, api),
	// which answers them in its own error shape.
	html := r.With(httpx.GuardInput(authserver.MaxFormBytes, refusePage(pages)))            // HTML pages
	forms := html.With(httpx.SameSiteOnly(a.Config.PublicOrigin(), refuseOtherSite(pages))) // HTML forms: refuse posts from other sites' pages
	uploads := r.With(httpx.GuardInput(web.MaxSpendingFormBytes, refusePage(pages)),
		httpx.SameSiteOnly(a.Config.PublicOrigin(), refuseOtherSite(pages))) // HTML forms with a file: a larger body
	oauthJSON := r.With(httpx.GuardInput(authserver.MaxFormBytes, authserver.RefuseRequest))

	// Authorisation server (paths as Pleo documents; /oauth/revoke and the
	// .well-known documents are emulator additions).
	html.Get("/oauth/authorize", as.Authorize)
	forms.Post("/oauth/consent", as.Consent)
	// The token and revocation endpoints, the metadata and the JWKS also
	// answer browser apps (CORS, cors.go); the preflight is answered there.
	oauthJSON.With(a.cors).Post("/oauth/token", as.Token)
	oauthJSON.Post("/oauth/token/introspect", as.Introspect)
	oauthJSON.With(a.cors).Post("/oauth/revoke", as.Revoke)
	r.With(a.cors).Get("/.well-known/oauth-authorization-server", as.ServeMetadata)
	r.With(a.cors).Get("/.well-known/jwks.json", as.ServeJWKS)
	for _, path := range []string{"/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server", "/.well-known/jwks.json"} {
		r.With(a.cors).Options(path, http.NotFound) // cors answers every OPTIONS request itself
	}
	html.Get("/login", as.LoginPage)
	forms.Post("/login", as.Login)
	forms.Post("/logout", as.Logout)

	a.webRoutes(html, forms, uploads, as, pages)

	// The mock External API at Pleo's paths, verified by the authorisation
	// server's token verifier, and its OpenAPI document.
	apiHandler := httpx.GuardInput(api.MaxBodyBytes, api.RefuseRequest)(a.API.Handler())
	for _, prefix := range []string{"/v0/*", "/v1/*", "/v2/*", "/v3/*"} {
		r.Handle(prefix, apiHandler)
	}
	r.Handle("/v1-beta/*", apiHandler) // Pleo's older accounts routes
	r.Handle("/openapi.json", apiHandler)
	// Presigned receipt downloads: signed URLs, no bearer token, no body.
	r.Get(api.ReceiptFilePath+"/{receiptId}", a.API.ServeReceiptFile)
	r.Head(api.ReceiptFilePath+"/{receiptId}", a.API.ServeReceiptFile)
	r.With(httpx.GuardInput(api.MaxUploadBytes, api.RefuseUpload)).Put(api.VendorCSVUploadPattern, a.API.UploadVendorCSV) // presigned CSV uploads: no bearer token

	// Test-fixture control API.
	if a.Config.Control {
		ctl := control.New(control.Options{Token: a.Config.ControlToken, Open: a.Config.ControlOpen, PublicOrigin: a.Config.PublicOrigin()},
			control.Deps{Store: a.Store, Clock: a.Clock, Auth: as, Faults: a.Faults, Requests: a.Requests, Reset: a.Reset, Log: a.Log, Webhooks: a.Webhooks,
				Spend: a.Spend})
		r.Mount("/_emulator", control.GuardInput(ctl.Handler()))
	} else {
		// The control API's clients expect JSON, also to learn it is off.
		controlOff := func(w http.ResponseWriter, _ *http.Request) {
			httpx.WriteJSON(w, http.StatusNotFound, "application/json",
				map[string]string{"error": "the control API is off: this emulator was started with --control=false"})
		}
		r.Handle("/_emulator", http.HandlerFunc(controlOff))
		r.Handle("/_emulator/*", http.HandlerFunc(controlOff))
	}
	return r
}

// headAsGet serves HEAD as GET (RFC 9110 §9.3.2: the same answer without
// content), for every GET route: pages, metadata, JWKS, health and the API.
// net/http drops the content of an answer to HEAD. Routes without GET answer
// HEAD as they answer GET: 405 with Allow.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.WithContext(r.Context()) // a shallow copy: the logs above still see HEAD
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
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

// refuseOtherSite answers a form post a browser sent from another site's
// page (httpx.FromOtherSite) with an error page.
func refuseOtherSite(pages *view.Renderer) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Request refused",
			Message: "This form was sent from another site's page. Start again from the emulator's own page.",
			Detail:  "cross-site request", BackURL: "/"})
	}
}

// refusePage writes a request httpx.GuardInput refuses as an HTML error
// page (the page capitalises the message).
func refusePage(pages *view.Renderer) httpx.RefuseFunc {
	return func(w http.ResponseWriter, _ *http.Request, status int, message string) {
		pages.Render(w, status, view.ErrorPage{Title: "Request refused",
			Message: message + ".", Detail: "invalid_request", BackURL: "/"})
	}
}
