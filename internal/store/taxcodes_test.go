package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestTaxCodesCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	code, in := "DK12", "6811"
	now := resNow.Add(123 * time.Millisecond)

	c, err := st.CreateTaxCode(ctx, pleo.TaxCode{CompanyID: dk[0], Name: "Hotel VAT", Code: &code, Rate: 0.12,
		Type: "inclusive", IngoingTaxAccount: &in}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.CreatedAt.Equal(resNow) {
		t.Errorf("createdAt %v is not whole seconds", c.CreatedAt)
	}
	got, err := st.TaxCode(ctx, dk, c.ID)
	if err != nil || got.Name != "Hotel VAT" || *got.Code != "DK12" || got.Rate != 0.12 || *got.IngoingTaxAccount != "6811" ||
		got.OutgoingTaxAccount != nil || got.Archived {
		t.Fatalf("TaxCode = %+v, %v", got, err)
	}
	for _, bad := range []pleo.TaxCode{
		{CompanyID: dk[0], Name: "x", Type: "flat"},
		{CompanyID: dk[0], Name: "x", Rate: 25, Type: "inclusive"},
		{CompanyID: dk[0], Name: " ", Type: "inclusive"},
	} {
		if _, err := st.CreateTaxCode(ctx, bad, now); !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("create %+v: %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := st.CreateTaxCode(ctx, pleo.TaxCode{CompanyID: "nope", Name: "x", Type: "reverse"}, now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown company: %v", err)
	}

	// Full replacement: the unset code and accounts become null.
	later := resNow.Add(time.Hour)
	up, err := st.UpdateTaxCode(ctx, dk, pleo.TaxCode{ID: c.ID, CompanyID: dk[0], Name: "Hotel", Rate: 0.1, Type: "reverse",
		Archived: true}, later)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = st.TaxCode(ctx, dk, c.ID)
	if got != up || got.Code != nil || got.IngoingTaxAccount != nil || !got.Archived || got.Type != "reverse" ||
		!got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(resNow) {
		t.Errorf("after update %+v, returned %+v", got, up)
	}
	if _, err := st.UpdateTaxCode(ctx, dkse, pleo.TaxCode{ID: c.ID, CompanyID: se[0], Name: "x", Type: "reverse"}, later); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("moving to another company: %v", err)
	}

	// Isolation.
	hiddenFromSweden(t, st.TaxCode, func() error {
		_, err := st.UpdateTaxCode(ctx, se, pleo.TaxCode{ID: c.ID, CompanyID: se[0], Name: "x", Type: "reverse"}, later)
		return err
	}, st.DeleteTaxCode, c.ID)
	deleteAndGone(t, st.DeleteTaxCode, st.TaxCode, c.ID)
}

func TestSearchTaxCodes(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	for i := range 8 {
		if _, err := st.CreateTaxCode(ctx, pleo.TaxCode{CompanyID: dk[0], Name: "Extra", Rate: 0.05, Type: "inclusive",
			Archived: i%2 == 0}, resNow.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	search := firstPageOf(t, st.SearchTaxCodes)
	yes, no := true, false
	all := search(dk, store.TaxCodeFilter{})
	if len(all) != 11 {
		t.Fatalf("Denmark has %d tax codes, want 3 seeded + 8", len(all))
	}
	if n := len(search(dk, store.TaxCodeFilter{Archived: &yes})); n != 4 {
		t.Errorf("archived: %d", n)
	}
	if n := len(search(dk, store.TaxCodeFilter{Archived: &no})); n != 7 {
		t.Errorf("not archived: %d", n)
	}
	if r := search(dk, store.TaxCodeFilter{Type: "reverse"}); len(r) != 1 || *r[0].Code != "DKRC" {
		t.Errorf("reverse: %+v", r)
	}
	if r := search(dk, store.TaxCodeFilter{Code: "DKRC"}); len(r) != 1 {
		t.Errorf("by code: %d", len(r))
	}
	if r := search(dk, store.TaxCodeFilter{IDs: []string{all[0].ID, all[5].ID}}); len(r) != 2 {
		t.Errorf("by IDs: %d", len(r))
	}
	if r := search(se, store.TaxCodeFilter{IDs: []string{all[0].ID}}); len(r) != 0 {
		t.Errorf("Sweden sees a Danish tax code")
	}
	if _, err := st.SearchTaxCodes(ctx, dk, store.TaxCodeFilter{Type: "x"}, firstPage(20)); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("bad type filter: %v", err)
	}
	taxCodeID := func(c pleo.TaxCode) string { return c.ID }
	created := func(c pleo.TaxCode) time.Time { return c.CreatedAt }
	codes := walkPages(t, byCreation, 2, taxCodeID, func(req store.PageRequest) (store.Page[pleo.TaxCode], error) {
		return st.SearchTaxCodes(ctx, dk, store.TaxCodeFilter{}, req)
	})
	if len(codes) != 11 || !inCreationOrder(codes, created, taxCodeID, false) {
		t.Errorf("walk saw %d tax codes, want 11 in (createdAt, id) order", len(codes))
	}
	desc := store.WithTiebreak([]store.Sort{{Key: "createdAt", Desc: true}, {Key: "id", Desc: true}})
	active := walkPages(t, desc, 3, taxCodeID, func(req store.PageRequest) (store.Page[pleo.TaxCode], error) {
		return st.SearchTaxCodes(ctx, dkse, store.TaxCodeFilter{Archived: &no}, req)
	})
	if len(active) != 12 || !inCreationOrder(active, created, taxCodeID, true) {
		t.Errorf("descending walk of active codes saw %d, want 12 (7 Danish, 5 Swedish) in descending order", len(active))
	}
	if page, err := st.SearchTaxCodes(ctx, nil, store.TaxCodeFilter{}, firstPage(100)); err != nil || page.Total != 0 {
		t.Errorf("no companies: %d tax codes, %v", page.Total, err)
	}
}
