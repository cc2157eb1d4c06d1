package emulatortest_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// strictRFC9068 validates an access token the way a strict resource server
// does (RFC 9068 §4): typ at+jwt, RS256, a key from the JWKS the metadata
// names, iss equal to the metadata's issuer (RFC 8414 §2) and aud
// containing the resource's identifier.
func strictRFC9068(t *testing.T, emu *emulatortest.Emulator, raw, resource string) error {
	t.Helper()
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, emu, emu.URL+"/.well-known/oauth-authorization-server", &meta)
	var jwks struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	getJSON(t, emu, meta.JWKSURI, &jwks)
	_, err := jwt.Parse(raw, func(tok *jwt.Token) (any, error) {
		if tok.Header["typ"] != "at+jwt" {
			return nil, errors.New("typ is not at+jwt")
		}
		for _, k := range jwks.Keys {
			if k.Kid == tok.Header["kid"] {
				n, _ := base64.RawURLEncoding.DecodeString(k.N)
				e, _ := base64.RawURLEncoding.DecodeString(k.E)
				return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
			}
		}
		return nil, errors.New("kid not in the JWKS")
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(meta.Issuer), jwt.WithAudience(resource),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	return err
}

func getJSON(t *testing.T, emu *emulatortest.Emulator, u string, out any) {
	t.Helper()
	resp, err := emu.HTTPClient().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// apiStatus calls GET /v1/introspect on the mock API with tok.
func apiStatus(t *testing.T, emu *emulatortest.Emulator, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, emu.APIBaseURL()+"/v1/introspect", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := emu.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestDefaultTokenClaimsPassStrictValidation(t *testing.T) {
	emu := emulatortest.New(t)
	tok := emu.AuthorizeAndExchange(t, context.Background(), emu.OAuth2Config("users:read"))
	if emu.TokenIssuer() != emu.URL || emu.TokenAudience() != emu.APIBaseURL() {
		t.Fatalf("default claims iss %q aud %q, want %q and %q", emu.TokenIssuer(), emu.TokenAudience(), emu.URL, emu.APIBaseURL())
	}
	if err := strictRFC9068(t, emu, tok.AccessToken, emu.APIBaseURL()); err != nil {
		t.Fatalf("a strict RFC 9068 validator refuses the default token: %v", err)
	}
	if in := introspect(t, emu, tok.AccessToken); in.Iss != emu.URL || in.Aud != emu.APIBaseURL() {
		t.Fatalf("introspection: %v", in)
	}
}

func TestPleoTokenClaimsAreWrittenAndAccepted(t *testing.T) {
	emu := emulatortest.New(t, emulatortest.WithPleoTokenClaims())
	tok := emu.AuthorizeAndExchange(t, context.Background(), emu.OAuth2Config("users:read"))
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok.AccessToken, claims); err != nil {
		t.Fatal(err)
	}
	aud, _ := claims.GetAudience()
	if claims["iss"] != "pleo.production" || len(aud) != 1 || aud[0] != "https://external.pleo.io" {
		t.Fatalf("claims iss %v aud %v, want the preset's", claims["iss"], aud)
	}
	if emu.TokenIssuer() != "pleo.production" || emu.TokenAudience() != "https://external.pleo.io" {
		t.Fatalf("TokenIssuer %q, TokenAudience %q", emu.TokenIssuer(), emu.TokenAudience())
	}
	if s := apiStatus(t, emu, tok.AccessToken); s != http.StatusOK {
		t.Fatalf("the API answers %d to a preset token", s)
	}
	if in := introspect(t, emu, tok.AccessToken); !in.Active || in.Iss != "pleo.production" || in.Aud != "https://external.pleo.io" {
		t.Fatalf("introspection: %v", in)
	}
	// The metadata's issuer stays the URL (RFC 8414 §3.3), so a strict
	// RFC 9068 validator refuses the token: the README says so.
	if err := strictRFC9068(t, emu, tok.AccessToken, "https://external.pleo.io"); !errors.Is(err, jwt.ErrTokenInvalidIssuer) {
		t.Fatalf("strict validation: %v, want an invalid issuer", err)
	}
	// A refreshed token keeps the preset, and a token for other claims is refused.
	fresh, err := refresh(t, emu.OAuth2Config("users:read"), tok)
	if err != nil || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %v", err)
	}
	if s := apiStatus(t, emu, fresh.AccessToken); s != http.StatusOK {
		t.Fatalf("the API answers %d to a refreshed preset token", s)
	}
	other := emulatortest.New(t)
	if s := apiStatus(t, other, fresh.AccessToken); s != http.StatusUnauthorized {
		t.Fatalf("an emulator with default claims answers %d to a preset token, want 401", s)
	}
}

func TestTokenIssuerAndAudienceOptions(t *testing.T) {
	emu := emulatortest.New(t, emulatortest.WithTokenIssuer("pleo.staging"), emulatortest.WithTokenAudience("https://api.test"))
	tok := emu.Token(t, "users:read")
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok.AccessToken, claims); err != nil {
		t.Fatal(err)
	}
	aud, _ := claims.GetAudience()
	if claims["iss"] != "pleo.staging" || len(aud) != 1 || aud[0] != "https://api.test" || emu.TokenIssuer() != "pleo.staging" {
		t.Fatalf("iss %v aud %v", claims["iss"], aud)
	}
	if s := apiStatus(t, emu, tok.AccessToken); s != http.StatusOK {
		t.Fatalf("the API answers %d", s)
	}
}
