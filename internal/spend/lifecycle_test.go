package spend_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestSettleFollowsTheClock(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{PerformedAt: at(anchor.Add(-time.Hour))})
	f.clock.Advance(26 * time.Hour)
	now := anchor.Add(26 * time.Hour)
	s, err := f.svc.Settle(f.ctx, e.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := now.Truncate(24 * time.Hour)
	if s.Status != "COMPLETED" || s.SettledAt == nil || !s.SettledAt.Equal(now) || !s.UpdatedAt.Equal(now) ||
		!s.CreatedAt.Equal(anchor) || s.BookkeepingDate == nil || !s.BookkeepingDate.Equal(day) {
		t.Errorf("settled: status %s settledAt %v updatedAt %v bookkeepingDate %v", s.Status, s.SettledAt, s.UpdatedAt, s.BookkeepingDate)
	}
	if _, err := f.svc.Settle(f.ctx, e.ID, nil); !errors.Is(err, spend.ErrLifecycle) {
		t.Errorf("settle twice: %v, want ErrLifecycle", err)
	}
	// An explicit settlement time: not before the purchase, not after now.
	p := f.create(t, denmark, spend.NewEntry{PerformedAt: at(anchor)})
	if _, err := f.svc.Settle(f.ctx, p.ID, at(anchor.Add(-time.Second))); !isField(err, "settledAt") {
		t.Errorf("settle before performedAt: %v", err)
	}
	if _, err := f.svc.Settle(f.ctx, p.ID, at(now.Add(time.Second))); !isField(err, "settledAt") {
		t.Errorf("settle in the future: %v", err)
	}
	s, err = f.svc.Settle(f.ctx, p.ID, at(anchor.Add(time.Hour)))
	if err != nil || !s.SettledAt.Equal(anchor.Add(time.Hour)) || !s.UpdatedAt.Equal(now) {
		t.Errorf("settle at a time: %+v, %v", s, err)
	}
	// Entries that are not pending do not settle.
	for _, status := range []string{"DRAFT", "CANCELLED", "REJECTED", "ERROR"} {
		x := f.create(t, denmark, spend.NewEntry{Status: status})
		if _, err := f.svc.Settle(f.ctx, x.ID, nil); !errors.Is(err, spend.ErrLifecycle) {
			t.Errorf("settle %s: %v", status, err)
		}
	}
	oop := f.create(t, denmark, spend.NewEntry{Family: "OUT_OF_POCKET", PerformedAt: at(anchor.Add(-50 * time.Hour))})
	if oop.BookkeepingDate == nil || !oop.BookkeepingDate.Equal(anchor.Add(-50*time.Hour).Truncate(24*time.Hour)) {
		t.Errorf("out-of-pocket bookkeepingDate %v, want the purchase day", oop.BookkeepingDate)
	}
	if _, err := f.svc.Settle(f.ctx, noSuchEntryID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settle unknown: %v", err)
	}
}

func isField(err error, field string) bool {
	var fe *pleo.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestReviewMoves(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{})
	for i, step := range []struct {
		to string
		ok bool
	}{
		{"WAITING_FOR_TEAM_REVIEWER", true},
		{"WAITING_FOR_TEAM_REVIEWER", false}, // no move to where it is
		{"WAITING_FOR_EXPENSE_OWNER", true},
		{"OK", false}, // the owner answers to a reviewer, who decides
		{"WAITING_FOR_REVIEWER", true},
		{"OK", true},
		{"NOT_SET", false},
		{"NOT_OK", true},
		{"NOT_REQUIRED", false},
	} {
		f.clock.Advance(time.Minute)
		got, err := f.svc.Review(f.ctx, e.ID, step.to)
		switch {
		case step.ok && (err != nil || got.ReviewStatus != step.to || !got.UpdatedAt.Equal(f.clock.Now())):
			t.Errorf("step %d to %s: %+v, %v", i, step.to, got.ReviewStatus, err)
		case !step.ok && !errors.Is(err, spend.ErrLifecycle):
			t.Errorf("step %d to %s: %v, want ErrLifecycle", i, step.to, err)
		}
	}
	if _, err := f.svc.Review(f.ctx, e.ID, "APPROVED"); !isField(err, "reviewStatus") {
		t.Errorf("unknown review status: %v", err)
	}
	if _, err := f.svc.Review(f.ctx, noSuchEntryID, "OK"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("review unknown: %v", err)
	}
	// Every review status has a way on, except that none returns to NOT_SET.
	for _, from := range pleo.EntryReviewStatuses {
		moves := spend.ReviewMoves(from)
		if len(moves) == 0 {
			t.Errorf("%s has no move", from)
		}
		for _, to := range moves {
			if to == from || to == "NOT_SET" {
				t.Errorf("%s may move to %s", from, to)
			}
		}
	}
}

