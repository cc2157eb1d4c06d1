package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// planCase is one accounting-entry search: a filter and a sort order.
type planCase struct {
	name   string
	filter func(*store.EntryFilter)
	order  []store.Sort
}

var boolTrue = true

var planCases = []planCase{
	{name: "no filter, performedAt", order: []store.Sort{{Key: "performedAt"}}},
	{name: "no filter, performedAt desc", order: []store.Sort{{Key: "performedAt", Desc: true}}},
	{name: "no filter, id", order: []store.Sort{{Key: "id"}}},
	{name: "no filter, id desc", order: []store.Sort{{Key: "id", Desc: true}}},
	{name: "no filter, settledAt", order: []store.Sort{{Key: "settledAt"}}},
	{name: "no filter, settledAt desc nulls first", order: []store.Sort{{Key: "settledAt", Desc: true, NullsFirst: true}}},
	{name: "no filter, bookkeepingDate", order: []store.Sort{{Key: "bookkeepingDate"}}},
	{name: "no filter, settledAt desc", order: []store.Sort{{Key: "settledAt", Desc: true, NullsFirst: true}}},
	{name: "status", filter: func(f *store.EntryFilter) { f.Statuses = []string{"COMPLETED"} }, order: []store.Sort{{Key: "performedAt"}}},
	{name: "family", filter: func(f *store.EntryFilter) { f.Families = []string{"CARD_PURCHASE", "MILEAGE"} }, order: []store.Sort{{Key: "performedAt"}}},
	{name: "employee", filter: func(f *store.EntryFilter) { f.EmployeeIDs = []string{seed.ID("acme-denmark/employee/3")} }, order: []store.Sort{{Key: "performedAt"}}},
	{name: "currency", filter: func(f *store.EntryFilter) { f.Currencies = []string{"EUR"} }, order: []store.Sort{{Key: "performedAt"}}},
	{name: "performedAt range", filter: func(f *store.EntryFilter) {
		f.PerformedAt = store.TimeRange{From: resAnchor.AddDate(0, -6, 0), To: resAnchor.AddDate(0, -3, 0)}
	}, order: []store.Sort{{Key: "performedAt"}}},
	{name: "settled, settledAt desc", filter: func(f *store.EntryFilter) { f.Settled = &boolTrue }, order: []store.Sort{{Key: "settledAt", Desc: true, NullsFirst: true}}},
	{name: "bookkeepingDate desc", order: []store.Sort{{Key: "bookkeepingDate", Desc: true, NullsFirst: true}}},
	{name: "status and family, performedAt desc", filter: func(f *store.EntryFilter) {
		f.Statuses, f.Families = []string{"COMPLETED", "PENDING"}, []string{"CARD_PURCHASE"}
	}, order: []store.Sort{{Key: "performedAt", Desc: true, NullsFirst: true}}},
}

// The API's ASC and DESC (see internal/api/pagination.go) are ASC NULLS
// LAST and DESC NULLS FIRST; each sort key in each direction, with and
// without filters, must read its page off an index, starting at the page's
// position: a range on the index (">?" or "<?") and no sort of every
// matching row ("USE TEMP B-TREE FOR ORDER BY"; sorting the id tiebreak
// within equal dates, "FOR LAST TERM OF ORDER BY", reads only the page).
// A plan, not a timer: SQLite's plan does not depend on the machine.
func TestDeepEntryPagesSeekInAnIndex(t *testing.T) {
	ctx := context.Background()
	st, _ := openResourceStore(t)
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Generate(ctx, tx, seed.DenmarkID, seed.GenerateOptions{Count: 2000, Seed: 1, Until: resAnchor})
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range planCases {
		f := store.EntryFilter{CompanyIDs: dk}
		if tc.filter != nil {
			tc.filter(&f)
		}
		order := store.WithTiebreak(tc.order)
		// A real position 500 pages deep would do, but any position gives the same plan.
		deep := make(store.Position, len(order))
		for i, o := range order {
			deep[i] = "2026-01-01T00:00:00.000000Z"
			if o.Key == "id" {
				deep[i] = seed.ID("some entry")
			}
		}
		for _, page := range []struct {
			name string
			req  store.PageRequest
		}{
			{"first page", store.PageRequest{Order: order, Limit: 20}},
			{"deep page", store.PageRequest{Order: order, After: deep, Limit: 20}},
			{"page before a position", store.PageRequest{Order: order, Before: deep, Limit: 20}},
		} {
			plan, err := st.AccountingEntriesPlan(ctx, f, page.req)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(plan, "\n")
			search := ""
			for _, line := range plan {
				if strings.HasPrefix(line, "SEARCH accounting_entries USING INDEX ") {
					search = line
				}
			}
			switch {
			case search == "":
				t.Errorf("%s, %s: no index search of accounting_entries:\n%s", tc.name, page.name, text)
			case page.req.After != nil || page.req.Before != nil:
				if !strings.Contains(search, ">?") && !strings.Contains(search, "<?") {
					t.Errorf("%s, %s: the index is not searched from the position:\n%s", tc.name, page.name, text)
				}
			}
			if strings.Contains(text, "USE TEMP B-TREE FOR ORDER BY") {
				t.Errorf("%s, %s: every matching entry is sorted:\n%s", tc.name, page.name, text)
			}
			// settledAt and bookkeepingDate have large groups of equal keys (the
			// NULLs): sorting their id tiebreak would read the whole group.
			if first := order[0].Key; first != "performedAt" && strings.Contains(text, "USE TEMP B-TREE") {
				t.Errorf("%s, %s: the id tiebreak within equal %s is sorted:\n%s", tc.name, page.name, first, text)
			}
		}
	}
}
