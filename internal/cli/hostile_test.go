package cli

// Hostile clients against the server serve runs: oversized request lines
// and headers, and clients too slow to finish a request.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// startServer serves an emulator (in-memory database, no seed) with
// app.NewHTTPServer and limits on a loopback port and returns its address.
func startServer(t *testing.T, limits app.ServerLimits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DB, cfg.Seed = ":memory:", "none"
	cfg.Addr = ln.Addr().String()
	cfg.PublicURL = "http://" + cfg.Addr
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	emu, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := app.NewHTTPServer(emu.Handler(), limits)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = emu.Close()
	})
	return cfg.Addr
}

// TestServerLimitsInProduction pins the documented production values.
func TestServerLimitsInProduction(t *testing.T) {
	want := app.ServerLimits{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	if app.DefaultServerLimits != want {
		t.Fatalf("app.DefaultServerLimits = %+v, want %+v", app.DefaultServerLimits, want)
	}
}

// TestLongQueryStringsAndHeadersAnswer431: a request line or header block
// beyond MaxHeaderBytes answers 431 (RFC 6585 §5) before any handler runs;
// a long query string within the limit reaches the handler.
func TestLongQueryStringsAndHeadersAnswer431(t *testing.T) {
	addr := startServer(t, app.DefaultServerLimits)
	long := strings.Repeat("a", 100<<10)
	cases := []struct {
		name   string
		query  string
		header string
		status int
	}{
		{"100 KiB query string", "?q=" + long, "", http.StatusRequestHeaderFieldsTooLarge},
		{"100 KiB header", "", long, http.StatusRequestHeaderFieldsTooLarge},
		{"16 KiB query string", "?q=" + long[:16<<10], "", http.StatusOK},
		{"16 KiB header", "", long[:16<<10], http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/healthz"+tc.query, nil)
			if tc.header != "" {
				req.Header.Set("X-Long", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

// fastLimits are production limits with read timeouts short enough for a
// test; WriteTimeout and IdleTimeout stay far beyond hangLimit.
var fastLimits = func() app.ServerLimits {
	l := app.DefaultServerLimits
	l.ReadHeaderTimeout = 1200 * time.Millisecond
	l.ReadTimeout = 1500 * time.Millisecond
	return l
}()

// hangLimit is how long a test waits for the server to end a connection
// before it decides the timeout under test is not enforced. It is only a
// guard against hanging: the tests do not assert how quickly the server acts.
const hangLimit = 20 * time.Second

// beginRequest starts a server with limits, connects to it, sends the
// start of a request and returns the connection (closed by the test's
// cleanup) and when the request began: a moment before the connection
// existed. The server's timeouts run from when it starts reading the
// accepted connection, which is later, so a timeout of d cannot fire less
// than d after that moment, however the two goroutines are scheduled.
func beginRequest(t *testing.T, limits app.ServerLimits, start string) (net.Conn, time.Time) {
	t.Helper()
	addr := startServer(t, limits)
	began := time.Now()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, start); err != nil {
		t.Fatal(err)
	}
	return conn, began
}

// waitForClose reads from conn until the server closes it (or hangLimit
// passes) and returns what it read and when the connection ended.
func waitForClose(t *testing.T, conn net.Conn) ([]byte, time.Time) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(hangLimit))
	got, err := io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v; read %q", hangLimit, got)
	}
	return got, time.Now()
}

// TestSlowHeadersAreCutOffAfterReadHeaderTimeout: a client sending its
// headers one byte a second loses the connection when ReadHeaderTimeout
// has passed since its request began, however steadily it sends. ReadTimeout
// is beyond hangLimit here, so only ReadHeaderTimeout can end the connection.
func TestSlowHeadersAreCutOffAfterReadHeaderTimeout(t *testing.T) {
	t.Parallel()
	limits := fastLimits
	limits.ReadTimeout = 10 * hangLimit
	conn, start := beginRequest(t, limits, "GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ")
	go func() {
		for {
			time.Sleep(time.Second)
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
		}
	}()
	got, end := waitForClose(t, conn)
	if len(got) > 0 {
		t.Errorf("the server answered %q; want the connection closed", got)
	}
	if d := end.Sub(start); d < limits.ReadHeaderTimeout {
		t.Errorf("connection closed after %v, before ReadHeaderTimeout (%v)", d, limits.ReadHeaderTimeout)
	}
}

// TestStalledBodyIsCutOffAfterReadTimeout: a client that sends its headers
// and then stalls in the body gets a 408 (RFC 9110 §15.5.9) in the
// endpoint's channel when ReadTimeout has passed, and the connection closes.
// The 408 itself shows it was ReadTimeout that ended the request.
func TestStalledBodyIsCutOffAfterReadTimeout(t *testing.T) {
	t.Parallel()
	conn, start := beginRequest(t, fastLimits, "POST /oauth/token HTTP/1.1\r\nHost: test\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=")
	_ = conn.SetReadDeadline(time.Now().Add(hangLimit))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := time.Since(start); d < fastLimits.ReadTimeout {
		t.Errorf("answered after %v, before ReadTimeout (%v)", d, fastLimits.ReadTimeout)
	}
	var e struct{ Error string }
	if resp.StatusCode != http.StatusRequestTimeout || json.Unmarshal(body, &e) != nil || e.Error != "invalid_request" {
		t.Errorf("status %d %s, want 408 with an RFC 6749 invalid_request", resp.StatusCode, body)
	}
	if !resp.Close {
		t.Error("the answer does not close the connection")
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) > 0 {
		t.Errorf("after the answer: %q, %v; want the connection closed", rest, err)
	}
}