// setExportStatus puts an entry in an export status, as an export job would.
func (f fixture) setExportStatus(t *testing.T, id, status string) {
	t.Helper()
	if err := f.store.Write(f.ctx, func(tx *store.Tx) error {
		e, err := tx.AccountingEntryForUpdate(f.ctx, id)
		if err != nil {
			return err
		}
		e.ExportStatus = status
		return tx.UpdateAccountingEntry(f.ctx, e)
	}); err != nil {
		t.Fatal(err)
	}
}

func TestEdit(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{Family: "OUT_OF_POCKET", EmployeeID: dkEmployee, PerformedAt: at(anchor.Add(-72 * time.Hour)),
		TransactionValue: money("EUR", 10_000), Note: "Taxi", AccountID: dkAccount})
	f.setExportStatus(t, e.ID, "EXPORTED")
	f.clock.Advance(time.Hour)
	other := seed.ID("acme-denmark/employee/2")
	edited, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Note: ptr("Taxi to the airport"), EmployeeID: &other,
		TransactionValue: money("EUR", 12_000), AccountID: ptr("")})
	if err != nil {
		t.Fatal(err)
	}
	emp, _ := f.store.Employee(f.ctx, other)
	// The new amount is billed at the rate of the entry's own values.
	wantBill, _ := pleo.ShareOf(*e.TotalBillValue, 12_000, 10_000)
	if edited.ExportStatus != "NOT_EXPORTED" || edited.Note != "Taxi to the airport" || edited.EmployeeID != other ||
		edited.TeamID != emp.TeamID || *edited.TotalBillValue != wantBill || edited.AccountID != "" ||
		!edited.UpdatedAt.Equal(anchor.Add(time.Hour)) || !edited.CreatedAt.Equal(anchor) || edited.BookkeepingDate == nil ||
		edited.Status != "COMPLETED" {
		t.Errorf("edited: %+v", edited)
	}
	// A new rate bills the amount again; another currency takes the reference rate.
	rated, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{ExchangeRate: ptr("0.125")})
	if err != nil || *rated.TotalBillValue != (pleo.Money{Currency: "DKK", Minors: 96_000}) {
		t.Errorf("new rate: %v, %v", rated.TotalBillValue, err)
	}
	sek, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{TransactionValue: money("SEK", 10_000)})
	if err != nil || *sek.TotalBillValue != mustBill(t, pleo.Money{Currency: "SEK", Minors: 10_000}, "DKK") {
		t.Errorf("new currency: %v, %v", sek.TotalBillValue, err)
	}
	edited, err = f.svc.Edit(f.ctx, e.ID, spend.EntryChange{TransactionValue: money("EUR", 12_000), ExchangeRate: ptr("0.1")})
	if err != nil || edited.TotalBillValue.Minors != 120_000 {
		t.Fatalf("back to euro: %v, %v", edited.TotalBillValue, err)
	}
	wantBill = *edited.TotalBillValue
	// Values that do not change stay, the stored bill included.
	again, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{})
	if err != nil || *again.TotalBillValue != wantBill || again.Note != edited.Note {
		t.Errorf("empty edit: %+v, %v", again, err)
	}
	for _, c := range []struct {
		name   string
		change spend.EntryChange
		field  string
	}{
		{"employee of another company", spend.EntryChange{EmployeeID: &seEmployee}, "employeeId"},
		{"no employee for a personal family", spend.EntryChange{EmployeeID: ptr("")}, "employeeId"},
		{"tax code of another company", spend.EntryChange{TaxCodeID: &seTaxCode}, "taxCodeId"},
		{"performed in the future", spend.EntryChange{PerformedAt: at(anchor.Add(2 * time.Hour))}, "performedAt"},
		{"bill against the rate", spend.EntryChange{ExchangeRate: ptr("0.134"), TotalBillValue: money("DKK", 1)}, "totalBillValue"},
		{"bad rate", spend.EntryChange{ExchangeRate: ptr("x")}, "exchangeRate"},
	} {
		if _, err := f.svc.Edit(f.ctx, e.ID, c.change); !isField(err, c.field) {
			t.Errorf("%s: %v, want a field error naming %s", c.name, err, c.field)
		}
	}
	// A split entry whose amount changes needs split items that add up.
	split := f.create(t, denmark, spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
		{TransactionValue: money("DKK", 4_000)}, {TransactionValue: money("DKK", 6_000)}}})
	if _, err := f.svc.Edit(f.ctx, split.ID, spend.EntryChange{TransactionValue: money("DKK", 20_000)}); !isField(err, "splitItems") {
		t.Errorf("amount of a split entry: %v", err)
	}
	unsplit, err := f.svc.Edit(f.ctx, split.ID, spend.EntryChange{TransactionValue: money("DKK", 20_000), SplitItems: &[]spend.NewSplitItem{}})
	if err != nil || len(unsplit.SplitItems) != 0 || unsplit.TransactionValue.Minors != 20_000 {
		t.Errorf("undo the split: %+v, %v", unsplit, err)
	}
	// No change while an export job holds the entry.
	for _, status := range []string{"QUEUED", "EXPORTING"} {
		f.setExportStatus(t, e.ID, status)
		if _, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Note: ptr("x")}); !errors.Is(err, spend.ErrLifecycle) {
			t.Errorf("edit while %s: %v", status, err)
		}
		if _, err := f.svc.Delete(f.ctx, e.ID); !errors.Is(err, spend.ErrLifecycle) {
			t.Errorf("delete while %s: %v", status, err)
		}
	}
	if _, err := f.svc.Edit(f.ctx, noSuchEntryID, spend.EntryChange{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("edit unknown: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestArchivedDataAnEntryCarries(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: dkGroup1, TagID: dkTag10}}})
	if _, err := f.store.ArchiveTags(f.ctx, denmark, []string{dkTag10}, true, anchor); err != nil {
		t.Fatal(err)
	}
	// An edit of something else keeps the archived tag; a new entry cannot take it.
	if edited, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Note: ptr("still tagged")}); err != nil || edited.Tags[0].TagID != dkTag10 {
		t.Errorf("edit of an entry with an archived tag: %+v, %v", edited.Tags, err)
	}
	if _, err := f.svc.Create(f.ctx, denmark, spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: dkGroup1, TagID: dkTag10}}}); !isField(err, "tags[0].tagId") {
		t.Errorf("new entry with an archived tag: %v", err)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{Family: "MILEAGE"})
	f.setExportStatus(t, e.ID, "EXPORTED")
	f.clock.Advance(3 * time.Hour)
	d, err := f.svc.Delete(f.ctx, e.ID)
	now := anchor.Add(3 * time.Hour)
	if err != nil || d.DeletedAt == nil || !d.DeletedAt.Equal(now) || !d.UpdatedAt.Equal(now) || d.ExportStatus != "EXPORTED" {
		t.Fatalf("deleted: %+v, %v", d, err)
	}
	for _, include := range []bool{false, true} {
		page, err := f.store.AccountingEntries(f.ctx, store.EntryFilter{CompanyIDs: []string{denmark}, Families: []string{"MILEAGE"},
			IncludeDeleted: include}, store.PageRequest{Order: []store.Sort{{Key: "id"}}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range page.Items {
			found = found || x.ID == e.ID
		}
		if found != include {
			t.Errorf("includeDeleted %v: found %v", include, found)
		}
	}
	for name, move := range map[string]func() error{
		"delete": func() error { _, err := f.svc.Delete(f.ctx, e.ID); return err },
		"edit":   func() error { _, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Note: ptr("x")}); return err },
		"review": func() error { _, err := f.svc.Review(f.ctx, e.ID, "OK"); return err },
	} {
		if err := move(); !errors.Is(err, spend.ErrLifecycle) {
			t.Errorf("%s a deleted entry: %v, want ErrLifecycle", name, err)
		}
	}
	if _, err := f.svc.Delete(f.ctx, noSuchEntryID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

// BenchmarkCreate records card purchases with a tag, an account and a
// drawn receipt, one write transaction each.
func BenchmarkCreate(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clk := clock.New()
	clk.Set(anchor)
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: anchor})
	}); err != nil {
		b.Fatal(err)
	}
	svc := spend.New(st, clk)
	in := spend.NewEntry{TransactionValue: money("EUR", 12_345), AccountID: dkAccount,
		Tags: []pleo.EntryTag{{TagGroupID: dkGroup1, TagID: dkTag10}}, Receipts: []spend.NewReceipt{{}}}
	for b.Loop() {
		if _, err := svc.Create(ctx, denmark, in); err != nil {
			b.Fatal(err)
		}
	}
}
