package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// Loopback is an emulator served on a random loopback port whose public URL
// is that port: how the tests, the browser tests and package emulatortest
// run one in process.
type Loopback struct {
	*App
	URL    string // where the server listens, http://127.0.0.1:<port>
	server *httptest.Server
}

// StartLoopback listens on a random loopback port, points cfg's address and
// public URL at it, lets edit change cfg further, and serves the emulator
// there with the same server limits as serve. The caller closes it.
func StartLoopback(ctx context.Context, cfg config.Config, log *slog.Logger, edit ...func(*config.Config)) (*Loopback, error) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	cfg.Addr = srv.Listener.Addr().String()
	cfg.PublicURL = "http://" + cfg.Addr
	for _, e := range edit {
		e(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		srv.Close()
		return nil, err
	}
	a, err := New(ctx, cfg, log)
	if err != nil {
		srv.Close()
		return nil, err
	}
	srv.Config.Handler = a.Handler()
	DefaultServerLimits.apply(srv.Config)
	srv.Start()
	return &Loopback{App: a, URL: srv.URL, server: srv}, nil
}

// Close stops the server and closes the database.
func (l *Loopback) Close() error {
	l.server.Close()
	return l.App.Close()
}

// Client returns an HTTP client for the server (the test server's own).
func (l *Loopback) Client() *http.Client { return l.server.Client() }
