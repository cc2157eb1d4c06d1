package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/ui"
)

// Fault is a failure queued to fire on the next Count matching requests.
type Fault struct {
	ID     string `json:"id"`
	Target string `json:"target"` // authorize, token, introspect, revoke, api, or an API route such as "GET /v2/employees" or "/v3/export-jobs/*"
	Status int    `json:"status,omitempty"`
	// OAuth error for the authorisation server targets (RFC 6749 §5.2 / §4.1.2.1).
	Error            string `json:"error,omitempty"`
	ErrorDescription string `json:"error_description,omitempty"`
	// Pleo error for API targets: {"type", "message"}.
	Type       string `json:"type,omitempty"`
	Message    string `json:"message,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"` // seconds, sent as Retry-After
	Delay      string `json:"delay,omitempty"`       // wait before answering (or before passing on, for a delay-only fault)
	Count      int    `json:"count"`                 // remaining firings

	delay time.Duration
}

// Faults holds the queue. It is safe for concurrent use.
type Faults struct {
	mu     sync.Mutex
	queue  []*Fault
	nextID int
	// clientRedirect resolves a registered redirect URI for authorize faults
	// that carry an OAuth error ("" when the request's client or URI is not trusted).
	clientRedirect func(r *http.Request) string
}

var oauthTargets = map[string]string{
	"authorize":  "GET /oauth/authorize",
	"token":      "POST /oauth/token",
	"introspect": "POST /oauth/token/introspect",
	"revoke":     "POST /oauth/revoke",
}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// validate checks a fault as posted to the control API and fills defaults.
func (f *Fault) validate() error {
	if f.Target == "" {
		return fmt.Errorf("target is required: authorize, token, introspect, revoke, api, or an API route such as \"GET /v2/employees\"")
	}
	if _, ok := oauthTargets[f.Target]; !ok && f.Target != "api" {
		route := f.Target
		if m, p, ok := strings.Cut(route, " "); ok {
			if strings.ToUpper(m) != m || m == "" {
				return fmt.Errorf("target %q: the method must be upper case, e.g. GET", f.Target)
			}
			route = p
		}
		if !strings.HasPrefix(route, "/v") {
			return fmt.Errorf("target %q is not authorize, token, introspect, revoke, api or an API route (/v0 … /v3)", f.Target)
		}
		if _, err := path.Match(pathParam.ReplaceAllString(route, "*"), "/"); err != nil {
			return fmt.Errorf("target %q is not a valid pattern", f.Target)
		}
	}
	if f.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return fmt.Errorf("status %d must be between 200 and 599", f.Status)
	}
	if f.RetryAfter < 0 {
		return fmt.Errorf("retry_after must not be negative")
	}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 || d > time.Minute {
			return fmt.Errorf("delay %q must be a duration between 0 and 1m, such as 500ms", f.Delay)
		}
		f.delay = d
	}
	if f.Status == 0 && f.Error == "" && f.Type == "" && f.delay == 0 {
		return fmt.Errorf("a fault needs a status, an error, a type or a delay")
	}
	if f.Error != "" && f.Status == 0 {
		f.Status = oauthStatus(f.Error)
	}
	if f.Status == 0 && f.Type != "" {
		f.Status = http.StatusInternalServerError
	}
	return nil
}

// oauthStatus is the usual status of an OAuth error code.
func oauthStatus(code string) int {
	switch code {
	case "invalid_client":
		return http.StatusUnauthorized
	case "temporarily_unavailable":
		return http.StatusServiceUnavailable
	case "server_error":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// Add queues f after validating it.
func (fs *Faults) Add(f Fault) (Fault, error) {
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	f.ID = strconv.Itoa(fs.nextID)
	fs.queue = append(fs.queue, &f)
	return f, nil
}

// List returns the queued faults.
func (fs *Faults) List() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := []Fault{}
	for _, f := range fs.queue {
		out = append(out, *f)
	}
	return out
}

// Clear removes every queued fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.queue = nil
}

// Remove deletes one fault; false if there was none with that ID.
func (fs *Faults) Remove(id string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.queue {
		if f.ID == id {
			fs.queue = append(fs.queue[:i], fs.queue[i+1:]...)
			return true
		}
	}
	return false
}

// take returns the first fault matching r and uses up one of its firings.
func (fs *Faults) take(r *http.Request) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.queue {
		if f.matches(r) {
			out := *f
			f.Count--
			if f.Count == 0 {
				fs.queue = append(fs.queue[:i], fs.queue[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/v0/") || strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/v2/") || strings.HasPrefix(p, "/v3/")
}

func (f *Fault) matches(r *http.Request) bool {
	if route, ok := oauthTargets[f.Target]; ok {
		return route == r.Method+" "+r.URL.Path
	}
	if !isAPIPath(r.URL.Path) {
		return false
	}
	if f.Target == "api" {
		return true
	}
	method, pattern, hasMethod := strings.Cut(f.Target, " ")
	if !hasMethod {
		method, pattern = "", f.Target
	}
	if method != "" && method != r.Method {
		return false
	}
	ok, _ := path.Match(pathParam.ReplaceAllString(pattern, "*"), r.URL.Path)
	return ok
}

// Middleware fires queued faults before the emulator handles a request.
func (fs *Faults) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := fs.take(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if f.delay > 0 {
			select {
			case <-time.After(f.delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status == 0 {
			next.ServeHTTP(w, r) // a delay-only fault
			return
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		fs.write(w, r, f)
	})
}

// write answers in the channel the target normally uses.
func (fs *Faults) write(w http.ResponseWriter, r *http.Request, f Fault) {
	desc := f.ErrorDescription
	if desc == "" {
		desc = "fault injected by the pleo-emulator control API"
	}
	switch {
	case f.Target == "authorize":
		if redirect := fs.clientRedirect(r); redirect != "" && f.Error != "" {
			authserver.RedirectWithError(w, r, redirect, r.URL.Query().Get("state"), f.Error, desc)
			return
		}
		ui.SetSecurityHeaders(w.Header())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "%d %s: %s\n", f.Status, http.StatusText(f.Status), desc)
	case oauthTargets[f.Target] != "":
		code := f.Error
		if code == "" {
			code = "server_error"
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, f.Status, map[string]string{"error": code, "error_description": desc})
	default:
		typ, msg := f.Type, f.Message
		if typ == "" {
			typ = strings.ToUpper(strings.ReplaceAll(http.StatusText(f.Status), " ", "_"))
		}
		if msg == "" {
			msg = "fault injected by the pleo-emulator control API"
		}
		writeJSON(w, f.Status, map[string]string{"type": typ, "message": msg})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// registeredRedirect is the clientRedirect used in production: the
// request's redirect_uri when it is registered for its client_id.
func registeredRedirect(lookup func(r *http.Request, id string) (oauth.Client, error)) func(r *http.Request) string {
	return func(r *http.Request) string {
		q := r.URL.Query()
		c, err := lookup(r, q.Get("client_id"))
		if err != nil {
			return ""
		}
		u, ok := oauth.MatchRedirectURI(c.RedirectURIs, q.Get("redirect_uri"))
		if !ok {
			return ""
		}
		return u
	}
}
