package authserver

// Issuing tokens: recording an access-token record and a refresh token in
// the grant's transaction, then signing the access token (RFC 9068) after
// commit. verify.go checks what this file issues.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// TokenResponse is the RFC 6749 §5.1 success body.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

// Lifetimes override the configured token lifetimes (zero keeps the default).
type Lifetimes struct {
	Access, Refresh time.Duration
}

// AccessClaims are the claims of an access token (RFC 9068 §2.2 plus Pleo's subject URN).
type AccessClaims struct {
	jwt.RegisteredClaims
	ClientID   string `json:"client_id"`
	Scope      string `json:"scope"`
	SubjectURN string `json:"urn:pleo:params:oauth:subject_urn"`

	kid string // the key that signed the token, set by parseAccessToken
}

// UnmarshalJSON decodes the claims, refusing an exp, iat or nbf that is not
// a JSON number: RFC 7519 §2 defines NumericDate as a number, while the JWT
// library's decoder also takes a string holding one.
func (c *AccessClaims) UnmarshalJSON(b []byte) error {
	var dates struct {
		Exp, Iat, Nbf json.RawMessage
	}
	if err := json.Unmarshal(b, &dates); err != nil {
		return err
	}
	for name, raw := range map[string]json.RawMessage{"exp": dates.Exp, "iat": dates.Iat, "nbf": dates.Nbf} {
		if len(raw) > 0 && !bytes.Equal(raw, []byte("null")) && (raw[0] < '0' || raw[0] > '9') && raw[0] != '-' {
			return fmt.Errorf("claim %s is not a NumericDate (RFC 7519 §2)", name)
		}
	}
	type plain AccessClaims // the same fields without this method
	return json.Unmarshal(b, (*plain)(c))
}

// issued is a token pair recorded in a transaction whose JWT is signed after
// commit, or was signed ahead of it (signed is then the JWT; see signAhead).
type issued struct {
	claims  AccessClaims
	refresh string
	expires time.Duration
	scopes  []string  // of the access token
	at      time.Time // when it was issued (the claims hold it in whole seconds)
	signed  string
}

// randomToken returns n random bytes, base64url encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how codes, refresh tokens and session IDs are stored: SHA-256.
func hashSecret(raw string) []byte {
	sum := sha256.Sum256([]byte(raw))
	return sum[:]
}

func (s *Server) lifetimes(l Lifetimes) (access, refresh time.Duration) {
	access, refresh = s.opt.AccessTokenTTL, s.opt.RefreshTokenTTL
	if l.Access > 0 {
		access = l.Access
	}
	if l.Refresh > 0 {
		refresh = l.Refresh
	}
	return access, refresh
}

// record writes an access-token record and a refresh token for grant inside
// tx. accessScopes may narrow the grant; the refresh token keeps refreshScopes
// (RFC 6749 §6: a rotated refresh token has the scope of the one it replaces).
func (s *Server) record(ctx context.Context, tx *store.Tx, g oauth.Grant, accessScopes, refreshScopes []string, l Lifetimes) (issued, error) {
	return s.recordIssued(ctx, tx, g, s.newAccess(g, accessScopes, s.clock.Now(), l), refreshScopes, l)
}

// newAccess is the access token of grant with accessScopes issued at now,
// before anything is recorded.
func (s *Server) newAccess(g oauth.Grant, accessScopes []string, now time.Time, l Lifetimes) issued {
	accessTTL, _ := s.lifetimes(l)
	return issued{expires: accessTTL, scopes: accessScopes, at: now, claims: AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.opt.TokenIssuer,
			Subject:   g.Subject.ID,
			Audience:  jwt.ClaimStrings{s.opt.TokenAudience},
			ExpiresAt: jwt.NewNumericDate(now.Add(accessTTL)),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        randomToken(16),
		},
		ClientID:   g.ClientID,
		Scope:      oauth.JoinScope(accessScopes),
		SubjectURN: g.Subject.URN(),
	}}
}

// recordIssued writes is's access-token record and a new refresh token of
// grant with refreshScopes inside tx, both dated when is was issued.
func (s *Server) recordIssued(ctx context.Context, tx *store.Tx, g oauth.Grant, is issued, refreshScopes []string, l Lifetimes) (issued, error) {
	now := is.at
	_, refreshTTL := s.lifetimes(l)
	if err := tx.InsertAccessToken(ctx, store.AccessToken{JTI: is.claims.ID, GrantID: g.ID,
		Scopes: is.scopes, CreatedAt: now, ExpiresAt: now.Add(is.expires)}); err != nil {
		return issued{}, err
	}
	family, err := s.refreshFamily(ctx, tx, g.ID)
	if err != nil {
		return issued{}, err
	}
	is.refresh = family + "." + randomToken(32)
	if err := tx.InsertRefreshToken(ctx, store.RefreshToken{Hash: hashSecret(is.refresh), GrantID: g.ID, Scopes: refreshScopes,
		CreatedAt: now, ExpiresAt: now.Add(refreshTTL)}); err != nil {
		return issued{}, err
	}
	return is, nil
}

// refreshFamily returns the grant's refresh family, giving it one (128
// random bits) at its first refresh token. Every refresh token of the grant
// is "<family>.<random>", so a rotated token is known as the grant's even
// after housekeeping deleted its row (see refresh).
func (s *Server) refreshFamily(ctx context.Context, tx *store.Tx, grantID string) (string, error) {
	family, err := tx.RefreshFamily(ctx, grantID)
	if err != nil || family != "" {
		return family, err
	}
	family = randomToken(16)
	return family, tx.SetRefreshFamily(ctx, grantID, family)
}

// sign turns a recorded pair into the token response, signing its JWT
// unless it was signed ahead.
func (s *Server) sign(ctx context.Context, is issued) (TokenResponse, error) {
	if is.signed == "" {
		var err error
		if is.signed, err = s.signClaims(ctx, is.claims); err != nil {
			return TokenResponse{}, err
		}
	}
	return TokenResponse{AccessToken: is.signed, TokenType: "Bearer", ExpiresIn: int64(is.expires / time.Second),
		RefreshToken: is.refresh, Scope: is.claims.Scope}, nil
}

// signClaims signs an access token. Signatures take turns, first come first
// served, one per core: an RS256 signature is a millisecond of CPU, and with
// more running at once the scheduler, not arrival order, decides who
// finishes first, which stretched the slowest responses.
func (s *Server) signClaims(ctx context.Context, claims AccessClaims) (string, error) {
	kid, key, err := s.keys.Active(ctx)
	if err != nil {
		return "", err
	}
	select {
	case s.signing <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.signing }()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["typ"] = "at+jwt"
	tok.Header["kid"] = kid
	return tok.SignedString(key)
}
