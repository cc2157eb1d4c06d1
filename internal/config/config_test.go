package config_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedenceFlagEnvFileDefault(t *testing.T) {
	file := writeFile(t, "c.yaml", "addr: file:1\npublic_url: http://file.test\ndb: file.db\nlog_level: warn\n")
	e := env(map[string]string{
		"PLEO_EMULATOR_CONFIG":     file,
		"PLEO_EMULATOR_PUBLIC_URL": "http://env.test/",
		"PLEO_EMULATOR_DB":         "env.db",
		// Image defaults rank below the file and above the built-in defaults.
		"PLEO_EMULATOR_DEFAULT_ADDR":       ":8080",
		"PLEO_EMULATOR_DEFAULT_LOG_FORMAT": "json",
	})
	c, err := config.Load("t", []string{"--db", "flag.db"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"addr (file)":           {c.Addr, "file:1"},
		"public-url (env)":      {c.PublicURL, "http://env.test"},
		"db (flag)":             {c.DB, "flag.db"},
		"log-level (file)":      {c.LogLevel, "warn"},
		"log-format (image)":    {c.LogFormat, "json"},
		"seed (default)":        {c.Seed, "demo"},
		"access ttl (default)":  {c.AccessTokenTTL.String(), "15m0s"},
		"refresh ttl (default)": {c.RefreshTokenTTL.String(), "1440h0m0s"},
	}
	for what, got := range want {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", what, got[0], got[1])
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := config.Load("t", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "localhost:8080" || c.PublicURL != "http://localhost:8080" || c.DB != "pleo-emulator.db" || !c.Control {
		t.Errorf("defaults = %+v", c)
	}
}

func TestJSONConfigFileAddsClients(t *testing.T) {
	file := writeFile(t, "c.json", `{"clients": [{"id": "my-app", "name": "My App", "secret": "s+/=:%",
		"redirect_uris": ["http://localhost:9999/cb"], "scopes": ["users:read"]}]}`)
	c, err := config.Load("t", []string{"--config", file}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Additions.Clients) != 1 || c.Additions.Clients[0].ID != "my-app" {
		t.Fatalf("clients = %+v", c.Additions.Clients)
	}
}

func TestBadConfigurationGivesOneClearLine(t *testing.T) {
	client := func(extra string) string {
		return "clients:\n  - id: app\n    name: App\n    secret: s\n    scopes: [users:read]\n" + extra
	}
	cases := []struct {
		name, file string
		args       []string
		want       string
	}{
		{name: "unknown flag", args: []string{"--nope"}, want: "not defined"},
		{name: "unreadable file", args: []string{"--config", "/nonexistent/c.yaml"}, want: "no such file"},
		{name: "malformed file", file: "addr: [unclosed\n", want: "config file"},
		{name: "unknown key", file: "adress: x\n", want: `unknown key "adress"`},
		{name: "duplicate client", file: client("    redirect_uris: [http://localhost/cb]\n  - id: app\n    name: Again\n    secret: s\n    scopes: [users:read]\n    redirect_uris: [http://localhost/cb]\n"), want: `duplicate client id "app"`},
		{name: "demo client redefined", file: "clients:\n  - id: demo-client\n    name: X\n    secret: s\n    scopes: [users:read]\n    redirect_uris: [http://localhost/cb]\n", want: "duplicate client id"},
		{name: "relative redirect", file: client("    redirect_uris: [/callback]\n"), want: "not absolute"},
		{name: "redirect with fragment", file: client("    redirect_uris: ['http://localhost/cb#x']\n"), want: "fragment"},
		{name: "unknown scope", file: "clients:\n  - id: app\n    name: App\n    secret: s\n    scopes: [users:read, expenses:read]\n    redirect_uris: [http://localhost/cb]\n", want: `unknown scope "expenses:read"`},
		{name: "bad public url", args: []string{"--public-url", "localhost:8080"}, want: "public-url"},
		{name: "bad seed", args: []string{"--seed", "big"}, want: "seed"},
		{name: "bad duration", args: []string{"--access-token-ttl", "soon"}, want: "access-token-ttl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append(args, "--config", writeFile(t, "c.yaml", tc.file))
			}
			_, err := config.Load("t", args, env(nil), io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
}
