package emulatortest

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
)

// The customer's side of Pleo: a test plays the employee who spends and
// the reviewer who reviews, and the accounting entries that result show in
// the mock API (search, export jobs, export items). Each helper is one call
// of the control API under /_emulator/ and follows the emulator's clock;
// the README's "Spending" section states the defaults and rules.
//
//	e := emu.Spend(t, emulatortest.DenmarkCompanyID, emulatortest.NewEntry{
//		SubFamily: "ONLINE", MerchantName: "Hotel Berlin",
//		TransactionValue: &emulatortest.Money{Currency: "EUR", Minors: 24000}, // billed in DKK
//		Receipts: []emulatortest.NewReceipt{{}}, // a drawn receipt
//	})
//	emu.Settle(t, e.ID)  // PENDING → COMPLETED
//	emu.EditEntry(t, e.ID, emulatortest.EntryChange{Note: emulatortest.Ptr("Hotel, two nights")})

// The types of the spending helpers: those of the control API's bodies and
// of Pleo's AccountingEntryV1.
type (
	// NewEntry is what happened; every field is optional.
	NewEntry = spend.NewEntry
	// EntryChange is an edit; a nil field stays as it is.
	EntryChange = spend.EntryChange
	// NewSplitItem is one part of a split entry.
	NewSplitItem = spend.NewSplitItem
	// NewAttendee is an attendee: an employee (EMPLOYEE) or a contact (CONTACT).
	NewAttendee = spend.NewAttendee
	// NewReceipt is a receipt to attach: a file, or one drawn from the entry.
	NewReceipt = spend.NewReceipt
	// AccountingEntry is Pleo's AccountingEntryV1, as the mock API shows it.
	AccountingEntry = pleo.AccountingEntry
	// Money is an amount in minor units of an ISO 4217 currency.
	Money = pleo.Money
	// EntryTag is a tag of an entry (AccountingEntryTagV1).
	EntryTag = pleo.EntryTag
	// Supplier is an entry's supplier (AccountingEntrySupplier).
	Supplier = pleo.Supplier
)

// Ptr returns a pointer to v, for the fields of EntryChange.
func Ptr[T any](v T) *T { return &v }

// Spend records in as an accounting entry of companyID (POST
// /_emulator/companies/{id}/accounting-entries) and returns it. A value
// that breaks a rule fails the test with the field it names.
func (e *Emulator) Spend(tb testing.TB, companyID string, in NewEntry) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodPost, "/companies/"+url.PathEscape(companyID)+"/accounting-entries", in, &out)
	return out
}

// Settle settles a PENDING entry now on the emulator's clock: COMPLETED,
// with settledAt and bookkeepingDate.
func (e *Emulator) Settle(tb testing.TB, entryID string) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodPost, "/accounting-entries/"+url.PathEscape(entryID)+"/settle", struct{}{}, &out)
	return out
}

// SettleAt is Settle with settledAt at (not before performedAt, not after
// the emulator's now).
func (e *Emulator) SettleAt(tb testing.TB, entryID string, at time.Time) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodPost, "/accounting-entries/"+url.PathEscape(entryID)+"/settle",
		map[string]time.Time{"settledAt": at}, &out)
	return out
}

// Review moves an entry to reviewStatus (Pleo's ReviewStatus, such as
// WAITING_FOR_REVIEWER or OK), as a reviewer does.
func (e *Emulator) Review(tb testing.TB, entryID, reviewStatus string) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodPost, "/accounting-entries/"+url.PathEscape(entryID)+"/review",
		map[string]string{"reviewStatus": reviewStatus}, &out)
	return out
}

// EditEntry changes an entry; an EXPORTED entry goes back to NOT_EXPORTED.
func (e *Emulator) EditEntry(tb testing.TB, entryID string, change EntryChange) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodPatch, "/accounting-entries/"+url.PathEscape(entryID), change, &out)
	return out
}

// DeleteEntry deletes an entry: it gets deletedAt and shows in the mock
// API only with includeDeleted.
func (e *Emulator) DeleteEntry(tb testing.TB, entryID string) AccountingEntry {
	tb.Helper()
	var out AccountingEntry
	e.control(tb, http.MethodDelete, "/accounting-entries/"+url.PathEscape(entryID), nil, &out)
	return out
}
