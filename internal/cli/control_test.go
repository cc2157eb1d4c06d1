package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/cli"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// startEmulator runs an in-process emulator with a fresh database on a
// loopback port and returns its URL.
func startEmulator(t *testing.T, edit ...func(*config.Config)) string {
	t.Helper()
	return apptest.Start(t, "", edit...).URL
}

// run executes the CLI and returns its exit code, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	code := cli.Run(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs the CLI and fails the test unless it exits 0.
func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, stdout, stderr := run(t, env, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, stderr)
	}
	return stdout
}

// mustFail runs the CLI, expects a non-zero exit and one line on stderr
// containing want, and returns that line.
func mustFail(t *testing.T, env map[string]string, want string, args ...string) string {
	t.Helper()
	code, _, stderr := run(t, env, args...)
	if code == 0 {
		t.Fatalf("%v: exit 0", args)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("%v: stderr = %q, want one line containing %q", args, stderr, want)
	}
	return stderr
}

// introspect asks the emulator about a demo-client token.
func introspect(t *testing.T, base, tok string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token/introspect", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTokenDefaultsToDemoClientAndDenmark(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	out := mustRun(t, nil, "token", "--url", base)
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "  ")
		fields[k] = strings.TrimSpace(v)
	}
	if fields["subject"] != "urn:pleo:company:"+seed.DenmarkID || fields["client"] != seed.DemoClientID ||
		fields["token type"] != "Bearer" || fields["expires in"] != "15m0s" || fields["refresh token"] == "" {
		t.Fatalf("output:\n%s", out)
	}
	got := introspect(t, base, fields["access token"])
	if got["active"] != true || got["client_id"] != seed.DemoClientID {
		t.Fatalf("introspection of the printed token: %v", got)
	}
}

func TestTokenJSONWithSubjectScopeAndLifetimes(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	out := mustRun(t, nil, "token", "--url", base, "--json", "--subject", "urn:pleo:organization:"+seed.OrganizationID,
		"--scope", "users:read companies:read", "--access-token-ttl", "30s", "--refresh-token-ttl", "1h")
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int    `json:"expires_in"`
		Scope        string `json:"scope"`
		SubjectURN   string `json:"subject_urn"`
	}
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatalf("--json output is not JSON: %v: %s", err, out)
	}
	if tok.ExpiresIn != 30 || tok.Scope != "users:read companies:read" || tok.SubjectURN != "urn:pleo:organization:"+seed.OrganizationID {
		t.Fatalf("token: %+v", tok)
	}
	if got := introspect(t, base, tok.RefreshToken); got["active"] != true || got["token_use"] != "refresh_token" || got["token_type"] != nil {
		t.Fatalf("refresh token introspection: %v", got)
	}
}

func TestTokenErrorsPrintTheControlAPIMessage(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	mustFail(t, nil, `unknown client_id "nobody" (HTTP 400)`, "token", "--url", base, "--client-id", "nobody")
	mustFail(t, nil, "access_token_ttl must be a positive duration", "token", "--url", base, "--access-token-ttl", "soon")
	mustFail(t, nil, "unknown scope", "token", "--url", base, "--scope", "everything:write")
	mustFail(t, nil, `unexpected argument "extra"`, "token", "--url", base, "extra")
}

