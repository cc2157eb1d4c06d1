// Package requestlog keeps the most recent requests in memory for the
// control API's request log, with secrets, codes and tokens redacted.
package requestlog

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// Entry is one logged request.
type Entry struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"` // path with the query string, secrets redacted
	Status     int       `json:"status"`
	ClientID   string    `json:"client_id,omitempty"`
	DurationMS float64   `json:"duration_ms"`
}

// Log is a fixed-size ring of recent requests. It is safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	entries []Entry
	next    int
	full    bool
	now     func() time.Time
}

// New returns a log keeping the last size requests; now timestamps them.
func New(size int, now func() time.Time) *Log {
	return &Log{entries: make([]Entry, size), now: now}
}

func (l *Log) add(e Entry) {
	l.mu.Lock()
	l.entries[l.next] = e
	l.next = (l.next + 1) % len(l.entries)
	if l.next == 0 {
		l.full = true
	}
	l.mu.Unlock()
}

// Entries returns logged requests, newest first, filtered by client ID and
// path prefix when those are not empty, at most limit of them.
func (l *Log) Entries(clientID, pathPrefix string, limit int) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.next
	if l.full {
		n = len(l.entries)
	}
	out := []Entry{}
	for i := 1; i <= n && len(out) < limit; i++ {
		e := l.entries[(l.next-i+len(l.entries))%len(l.entries)]
		if (clientID == "" || e.ClientID == clientID) && strings.HasPrefix(e.Path, pathPrefix) {
			out = append(out, e)
		}
	}
	return out
}

// Clear empties the log.
func (l *Log) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.entries)
	l.next, l.full = 0, false
}

type ctxKey struct{}

// SetClientID records which client a request came from, once a handler has
// authenticated it. Handlers call it; it is a no-op outside the middleware.
func SetClientID(ctx context.Context, clientID string) {
	if p, ok := ctx.Value(ctxKey{}).(*string); ok {
		*p = clientID
	}
}

// Middleware logs every request except those whose path starts with one of skip.
func (l *Log) Middleware(skip ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, p := range skip {
				if strings.HasPrefix(r.URL.Path, p) {
					next.ServeHTTP(w, r)
					return
				}
			}
			start := time.Now()
			clientID := guessClientID(r)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), ctxKey{}, &clientID)))
			l.add(Entry{Time: l.now(), Method: r.Method, Path: Redact(r.URL), Status: ww.Status(),
				ClientID: clientID, DurationMS: float64(time.Since(start).Microseconds()) / 1000})
		})
	}
}

// guessClientID reads the client from what the request shows before any
// handler runs: Basic credentials or a client_id query parameter. Handlers
// that authenticate a client or a bearer token set it with SetClientID.
func guessClientID(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		if dec, err := url.QueryUnescape(id); err == nil {
			return dec
		}
		return id
	}
	return r.URL.Query().Get("client_id")
}

// secretParams are query parameters whose values never reach the log.
var secretParams = []string{"code", "token", "refresh_token", "access_token", "client_secret", "code_verifier", "password", "id_token"}

// Redact returns u's path and query with secret parameter values replaced.
func Redact(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q := u.Query()
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "REDACTED")
		}
	}
	return u.Path + "?" + q.Encode()
}
