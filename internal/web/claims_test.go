package web_test

import (
	"net/http"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// TestStartPageSaysWhenTokenClaimsDiffer checks that the start page names
// the access tokens' iss and aud when --token-claims changes them, and
// stays as before by default.
func TestStartPageSaysWhenTokenClaimsDiffer(t *testing.T) {
	e := startEmulator(t, func(c *config.Config) { c.TokenClaims = "pleo" })
	resp, page := newClient(t, e.URL).get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	mustContain(t, page, "access tokens carry iss pleo.production instead", "access tokens carry aud https://external.pleo.io")

	_, page = newClient(t, startEmulator(t).URL).get("/")
	mustContain(t, page, "the iss of every token", "also the tokens&#39; aud")
	mustNotContain(t, page, "pleo.production")
}
