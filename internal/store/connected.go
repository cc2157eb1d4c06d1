package store

import (
	"context"
	"slices"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// This file holds the queries of the connected-apps page: which clients
// have access to the companies and organisations a user administers, and
// disconnecting one.

// InstallationInactive is the status a user's revocation gives an
// installation (one of Pleo's installation statuses).
const InstallationInactive = "INACTIVE"

// ConnectedApp is one client's access to one subject: its installation, if
// any, and its active (unrevoked) grants.
type ConnectedApp struct {
	ClientID   string
	ClientName string
	LogoURL    string
	Subject    oauth.Subject
	Status     string    // installation status; "" when there is no installation
	StatusAt   time.Time // when the installation last changed
	GrantIDs   []string  // active grants, oldest first
	Scopes     []string  // union of the active grants' scopes
	GrantedAt  time.Time // creation of the oldest active grant
	LastUsedAt time.Time // latest API use of any active grant; zero if never used
}

// Connected reports whether the client still has access: an active grant.
func (c ConnectedApp) Connected() bool { return len(c.GrantIDs) > 0 }

// ConnectedApps lists, for subject, every client that has an installation
// or an active grant there, ordered by client name.
func (s *Store) ConnectedApps(ctx context.Context, subject oauth.Subject) ([]ConnectedApp, error) {
	apps, err := queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (ConnectedApp, error) {
		a := ConnectedApp{Subject: subject}
		err := row.Scan(&a.ClientID, &a.ClientName, &a.LogoURL, &a.Status, timeScanner{&a.StatusAt})
		return a, err
	}, `SELECT c.id, c.name, c.logo_url, coalesce(i.status, ''), i.updated_at
		FROM clients c
		LEFT JOIN installations i ON i.client_id = c.id AND i.subject_kind = ?1 AND i.subject_id = ?2
		WHERE i.id IS NOT NULL OR EXISTS (SELECT 1 FROM grants g WHERE g.client_id = c.id
			AND g.subject_kind = ?1 AND g.subject_id = ?2 AND g.revoked_at IS NULL)
		ORDER BY c.name, c.id`, string(subject.Kind), subject.ID)
	if err != nil || len(apps) == 0 {
		return apps, err
	}
	type activeGrant struct {
		id, clientID string
		scopes       []string
		created      time.Time
		lastUsed     time.Time
	}
	grants, err := queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (activeGrant, error) {
		var g activeGrant
		err := row.Scan(&g.id, &g.clientID, scopeScanner{&g.scopes}, timeScanner{&g.created}, timeScanner{&g.lastUsed})
		return g, err
	}, `SELECT id, client_id, scope, created_at, last_used_at FROM grants
		WHERE subject_kind = ? AND subject_id = ? AND revoked_at IS NULL ORDER BY created_at, id`,
		string(subject.Kind), subject.ID)
	if err != nil {
		return nil, err
	}
	for i := range apps {
		a := &apps[i]
		for _, g := range grants {
			if g.clientID != a.ClientID {
				continue
			}
			if len(a.GrantIDs) == 0 {
				a.GrantedAt = g.created
			}
			a.GrantIDs = append(a.GrantIDs, g.id)
			for _, sc := range g.scopes {
				if !slices.Contains(a.Scopes, sc) {
					a.Scopes = append(a.Scopes, sc)
				}
			}
			if g.lastUsed.After(a.LastUsedAt) {
				a.LastUsedAt = g.lastUsed
			}
		}
	}
	return apps, nil
}

// DeactivateInstallation sets the installation of clientID for subject to
// INACTIVE. It does nothing when there is no installation.
func (t *Tx) DeactivateInstallation(ctx context.Context, clientID string, subject oauth.Subject, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE installations SET status = ?, error_code = NULL, updated_at = ?
		WHERE client_id = ? AND subject_kind = ? AND subject_id = ?`,
		InstallationInactive, formatTime(now), clientID, string(subject.Kind), subject.ID)
	return err
}
