package oauth_test

import (
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestS256ChallengeRFC7636AppendixB(t *testing.T) {
	if got := oauth.S256Challenge(rfcVerifier); got != rfcChallenge {
		t.Fatalf("S256Challenge = %q, want %q", got, rfcChallenge)
	}
	if !oauth.VerifyPKCE(rfcChallenge, rfcVerifier) {
		t.Fatal("VerifyPKCE rejects the RFC 7636 test vector")
	}
	if !oauth.ValidChallenge(rfcChallenge) {
		t.Fatal("ValidChallenge rejects the RFC 7636 challenge")
	}
}

func TestVerifyPKCE(t *testing.T) {
	other := strings.Repeat("a", 43)
	for _, tc := range []struct {
		name                string
		challenge, verifier string
		want                bool
	}{
		{"rfc vector", rfcChallenge, rfcVerifier, true},
		{"wrong verifier", rfcChallenge, other, false},
		{"plain: verifier equals challenge", rfcChallenge, rfcChallenge, false},
		{"empty verifier", rfcChallenge, "", false},
		{"empty challenge", "", rfcVerifier, false},
		{"challenge padded", rfcChallenge + "=", rfcVerifier, false},
		{"verifier too short though hash matches", oauth.S256Challenge(strings.Repeat("a", 42)), strings.Repeat("a", 42), false},
		{"verifier too long though hash matches", oauth.S256Challenge(strings.Repeat("a", 129)), strings.Repeat("a", 129), false},
		{"verifier with bad char though hash matches", oauth.S256Challenge(strings.Repeat("a", 42) + "+"), strings.Repeat("a", 42) + "+", false},
		{"128 chars", oauth.S256Challenge(strings.Repeat("~", 128)), strings.Repeat("~", 128), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oauth.VerifyPKCE(tc.challenge, tc.verifier); got != tc.want {
				t.Fatalf("VerifyPKCE(%q, %q) = %v, want %v", tc.challenge, tc.verifier, got, tc.want)
			}
		})
	}
}

func TestValidVerifier(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    string
		want bool
	}{
		{"empty", "", false},
		{"42 chars", strings.Repeat("a", 42), false},
		{"43 chars", strings.Repeat("a", 43), true},
		{"128 chars", strings.Repeat("Z", 128), true},
		{"129 chars", strings.Repeat("Z", 129), false},
		{"every unreserved character", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", true},
		{"rfc vector", rfcVerifier, true},
		{"plus", strings.Repeat("a", 42) + "+", false},
		{"slash", strings.Repeat("a", 42) + "/", false},
		{"equals", strings.Repeat("a", 42) + "=", false},
		{"space", strings.Repeat("a", 42) + " ", false},
		{"percent", strings.Repeat("a", 42) + "%", false},
		{"non-ASCII letter", strings.Repeat("a", 42) + "é", false},
		{"NUL", strings.Repeat("a", 42) + "\x00", false},
		{"newline", strings.Repeat("a", 43) + "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oauth.ValidVerifier(tc.v); got != tc.want {
				t.Fatalf("ValidVerifier(%q) = %v, want %v", tc.v, got, tc.want)
			}
		})
	}
}

func TestValidChallenge(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    string
		want bool
	}{
		{"rfc challenge", rfcChallenge, true},
		{"empty", "", false},
		{"42 chars", rfcChallenge[:42], false},
		{"44 chars", rfcChallenge + "A", false},
		{"padded", rfcChallenge + "=", false},
		{"plus instead of dash", strings.Repeat("+", 43), false},
		{"slash", strings.Repeat("/", 43), false},
		{"space", strings.Repeat("a", 42) + " ", false},
		{"43 base64url characters that are no digest's encoding", strings.Repeat("a", 43), false},
		{"43 base64url characters that encode 32 bytes", strings.Repeat("a", 42) + "A", true},
		{"128-char plain verifier", strings.Repeat("a", 128), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oauth.ValidChallenge(tc.c); got != tc.want {
				t.Fatalf("ValidChallenge(%q) = %v, want %v", tc.c, got, tc.want)
			}
		})
	}
}
