package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// FuzzParseScope proves that ParseScope never panics and returns distinct,
// non-empty tokens without spaces that JoinScope turns back into the same
// list, and that UnknownScopes names exactly the tokens the catalogue lacks.
func FuzzParseScope(f *testing.F) {
	for _, s := range []string{
		"users:read", "users:read export-jobs:read export-jobs:write", "  users:read   users:read ",
		"users:read\texport-jobs:read", "admin:all users:read", "", " ", "users:read\u00a0vendors:read", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		scopes := oauth.ParseScope(s)
		for i, sc := range scopes {
			if sc == "" || strings.Contains(sc, " ") {
				t.Fatalf("ParseScope(%q) token %d is %q", s, i, sc)
			}
			if slices.Index(scopes, sc) != i {
				t.Fatalf("ParseScope(%q) repeats %q", s, sc)
			}
		}
		if again := oauth.ParseScope(oauth.JoinScope(scopes)); !slices.Equal(again, scopes) {
			t.Fatalf("ParseScope(%q) = %q, but parsing it joined gives %q", s, scopes, again)
		}
		unknown := oauth.UnknownScopes(scopes)
		for _, sc := range scopes {
			_, known := oauth.LookupScope(sc)
			if known == slices.Contains(unknown, sc) {
				t.Fatalf("scope %q: known %v, but UnknownScopes says %q", sc, known, unknown)
			}
		}
		if !oauth.Subset(scopes, scopes) {
			t.Fatalf("%q is not a subset of itself", scopes)
		}
	})
}

// FuzzParseSubject proves that ParseSubject never panics and accepts only
// a company or organisation URN ending in a UUID (or, with a default kind, a
// bare UUID), returning a subject whose URN parses back to itself.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{
		"urn:pleo:company:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2", "urn:pleo:organization:3FD941D3-18D5-552C-8CD2-A3DD0E02C987",
		"92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2", "urn:pleo:team:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2", "urn:pleo:company:",
		"urn:pleo:company:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2:extra", "urn:pleo:company:92f464a4+4e7d-5f5b-bb8f-9a2dfa429ce2",
		"URN:PLEO:COMPANY:92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2", "urn:pleo:", "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, withDefault bool) {
		var kind oauth.SubjectKind
		if withDefault {
			kind = oauth.SubjectCompany
		}
		sub, err := oauth.ParseSubject(s, kind)
		if err != nil {
			return
		}
		if sub.Kind != oauth.SubjectCompany && sub.Kind != oauth.SubjectOrganization {
			t.Fatalf("ParseSubject(%q) kind %q", s, sub.Kind)
		}
		if !oauth.IsUUID(sub.ID) || sub.ID != strings.ToLower(sub.ID) {
			t.Fatalf("ParseSubject(%q) id %q is not a lower-case UUID", s, sub.ID)
		}
		if strings.ToLower(s) != sub.URN() && strings.ToLower(s) != sub.ID {
			t.Fatalf("ParseSubject(%q) = %q, which is neither the URN nor the UUID given", s, sub.URN())
		}
		again, err := oauth.ParseSubject(sub.URN(), "")
		if err != nil || again != sub {
			t.Fatalf("URN %q of ParseSubject(%q) parses to %v, %v", sub.URN(), s, again, err)
		}
	})
}

// FuzzPKCE proves that the PKCE checks never panic, that every S256 output
// is a valid challenge that its verifier passes exactly when the verifier
// is well formed, that a challenge passes only with the verifier hashing to
// it, and that ValidChallenge accepts only 43 base64url characters of 32
// bytes.
func FuzzPKCE(f *testing.F) {
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	f.Add("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
	f.Add(strings.Repeat("~", 128), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=")
	f.Add(strings.Repeat("a", 42), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM")
	f.Add(strings.Repeat("a", 129), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw\ncM")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, verifier, challenge string) {
		own := oauth.S256Challenge(verifier)
		if !oauth.ValidChallenge(own) {
			t.Fatalf("S256Challenge(%q) = %q is not a valid challenge", verifier, own)
		}
		if got, want := oauth.VerifyPKCE(own, verifier), oauth.ValidVerifier(verifier); got != want {
			t.Fatalf("VerifyPKCE(S256(%q)) = %v, ValidVerifier = %v", verifier, got, want)
		}
		if oauth.VerifyPKCE(challenge, verifier) && challenge != own {
			t.Fatalf("VerifyPKCE(%q, %q) passes, but S256 of the verifier is %q", challenge, verifier, own)
		}
		if oauth.ValidChallenge(challenge) {
			b, err := base64.RawURLEncoding.DecodeString(challenge)
			if err != nil || len(b) != sha256.Size || base64.RawURLEncoding.EncodeToString(b) != challenge {
				t.Fatalf("ValidChallenge(%q) accepts a string that is not the base64url encoding of 32 bytes", challenge)
			}
		}
	})
}
