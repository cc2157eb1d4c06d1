package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// TestDeleteInstallationRevokesOnlyThatClientAndSubject checks that deleting
// an installation revokes exactly the active grants of its client for its
// subject, keeps earlier revocations as they were, and that a missing
// installation changes nothing.
func TestDeleteInstallationRevokesOnlyThatClientAndSubject(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dk := oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}
	se := oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.SwedenID}
	grant := func(client string, subject oauth.Subject) oauth.Grant {
		return oauth.Grant{ID: store.NewUUID(), ClientID: client, Subject: subject, Scopes: []string{"users:read"}, CreatedAt: now}
	}
	target, targetToo := grant(seed.DemoClientID, dk), grant(seed.DemoClientID, dk)
	earlier := grant(seed.DemoClientID, dk)
	otherClient, otherSubject := grant(seed.PublicClientID, dk), grant(seed.DemoClientID, se)
	err = st.Write(ctx, func(tx *store.Tx) error {
		if err := seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: now}); err != nil {
			return err
		}
		for _, g := range []oauth.Grant{target, targetToo, earlier, otherClient, otherSubject} {
			if err := tx.InsertGrant(ctx, g); err != nil {
				return err
			}
		}
		if err := tx.RevokeGrant(ctx, earlier.ID, oauth.RevokedByUser, now.Add(-time.Hour)); err != nil {
			return err
		}
		return tx.AuthorizeInstallation(ctx, seed.DemoClientID, dk, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Minute)
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteInstallation(ctx, seed.DemoClientID, dk, later) }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		g      oauth.Grant
		at     time.Time
		reason string
	}{
		{target, later, oauth.RevokedInstallationGone},
		{targetToo, later, oauth.RevokedInstallationGone},
		{earlier, now.Add(-time.Hour), oauth.RevokedByUser},
		{otherClient, time.Time{}, ""},
		{otherSubject, time.Time{}, ""},
	} {
		g, err := st.Grant(ctx, c.g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !g.RevokedAt.Equal(c.at) || g.RevokedReason != c.reason {
			t.Errorf("grant of %s for %s: revoked %v %q, want %v %q", c.g.ClientID, c.g.Subject.ID, g.RevokedAt, g.RevokedReason, c.at, c.reason)
		}
	}
	if n, err := st.ActiveGrantCount(ctx, seed.DemoClientID, dk); err != nil || n != 0 {
		t.Errorf("active grants after delete: %d, %v", n, err)
	}
	if _, err := st.Installation(ctx, seed.DemoClientID, dk); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("installation after delete: %v", err)
	}
	err = st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteInstallation(ctx, seed.DemoClientID, se, later) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing installation: %v, want ErrNotFound", err)
	}
	if n, _ := st.ActiveGrantCount(ctx, seed.DemoClientID, se); n != 1 {
		t.Errorf("a missing installation's delete revoked grants: %d active, want 1", n)
	}
}
