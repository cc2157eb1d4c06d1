package oauth

import "time"

// Grant is one approval of a client by a user for a subject (or one token
// pair minted by the control API): the family of every code, refresh token
// and access token descending from it. Revoking a grant revokes them all.
type Grant struct {
	ID            string
	ClientID      string
	UserID        string // empty for grants minted without a user
	Subject       Subject
	Scopes        []string
	CreatedAt     time.Time
	LastUsedAt    time.Time // zero until an access token is used on the API
	RevokedAt     time.Time // zero while active
	RevokedReason string
}

// Active reports whether the grant has not been revoked.
func (g Grant) Active() bool { return g.RevokedAt.IsZero() }

// Reasons a grant is revoked, recorded for the connected-apps page and logs.
const (
	RevokedCodeReuse        = "authorization code reused"
	RevokedRefreshReuse     = "refresh token reused"
	RevokedExpiredRefresh   = "expired refresh token used"
	RevokedByClient         = "revoked by client"
	RevokedByUser           = "revoked by user"
	RevokedInstallationGone = "installation deleted"
	RevokedSubjectDeleted   = "company or organisation deleted"
)
