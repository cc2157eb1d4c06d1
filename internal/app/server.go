package app

import (
	"net/http"
	"sync/atomic"
	"time"
)

// ServerLimits bound what one client may take of the server: how long it
// may spend sending a request, how long its answer may take to write, how
// long an idle keep-alive connection stays open, and how large the request
// line and headers may be.
type ServerLimits struct {
	ReadHeaderTimeout time.Duration // request line and headers; then the connection is closed without an answer
	ReadTimeout       time.Duration // the whole request, body included, counted from its first byte
	WriteTimeout      time.Duration // the answer, counted from the end of the request headers
	IdleTimeout       time.Duration // between requests on a keep-alive connection
	MaxHeaderBytes    int           // request line and headers; beyond it net/http answers 431 (RFC 6585 §5)
}

// DefaultServerLimits are the limits of every emulator server, serve's and
// StartLoopback's: 10 s to send the request line and headers (so a client
// trickling them a byte at a time cannot hold a connection), 30 s for the
// whole request, 60 s to write the answer, 120 s of keep-alive idleness, and
// 64 KiB of request line and headers (net/http allows 4 KiB of slack on top).
var DefaultServerLimits = ServerLimits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       30 * time.Second,
	WriteTimeout:      60 * time.Second,
	IdleTimeout:       120 * time.Second,
	MaxHeaderBytes:    64 << 10,
}

// NewHTTPServer returns the server serve runs: h behind limits.
func NewHTTPServer(h http.Handler, limits ServerLimits) *http.Server {
	srv := &http.Server{Handler: h}
	limits.apply(srv)
	return srv
}

func (l ServerLimits) apply(srv *http.Server) {
	srv.ReadHeaderTimeout = l.ReadHeaderTimeout
	srv.ReadTimeout = l.ReadTimeout
	srv.WriteTimeout = l.WriteTimeout
	srv.IdleTimeout = l.IdleTimeout
	srv.MaxHeaderBytes = l.MaxHeaderBytes
}

// requestsInFlight counts the requests being handled, so background work
// (webhook deliveries) can yield the cores to them.
type requestsInFlight struct{ n atomic.Int64 }

// count wraps h so every request is counted while it is handled.
func (f *requestsInFlight) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.n.Add(1)
		defer f.n.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// busy reports whether any request is being handled.
func (f *requestsInFlight) busy() bool { return f.n.Load() > 0 }
