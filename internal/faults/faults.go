// Package faults is the queue of failures the control API injects: each
// fault fires on the next Count requests its target names. The queue only
// decides which request fails, and how long it waits; each channel writes
// the failure in its own vocabulary where the channel is known (the
// authorisation server's endpoints as RFC 6749 errors, the API's routes in
// Pleo's error shape).
package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// The authorisation server's fault targets.
const (
	Authorize  = "authorize"
	Token      = "token"
	Introspect = "introspect"
	Revoke     = "revoke"
	// API targets every route of the mock API; a route such as
	// "GET /v2/employees/{employeeId}" or a path glob such as
	// "/v3/export-jobs/*" targets some.
	API = "api"
)

// DefaultMessage describes a fault that gives no description of its own.
const DefaultMessage = "fault injected by the pleo-emulator control API"

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

// Endpoint is what a channel knows of the request it is about to serve.
type Endpoint struct {
	// Target is the authorisation server endpoint (Authorize, Token,
	// Introspect, Revoke), or "" for an API route.
	Target string
	// Method, Pattern and Path describe an API route: its method, its route
	// pattern ("/v2/employees/{employeeId}") and the request's URL path.
	Method, Pattern, Path string
}

var oauthTargets = map[string]bool{Authorize: true, Token: true, Introspect: true, Revoke: true}

var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// validate checks a fault as posted to the control API and fills defaults:
// Count 1; the OAuth error's usual status; 500 for a Pleo error type.
func (f *Fault) validate() error {
	if f.Target == "" {
		return fmt.Errorf("target is required: authorize, token, introspect, revoke, api, or an API route such as \"GET /v2/employees\"")
	}
	if !oauthTargets[f.Target] && f.Target != API {
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
		f.Status = oauth.ErrorStatus(oauth.ErrorCode(f.Error))
	}
	if f.Status == 0 && f.Type != "" {
		f.Status = http.StatusInternalServerError
	}
	return nil
}

// matches reports whether the fault targets ep.
func (f *Fault) matches(ep Endpoint) bool {
	if oauthTargets[f.Target] || ep.Target != "" {
		return f.Target == ep.Target
	}
	if f.Target == API {
		return true
	}
	method, pattern, hasMethod := strings.Cut(f.Target, " ")
	if !hasMethod {
		method, pattern = "", f.Target
	}
	if method != "" && method != ep.Method {
		return false
	}
	if pattern == ep.Pattern {
		return true
	}
	ok, _ := path.Match(pathParam.ReplaceAllString(pattern, "*"), ep.Path)
	return ok
}

// OAuthError is the fault as an RFC 6749 error: its error code
// (server_error when it names none), its description (DefaultMessage when
// it gives none) and its status.
func (f Fault) OAuthError() *oauth.Error {
	code, desc := f.Error, f.ErrorDescription
	if code == "" {
		code = "server_error"
	}
	if desc == "" {
		desc = DefaultMessage
	}
	return &oauth.Error{Code: oauth.ErrorCode(code), Description: desc, StatusCode: f.Status}
}

// Queue holds the faults. It is safe for concurrent use.
type Queue struct {
	mu     sync.Mutex
	queue  []*Fault
	nextID int
}

// NewQueue returns an empty queue.
func NewQueue() *Queue { return &Queue{} }

// Add queues f after validating it.
func (q *Queue) Add(f Fault) (Fault, error) {
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.nextID++
	f.ID = strconv.Itoa(q.nextID)
	q.queue = append(q.queue, &f)
	return f, nil
}

// List returns the queued faults.
func (q *Queue) List() []Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := []Fault{}
	for _, f := range q.queue {
		out = append(out, *f)
	}
	return out
}

// Clear removes every queued fault.
func (q *Queue) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queue = nil
}

// Remove deletes one fault; false if there was none with that ID.
func (q *Queue) Remove(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.queue {
		if f.ID == id {
			q.queue = append(q.queue[:i], q.queue[i+1:]...)
			return true
		}
	}
	return false
}

// take returns the first fault matching ep and uses up one of its firings.
func (q *Queue) take(ep Endpoint) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.queue {
		if f.matches(ep) {
			out := *f
			f.Count--
			if f.Count == 0 {
				q.queue = append(q.queue[:i], q.queue[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

// ErrClientGone is returned by Fire when the client went away during a
// fault's delay.
var ErrClientGone = errors.New("faults: the client went away during the delay")

// Fire takes the first fault queued for ep, if any, and waits its delay. It
// returns the fault when the request must fail with it (Retry-After is then
// set on w), or ok false when the request goes on: no fault was queued, or
// it only delayed. The caller writes the failure in its channel's shape.
func (q *Queue) Fire(ctx context.Context, w http.ResponseWriter, ep Endpoint) (f Fault, ok bool, err error) {
	if q == nil {
		return Fault{}, false, nil
	}
	f, ok = q.take(ep)
	if !ok {
		return Fault{}, false, nil
	}
	if f.delay > 0 {
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return Fault{}, false, ErrClientGone
		}
	}
	if f.Status == 0 {
		return Fault{}, false, nil // a delay-only fault
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	return f, true, nil
}
