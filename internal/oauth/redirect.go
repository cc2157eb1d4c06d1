package oauth

import (
	"fmt"
	"net/url"
	"slices"
)

// ValidateRedirectURI checks a redirect URI at registration time: it must be
// absolute, http or https, carry a host and no fragment (RFC 6749 §3.1.2).
func ValidateRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("redirect URI %q is not a valid URL", raw)
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("redirect URI %q is not absolute", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("redirect URI %q must use http or https", raw)
	}
	if u.Fragment != "" || u.RawFragment != "" || containsHash(raw) {
		return fmt.Errorf("redirect URI %q must not contain a fragment", raw)
	}
	return nil
}

func containsHash(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' {
			return true
		}
	}
	return false
}

// MatchRedirectURI picks the redirect URI for an authorisation request.
// requested must equal one of registered byte for byte (no prefix, suffix,
// case or port leniency, as Pleo documents); when requested is empty and the
// client registered exactly one URI, that one is used (RFC 6749 §3.1.2.3).
func MatchRedirectURI(registered []string, requested string) (string, bool) {
	if requested == "" {
		if len(registered) == 1 {
			return registered[0], true
		}
		return "", false
	}
	if slices.Contains(registered, requested) {
		return requested, true
	}
	return "", false
}
