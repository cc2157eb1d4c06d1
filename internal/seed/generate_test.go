package seed_test

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// generated writes count entries of seedValue into Acme Denmark and returns
// every entry of the company, deleted ones too, in ID order.
func generate(t *testing.T, st *store.Store, company string, count int, seedValue uint64) error {
	t.Helper()
	ctx := context.Background()
	return st.Write(ctx, func(tx *store.Tx) error {
		return seed.Generate(ctx, tx, company, seed.GenerateOptions{Count: count, Seed: seedValue, Until: anchor})
	})
}

func entriesOf(t *testing.T, st *store.Store, company string) map[string]pleo.AccountingEntry {
	t.Helper()
	page, err := st.AccountingEntries(context.Background(), store.EntryFilter{CompanyIDs: []string{company}, IncludeDeleted: true},
		store.PageRequest{Order: store.WithTiebreak(nil), Limit: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]pleo.AccountingEntry{}
	for _, e := range page.Items {
		out[e.ID] = e
	}
	return out
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	ctx := context.Background()
	a, b := seeded(t), seeded(t)
	for _, st := range []*store.Store{a, b} {
		if err := generate(t, st, seed.DenmarkID, 500, 7); err != nil {
			t.Fatal(err)
		}
	}
	ha, err := a.TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	for table, h := range ha {
		if hb[table] != h {
			t.Errorf("table %s differs between two generations with the same seed", table)
		}
	}

	before := entriesOf(t, a, seed.DenmarkID)
	if len(before) != 220+500 {
		t.Fatalf("%d entries after generating 500 into 220, want 720", len(before))
	}
	if err := generate(t, a, seed.DenmarkID, 500, 8); err != nil {
		t.Fatalf("another seed: %v", err)
	}
	after := entriesOf(t, a, seed.DenmarkID)
	if len(after) != 220+500+500 {
		t.Fatalf("%d entries after a second seed, want 1220: IDs collided", len(after))
	}
	// The second seed's entries differ from the first's, not just in their IDs.
	var first, second []int64
	for id, e := range after {
		if _, old := before[id]; old {
			first = append(first, e.TransactionValue.Minors)
		} else {
			second = append(second, e.TransactionValue.Minors)
		}
	}
	slices.Sort(first)
	slices.Sort(second)
	if slices.Equal(first[len(first)-500:], second) {
		t.Error("seeds 7 and 8 gave the same amounts")
	}

	if err := generate(t, a, seed.DenmarkID, 10, 7); !errors.Is(err, seed.ErrAlreadyGenerated) {
		t.Errorf("seed 7 again: %v, want ErrAlreadyGenerated", err)
	}
	if n := len(entriesOf(t, a, seed.DenmarkID)); n != 1220 {
		t.Errorf("a refused generation left %d entries, want 1220", n)
	}
	if err := generate(t, a, "00000000-0000-4000-8000-000000000000", 10, 1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown company: %v, want ErrNotFound", err)
	}
}

func TestGeneratedEntriesArePlausible(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	const count = 3000
	if err := generate(t, st, seed.SwedenID, count, 42); err != nil {
		t.Fatal(err)
	}
	employees, err := st.Count(ctx, "receipts")
	if err != nil || employees == 0 {
		t.Fatalf("receipts: %d %v", employees, err)
	}
	families := map[string]int{}
	foreign := map[string]int{}
	oldest := anchor
	for _, e := range entriesOf(t, st, seed.SwedenID) {
		if e.ID == "" || e.CompanyID != seed.SwedenID {
			t.Fatalf("entry %+v", e)
		}
		families[e.Family]++
		if err := pleo.ValidateFamily(e.Family, e.SubFamily); err != nil {
			t.Errorf("entry %s: %v", e.ID, err)
		}
		if e.PerformedAt.Before(oldest) {
			oldest = e.PerformedAt
		}
		if e.PerformedAt.After(anchor) {
			t.Errorf("entry %s performed at %s, after the anchor", e.ID, e.PerformedAt)
		}
		if e.TransactionValue.Currency == "SEK" {
			continue
		}
		foreign[e.TransactionValue.Currency]++
		if e.Family != "CARD_PURCHASE" {
			t.Errorf("entry %s: a %s in %s; only card purchases are foreign", e.ID, e.Family, e.TransactionValue.Currency)
		}
		if !slices.Contains([]string{"EUR", "NOK", "DKK", "GBP", "USD"}, e.TransactionValue.Currency) {
			t.Errorf("entry %s in %s: not a currency a Swedish company often pays in", e.ID, e.TransactionValue.Currency)
		}
		rate, ok := pleo.ReferenceRate(e.TransactionValue.Currency, "SEK")
		if !ok || e.TotalBillValue == nil {
			t.Fatalf("entry %s: no rate or no totalBillValue", e.ID)
		}
		bill, err := pleo.BillValue(e.TransactionValue, "SEK", rate)
		if err != nil || bill != *e.TotalBillValue {
			t.Errorf("entry %s: totalBillValue %+v, want %+v (%v)", e.ID, *e.TotalBillValue, bill, err)
		}
	}
	for _, f := range []string{"CARD_PURCHASE", "OUT_OF_POCKET", "MILEAGE", "PER_DIEM", "BILL_INVOICE", "REIMBURSEMENT",
		"PLEO_INVOICE", "WALLET", "CASHBACK"} {
		if families[f] == 0 {
			t.Errorf("no %s among %d entries", f, count)
		}
	}
	if card := families["CARD_PURCHASE"]; card < count/2 || card > count*7/10 {
		t.Errorf("%d card purchases of %d, want about 60 %%", card, count)
	}
	total := 0
	for _, n := range foreign {
		total += n
	}
	if share := float64(total) / float64(families["CARD_PURCHASE"]); share < 0.10 || share > 0.20 {
		t.Errorf("foreign share of card purchases %.2f, want about 0.15 (%v)", share, foreign)
	}
	if foreign["EUR"] <= foreign["USD"] {
		t.Errorf("foreign currencies %v: EUR should be the likeliest for a Swedish company", foreign)
	}
	if days := anchor.Sub(oldest).Hours() / 24; days < 80 || days > 91 {
		t.Errorf("entries reach back %.0f days, want about 90", days)
	}
}

func TestGenerateWindowGrowsWithCount(t *testing.T) {
	for _, tc := range []struct {
		count int
		days  int
	}{{1, 90}, {20_000, 90}, {100_000, 365}, {200_000, 730}, {seed.MaxGenerateCount, 730}, {1_000_000, 3650}} {
		if got := seed.GenerateWindow(tc.count); got != time.Duration(tc.days)*24*time.Hour {
			t.Errorf("GenerateWindow(%d) = %s, want %d days", tc.count, got, tc.days)
		}
	}
}

func TestGenerateRefusesBadCounts(t *testing.T) {
	st := seeded(t)
	for _, n := range []int{0, -1, seed.MaxGenerateCount + 1} {
		if err := generate(t, st, seed.DenmarkID, n, 1); err == nil {
			t.Errorf("count %d accepted", n)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://localhost:8080", Anchor: anchor})
	}); err != nil {
		b.Fatal(err)
	}
	const perOp = 10_000
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		if err := st.Write(ctx, func(tx *store.Tx) error {
			return seed.Generate(ctx, tx, seed.DenmarkID, seed.GenerateOptions{Count: perOp, Seed: uint64(i + 1), Until: anchor})
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "entries/s")
	// CPU time per entry says more than the rate on a machine shared with other work.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*perOp), "cpu-µs/entry")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
