package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestVendorsCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()

	draft, err := st.CreateVendor(ctx, pleo.Vendor{CompanyID: dk[0], Name: "Kontorland", DefaultCurrency: "DKK",
		Country: "DK", State: "ARCHIVED"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if draft.State != "DRAFT" {
		t.Errorf("a vendor without externalId starts %s, want DRAFT", draft.State)
	}
	synced, err := st.CreateVendor(ctx, pleo.Vendor{CompanyID: dk[0], Name: "Papirhuset", DefaultCurrency: "DKK",
		ExternalID: "erp-77", Code: "V77"}, resNow)
	if err != nil || synced.State != "ACTIVE" {
		t.Fatalf("vendor with externalId: %+v, %v", synced, err)
	}
	got, err := st.Vendor(ctx, dk, synced.ID)
	if err != nil || got.Name != "Papirhuset" || got.ExternalID != "erp-77" || got.Code != "V77" || !got.CreatedAt.Equal(resNow) {
		t.Fatalf("Vendor = %+v, %v", got, err)
	}

	conflicts := []pleo.Vendor{
		{CompanyID: dk[0], Name: "KONTORLAND", DefaultCurrency: "DKK"},                         // same name, no externalId
		{CompanyID: dk[0], Name: "Another name", DefaultCurrency: "DKK", ExternalID: "erp-77"}, // same externalId
		{CompanyID: dk[0], Name: "DSB", DefaultCurrency: "DKK"},                                // a seeded vendor
	}
	for _, v := range conflicts {
		if _, err := st.CreateVendor(ctx, v, resNow); !errors.Is(err, store.ErrConflict) {
			t.Errorf("create %+v: %v, want ErrConflict", v, err)
		}
	}
	if _, err := st.CreateVendor(ctx, pleo.Vendor{CompanyID: se[0], Name: "Kontorland", DefaultCurrency: "SEK"}, resNow); err != nil {
		t.Errorf("same name in another company: %v", err)
	}
	if _, err := st.CreateVendor(ctx, pleo.Vendor{CompanyID: dk[0], Name: "Newco", DefaultCurrency: "DKK", ExternalID: "erp-new"}, resNow); err != nil {
		t.Errorf("new externalId: %v", err)
	}
	for _, v := range []pleo.Vendor{
		{CompanyID: dk[0], Name: "x", DefaultCurrency: "dkk"},
		{CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", Country: "XX"},
		{CompanyID: dk[0], Name: " ", DefaultCurrency: "DKK"},
	} {
		if _, err := st.CreateVendor(ctx, v, resNow); !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("create %+v: %v, want ErrInvalid", v, err)
		}
	}

	// Update replaces the fields; accountingSystem is kept.
	later := resNow.Add(time.Hour)
	up, err := st.UpdateVendor(ctx, dk, pleo.Vendor{ID: draft.ID, CompanyID: dk[0], Name: "Kontorland ApS", DefaultCurrency: "EUR",
		ExternalID: "erp-78", State: "ACTIVE", Country: "DE", TaxRegistrationNumber: "DE123"}, later)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Kontorland ApS" || up.DefaultCurrency != "EUR" || up.ExternalID != "erp-78" || up.State != "ACTIVE" ||
		up.Country != "DE" || up.TaxRegistrationNumber != "DE123" || !up.UpdatedAt.Equal(later) || !up.CreatedAt.Equal(resNow) {
		t.Errorf("updated %+v", up)
	}
	bad := []pleo.Vendor{
		{ID: draft.ID, CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", ExternalID: "erp-77", State: "ACTIVE"}, // taken
	}
	for _, v := range bad {
		if _, err := st.UpdateVendor(ctx, dk, v, later); !errors.Is(err, store.ErrConflict) {
			t.Errorf("update to a taken externalId: %v", err)
		}
	}
	for _, v := range []pleo.Vendor{
		{ID: draft.ID, CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", State: "ACTIVE"},                  // no externalId
		{ID: draft.ID, CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", ExternalID: " ", State: "ACTIVE"}, // blank externalId
		{ID: draft.ID, CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", ExternalID: "e"},                  // no state
		{ID: draft.ID, CompanyID: dk[0], Name: "x", DefaultCurrency: "DKK", ExternalID: "e", State: "GONE"},   // bad state
		{ID: draft.ID, CompanyID: se[0], Name: "x", DefaultCurrency: "DKK", ExternalID: "e", State: "ACTIVE"}, // other company
	} {
		if _, err := st.UpdateVendor(ctx, dkse, v, later); !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("update %+v: %v, want ErrInvalid", v, err)
		}
	}

	arch, err := st.ArchiveVendor(ctx, dk, draft.ID, later)
	if err != nil || arch.State != "ARCHIVED" {
		t.Fatalf("archive: %+v, %v", arch, err)
	}
	act, err := st.ActivateVendor(ctx, dk, draft.ID, "erp-99", "K99", later.Add(time.Minute))
	if err != nil || act.State != "ACTIVE" || act.ExternalID != "erp-99" || act.Code != "K99" || !act.UpdatedAt.Equal(later.Add(time.Minute)) {
		t.Fatalf("activate: %+v, %v", act, err)
	}
	if _, err := st.ActivateVendor(ctx, dk, draft.ID, "erp-77", "", later); !errors.Is(err, store.ErrConflict) {
		t.Errorf("activate with a taken externalId: %v", err)
	}
	for _, ext := range []string{"", "  "} {
		if _, err := st.ActivateVendor(ctx, dk, draft.ID, ext, "", later); !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("activate with externalId %q: %v", ext, err)
		}
	}

	// Isolation.
	if _, err := st.Vendor(ctx, se, draft.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Vendor(se) = %v", err)
	}
	if _, err := st.ArchiveVendor(ctx, se, draft.ID, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ArchiveVendor(se) = %v", err)
	}
	if _, err := st.ActivateVendor(ctx, se, draft.ID, "x", "", later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ActivateVendor(se) = %v", err)
	}
	if _, err := st.UpdateVendor(ctx, se, pleo.Vendor{ID: draft.ID, CompanyID: se[0], Name: "x", DefaultCurrency: "SEK",
		ExternalID: "e", State: "ACTIVE"}, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateVendor(se) = %v", err)
	}
}

func TestSearchVendors(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	search := firstPageOf(t, st.SearchVendors)
	all := search(dk, store.VendorFilter{})
	if len(all) != 14 { // twelve merchants and two from the seeded CSV import
		t.Fatalf("Denmark has %d vendors, want 14", len(all))
	}
	if n := len(search(dk, store.VendorFilter{States: []string{"ARCHIVED"}})); n != 1 {
		t.Errorf("archived: %d", n)
	}
	if r := search(dk, store.VendorFilter{Name: "joe &"}); len(r) != 1 || r[0].Name != "Joe & The Juice" {
		t.Errorf("name search: %+v", r)
	}
	if r := search(dk, store.VendorFilter{ExternalIDs: []string{all[0].ExternalID}, Codes: []string{all[0].Code}}); len(r) != 1 {
		t.Errorf("by externalId and code: %d", len(r))
	}
	if r := search(dk, store.VendorFilter{Countries: []string{"SE"}}); len(r) != 0 {
		t.Errorf("Danish vendors in SE: %d", len(r))
	}
	if r := search(se, store.VendorFilter{IDs: []string{all[0].ID}}); len(r) != 0 {
		t.Error("Sweden sees a Danish vendor")
	}
	if _, err := st.SearchVendors(ctx, dk, store.VendorFilter{States: []string{"active"}}, firstPage(20)); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("bad state filter: %v", err)
	}
	vendorID := func(v pleo.Vendor) string { return v.ID }
	vendors := walkPages(t, byCreation, 5, vendorID, func(req store.PageRequest) (store.Page[pleo.Vendor], error) {
		return st.SearchVendors(ctx, dkse, store.VendorFilter{}, req)
	})
	if len(vendors) != 26 || !inCreationOrder(vendors, func(v pleo.Vendor) time.Time { return v.CreatedAt }, vendorID, false) {
		t.Errorf("walk saw %d vendors, want 26 in (createdAt, id) order", len(vendors))
	}
	if page, err := st.SearchVendors(ctx, nil, store.VendorFilter{}, firstPage(100)); err != nil || page.Total != 0 {
		t.Errorf("no companies: %d vendors, %v", page.Total, err)
	}
}
