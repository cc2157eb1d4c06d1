package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
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

	// Every route taking input is behind guardInput, which refuses oversized
	// bodies and text that is not UTF-8 in the route's own error channel.
	html := r.With(guardInput(authserver.MaxFormBytes, refusePage(pages))) // HTML pages
	forms := html.With(a.sameSiteForms(pages))                             // HTML forms: refuse posts from other sites' pages
	oauthJSON := r.With(guardInput(authserver.MaxFormBytes, authserver.RefuseRequest))

	// Authorisation server (paths as Pleo documents; /oauth/revoke and the
	// .well-known documents are emulator additions).
	html.Get("/oauth/authorize", as.Authorize)
	forms.Post("/oauth/consent", as.Consent)
	oauthJSON.Post("/oauth/token", as.Token)
	oauthJSON.Post("/oauth/token/introspect", as.Introspect)
	oauthJSON.Post("/oauth/revoke", as.Revoke)
	r.Get("/.well-known/oauth-authorization-server", as.ServeMetadata)
	r.Get("/.well-known/jwks.json", as.ServeJWKS)
	html.Get("/login", as.LoginPage)
	forms.Post("/login", as.Login)
	forms.Post("/logout", as.Logout)

	a.webRoutes(html, forms, as, pages)

	// The mock External API at Pleo's paths, verified by the authorisation
	// server's token verifier, and its OpenAPI document.
	apiHandler := guardInput(api.MaxBodyBytes, api.RefuseRequest)(a.API.Handler())
	for _, prefix := range []string{"/v0/*", "/v1/*", "/v2/*", "/v3/*"} {
		r.Handle(prefix, apiHandler)
	}
	r.Handle("/openapi.json", apiHandler)

	// Test-fixture control API.
	if a.Config.Control {
		ctl := control.New(control.Deps{Store: a.Store, Clock: a.Clock, Auth: as, Faults: a.Faults,
			Requests: a.Requests, Reset: a.Reset, Token: a.Config.ControlToken, PublicOrigin: a.Config.PublicOrigin(), Log: a.Log})
		r.Mount("/_emulator", guardInput(control.MaxBodyBytes, control.RefuseRequest)(ctl.Handler()))
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

// refuseFunc writes a request guardInput refuses in the error channel of the
// routes it guards, with status 400, 408 or 413 and a message in lower case
// without a final full stop.
type refuseFunc func(w http.ResponseWriter, r *http.Request, status int, message string)

// guardInput refuses, before any handler runs, input that no endpoint
// accepts, and writes the refusal with refuse:
//   - a query parameter, or a parameter of a form-encoded body, that is not
//     valid UTF-8: 400;
//   - a body over limit bytes: 413 (RFC 9110 §15.5.14). A Content-Length
//     over the limit is refused before reading, so a client that declares
//     more than it sends gets its answer at once; a chunked body is refused
//     as soon as limit+1 bytes have arrived;
//   - a body that has not arrived when the server's ReadTimeout passes: 408
//     (RFC 9110 §15.5.9).
//
// A 413 or 408 closes the connection. A body within the limit is read into
// memory and handed on; any other read error (the client went away, broken
// chunked encoding) is handed on after the bytes that did arrive, for the
// handler to report as it reports any unreadable body.
func guardInput(limit int64, refuse refuseFunc) func(http.Handler) http.Handler {
	tooLarge := "the request body is larger than " + byteSize(limit)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if name := notUTF8(r.URL.Query()); name != "" {
				refuse(w, r, http.StatusBadRequest, "query parameter "+name+" is not valid UTF-8")
				return
			}
			if r.ContentLength > limit {
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestEntityTooLarge, tooLarge)
				return
			case errors.Is(err, os.ErrDeadlineExceeded):
				w.Header().Set("Connection", "close")
				refuse(w, r, http.StatusRequestTimeout, "the request body did not arrive in time")
				return
			}
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
				form, _ := url.ParseQuery(string(body))
				if name := notUTF8(form); name != "" {
					refuse(w, r, http.StatusBadRequest, "form parameter "+name+" is not valid UTF-8")
					return
				}
			}
			var rest io.Reader = bytes.NewReader(body)
			if err != nil {
				rest = io.MultiReader(rest, failingReader{err})
			}
			r.Body = io.NopCloser(rest)
			next.ServeHTTP(w, r)
		})
	}
}

// notUTF8 returns the name, quoted, of the first parameter (in name order)
// whose name or a value is not valid UTF-8, or "" when all are.
func notUTF8(v url.Values) string {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		valid := utf8.ValidString(name)
		for _, value := range v[name] {
			valid = valid && utf8.ValidString(value)
		}
		if !valid {
			return strconv.Quote(name)
		}
	}
	return ""
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// byteSize writes a body limit for people: "64 KiB", "1 MiB".
func byteSize(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// refusePage writes a request guardInput refuses as an HTML error page (the
// page capitalises the message).
func refusePage(pages *ui.Renderer) refuseFunc {
	return func(w http.ResponseWriter, _ *http.Request, status int, message string) {
		pages.Render(w, status, ui.ErrorPage{Title: "Request refused",
			Message: message + ".", Detail: "invalid_request", BackURL: "/"})
	}
}