func TestClientsAddListDelete(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	out := mustRun(t, nil, "clients", "add", "--url", base, "--id", "ci-app", "--name", "CI App",
		"--redirect-uri", "http://localhost:9000/cb", "--redirect-uri", "http://127.0.0.1:9000/cb",
		"--scope", "users:read companies:read", "--auto-approve", seed.AdminEmail)
	if !strings.Contains(out, "created confidential client ci-app (PKCE required)") || !strings.Contains(out, "client secret: ") {
		t.Fatalf("add output:\n%s", out)
	}
	secret := strings.TrimSpace(strings.SplitN(strings.SplitN(out, "client secret: ", 2)[1], "\n", 2)[0])
	if len(secret) < 32 {
		t.Fatalf("generated secret %q", secret)
	}

	// A given secret is not echoed; --no-pkce and --public are honoured.
	out = mustRun(t, nil, "clients", "add", "--url", base, "--id", "own-secret", "--secret", "s3cret",
		"--redirect-uri", "http://localhost:9001/cb", "--scope", "users:read", "--no-pkce")
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "PKCE optional") {
		t.Fatalf("add with --secret:\n%s", out)
	}
	out = mustRun(t, nil, "clients", "add", "--url", base, "--id", "spa", "--public",
		"--redirect-uri", "http://localhost:9002/cb", "--scope", "users:read")
	if !strings.Contains(out, "created public client spa") || strings.Contains(out, "secret") {
		t.Fatalf("add --public:\n%s", out)
	}

	list := mustRun(t, nil, "clients", "list", "--url", base)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	if !strings.HasPrefix(lines[0], "CLIENT ID") || len(lines) != 1+5 {
		t.Fatalf("list:\n%s", list)
	}
	for _, want := range []string{"ci-app", "own-secret", "spa", seed.DemoClientID, seed.PublicClientID,
		"http://localhost:9000/cb,http://127.0.0.1:9000/cb", seed.AdminEmail} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}

	// The new client works: its secret authenticates it to the token endpoint.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nonsense"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ci-app", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tokErr struct{ Error string }
	_ = json.NewDecoder(resp.Body).Decode(&tokErr)
	resp.Body.Close()
	if tokErr.Error != "invalid_grant" {
		t.Fatalf("token endpoint with the printed secret: %d %q, want invalid_grant (client authenticated)", resp.StatusCode, tokErr.Error)
	}

	mustFail(t, nil, "client ci-app already exists (HTTP 409)", "clients", "add", "--url", base, "--id", "ci-app",
		"--redirect-uri", "http://localhost:9000/cb", "--scope", "users:read")
	mustFail(t, nil, "(HTTP 400)", "clients", "add", "--url", base, "--id", "bad", "--redirect-uri", "http://localhost:9/cb", "--scope", "no:such")
	mustFail(t, nil, "--id is required", "clients", "add", "--url", base)
	mustFail(t, nil, "exclude each other", "clients", "add", "--url", base, "--id", "x", "--public", "--secret", "y")

	// Flags may follow the ID.
	if out := mustRun(t, nil, "clients", "delete", "ci-app", "--url", base); out != "deleted client ci-app\n" {
		t.Fatalf("delete output %q", out)
	}
	mustFail(t, nil, "client ci-app not found (HTTP 404)", "clients", "delete", "--url", base, "ci-app")
	mustFail(t, nil, "usage: pleo-emulator clients delete", "clients", "delete", "--url", base)
	mustFail(t, nil, `unknown clients subcommand "rename"`, "clients", "rename")
	mustFail(t, nil, "usage: pleo-emulator clients add|list|delete", "clients")

	var listed struct {
		Clients []struct {
			ClientID string `json:"client_id"`
		} `json:"clients"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, nil, "clients", "list", "--json", "--url", base)), &listed); err != nil || len(listed.Clients) != 4 {
		t.Fatalf("list --json after delete: %v %+v", err, listed)
	}
}

func TestResetRestoresSeedAndPrintsDuration(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	mustRun(t, nil, "clients", "add", "--url", base, "--id", "temp", "--redirect-uri", "http://localhost:9/cb", "--scope", "users:read")
	out := mustRun(t, nil, "reset", "--url", base)
	if !strings.HasPrefix(out, "reset "+base+" to its seed state in ") || !strings.Contains(out, " ms") {
		t.Fatalf("reset output %q", out)
	}
	if list := mustRun(t, nil, "clients", "list", "--url", base); strings.Contains(list, "temp") || !strings.Contains(list, seed.DemoClientID) {
		t.Fatalf("after reset:\n%s", list)
	}
}

func TestUnreachableEmulatorIsOneClearLine(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"token", "--url", "http://127.0.0.1:1"},
		{"clients", "list", "--url", "http://127.0.0.1:1"},
		{"clients", "add", "--url", "http://127.0.0.1:1", "--id", "x", "--redirect-uri", "http://localhost:9/cb", "--scope", "users:read"},
		{"clients", "delete", "--url", "http://127.0.0.1:1", "x"},
		{"reset", "--url", "http://127.0.0.1:1"},
	} {
		line := mustFail(t, nil, "cannot reach the emulator at http://127.0.0.1:1: is it running? (start it with: pleo-emulator serve, or go run ./cmd/pleo-emulator in a checkout)", args...)
		if !strings.HasPrefix(line, "pleo-emulator: ") {
			t.Errorf("%v: %q", args, line)
		}
	}
}

func TestURLComesFromEnvironmentAndConfigFile(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	mustRun(t, map[string]string{"PLEO_EMULATOR_URL": base}, "clients", "list")
	mustRun(t, map[string]string{"PLEO_EMULATOR_PUBLIC_URL": base + "/"}, "clients", "list")
	// PLEO_EMULATOR_URL wins over the public URL; the flag wins over both.
	mustRun(t, map[string]string{"PLEO_EMULATOR_URL": base, "PLEO_EMULATOR_PUBLIC_URL": "http://127.0.0.1:1"}, "clients", "list")
	mustRun(t, map[string]string{"PLEO_EMULATOR_URL": "http://127.0.0.1:1"}, "clients", "list", "--url", base)

	file := filepath.Join(t.TempDir(), "emulator.yaml")
	writeFile(t, file, "public_url: "+base+"\n")
	mustRun(t, map[string]string{"PLEO_EMULATOR_CONFIG": file}, "clients", "list")
	mustRun(t, nil, "clients", "list", "--config", file)

	mustFail(t, nil, "cannot reach the emulator at http://localhost:1", "reset", "--url", "http://localhost:1")
	mustFail(t, nil, `url "localhost:8080" must be an absolute http(s) URL`, "reset", "--url", "localhost:8080")
}

func TestControlTokenProtection(t *testing.T) {
	t.Parallel()
	base := startEmulator(t, func(c *config.Config) { c.ControlToken = "ci-secret" })
	mustFail(t, nil, "pass the emulator's control token with --control-token or PLEO_EMULATOR_CONTROL_TOKEN", "token", "--url", base)
	mustFail(t, nil, "the control token given is not the emulator's", "reset", "--url", base, "--control-token", "wrong")
	mustRun(t, nil, "token", "--url", base, "--control-token", "ci-secret")
	mustRun(t, map[string]string{"PLEO_EMULATOR_CONTROL_TOKEN": "ci-secret"}, "clients", "list", "--url", base)
	// The flag wins over the environment.
	mustRun(t, map[string]string{"PLEO_EMULATOR_CONTROL_TOKEN": "wrong"}, "clients", "list", "--url", base, "--control-token", "ci-secret")

	file := filepath.Join(t.TempDir(), "emulator.yaml")
	writeFile(t, file, "public_url: "+base+"\ncontrol_token: ci-secret\n")
	mustRun(t, nil, "clients", "list", "--config", file)
}

func TestControlAPIDisabled(t *testing.T) {
	t.Parallel()
	base := startEmulator(t, func(c *config.Config) { c.Control = false })
	mustFail(t, nil, "the control API is off: this emulator was started with --control=false", "reset", "--url", base)
}

func TestControlCommandsHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range [][]string{{"token", "-h"}, {"clients", "add", "-h"}, {"clients", "list", "-h"}, {"clients", "delete", "-h"}, {"reset", "-h"}} {
		code, _, stderr := run(t, nil, cmd...)
		if code != 0 || !strings.Contains(stderr, "-url") || !strings.Contains(stderr, "-control-token") {
			t.Errorf("%v: exit %d, help %q", cmd, code, stderr)
		}
	}
	if out := mustRun(t, nil, "help"); !strings.Contains(out, "token") || !strings.Contains(out, "clients") || !strings.Contains(out, "reset") {
		t.Errorf("help lacks the control commands:\n%s", out)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
