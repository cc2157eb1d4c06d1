package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// MethodS256 is the only PKCE method the emulator accepts, as Pleo documents
// (RFC 7636 §4.2; "plain" is refused).
const MethodS256 = "S256"

// ValidVerifier reports whether v is an RFC 7636 §4.1 code verifier:
// 43 to 128 characters from the unreserved set [A-Za-z0-9-._~].
func ValidVerifier(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && unreservedOnly(v)
}

// ValidChallenge reports whether c can be an S256 code challenge: the
// unpadded base64url encoding of a SHA-256 digest, 43 characters. Decoding is
// strict: a last character with unused bits set is no digest's encoding, and
// accepting it would only defer the failure to the token endpoint.
func ValidChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

// S256Challenge returns BASE64URL(SHA256(verifier)) (RFC 7636 §4.2).
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// VerifyPKCE reports whether verifier is well formed and hashes to challenge,
// comparing in constant time (RFC 7636 §4.6).
func VerifyPKCE(challenge, verifier string) bool {
	if !ValidVerifier(verifier) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(S256Challenge(verifier)), []byte(challenge)) == 1
}

func unreservedOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}
