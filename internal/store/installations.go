package store

import (
	"context"
	"crypto/rand"
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
