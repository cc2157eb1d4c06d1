// Package spend is the customer's side of Pleo: people spending and
// reviewing. An employee's card purchase, out-of-pocket expense or mileage,
// a bill, a credit note or a wallet load becomes an accounting entry of the
// mock API; a card purchase settles, a reviewer reviews, someone edits or
// deletes an entry, each move on the emulator's clock. The control API
// (/_emulator/companies/{id}/accounting-entries and friends), the CLI's
// spend command, emulatortest and the web pages drive one Service.
//
// Errors: a value that breaks a rule is a *pleo.FieldError (errors.Is
// pleo.ErrInvalid) naming the JSON field; an unknown entry or company is
// store.ErrNotFound; a move the lifecycle forbids (settling a settled
// entry, editing a deleted one) matches ErrLifecycle; a taken entry ID is
// store.ErrConflict.
//
// The rules follow Pleo where its documents speak (enums, which subFamily
// belongs to which family, at most five tags, bookkeepingDate) and are the
// emulator's choice elsewhere; the README's fidelity table lists which.
package spend

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// ErrLifecycle is the error of a move the entry's state forbids, such as
// settling an entry that is not PENDING or editing a deleted one (409 in
// the control API). The error's text says why.
var ErrLifecycle = errors.New("the accounting entry's state forbids this change")

// Service creates and changes accounting entries. It is safe for
// concurrent use: every change is one transaction on the store's writer.
type Service struct {
	store *store.Store
	clock *clock.Clock
}

// New returns a Service writing to st, with timestamps from clk.
func New(st *store.Store, clk *clock.Clock) *Service { return &Service{store: st, clock: clk} }

// NewEntry is what happened: the body of POST
// /_emulator/companies/{id}/accounting-entries. Field names are those of
// Pleo's AccountingEntryV1; every field is optional, and Create fills the
// ones Pleo requires (see the README's "Spending" section for defaults).
type NewEntry struct {
	// ID is the entry's UUID; a random one when empty.
	ID        string `json:"id,omitempty"`
	Family    string `json:"family,omitempty"`    // default CARD_PURCHASE
	SubFamily string `json:"subFamily,omitempty"` // default per family (IN_STORE for a card purchase)
	// Status is the entry's first status: PENDING, COMPLETED,
	// COMPLETED_EXTERNALLY, DRAFT, CANCELLED, REJECTED or ERROR. Default:
	// PENDING for a card purchase without settledAt, COMPLETED otherwise.
	Status       string `json:"status,omitempty"`
	ReviewStatus string `json:"reviewStatus,omitempty"` // default NOT_SET (NOT_REQUIRED for company-level families)
	EmployeeID   string `json:"employeeId,omitempty"`
	TeamID       string `json:"teamId,omitempty"` // default the employee's team
	// PerformedAt defaults to now; it may not be in the future.
	PerformedAt *time.Time `json:"performedAt,omitempty"`
	// SettledAt settles the entry at creation (status COMPLETED).
	SettledAt *time.Time `json:"settledAt,omitempty"`
	// TransactionValue is the amount paid, in the currency it was paid
	// in; default 100 major units of the company's wallet currency.
	TransactionValue *pleo.Money `json:"transactionValue,omitempty"`
	// TotalBillValue is the amount in the wallet currency; computed from
	// TransactionValue and the exchange rate when not given.
	TotalBillValue *pleo.Money `json:"totalBillValue,omitempty"`
	// ExchangeRate is units of the transaction currency per unit of the
	// wallet currency, as a decimal string ("7.4604"); default the
	// emulator's reference rate (pleo.ReferenceRate).
	ExchangeRate string         `json:"exchangeRate,omitempty"`
	MerchantName string         `json:"merchantName,omitempty"` // shown on export items and drawn receipts
	Supplier     *pleo.Supplier `json:"supplier,omitempty"`
	Note         string         `json:"note,omitempty"`
	AccountID    string         `json:"accountId,omitempty"`
	TaxCodeID    string         `json:"taxCodeId,omitempty"`
	// Tags are at most five, one per tag group of the company.
	Tags       []pleo.EntryTag `json:"tags,omitempty"`
	SplitItems []NewSplitItem  `json:"splitItems,omitempty"`
	Attendees  []NewAttendee   `json:"attendees,omitempty"`
	Receipts   []NewReceipt    `json:"receipts,omitempty"`
}

// NewSplitItem is one part of a split entry (SplitItemV1 without the
// fields Create sets). Split items' transactionValue must add up to the
// entry's; see the README for the totalBillValue rule.
type NewSplitItem struct {
	AccountID        string          `json:"accountId,omitempty"`
	TaxCodeID        string          `json:"taxCodeId,omitempty"`
	Tags             []pleo.EntryTag `json:"tags,omitempty"`
	TransactionValue *pleo.Money     `json:"transactionValue,omitempty"`
	TotalBillValue   *pleo.Money     `json:"totalBillValue,omitempty"`
}

// NewAttendee is an attendee (AttendeeV1 without its ID): an employee of
// the company (attendableType EMPLOYEE) or a contact (CONTACT).
type NewAttendee struct {
	AttendableID   string `json:"attendableId"`
	AttendableType string `json:"attendableType,omitempty"` // default EMPLOYEE
}

