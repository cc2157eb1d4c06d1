package emulatortest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// TestSpendExample plays an employee and a reviewer: a foreign card
// purchase split across two accounts, settled a day later, reviewed, and
// seen by the integration through the mock API; then an edit after export.
func TestSpendExample(t *testing.T) {
	emu := emulatortest.New(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	emu.SetClock(t, start)

	entry := emu.Spend(t, emulatortest.DenmarkCompanyID, emulatortest.NewEntry{
		SubFamily: "ONLINE", MerchantName: "Conference GmbH", Note: "Two tickets",
		TransactionValue: &emulatortest.Money{Currency: "EUR", Minors: 50_000},
		ExchangeRate:     "0.134",
		SplitItems: []emulatortest.NewSplitItem{
			{TransactionValue: &emulatortest.Money{Minors: 30_000}},
			{TransactionValue: &emulatortest.Money{Minors: 20_000}},
		},
		Receipts: []emulatortest.NewReceipt{{}},
	})
	if entry.Status != "PENDING" || entry.TotalBillValue.Minors != 373_134 || len(entry.SplitItems) != 2 || len(entry.ReceiptIDs) != 1 {
		t.Fatalf("spent: %+v", entry)
	}

	emu.AdvanceClock(t, 24*time.Hour)
	settled := emu.Settle(t, entry.ID)
	if settled.Status != "COMPLETED" || !settled.SettledAt.Equal(start.Add(24*time.Hour)) || !settled.UpdatedAt.Equal(*settled.SettledAt) {
		t.Errorf("settled: %+v", settled)
	}
	emu.Review(t, entry.ID, "WAITING_FOR_REVIEWER")
	if reviewed := emu.Review(t, entry.ID, "OK"); reviewed.ReviewStatus != "OK" {
		t.Errorf("reviewed: %+v", reviewed)
	}

	// The integration sees it.
	tok := emu.Token(t, "accounting-entries:read")
	client := emu.OAuth2Config().Client(context.Background(), tok)
	found := searchEntries(t, client, emu.APIBaseURL(), `{"reviewStatus":["OK"],"transactionValueCurrencies":["EUR"]}`)
	if len(found) != 1 || found[0].ID != entry.ID || found[0].SplitItems[1].TotalBillValue.Minors != 373_134-223_880 {
		t.Fatalf("search: %+v", found)
	}

	// An edit, then a delete.
	edited := emu.EditEntry(t, entry.ID, emulatortest.EntryChange{Note: emulatortest.Ptr("Three tickets")})
	if edited.Note != "Three tickets" || edited.ExportStatus != "NOT_EXPORTED" {
		t.Errorf("edited: %+v", edited)
	}
	if deleted := emu.DeleteEntry(t, entry.ID); deleted.DeletedAt == nil {
		t.Errorf("deleted: %+v", deleted)
	}
	if found := searchEntries(t, client, emu.APIBaseURL(), `{"transactionValueCurrencies":["EUR"]}`); len(found) != 0 {
		t.Errorf("a deleted entry is found: %+v", found)
	}

	// SettleAt settles at a given time.
	pending := emu.Spend(t, emulatortest.DenmarkCompanyID, emulatortest.NewEntry{PerformedAt: emulatortest.Ptr(start)})
	if s := emu.SettleAt(t, pending.ID, start.Add(time.Hour)); !s.SettledAt.Equal(start.Add(time.Hour)) {
		t.Errorf("settled at: %+v", s)
	}
}

func searchEntries(t *testing.T, client *http.Client, base, body string) []emulatortest.AccountingEntry {
	t.Helper()
	resp, err := client.Post(base+"/v1/accounting-entries:search?company_id="+emulatortest.DenmarkCompanyID, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Data []emulatortest.AccountingEntry
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d %v", resp.StatusCode, err)
	}
	return page.Data
}
