package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file reads accounting entries for the mock API
// (POST /v1/accounting-entries:search, GET /v1/accounting-entries/{id}).

const entryColumns = `id, company_id, coalesce(employee_id, ''), coalesce(team_id, ''), coalesce(account_id, ''),
	coalesce(tax_code_id, ''), family, coalesce(sub_family, ''), status, review_status, export_status, coalesce(note, ''),
	coalesce(foreign_extension_id, ''), transaction_minors, transaction_currency, total_bill_minors, total_bill_currency,
	performed_at, settled_at, bookkeeping_date, deleted_at, tags, split_items, supplier, attendees, receipt_ids,
	coalesce(merchant_name, ''), created_at, updated_at,
	coalesce((SELECT code FROM accounts WHERE accounts.id = accounting_entries.account_id), '')`

// entrySortColumns maps the sort keys AccountingEntries accepts
// (Pleo's AccountingEntriesSortingKeys) to columns.
var entrySortColumns = map[string]string{
	"id": "id", "performedAt": "performed_at", "settledAt": "settled_at", "bookkeepingDate": "bookkeeping_date"}

// entryNullsHigh is the sentinel that stands for a NULL settledAt or
// bookkeepingDate when it sorts after every date: "~" sorts after any
// RFC 3339 text. migrations/0016_entry_pages.sql indexes the same expressions.
var entryNullsHigh = map[string]string{"settledAt": "~", "bookkeepingDate": "~"}

// EntrySortKeys are the sort keys AccountingEntries accepts, sorted.
var EntrySortKeys = sortKeys(entrySortColumns)

func scanEntry(row interface{ Scan(...any) error }) (pleo.AccountingEntry, error) {
	var e pleo.AccountingEntry
	var billMinors sql.NullInt64
	var billCurrency, settled, bookkeeping, deleted, supplier sql.NullString
	var performed, created, updated, tags, splits, attendees, receipts string
	err := row.Scan(&e.ID, &e.CompanyID, &e.EmployeeID, &e.TeamID, &e.AccountID, &e.TaxCodeID, &e.Family, &e.SubFamily,
		&e.Status, &e.ReviewStatus, &e.ExportStatus, &e.Note, &e.ForeignExtensionID, &e.TransactionValue.Minors,
		&e.TransactionValue.Currency, &billMinors, &billCurrency, &performed, &settled, &bookkeeping, &deleted,
		&tags, &splits, &supplier, &attendees, &receipts, &e.MerchantName, &created, &updated, &e.AccountCode)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, err
	}
	e.PerformedAt, e.CreatedAt, e.UpdatedAt = parseTime(performed), parseTime(created), parseTime(updated)
	e.SettledAt, e.BookkeepingDate, e.DeletedAt = nullableTime(settled), nullableTime(bookkeeping), nullableTime(deleted)
	if billMinors.Valid && billCurrency.Valid {
		e.TotalBillValue = &pleo.Money{Currency: billCurrency.String, Minors: billMinors.Int64}
	}
	if supplier.Valid {
		e.Supplier = new(pleo.Supplier)
		if err := json.Unmarshal([]byte(supplier.String), e.Supplier); err != nil {
			return e, err
		}
	}
	e.Tags, e.SplitItems, e.Attendees, e.ReceiptIDs = []pleo.EntryTag{}, []pleo.SplitItem{}, []pleo.Attendee{}, []string{}
	for _, part := range []struct {
		text string
		dst  any
	}{{tags, &e.Tags}, {splits, &e.SplitItems}, {attendees, &e.Attendees}, {receipts, &e.ReceiptIDs}} {
		if err := json.Unmarshal([]byte(part.text), part.dst); err != nil {
			return e, err
		}
	}
	return e, nil
}

// TimeRange bounds a timestamp: From inclusive, To exclusive; a zero bound is open.
type TimeRange struct{ From, To time.Time }

// EntryFilter selects accounting entries; every set field must match.
// CompanyIDs is required: the companies the caller may see (an empty list
// matches nothing). A nil list or pointer does not filter.
type EntryFilter struct {
	CompanyIDs          []string
	EmployeeIDs         []string
	TeamIDs             []string
	AccountIDs          []string
	TaxCodeIDs          []string
	TagIDs              []string // an entry-level tag has one of these tag IDs
	TagGroupIDsUnset    []string // no entry-level tag of these groups has a tag ID
	ForeignExtensionIDs []string
	Currencies          []string // transaction currency
	Statuses            []string
	ExportStatuses      []string
	Families            []string
	SubFamilies         []string
	ReviewStatuses      []string
	HasAccount          *bool
	HasBookkeepingDate  *bool
	HasNote             *bool
	Settled             *bool
	PerformedAt         TimeRange
	SettledAt           TimeRange
	BookkeepingDate     TimeRange
	IncludeDeleted      bool
}

// AccountingEntries returns one page of the accounting entries matching f.
func (s *Store) AccountingEntries(ctx context.Context, f EntryFilter, req PageRequest) (Page[pleo.AccountingEntry], error) {
	if len(f.CompanyIDs) == 0 {
		return Page[pleo.AccountingEntry]{}, nil
	}
	return listPage(ctx, s, entryQuery(f), req, scanEntry)
}

// entryQuery is the list query of the accounting entries matching f.
func entryQuery(f EntryFilter) listQuery {
	q := listQuery{columns: entryColumns, from: "FROM accounting_entries", sortable: entrySortColumns,
		notNull: map[string]bool{"id": true, "performedAt": true}, nullsHigh: entryNullsHigh}
	q.filterIn("company_id", f.CompanyIDs)
	q.filterIn("employee_id", f.EmployeeIDs)
	q.filterIn("team_id", f.TeamIDs)
	q.filterIn("account_id", f.AccountIDs)
	q.filterIn("tax_code_id", f.TaxCodeIDs)
	q.filterIn("foreign_extension_id", f.ForeignExtensionIDs)
	q.filterIn("transaction_currency", f.Currencies)
	q.filterIn("status", f.Statuses)
	q.filterIn("export_status", f.ExportStatuses)
	q.filterIn("family", f.Families)
	q.filterIn("sub_family", f.SubFamilies)
	q.filterIn("review_status", f.ReviewStatuses)
	if len(f.TagIDs) > 0 {
		q.filter(`EXISTS (SELECT 1 FROM json_each(accounting_entries.tags) t WHERE json_extract(t.value, '$.tagId') IN (`+
			placeholders(len(f.TagIDs))+`))`, anySlice(f.TagIDs)...)
	}
	if len(f.TagGroupIDsUnset) > 0 {
		q.filter(`NOT EXISTS (SELECT 1 FROM json_each(accounting_entries.tags) t WHERE json_extract(t.value, '$.tagGroupId') IN (`+
			placeholders(len(f.TagGroupIDsUnset))+`) AND coalesce(json_extract(t.value, '$.tagId'), '') <> '')`, anySlice(f.TagGroupIDsUnset)...)
	}
	presence := func(flag *bool, set string) {
		if flag == nil {
			return
		}
		if *flag {
			q.filter(set)
		} else {
			q.filter("NOT (" + set + ")")
		}
	}
	presence(f.HasAccount, "account_id IS NOT NULL")
	presence(f.HasBookkeepingDate, "bookkeeping_date IS NOT NULL")
	presence(f.HasNote, "coalesce(note, '') <> ''")
	presence(f.Settled, "settled_at IS NOT NULL")
	for _, r := range []struct {
		col string
		r   TimeRange
	}{{"performed_at", f.PerformedAt}, {"settled_at", f.SettledAt}, {"bookkeeping_date", f.BookkeepingDate}} {
		if !r.r.From.IsZero() {
			q.filter(r.col+" >= ?", formatTime(r.r.From))
		}
		if !r.r.To.IsZero() {
			q.filter(r.col+" < ?", formatTime(r.r.To))
		}
	}
	if !f.IncludeDeleted {
		q.filter("deleted_at IS NULL")
	}
	return q
}

// AccountingEntry returns one accounting entry, deleted or not; ErrNotFound if there is none.
func (s *Store) AccountingEntry(ctx context.Context, id string) (pleo.AccountingEntry, error) {
	return scanEntry(s.queryRow(ctx, `SELECT `+entryColumns+` FROM accounting_entries WHERE id = ?`, id))
}
