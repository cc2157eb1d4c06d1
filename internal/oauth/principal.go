package oauth

import (
	"slices"
	"time"
)

// Principal is what a verified access token says: which client, on whose
// behalf (the subject), with which scopes. The mock API authorises with it.
type Principal struct {
	TokenID    string // the JWT's jti
	GrantID    string // the grant the token descends from
	ClientID   string
	ClientName string
	Subject    Subject
	Scopes     []string
	IssuedAt   time.Time
	ExpiresAt  time.Time
}

// HasScope reports whether the token carries scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }
