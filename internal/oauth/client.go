package oauth

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
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

// User passwords are stored with Argon2id (RFC 9106), OWASP's first choice
// for password storage, at one of OWASP's equivalent minimum costs: 7 MiB
// of memory, five passes, one lane (about 35 ms on one core). Of those
// costs it is the one with the least memory, which keeps the emulator's
// resident memory low. The stored form is the PHC
// string "$argon2id$v=19$m=7168,t=5,p=1$<salt>$<key>", so the cost can
// change without invalidating stored hashes. The salt is derived from the
// user's ID (unique per user and stable, so seeded databases are identical
// on every machine).
//
// Hashes written by earlier versions, 32 bytes of PBKDF2-HMAC-SHA256 with
// 20,000 iterations, are still accepted by CheckPassword.
const (
	argonTime    = 5
	argonMemory  = 7 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32

	legacyPBKDF2Iterations = 20_000
)

// hashing bounds the Argon2id computations running at once to one per
// core, so a burst of sign-ins cannot claim 7 MiB each without limit.
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

func argon2id(password string, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey([]byte(password), salt, passes, memory, threads, keyLen)
}

func passwordSalt(userID string) []byte {
	sum := sha256.Sum256([]byte("pleo-emulator/user/" + userID))
	return sum[:16]
}

// HashPassword returns the stored form of a user's password (see above).
func HashPassword(userID, password string) []byte {
	return hashArgon2id(userID, password, argonTime, argonMemory, argonThreads)
}

func hashArgon2id(userID, password string, passes, memory uint32, threads uint8) []byte {
	salt := passwordSalt(userID)
	key := argon2id(password, salt, passes, memory, threads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// HashPublishedPassword is HashPassword at Argon2id's least cost (64 KiB,
// one pass), for the demo users only: their password is published (README,
// start-up banner), so a slow hash would protect nothing and would only
// slow every start, reset and sign-in. Every other password gets
// HashPassword's cost; CheckPassword reads the cost from the stored hash.
func HashPublishedPassword(userID, password string) []byte {
	return hashArgon2id(userID, password, 1, 64, 1)
}

// CheckPassword reports, in constant time, whether password matches the
// stored hash: an Argon2id PHC string with any cost, or a legacy PBKDF2
// hash. A malformed hash matches nothing.
func CheckPassword(userID, password string, hash []byte) bool {
	if len(hash) == 32 && !bytes.HasPrefix(hash, []byte("$")) {
		legacy, err := pbkdf2.Key(sha256.New, password, []byte("pleo-emulator/user/"+userID), legacyPBKDF2Iterations, 32)
		return err == nil && subtle.ConstantTimeCompare(legacy, hash) == 1
	}
	var version int
	var memory, passes uint32
	var threads uint8
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil ||
		passes == 0 || threads == 0 || memory < 8*uint32(threads) || memory > 1<<20 || passes > 16 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) < 16 || len(key) > 64 || !bytes.Equal(salt, passwordSalt(userID)) {
		return false // the salt binds the hash to its user: a hash copied to another user matches nothing
	}
	got := argon2id(password, salt, passes, memory, threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}
