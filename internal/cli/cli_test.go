package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/cli"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func noEnv(string) string { return "" }

var listening = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

func TestServeStartsAnswersReadyzAndShutsDown(t *testing.T) {
	t.Run("file", func(t *testing.T) { serveSmoke(t, filepath.Join(t.TempDir(), "e.db")) })
	t.Run("memory", func(t *testing.T) { serveSmoke(t, ":memory:") })
}

func serveSmoke(t *testing.T, db string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--log-level", "warn"}, noEnv, &stdout, &stderr)
	}()
	var addr string
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no banner; stdout=%q stderr=%q", stdout.String(), stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 200: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if code := cli.Run(ctx, []string{"healthcheck", "--addr", addr}, noEnv, &stdout, &stderr); code != 0 {
		t.Errorf("healthcheck exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"/oauth/authorize", "/oauth/token", "admin@acme.test", "demo-client"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("banner lacks %q", want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not shut down")
	}
}

func TestBadConfigurationExitsNonZeroWithOneLine(t *testing.T) {
	var stdout, stderr syncBuffer
	code := cli.Run(context.Background(), []string{"serve", "--seed", "huge", "--db", filepath.Join(t.TempDir(), "x.db")}, noEnv, &stdout, &stderr)
	if code == 0 {
		t.Fatal("exit 0 for a bad seed")
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 || !strings.Contains(stderr.String(), "seed") {
		t.Errorf("stderr = %q, want one line about the seed", stderr.String())
	}
	if stdout.String() != "" {
		t.Errorf("something started: %q", stdout.String())
	}
}

func TestHealthcheckFailsWhenNothingListens(t *testing.T) {
	var out syncBuffer
	if code := cli.Run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, noEnv, &out, &out); code == 0 {
		t.Fatal("healthcheck passed with no server")
	}
}

func TestUnknownCommand(t *testing.T) {
	var out syncBuffer
	if code := cli.Run(context.Background(), []string{"frobnicate"}, noEnv, &out, &out); code != 2 {
		t.Fatalf("exit %d", code)
	}
}

// TestHelpListsCommands: -h and --help without a command describe the
// program (its commands, then serve's flags) on stdout and exit 0, and
// "help <command>" shows that command's flags.
func TestHelpListsCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var stdout, stderr bytes.Buffer
		if code := cli.Run(t.Context(), args, noEnv, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
		for _, want := range []string{"Commands:", "serve", "healthcheck", "token", "clients", "reset", "version"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: stdout lacks %q:\n%s", args, want, stdout.String())
			}
		}
		if args[0] != "help" && !strings.Contains(stdout.String(), "-addr") {
			t.Errorf("%v: stdout lacks serve's flags:\n%s", args, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := cli.Run(t.Context(), []string{"help", "token"}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("help token: exit %d", code)
	}
	if out := stdout.String() + stderr.String(); !strings.Contains(out, "-client-id") {
		t.Errorf("help token does not show token's flags:\n%s", out)
	}
}
