package store_test

import (
	"context"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// A page's total is remembered between writes only: every write, a reset
// from a snapshot included, shows in the next page's total.
func TestPageTotalsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	st, _ := openResourceStore(t)
	total := func(f store.EntryFilter) int64 {
		t.Helper()
		page, err := st.AccountingEntries(ctx, f, store.PageRequest{Order: store.WithTiebreak(nil), Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	all := store.EntryFilter{CompanyIDs: dk}
	completed := store.EntryFilter{CompanyIDs: dk, Statuses: []string{"COMPLETED"}}
	before, beforeCompleted := total(all), total(completed)
	if before == 0 || beforeCompleted == 0 || beforeCompleted >= before || total(all) != before {
		t.Fatalf("totals %d and %d", before, beforeCompleted)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Generate(ctx, tx, seed.DenmarkID, seed.GenerateOptions{Count: 146, Seed: 5, Until: resAnchor})
	}); err != nil {
		t.Fatal(err)
	}
	if got := total(all); got != before+146-2 { // entries 5 and 78 are deleted
		t.Errorf("total after generating 146 entries: %d, want %d", got, before+144)
	}
	if got := total(completed); got <= beforeCompleted {
		t.Errorf("completed total after generating: %d, want more than %d", got, beforeCompleted)
	}
	if n := total(store.EntryFilter{CompanyIDs: se}); n == 0 {
		t.Error("another company's total is 0")
	}
}
