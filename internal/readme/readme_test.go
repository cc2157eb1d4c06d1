package readme_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/cli"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// cliEnv, when set, turns the test binary into the pleo-emulator command:
// the README's `pleo-emulator ...` lines run the same code main runs.
const cliEnv = "PLEO_EMULATOR_README_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "" {
		os.Exit(m.Run())
	}
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// notRun lists the README's shell examples the test does not run, each
// found by a line of the example and with the reason. An entry that matches
// no example fails the test, so the list cannot go stale.
var notRun = map[string]string{
	"go run ./cmd/pleo-emulator":                              "starts the emulator; the test runs the same server in process",
	"go install ./cmd/pleo-emulator":                          "installs into the user's GOPATH; the test runs the same command line in process",
	"make test":                                               "runs this test",
	"docker compose up -d pleo":                               "needs Docker Compose",
	"make docker VERSION=dev":                                 "needs Docker; the Dockerfile has its own container checks",
	"PLEO_EMULATOR_CONTROL_TOKEN=ci-secret pleo-emulator:dev": "needs Docker; the control token itself is tested in internal/control",
	"--url http://pleo:8080":                                  "needs a Compose network with a service named pleo",
	"sudo apt-get install":                                    "installs system packages",
	"pleo-emulator serve --config":                            "starts a second emulator; internal/config's tests start every example config",
}

// requireEnv makes a missing tool fail the test instead of skipping it (CI sets it).
const requireEnv = "PLEO_EMULATOR_REQUIRE_README_TOOLS"

func TestReadmeShellExamplesRun(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(requireEnv) != "" {
				t.Fatalf("%s is needed to run the README's examples: %v", tool, err)
			}
			t.Skipf("%s is not installed (apt-get install bash curl jq); the README's examples need it", tool)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := shellBlocks(string(readme))
	if len(blocks) < 5 {
		t.Fatalf("found %d shell examples in README.md; the parser lost them", len(blocks))
	}
	used := map[string]bool{}
	var run []string
	for _, b := range blocks {
		skip := false
		for key := range notRun {
			if containsLine(b, key) {
				used[key], skip = true, true
			}
		}
		if !skip {
			run = append(run, b)
		}
	}
	for key, why := range notRun {
		if !used[key] {
			t.Errorf("notRun entry %q (%s) matches no README example: remove it", key, why)
		}
	}

	base := startEmulator(t)
	port := strings.TrimPrefix(base, "http://localhost:")
	for _, b := range run {
		t.Run(firstCommand(b), func(t *testing.T) {
			resetEmulator(t, base)
			script := strings.ReplaceAll(b, "localhost:8080", "localhost:"+port)
			runScript(t, base, script)
		})
	}
}

// fence matches a fenced code block whose info string is sh.
var fence = regexp.MustCompile("(?ms)^```sh\n(.*?)^```")

// shellBlocks returns the body of every ```sh block.
func shellBlocks(markdown string) []string {
	var out []string
	for _, m := range fence.FindAllStringSubmatch(markdown, -1) {
		out = append(out, m[1])
	}
	return out
}

// firstCommand names an example by its first line that is not a comment.
func firstCommand(block string) string {
	for line := range strings.Lines(block) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return "empty"
}

// containsLine reports whether some line of block contains s.
func containsLine(block, s string) bool {
	for line := range strings.Lines(block) {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// runScript runs script with bash, stopping at the first failing command.
// curl fails on an HTTP status of 400 or more; pleo-emulator is this test
// binary acting as the command line, pointed at the emulator.
func runScript(t *testing.T, base, script string) {
	t.Helper()
	prelude := `set -euo pipefail
curl() { command curl --fail-with-body --show-error --max-time 20 "$@" && echo; } # the newline keeps the trace readable
pleo-emulator() { ` + cliEnv + `=1 "$README_TEST_BINARY" "$@"; }
set -x
`
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", prelude+script)
	cmd.Env = append(os.Environ(), "README_TEST_BINARY="+os.Args[0], "PLEO_EMULATOR_URL="+base)
	cmd.Dir = filepath.Join("..", "..") // the repository's root, where a reader runs them
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("README example failed (%v):\n%s\noutput:\n%s", err, script, out.String())
	}
}

// startEmulator serves a fresh emulator with the demo seed on a loopback
// port; its public URL is http://localhost:<port>, as the README's is
// http://localhost:8080.
func startEmulator(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Addr = ln.Addr().String()
	cfg.PublicURL = fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	cfg.DB = filepath.Join(t.TempDir(), "readme.db")
	emu, err := app.New(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := app.NewHTTPServer(emu.Handler(), app.DefaultServerLimits)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
		emu.Close()
	})
	return cfg.PublicURL
}

// resetEmulator brings back the seed state, so each example starts fresh.
func resetEmulator(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Post(base+"/_emulator/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset answered %s", resp.Status)
	}
}
