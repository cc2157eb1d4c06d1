package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// outboxStore opens a seeded store with one Denmark subscription of the
// demo client (whose grant carries every scope).
func outboxStore(t testing.TB) (*store.Store, store.Subscription, time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	denmark := oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}
	if err := st.Write(ctx, func(tx *store.Tx) error {
		if err := seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: now.Truncate(24 * time.Hour)}); err != nil {
			return err
		}
		return tx.InsertGrant(ctx, oauth.Grant{ID: store.NewUUID(), ClientID: seed.DemoClientID, Subject: denmark,
			Scopes: oauth.ScopeNames(), CreatedAt: now})
	}); err != nil {
		t.Fatal(err)
	}
	sub, err := st.CreateSubscription(ctx, store.Subscription{ClientID: seed.DemoClientID, Subject: denmark,
		EndpointURL: "http://127.0.0.1:1/hooks", EventTypes: []string{"v1.vendor.created", "v1.export.job-created"},
		AuthType: "NONE", Status: "ACTIVE"}, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", denmark.URN(), now)
	if err != nil {
		t.Fatal(err)
	}
	return st, sub, now
}

// TestOutboxSharesTheTransaction: a change that rolls back leaves no event
// and no delivery; one that commits leaves exactly one delivery, under the
// name the subscription used.
func TestOutboxSharesTheTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sub, now := outboxStore(t)

	v := pleo.Vendor{CompanyID: seed.DenmarkID, Name: "Kaffe ApS", DefaultCurrency: "DKK"}
	if _, _, err := st.CreateVendorByCustomer(ctx, v, now); err != nil {
		t.Fatal(err)
	}
	// The same name again is a conflict: the transaction rolls back.
	if _, _, err := st.CreateVendorByCustomer(ctx, v, now); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate vendor: %v", err)
	}
	ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{SubscriptionID: sub.ID})
	if err != nil || len(ds) != 1 || ds[0].EventType != "v1.vendor.created" {
		t.Fatalf("after a commit and a rollback: %+v, %v", ds, err)
	}

	// Exports: the deprecated name the subscription used is kept.
	if _, _, err := st.CreateExportJobByCustomer(ctx, pleo.CreateExportJob{CompanyID: seed.DenmarkID}, now); err != nil {
		t.Fatal(err)
	}
	ds, _ = st.ListDeliveries(ctx, store.DeliveryFilter{SubscriptionID: sub.ID, EventType: "v1.export.job-created"})
	if len(ds) != 1 {
		t.Fatalf("export deliveries %+v", ds)
	}
	// Nothing left to export: refused, and no event.
	if _, _, err := st.CreateExportJobByCustomer(ctx, pleo.CreateExportJob{CompanyID: seed.DenmarkID}, now); err == nil {
		t.Fatal("a second export of the same entries succeeded")
	}
	if ds, _ := st.ListDeliveries(ctx, store.DeliveryFilter{SubscriptionID: sub.ID}); len(ds) != 2 {
		t.Errorf("%d deliveries, want 2", len(ds))
	}
}

// TestAPIExportJobsEmitOnlyWhenSet: an export job the integration creates
// through the API emits the event only with the setting on.
func TestAPIExportJobsEmitOnlyWhenSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, sub, now := outboxStore(t)
	count := func() int {
		ds, err := st.ListDeliveries(ctx, store.DeliveryFilter{SubscriptionID: sub.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	entries := func(i int) []string { return []string{seed.ID("acme-denmark/entry/" + string(rune('0'+i)))} }
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: seed.DenmarkID, AccountingEntryIDs: entries(0)}, now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("setting off: %d deliveries", n)
	}
	if err := st.SetAPIExportJobsEmit(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateExportJob(ctx, pleo.CreateExportJob{CompanyID: seed.DenmarkID, AccountingEntryIDs: entries(1)}, now); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("setting on: %d deliveries", n)
	}
}

// TestClaimAndRelease: a claimed delivery is not claimed again until a
// restart releases it, and then it is the same attempt.
func TestClaimAndRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _, now := outboxStore(t)
	if _, _, err := st.CreateVendorByCustomer(ctx, pleo.Vendor{CompanyID: seed.DenmarkID, Name: "A", DefaultCurrency: "DKK"}, now); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimDeliveries(ctx, now, 10)
	if err != nil || len(got) != 1 || got[0].Attempt != 1 || got[0].Sub.Secret == "" {
		t.Fatalf("claim: %+v, %v", got, err)
	}
	if again, _ := st.ClaimDeliveries(ctx, now, 10); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	if n, err := st.ReleaseInFlight(ctx); err != nil || n != 1 {
		t.Fatalf("release: %d, %v", n, err)
	}
	if again, _ := st.ClaimDeliveries(ctx, now, 10); len(again) != 1 || again[0].Attempt != 1 {
		t.Fatalf("after release: %+v", again)
	}
}
