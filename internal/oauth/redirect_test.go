package oauth_test

import (
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

func TestMatchRedirectURI(t *testing.T) {
	const cb = "http://localhost:3000/callback"
	several := []string{cb, "http://127.0.0.1:3000/callback", "https://app.example.com/oauth/cb?tenant=1"}
	one := []string{"https://app.example.com/cb"}
	for _, tc := range []struct {
		name       string
		registered []string
		requested  string
		want       string
		ok         bool
	}{
		{"exact", several, cb, cb, true},
		{"exact second", several, "http://127.0.0.1:3000/callback", "http://127.0.0.1:3000/callback", true},
		{"exact with registered query", several, "https://app.example.com/oauth/cb?tenant=1", "https://app.example.com/oauth/cb?tenant=1", true},
		{"omitted, exactly one registered", one, "", "https://app.example.com/cb", true},
		{"omitted, several registered", several, "", "", false},
		{"omitted, none registered", nil, "", "", false},
		{"path traversal suffix", several, cb + "/../evil", "", false},
		{"longer path", several, cb + "x", "", false},
		{"sub path", several, cb + "/x", "", false},
		{"extra query", several, cb + "?x=1", "", false},
		{"registered query changed", several, "https://app.example.com/oauth/cb?tenant=2", "", false},
		{"registered query dropped", several, "https://app.example.com/oauth/cb", "", false},
		{"fragment", several, cb + "#x", "", false},
		{"empty fragment", several, cb + "#", "", false},
		{"trailing slash", several, cb + "/", "", false},
		{"path case", several, "http://localhost:3000/Callback", "", false},
		{"host case", several, "http://LOCALHOST:3000/callback", "", false},
		{"scheme case", several, "HTTP://localhost:3000/callback", "", false},
		{"other port", several, "http://localhost:3001/callback", "", false},
		{"default port omitted", several, "http://localhost/callback", "", false},
		{"https instead of http", several, "https://localhost:3000/callback", "", false},
		{"host sharing a suffix", several, "http://evil-localhost:3000/callback", "", false},
		{"registered host as subdomain", several, "http://localhost.evil.example:3000/callback", "", false},
		{"subdomain of registered host", one, "https://evil.app.example.com/cb", "", false},
		{"userinfo", several, "http://evil@localhost:3000/callback", "", false},
		{"percent-encoded path", several, "http://localhost:3000/%63allback", "", false},
		{"leading space", several, " " + cb, "", false},
		{"trailing space", several, cb + " ", "", false},
		{"prefix of registered", several, "http://localhost:3000/call", "", false},
		{"empty registered list", nil, cb, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := oauth.MatchRedirectURI(tc.registered, tc.requested)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("MatchRedirectURI(%q) = %q, %v; want %q, %v", tc.requested, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestValidateRedirectURI(t *testing.T) {
	for _, tc := range []struct {
		uri string
		ok  bool
	}{
		{"http://localhost:3000/callback", true},
		{"https://app.example.com/cb?tenant=1", true},
		{"http://127.0.0.1/cb", true},
		{"", false},
		{"/callback", false},
		{"localhost:3000/callback", false},
		{"//app.example.com/cb", false},
		{"https://app.example.com/cb#frag", false},
		{"https://app.example.com/cb#", false},
		{"javascript:alert(1)", false},
		{"ftp://app.example.com/cb", false},
		{"com.example.app:/callback", false},
		{"https:///cb", false},
		{"http://[::1", false},
	} {
		err := oauth.ValidateRedirectURI(tc.uri)
		if (err == nil) != tc.ok {
			t.Errorf("ValidateRedirectURI(%q) = %v, want ok=%v", tc.uri, err, tc.ok)
		}
	}
}
