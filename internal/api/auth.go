package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/requestlog"
)

// authenticate wraps one route: it fires a fault queued for the route (in
// Pleo's error shape), reads the bearer token from the Authorization header
// (RFC 6750 §2.1; other schemes and API keys are not accepted), verifies
// it, checks the route's scope and calls the handler with the principal.
//
//   - missing, malformed or invalid token: 401,
//     WWW-Authenticate: Bearer error="invalid_token"
//   - valid token without the route's scope: 403,
//     WWW-Authenticate: Bearer error="insufficient_scope", scope="<scope>"
func (a *API) authenticate(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, fire, err := a.faults.Fire(r.Context(), w, faults.Endpoint{Method: rt.method, Pattern: rt.pattern, Path: r.URL.Path})
		switch {
		case err != nil:
			return // the client went away during the fault's delay
		case fire:
			if f.Status == http.StatusUnauthorized {
				// As the API's own 401s, so clients react as to an expired token (RFC 6750 §3.1).
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			}
			writeJSON(w, f.Status, contentTypeJSON, faultError(f))
			return
		}
		// Requests take turns, first come first served, one per core. The
		// work is mostly CPU and SQLite reads (a write waits for the store's
		// writer); with every request running at once, the Go scheduler and
		// database/sql (which hands a free connection to a random waiter)
		// decide the order, and the slowest answers take several times the
		// median. The answer is buffered and sent after the turn ends, so a
		// client that reads slowly holds no turn.
		select {
		case a.turns <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		answer := &bufferedAnswer{header: w.Header(), status: http.StatusOK}
		func() {
			defer func() { <-a.turns }()
			a.serveInTurn(answer, r, rt)
		}()
		w.WriteHeader(answer.status)
		_, _ = w.Write(answer.body.Bytes())
	})
}

// serveInTurn authenticates the request and runs the route's handler.
func (a *API) serveInTurn(w http.ResponseWriter, r *http.Request, rt route) {
	raw, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		a.unauthorized(w, "The request carries no bearer token in its Authorization header.")
		return
	}
	p, err := a.verify.VerifyAccessToken(r.Context(), raw)
	requestlog.SetClientID(r.Context(), p.ClientID) // "" when the token is not valid
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelDebug, "api: token rejected", slog.String("path", r.URL.Path), slog.Any("error", err))
		a.unauthorized(w, "The access token is invalid, expired or revoked.")
		return
	}
	if rt.scope != "" && !p.HasScope(rt.scope) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="insufficient_scope", scope="%s"`, rt.scope))
		writeJSON(w, http.StatusForbidden, contentTypeJSON, &apiError{Type: typeInsufficientScope,
			Message: fmt.Sprintf("The access token lacks the scope %s.", rt.scope)})
		return
	}
	if err := rt.handle(w, r, p); err != nil {
		a.writeError(w, r, err)
	}
}

// bufferedAnswer is a ResponseWriter that keeps the status and body for
// later; headers go straight to the real response's header map.
type bufferedAnswer struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}

func (a *API) unauthorized(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, contentTypeJSON, &apiError{Type: typeUnauthorized, Message: message})
}

// bearerToken extracts the token from "Bearer <b64token>" (the scheme is
// case-insensitive; RFC 6750 §2.1 defines the token's characters).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	if token == "" {
		return "", false
	}
	body := strings.TrimRight(token, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return "", false
		}
	}
	return token, body != ""
}

// faultError is an injected fault in Pleo's error shape: its type (by
// default the status's name, e.g. SERVICE_UNAVAILABLE) and message.
func faultError(f faults.Fault) *apiError {
	typ, msg := f.Type, f.Message
	if typ == "" {
		typ = strings.ToUpper(strings.ReplaceAll(http.StatusText(f.Status), " ", "_"))
	}
	if msg == "" {
		msg = faults.DefaultMessage
	}
	return &apiError{Status: f.Status, Type: typ, Message: msg}
}
