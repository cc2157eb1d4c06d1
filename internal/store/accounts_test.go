package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestAccountsCRUD(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	code, tax := "2800", "IVA 20"
	in := pleo.Account{CompanyID: dk[0], ExternalID: "erp-2800", Name: "Bank charges", Code: &code, TaxCodeExternalID: &tax,
		Metadata: map[string]any{"erp": "x", "n": 1.0}}

	a, created, err := st.CreateAccount(ctx, in, resNow)
	if err != nil || !created {
		t.Fatalf("create: %+v, %v, %v", a, created, err)
	}
	again, created, err := st.CreateAccount(ctx, in, resNow.Add(time.Hour))
	if err != nil || created || again.ID != a.ID || !again.CreatedAt.Equal(resNow) {
		t.Errorf("same payload again: %+v, created %v, %v; want the existing account", again, created, err)
	}
	changed := in
	changed.Name = "Other"
	if _, _, err := st.CreateAccount(ctx, changed, resNow); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same externalId, other data: %v", err)
	}
	if _, created, err := st.CreateAccount(ctx, pleo.Account{CompanyID: se[0], ExternalID: "erp-2800", Name: "x"}, resNow); err != nil || !created {
		t.Errorf("same externalId in another company: %v, %v", created, err)
	}
	for _, ext := range []string{"", " ", strings.Repeat("x", 256)} {
		if _, _, err := st.CreateAccount(ctx, pleo.Account{CompanyID: dk[0], ExternalID: ext, Name: "x"}, resNow); !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("externalId %q: %v", ext, err)
		}
	}
	got, err := st.Account(ctx, dk, a.ID)
	if err != nil || got.Name != "Bank charges" || *got.Code != "2800" || *got.TaxCodeExternalID != "IVA 20" || got.Metadata["erp"] != "x" {
		t.Fatalf("Account = %+v, %v", got, err)
	}

	// Update replaces everything but externalId.
	later := resNow.Add(time.Hour)
	up, err := st.UpdateAccount(ctx, dk, pleo.Account{ID: a.ID, ExternalID: "ignored", Name: "Bank fees", Archived: true}, later)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Bank fees" || !up.Archived || up.Code != nil || up.TaxCodeExternalID != nil || len(up.Metadata) != 0 ||
		up.ExternalID != "erp-2800" || !up.UpdatedAt.Equal(later) {
		t.Errorf("updated %+v", up)
	}
	if _, err := st.UpdateAccount(ctx, dk, pleo.Account{ID: a.ID, Name: strings.Repeat("x", 256)}, later); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("update to a 256-character name: %v", err)
	}

	// Isolation.
	hiddenFromSweden(t, st.Account, func() error {
		_, err := st.UpdateAccount(ctx, se, up, later)
		return err
	}, st.DeleteAccount, a.ID)

	// An account used by an entry cannot be deleted; an unused one can.
	var used string
	if err := db.QueryRow(`SELECT account_id FROM accounting_entries WHERE company_id = ? AND account_id IS NOT NULL LIMIT 1`,
		dk[0]).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteAccount(ctx, dk, used); !errors.Is(err, store.ErrConflict) {
		t.Errorf("delete a used account: %v", err)
	}
	deleteAndGone(t, st.DeleteAccount, st.Account, a.ID)
}

func TestSearchAccounts(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	search := firstPageOf(t, st.SearchAccounts)
	all := search(dk, store.AccountFilter{})
	if len(all) != 14 {
		t.Fatalf("Denmark has %d accounts, want 14", len(all))
	}
	yes := true
	if n := len(search(dk, store.AccountFilter{Archived: &yes})); n != 0 {
		t.Errorf("archived: %d", n)
	}
	if r := search(dk, store.AccountFilter{Codes: []string{"2200", "2210"}}); len(r) != 2 {
		t.Errorf("by codes: %d", len(r))
	}
	if r := search(dk, store.AccountFilter{ExternalID: "acc-2700"}); len(r) != 1 || r[0].Name != "Bank fees" {
		t.Errorf("by externalId: %+v", r)
	}
	if r := search(dk, store.AccountFilter{Name: "VAT"}); len(r) != 2 {
		t.Errorf("by name: %d", len(r))
	}
	if r := search(se, store.AccountFilter{IDs: []string{all[0].ID}}); len(r) != 0 {
		t.Error("Sweden sees a Danish account")
	}
	accountID := func(a pleo.Account) string { return a.ID }
	accounts := walkPages(t, byCreation, 4, accountID, func(req store.PageRequest) (store.Page[pleo.Account], error) {
		return st.SearchAccounts(ctx, dkse, store.AccountFilter{}, req)
	})
	if len(accounts) != 28 || !inCreationOrder(accounts, func(a pleo.Account) time.Time { return a.CreatedAt }, accountID, false) {
		t.Errorf("walk saw %d accounts, want 28 in (createdAt, id) order", len(accounts))
	}
	if page, err := st.SearchAccounts(ctx, nil, store.AccountFilter{}, firstPage(100)); err != nil || page.Total != 0 {
		t.Errorf("no companies: %d accounts, %v", page.Total, err)
	}
}

func TestCreateAccountsBatch(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	long := strings.Repeat("é", 256)
	items := []pleo.Account{
		{ExternalID: "batch-1", Name: "One", CompanyID: se[0]}, // CompanyID is ignored
		{ExternalID: "batch-1", Name: "Duplicate"},
		{ExternalID: "", Name: ""},
		{ExternalID: long, Name: "x", Code: &long},
		{ExternalID: "batch-2", Name: "Two", Archived: true},
	}
	created, failed, err := st.CreateAccountsBatch(ctx, dk[0], items, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 || created[0].ExternalID != "batch-1" || created[1].ExternalID != "batch-2" || created[0].CompanyID != dk[0] ||
		!created[0].CreatedAt.Equal(resNow) {
		t.Fatalf("created %+v", created)
	}
	want := []store.AccountBatchFailure{
		{Index: 1, Reasons: []string{pleo.AccountExternalIDExists}},
		{Index: 2, Reasons: []string{pleo.AccountExternalIDEmpty, pleo.AccountNameEmpty}},
		{Index: 3, Reasons: []string{pleo.AccountExternalIDTooLong, pleo.AccountCodeTooLong}},
	}
	if len(failed) != len(want) {
		t.Fatalf("failed %+v", failed)
	}
	for i := range want {
		if failed[i].Index != want[i].Index || strings.Join(failed[i].Reasons, ",") != strings.Join(want[i].Reasons, ",") {
			t.Errorf("failed[%d] = %+v, want %+v", i, failed[i], want[i])
		}
	}
	if got, err := st.Account(ctx, dk, created[1].ID); err != nil || !got.Archived || got.Name != "Two" {
		t.Errorf("stored %+v, %v", got, err)
	}
	// A second batch finds the first one's accounts; another company does not.
	if _, failed, err := st.CreateAccountsBatch(ctx, dk[0], items[:1], resNow); err != nil || len(failed) != 1 {
		t.Errorf("again: %+v, %v", failed, err)
	}
	if created, _, err := st.CreateAccountsBatch(ctx, se[0], items[:1], resNow); err != nil || len(created) != 1 {
		t.Errorf("in Sweden: %+v, %v", created, err)
	}
	if _, _, err := st.CreateAccountsBatch(ctx, "00000000-0000-4000-8000-000000000000", items[:1], resNow); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown company: %v", err)
	}
}