// NewReceipt is a receipt to attach: an uploaded file (Content, base64 in
// JSON) or, without Content, one drawn from the entry as the demo seed's
// receipts are (merchant, date and amount on a PNG photo or a PDF).
type NewReceipt struct {
	ID string `json:"id,omitempty"` // a UUID; random when empty
	// Content is the file. Empty: draw the receipt.
	Content []byte `json:"content,omitempty"`
	// ContentType is the file's media type (default
	// application/octet-stream); for a drawn receipt image/png or
	// application/pdf (default: PDF for bills and online purchases).
	ContentType string `json:"contentType,omitempty"`
	// Source is Pleo's ReceiptSource (default USER for an upload, as the
	// seed picks for a drawn one).
	Source string `json:"source,omitempty"`
}

// EntryChange is an edit: the body of PATCH
// /_emulator/accounting-entries/{id}. A nil field stays as it is; an empty
// string or list clears an optional field. Receipts are added to the
// entry's. Family, status and review status change only through their
// own moves (Create, Settle, Review).
type EntryChange struct {
	EmployeeID       *string          `json:"employeeId,omitempty"`
	TeamID           *string          `json:"teamId,omitempty"`
	PerformedAt      *time.Time       `json:"performedAt,omitempty"`
	TransactionValue *pleo.Money      `json:"transactionValue,omitempty"`
	TotalBillValue   *pleo.Money      `json:"totalBillValue,omitempty"`
	ExchangeRate     *string          `json:"exchangeRate,omitempty"`
	MerchantName     *string          `json:"merchantName,omitempty"`
	Supplier         *pleo.Supplier   `json:"supplier,omitempty"` // an empty object clears it
	Note             *string          `json:"note,omitempty"`
	AccountID        *string          `json:"accountId,omitempty"`
	TaxCodeID        *string          `json:"taxCodeId,omitempty"`
	Tags             *[]pleo.EntryTag `json:"tags,omitempty"`
	SplitItems       *[]NewSplitItem  `json:"splitItems,omitempty"`
	Attendees        *[]NewAttendee   `json:"attendees,omitempty"`
	Receipts         []NewReceipt     `json:"receipts,omitempty"`
}

// Create records entry in into company companyID and returns it as the
// mock API shows it. ErrNotFound: no such company.
func (s *Service) Create(ctx context.Context, companyID string, in NewEntry) (pleo.AccountingEntry, error) {
	now := s.clock.Now()
	companyID, id := strings.ToLower(companyID), strings.ToLower(in.ID)
	if id == "" {
		id = store.NewUUID()
	} else if !isUUID(id) {
		return pleo.AccountingEntry{}, pleo.Invalid("id", "must be a UUID")
	}
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		company, err := tx.CompanyOf(ctx, companyID)
		if err != nil {
			return err
		}
		r := rules{ctx: ctx, tx: tx, company: company, now: now}
		e, err := r.newEntry(id, in)
		if err != nil {
			return err
		}
		receipts, err := r.receipts(&e, in.Receipts)
		if err != nil {
			return err
		}
		if err := tx.InsertAccountingEntry(ctx, e); err != nil {
			return err
		}
		return r.attachReceipts(e, receipts)
	})
	if err != nil {
		return pleo.AccountingEntry{}, err
	}
	return s.store.AccountingEntry(ctx, id)
}

// Edit changes entry entryID as in says. An entry that was EXPORTED goes
// back to NOT_EXPORTED, so that the integration exports it again; an entry
// being exported (QUEUED, EXPORTING) or deleted cannot change (ErrLifecycle).
func (s *Service) Edit(ctx context.Context, entryID string, in EntryChange) (pleo.AccountingEntry, error) {
	return s.move(ctx, entryID, func(r rules, e pleo.AccountingEntry) (pleo.AccountingEntry, error) {
		if err := editable(e); err != nil {
			return e, err
		}
		changed, err := r.edit(e, in)
		if err != nil {
			return e, err
		}
		if changed.ExportStatus == pleo.ExportStatusExported {
			changed.ExportStatus = pleo.ExportStatusNotExported
		}
		return changed, nil
	}, in.Receipts)
}

// move runs one change of entry entryID in one write transaction: change
// returns the entry as it is to be stored (updatedAt is set here), then
// receipts are attached. It returns the entry as the mock API shows it.
func (s *Service) move(ctx context.Context, entryID string,
	change func(r rules, e pleo.AccountingEntry) (pleo.AccountingEntry, error), receipts []NewReceipt) (pleo.AccountingEntry, error) {
	now, entryID := s.clock.Now(), strings.ToLower(entryID)
	err := s.store.Write(ctx, func(tx *store.Tx) error {
		e, err := tx.AccountingEntryForUpdate(ctx, entryID)
		if err != nil {
			return err
		}
		company, err := tx.CompanyOf(ctx, e.CompanyID)
		if err != nil {
			return err
		}
		before := e
		r := rules{ctx: ctx, tx: tx, company: company, now: now, before: &before}
		next, err := change(r, e)
		if err != nil {
			return err
		}
		planned, err := r.receipts(&next, receipts)
		if err != nil {
			return err
		}
		next.UpdatedAt = now
		if err := tx.UpdateAccountingEntry(ctx, next); err != nil {
			return err
		}
		return r.attachReceipts(next, planned)
	})
	if err != nil {
		return pleo.AccountingEntry{}, err
	}
	return s.store.AccountingEntry(ctx, entryID)
}
