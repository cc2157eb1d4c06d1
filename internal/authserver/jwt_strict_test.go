package authserver_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestVerifierRefusesNonStandardJWTs re-signs a live access token with the
// server's own key, changed in one way each, and checks that the verifier
// refuses it: exp, iat or nbf as a JSON string (RFC 7519 §2 NumericDate is
// a number) and a crit header naming an extension (RFC 7515 §4.1.11).
func TestVerifierRefusesNonStandardJWTs(t *testing.T) {
	s, _, _ := newServer(t)
	ctx := context.Background()
	resp, _ := mint(t, s)
	kid, key, err := s.Keys().Active(ctx)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(resp.AccessToken, claims); err != nil {
		t.Fatal(err)
	}
	resign := func(edit func(h map[string]any, c jwt.MapClaims)) string {
		c := jwt.MapClaims{}
		for k, v := range claims {
			c[k] = v
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["typ"] = "at+jwt"
		tok.Header["kid"] = kid
		edit(tok.Header, c)
		signed, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	if _, err := s.VerifyAccessToken(ctx, resign(func(map[string]any, jwt.MapClaims) {})); err != nil {
		t.Fatalf("the unchanged re-signed token is refused: %v", err)
	}
	for name, edit := range map[string]func(map[string]any, jwt.MapClaims){
		"exp as a string": func(_ map[string]any, c jwt.MapClaims) { c["exp"] = numberText(c["exp"]) },
		"iat as a string": func(_ map[string]any, c jwt.MapClaims) { c["iat"] = numberText(c["iat"]) },
		"nbf as a string": func(_ map[string]any, c jwt.MapClaims) { c["nbf"] = numberText(c["iat"]) },
		"crit with extension": func(h map[string]any, _ jwt.MapClaims) {
			h["crit"] = []string{"urn:example:ext"}
			h["urn:example:ext"] = true
		},
		"crit empty": func(h map[string]any, _ jwt.MapClaims) { h["crit"] = []string{} },
	} {
		if _, err := s.VerifyAccessToken(ctx, resign(edit)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// numberText is a decoded JSON number written as a JSON string's content.
func numberText(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}
