package oauth

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ClientType is RFC 6749 §2.1's client type.
type ClientType string

const (
	Confidential ClientType = "confidential"
	Public       ClientType = "public"
)

// Client is a registered OAuth client (what Pleo registers by hand for a partner).
type Client struct {
	ID           string
	Name         string
	Type         ClientType
	SecretHash   []byte // nil for public clients; see HashClientSecret
	RedirectURIs []string
	Scopes       []string // scopes the client may request
	PKCERequired bool
	LogoURL      string
	ClientURI    string
	TermsURL     string
	PrivacyURL   string
	// AutoApproveUser, when set, is the email of the user as whom every
	// authorisation of this client is approved with no login or consent screen.
	AutoApproveUser string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Validate checks a client's registration: identifier, type, redirect URIs
// (RFC 6749 §3.1.2) and scopes against the catalogue. Public clients must
// use PKCE (RFC 7636; Pleo: "mandatory for public clients").
func (c Client) Validate() error {
	if c.ID == "" {
		return errors.New("client: id is required")
	}
	if strings.ContainsAny(c.ID, ": \t\r\n") {
		return fmt.Errorf("client %q: id must not contain ':' or whitespace", c.ID)
	}
	if c.Name == "" {
		return fmt.Errorf("client %q: name is required", c.ID)
	}
	switch c.Type {
	case Confidential:
		if len(c.SecretHash) == 0 {
			return fmt.Errorf("client %q: a confidential client needs a secret", c.ID)
		}
	case Public:
		if len(c.SecretHash) != 0 {
			return fmt.Errorf("client %q: a public client has no secret", c.ID)
		}
		if !c.PKCERequired {
			return fmt.Errorf("client %q: a public client must require PKCE", c.ID)
		}
	default:
		return fmt.Errorf("client %q: type must be %q or %q", c.ID, Confidential, Public)
	}
	if len(c.RedirectURIs) == 0 {
		return fmt.Errorf("client %q: at least one redirect URI is required", c.ID)
	}
	for _, u := range c.RedirectURIs {
		if err := ValidateRedirectURI(u); err != nil {
			return fmt.Errorf("client %q: %w", c.ID, err)
		}
	}
	if len(c.Scopes) == 0 {
		return fmt.Errorf("client %q: at least one scope is required", c.ID)
	}
	if bad := UnknownScopes(c.Scopes); len(bad) > 0 {
		return fmt.Errorf("client %q: unknown scope %q", c.ID, bad[0])
	}
	if c.AutoApproveUser != "" && !strings.Contains(c.AutoApproveUser, "@") {
		return fmt.Errorf("client %q: auto-approve user %q is not an email address", c.ID, c.AutoApproveUser)
	}
	for _, u := range []string{c.LogoURL, c.ClientURI, c.TermsURL, c.PrivacyURL} {
		if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return fmt.Errorf("client %q: %q must be an http(s) URL", c.ID, u)
		}
	}
	return nil
}

// HashClientSecret returns the stored form of a client secret: SHA-256 over
// a domain separator, the client ID and the secret. A fast hash is deliberate:
// the secret is checked on every token request, and generated secrets carry
// 256 random bits.
func HashClientSecret(clientID, secret string) []byte {
	sum := sha256.Sum256([]byte("pleo-emulator/client-secret/v1\x00" + clientID + "\x00" + secret))
	return sum[:]
}

// CheckSecret reports, in constant time, whether secret is the client's secret.
func (c Client) CheckSecret(secret string) bool {
	if len(c.SecretHash) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(HashClientSecret(c.ID, secret), c.SecretHash) == 1
}

// Role is a user's role in a company or organisation.
type Role string

const (
	RoleAdmin      Role = "admin"
	RoleBookkeeper Role = "bookkeeper"
	RoleEmployee   Role = "employee"
)

// ValidRole reports whether r is one of the three roles.
func ValidRole(r Role) bool { return r == RoleAdmin || r == RoleBookkeeper || r == RoleEmployee }

// CanConnectApps reports whether a user with role may connect apps for the
// company or organisation (admins and bookkeepers may; emulator choice
// modelled on who may create API keys in Pleo).
func CanConnectApps(r Role) bool { return r == RoleAdmin || r == RoleBookkeeper }

// passwordIterations is the PBKDF2 work factor for user passwords.
const passwordIterations = 20_000

// HashPassword derives the stored form of a user's password with
// PBKDF2-HMAC-SHA256, salted with the user's ID (unique per user and stable,
// so seeded databases are identical on every machine).
func HashPassword(userID, password string) []byte {
	key, err := pbkdf2.Key(sha256.New, password, []byte("pleo-emulator/user/"+userID), passwordIterations, 32)
	if err != nil {
		panic(err) // only on invalid parameters, which are constants here
	}
	return key
}

// CheckPassword reports, in constant time, whether password matches hash.
func CheckPassword(userID, password string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashPassword(userID, password), hash) == 1
}
