package authserver

// Verifying access tokens for the mock API and for introspection and
// revocation: signature, typ, iss, aud and expiry (RFC 9068 §4), then
// revocation in the store, with caches for both.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// errInvalidToken is every reason an access token is rejected.
var errInvalidToken = errors.New("invalid access token")

// parseAccessToken checks an access token's signature, type, issuer,
// audience and expiry, without the revocation check.
func (s *Server) parseAccessToken(raw string, checkExpiry bool) (*AccessClaims, error) {
	var claims AccessClaims
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(s.opt.TokenIssuer),
		jwt.WithAudience(s.opt.TokenAudience),
		jwt.WithTimeFunc(s.clock.Now),
		jwt.WithIssuedAt(),
	}
	if checkExpiry {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	tok, err := jwt.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != "at+jwt" {
			return nil, errors.New("not an access token")
		}
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 §4.1.11: a recipient must refuse a token naming a
			// critical extension it does not understand; it understands none.
			return nil, errors.New("unsupported critical header parameter")
		}
		kid, _ := t.Header["kid"].(string)
		pub, ok := s.keys.Public(kid)
		if !ok {
			return nil, fmt.Errorf("unknown key %q", kid)
		}
		claims.kid = kid
		return pub, nil
	}, opts...)
	if err != nil && !(!checkExpiry && errors.Is(err, jwt.ErrTokenExpired)) {
		return nil, errInvalidToken
	}
	if tok == nil || claims.ID == "" {
		return nil, errInvalidToken
	}
	if err != nil {
		// Expired, which the caller tolerates; but the parser reports every
		// failed claim at once, so check that expiry was the only one, at an
		// instant just before the token expired.
		v := jwt.NewValidator(jwt.WithIssuer(s.opt.TokenIssuer), jwt.WithAudience(s.opt.TokenAudience), jwt.WithIssuedAt(),
			jwt.WithTimeFunc(func() time.Time { return claims.ExpiresAt.Add(-time.Second) }))
		if claims.ExpiresAt == nil || v.Validate(&claims) != nil {
			return nil, errInvalidToken
		}
	}
	return &claims, nil
}

// VerifyAccessToken implements the mock API's verifier: signature, typ,
// exp, iss and aud, then the token and its grant must not be revoked.
// Revocation therefore takes effect on the next call, not at expiry, and so
// does a client losing a scope: the token keeps only the scopes its client
// may still request (emulator choice; the refresh grant then refuses too).
// Deleting the user who approved the grant does not end it: the grant is
// the company's or organisation's (the token's sub), as its installation
// is (emulator choice; Pleo documents neither case).
func (s *Server) VerifyAccessToken(ctx context.Context, raw string) (oauth.Principal, error) {
	claims, err := s.verified.lookup(raw, s.clock.Now(), s.keys)
	if err != nil {
		if claims, err = s.parseAccessToken(raw, true); err != nil {
			return oauth.Principal{}, err
		}
		s.verified.add(raw, claims)
	}
	state, err := s.tokenState(ctx, claims.ID)
	if err != nil {
		return oauth.Principal{}, errInvalidToken
	}
	if !state.Token.RevokedAt.IsZero() || !state.Grant.Active() || state.Grant.ClientID != claims.ClientID {
		return oauth.Principal{}, errInvalidToken
	}
	now := s.clock.Now()
	if state.Grant.LastUsedAt.Before(now.Add(-time.Minute)) {
		_ = s.st.TouchGrant(ctx, state.Grant.ID, now)
	}
	return oauth.Principal{
		TokenID: claims.ID, GrantID: state.Grant.ID, ClientID: state.Grant.ClientID, ClientName: state.ClientName,
		Subject: state.Grant.Subject, Scopes: stillAllowed(state.Token.Scopes, state.ClientScopes),
		IssuedAt: claims.IssuedAt.Time, ExpiresAt: claims.ExpiresAt.Time,
	}, nil
}

// stillAllowed is the token's scopes that the client may still request.
func stillAllowed(token, client []string) []string {
	return slices.DeleteFunc(slices.Clone(token), func(sc string) bool { return !slices.Contains(client, sc) })
}

// verifiedTokens remembers access tokens whose signature, type, issuer and
// audience have been checked, keyed by the SHA-256 of the whole token, so
// the API verifies each token's RSA signature once rather than on every
// call. Those checks cannot change for the same token; on every call the
// clock is still compared with exp and iat, the signing key must still be
// in the key set, and revocation is checked.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*AccessClaims
}

// maxVerifiedTokens bounds the cache; when full it starts again empty.
const maxVerifiedTokens = 4096

var errNotCached = errors.New("not cached")

func (v *verifiedTokens) lookup(raw string, now time.Time, keys *KeySet) (*AccessClaims, error) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	claims, ok := v.m[key]
	v.mu.Unlock()
	if !ok {
		return nil, errNotCached
	}
	if _, ok := keys.Public(claims.kid); !ok {
		return nil, errNotCached // the key was removed: the full check will refuse it
	}
	if !now.Before(claims.ExpiresAt.Time) || now.Before(claims.IssuedAt.Time) {
		return nil, errNotCached // the full check decides, against the same clock
	}
	return claims, nil
}

func (v *verifiedTokens) add(raw string, claims *AccessClaims) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerifiedTokens {
		v.m = make(map[[sha256.Size]byte]*AccessClaims)
	}
	v.m[key] = claims
}

// tokenStates caches the database's answer about access tokens (revoked or
// not, their grant) until the next write to the database, so API calls
// with the same token read the database only after something changed.
type tokenStates struct {
	mu sync.Mutex
	m  map[string]cachedState
}

type cachedState struct {
	state      store.AccessTokenState
	generation uint64
}

func (s *Server) tokenState(ctx context.Context, jti string) (store.AccessTokenState, error) {
	gen := s.st.WriteGeneration() // read before the query: a write after it invalidates the answer
	c := &s.states
	c.mu.Lock()
	cached, ok := c.m[jti]
	c.mu.Unlock()
	if ok && cached.generation == gen {
		return cached.state, nil
	}
	state, err := s.st.AccessTokenState(ctx, jti)
	if err != nil {
		return state, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxVerifiedTokens {
		c.m = make(map[string]cachedState)
	}
	c.m[jti] = cachedState{state: state, generation: gen}
	c.mu.Unlock()
	return state, nil
}
