package config_test

import (
	"io"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

func TestTokenClaimsSettings(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	cases := []struct {
		name        string
		args        []string
		env         map[string]string
		iss, aud    string
		strictBreak bool
		err         string
	}{
		{name: "default", iss: "http://localhost:8080", aud: "http://localhost:8080"},
		{name: "preset", args: []string{"--token-claims", "pleo"}, iss: "pleo.production", aud: "https://external.pleo.io", strictBreak: true},
		{name: "preset from the environment", env: map[string]string{"PLEO_EMULATOR_TOKEN_CLAIMS": "pleo"}, iss: "pleo.production", aud: "https://external.pleo.io", strictBreak: true},
		{name: "explicit values win over the preset", args: []string{"--token-claims", "pleo", "--token-issuer", "pleo.staging", "--token-audience", "https://api.test"},
			iss: "pleo.staging", aud: "https://api.test", strictBreak: true},
		{name: "audience only keeps the issuer", args: []string{"--token-audience", "https://api.test"}, iss: "http://localhost:8080", aud: "https://api.test"},
		{name: "unknown preset", args: []string{"--token-claims", "staging"}, err: "token-claims"},
		{name: "space in the issuer", args: []string{"--token-issuer", "pleo production"}, err: "token-issuer"},
		{name: "colon but no URI", args: []string{"--token-audience", ":x"}, err: "token-audience"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load("serve", tc.args, env(tc.env), io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessTokenIssuer() != tc.iss || c.AccessTokenAudience() != tc.aud || c.StrictIssuerMismatch() != tc.strictBreak {
				t.Fatalf("iss %q aud %q mismatch %v; want %q %q %v", c.AccessTokenIssuer(), c.AccessTokenAudience(),
					c.StrictIssuerMismatch(), tc.iss, tc.aud, tc.strictBreak)
			}
		})
	}
}
