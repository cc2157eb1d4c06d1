package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// InstallationAuthorized is the status an approval gives an installation, as Pleo does.
const InstallationAuthorized = "AUTHORIZED"

// AuthorizeInstallation creates the installation of clientID for subject
// with status AUTHORIZED, or sets an existing one back to AUTHORIZED.
func (t *Tx) AuthorizeInstallation(ctx context.Context, clientID string, subject oauth.Subject, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO installations (id, client_id, subject_kind, subject_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (client_id, subject_kind, subject_id) DO UPDATE SET status = excluded.status, error_code = NULL, updated_at = excluded.updated_at`,
		NewUUID(), clientID, string(subject.Kind), subject.ID, InstallationAuthorized, formatTime(now), formatTime(now))
	return err
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Installation is Pleo's App Marketplace installation of a client for a
// subject (a company or an organisation).
type Installation struct {
	ID        string
	ClientID  string
	Subject   oauth.Subject
	Status    string
	ErrorCode string         // "" when none
	Metadata  map[string]any // never nil once read
	CreatedAt time.Time
	UpdatedAt time.Time
}

const installationColumns = `id, client_id, subject_kind, subject_id, status, coalesce(error_code, ''), metadata, created_at, updated_at`

func scanInstallation(row interface{ Scan(...any) error }) (Installation, error) {
	var in Installation
	var kind, meta, created, updated string
	err := row.Scan(&in.ID, &in.ClientID, &kind, &in.Subject.ID, &in.Status, &in.ErrorCode, &meta, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	if err != nil {
		return in, err
	}
	in.Subject.Kind = oauth.SubjectKind(kind)
	in.CreatedAt, in.UpdatedAt = parseTime(created), parseTime(updated)
	in.Metadata = map[string]any{}
	return in, json.Unmarshal([]byte(meta), &in.Metadata)
}

// Installation returns the installation of clientID for subject; ErrNotFound if there is none.
func (s *Store) Installation(ctx context.Context, clientID string, subject oauth.Subject) (Installation, error) {
	return scanInstallation(s.r.QueryRowContext(ctx, `SELECT `+installationColumns+` FROM installations
		WHERE client_id = ? AND subject_kind = ? AND subject_id = ?`, clientID, string(subject.Kind), subject.ID))
}

// Installation returns the installation of clientID for subject inside the transaction.
func (t *Tx) Installation(ctx context.Context, clientID string, subject oauth.Subject) (Installation, error) {
	return scanInstallation(t.tx.QueryRowContext(ctx, `SELECT `+installationColumns+` FROM installations
		WHERE client_id = ? AND subject_kind = ? AND subject_id = ?`, clientID, string(subject.Kind), subject.ID))
}

// InsertInstallation records a new installation; ErrConflict if the client
// already has one for the subject. A nil Metadata is stored as {}.
func (t *Tx) InsertInstallation(ctx context.Context, in Installation) error {
	meta, err := jsonText(in.Metadata, "{}")
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO installations (id, client_id, subject_kind, subject_id, status,
		error_code, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.ID, in.ClientID, string(in.Subject.Kind), in.Subject.ID, in.Status, nullString(in.ErrorCode), meta,
		formatTime(in.CreatedAt), formatTime(in.UpdatedAt))
	return conflict(err)
}

// UpdateInstallation stores in's status, error code, metadata and
// UpdatedAt, found by client and subject; ErrNotFound if there is none.
func (t *Tx) UpdateInstallation(ctx context.Context, in Installation) error {
	meta, err := jsonText(in.Metadata, "{}")
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE installations SET status = ?, error_code = ?, metadata = ?, updated_at = ?
		WHERE client_id = ? AND subject_kind = ? AND subject_id = ?`,
		in.Status, nullString(in.ErrorCode), meta, formatTime(in.UpdatedAt), in.ClientID, string(in.Subject.Kind), in.Subject.ID)
	return mustAffect(res, err)
}

// DeleteInstallation removes the installation of clientID for subject and
// revokes every active grant of that client for that subject (and so every
// token descending from them), in the same transaction, which is how Pleo
// documents disconnecting an app. ErrNotFound if there is no installation.
func (t *Tx) DeleteInstallation(ctx context.Context, clientID string, subject oauth.Subject, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM installations WHERE client_id = ? AND subject_kind = ? AND subject_id = ?`,
		clientID, string(subject.Kind), subject.ID)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return t.RevokeClientGrants(ctx, clientID, subject, oauth.RevokedInstallationGone, now)
}

// RevokeClientGrants revokes every active grant of clientID for subject,
// and so every token of that client for that company or organisation.
func (t *Tx) RevokeClientGrants(ctx context.Context, clientID string, subject oauth.Subject, reason string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ?, revoked_reason = ?
		WHERE client_id = ? AND subject_kind = ? AND subject_id = ? AND revoked_at IS NULL`,
		formatTime(now), reason, clientID, string(subject.Kind), subject.ID)
	return err
}

// ActiveGrantCount counts the grants of clientID for subject that are not revoked.
func (s *Store) ActiveGrantCount(ctx context.Context, clientID string, subject oauth.Subject) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM grants WHERE client_id = ? AND subject_kind = ? AND subject_id = ?
		AND revoked_at IS NULL`, clientID, string(subject.Kind), subject.ID).Scan(&n)
	return n, err
}
