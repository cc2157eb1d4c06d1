package oauth_test

import (
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

func validConfidential() oauth.Client {
	return oauth.Client{ID: "acme-app", Name: "Acme App", Type: oauth.Confidential,
		SecretHash: oauth.HashClientSecret("acme-app", "s3cret"), RedirectURIs: []string{"https://app.example.com/cb"},
		Scopes: []string{"users:read"}, PKCERequired: true}
}

func validPublic() oauth.Client {
	c := validConfidential()
	c.Type, c.SecretHash = oauth.Public, nil
	return c
}

func TestClientValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*oauth.Client)
		public  bool
		wantErr string // substring; "" means valid
	}{
		{"valid confidential", func(*oauth.Client) {}, false, ""},
		{"valid public", func(*oauth.Client) {}, true, ""},
		{"confidential without PKCE", func(c *oauth.Client) { c.PKCERequired = false }, false, ""},
		{"valid links", func(c *oauth.Client) {
			c.LogoURL, c.ClientURI, c.TermsURL, c.PrivacyURL = "https://x/l.png", "http://x", "https://x/t", "https://x/p"
		}, false, ""},
		{"missing id", func(c *oauth.Client) { c.ID = "" }, false, "id is required"},
		{"id with colon (breaks Basic auth)", func(c *oauth.Client) { c.ID = "acme:app" }, false, "must not contain"},
		{"id with space", func(c *oauth.Client) { c.ID = "acme app" }, false, "must not contain"},
		{"id with newline", func(c *oauth.Client) { c.ID = "acme\napp" }, false, "must not contain"},
		{"missing name", func(c *oauth.Client) { c.Name = "" }, false, "name is required"},
		{"confidential without secret", func(c *oauth.Client) { c.SecretHash = nil }, false, "needs a secret"},
		{"public with secret", func(c *oauth.Client) { c.SecretHash = []byte("x") }, true, "has no secret"},
		{"public without PKCE", func(c *oauth.Client) { c.PKCERequired = false }, true, "must require PKCE"},
		{"unknown type", func(c *oauth.Client) { c.Type = "trusted" }, false, "type must be"},
		{"empty type", func(c *oauth.Client) { c.Type = "" }, false, "type must be"},
		{"no redirect URI", func(c *oauth.Client) { c.RedirectURIs = nil }, false, "at least one redirect URI"},
		{"relative redirect URI", func(c *oauth.Client) { c.RedirectURIs = []string{"/cb"} }, false, "not absolute"},
		{"redirect URI with fragment", func(c *oauth.Client) { c.RedirectURIs = []string{"https://app.example.com/cb#x"} }, false, "fragment"},
		{"javascript redirect URI", func(c *oauth.Client) { c.RedirectURIs = []string{"javascript://app.example.com/%0aalert(1)"} }, false, "http or https"},
		{"second redirect URI bad", func(c *oauth.Client) { c.RedirectURIs = []string{"https://ok.example/cb", "ftp://x/cb"} }, false, "http or https"},
		{"no scopes", func(c *oauth.Client) { c.Scopes = nil }, false, "at least one scope"},
		{"unknown scope", func(c *oauth.Client) { c.Scopes = []string{"users:read", "users:write"} }, false, `unknown scope "users:write"`},
		{"javascript logo", func(c *oauth.Client) { c.LogoURL = "javascript:alert(1)" }, false, "must be an http(s) URL"},
		{"data terms URL", func(c *oauth.Client) { c.TermsURL = "data:text/html,x" }, false, "must be an http(s) URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfidential()
			if tc.public {
				c = validPublic()
			}
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestClientCheckSecret(t *testing.T) {
	c := validConfidential()
	if !c.CheckSecret("s3cret") {
		t.Fatal("the right secret is refused")
	}
	for _, s := range []string{"", "s3cre", "s3cret ", "S3CRET", "s3cret\x00"} {
		if c.CheckSecret(s) {
			t.Errorf("CheckSecret(%q) = true", s)
		}
	}
	// The hash binds the client ID: the same secret does not work for another client.
	other := c
	other.ID = "other-app"
	if other.CheckSecret("s3cret") {
		t.Error("a secret hash is accepted for another client ID")
	}
	// A public client has no secret, so no secret matches, not even the empty one.
	if p := validPublic(); p.CheckSecret("") || p.CheckSecret("s3cret") {
		t.Error("a public client accepts a secret")
	}
	// Secrets with form-encoding-special characters hash like any other.
	special := "a+b/c=d:e%f g"
	c.SecretHash = oauth.HashClientSecret(c.ID, special)
	if !c.CheckSecret(special) || c.CheckSecret("a b/c=d:e%f g") {
		t.Error("special-character secret mishandled")
	}
}

func TestPasswordHash(t *testing.T) {
	h := oauth.HashPassword("user-1", "pw")
	if !oauth.CheckPassword("user-1", "pw", h) {
		t.Fatal("right password refused")
	}
	if oauth.CheckPassword("user-1", "PW", h) || oauth.CheckPassword("user-2", "pw", h) || oauth.CheckPassword("user-1", "", h) {
		t.Fatal("wrong password, or another user's salt, accepted")
	}
}

func TestCanConnectApps(t *testing.T) {
	for r, want := range map[oauth.Role]bool{oauth.RoleAdmin: true, oauth.RoleBookkeeper: true, oauth.RoleEmployee: false, "owner": false, "": false} {
		if got := oauth.CanConnectApps(r); got != want {
			t.Errorf("CanConnectApps(%q) = %v", r, got)
		}
	}
}
