package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file writes the Pleo data the mock API serves. Reads live beside the
// API resource that needs them.

// InsertTeam adds a team.
func (t *Tx) InsertTeam(ctx context.Context, tm pleo.Team) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO teams (id, company_id, name) VALUES (?, ?, ?)`, tm.ID, tm.CompanyID, tm.Name)
	return conflict(err)
}

// InsertEmployee adds an employee.
func (t *Tx) InsertEmployee(ctx context.Context, e pleo.Employee) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO employees (id, company_id, user_id, team_id, first_name, last_name, email,
		code, phone, job_title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CompanyID, nullString(e.UserID), nullString(e.TeamID), e.FirstName, e.LastName, e.Email,
		nullString(e.Code), nullString(e.Phone), nullString(e.JobTitle), formatTime(e.CreatedAt), formatTime(e.UpdatedAt))
	return conflict(err)
}

// InsertTagGroup adds a tag group.
func (t *Tx) InsertTagGroup(ctx context.Context, g pleo.TagGroup) error {
	meta, err := jsonText(g.Metadata, "{}")
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO tag_groups (id, company_id, name, code, archived, metadata, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, g.ID, g.CompanyID, g.Name, g.Code, boolInt(g.Archived), meta,
		formatTime(g.CreatedAt), formatTime(g.UpdatedAt))
	return conflict(err)
}

// InsertTag adds a tag to its group.
func (t *Tx) InsertTag(ctx context.Context, tg pleo.Tag) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tags (id, group_id, name, code, archived, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tg.ID, tg.GroupID, tg.Name, tg.Code, boolInt(tg.Archived),
		formatTime(tg.CreatedAt), formatTime(tg.UpdatedAt))
	return conflict(err)
}

// InsertTaxCode adds a tax code.
func (t *Tx) InsertTaxCode(ctx context.Context, c pleo.TaxCode) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO tax_codes (id, company_id, name, code, rate, type, archived,
		ingoing_tax_account, outgoing_tax_account, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.CompanyID, c.Name, c.Code, c.Rate, c.Type, boolInt(c.Archived), c.IngoingTaxAccount, c.OutgoingTaxAccount,
		formatTime(c.CreatedAt), formatTime(c.UpdatedAt))
	return conflict(err)
}

// InsertVendor adds a vendor.
func (t *Tx) InsertVendor(ctx context.Context, v pleo.Vendor) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO vendors (id, company_id, name, code, external_id, country, default_currency,
		registration_number, tax_registration_number, accounting_system, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.CompanyID, v.Name, nullString(v.Code), nullString(v.ExternalID), nullString(v.Country), v.DefaultCurrency,
		nullString(v.RegistrationNumber), nullString(v.TaxRegistrationNumber), nullString(v.AccountingSystem), v.State,
		formatTime(v.CreatedAt), formatTime(v.UpdatedAt))
	return conflict(err)
}

// InsertAccount adds an account to the chart of accounts.
func (t *Tx) InsertAccount(ctx context.Context, a pleo.Account) error {
	meta, err := jsonText(a.Metadata, "{}")
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO accounts (id, company_id, external_id, name, code, archived,
		tax_code_external_id, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.CompanyID, a.ExternalID, a.Name, a.Code, boolInt(a.Archived), a.TaxCodeExternalID, meta,
		formatTime(a.CreatedAt), formatTime(a.UpdatedAt))
	return conflict(err)
}

// insertAccountingEntry is prepared once: the seed and generation run it for every entry.
var insertAccountingEntry = writeQuery(`INSERT INTO accounting_entries (id, company_id, employee_id, team_id, account_id,
		tax_code_id, family, sub_family, status, review_status, export_status, note, foreign_extension_id,
		transaction_minors, transaction_currency, total_bill_minors, total_bill_currency, performed_at, settled_at,
		bookkeeping_date, deleted_at, tags, split_items, supplier, attendees, receipt_ids, merchant_name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

// InsertAccountingEntry adds an accounting entry.
func (t *Tx) InsertAccountingEntry(ctx context.Context, e pleo.AccountingEntry) error {
	values, err := entryValues(e)
	if err != nil {
		return err
	}
	args := append(append([]any{e.ID, e.CompanyID}, values...), formatTime(e.CreatedAt), formatTime(e.UpdatedAt))
	_, err = t.exec(ctx, insertAccountingEntry, args...)
	return conflict(err)
}

// entryValues are the values of an accounting entry's changeable columns,
// employee_id to merchant_name in the order of the table: the ones
// InsertAccountingEntry and UpdateAccountingEntry both write.
func entryValues(e pleo.AccountingEntry) ([]any, error) {
	var documents [4]string
	for i, v := range []any{e.Tags, e.SplitItems, e.Attendees, e.ReceiptIDs} {
		text, err := jsonText(v, "[]")
		if err != nil {
			return nil, err
		}
		documents[i] = text
	}
	supplier, err := nullJSON(e.Supplier)
	if err != nil {
		return nil, err
	}
	var billMinors, billCurrency any
	if e.TotalBillValue != nil {
		billMinors, billCurrency = e.TotalBillValue.Minors, e.TotalBillValue.Currency
	}
	return []any{nullString(e.EmployeeID), nullString(e.TeamID), nullString(e.AccountID), nullString(e.TaxCodeID),
		e.Family, nullString(e.SubFamily), e.Status, e.ReviewStatus, e.ExportStatus, nullString(e.Note),
		nullString(e.ForeignExtensionID), e.TransactionValue.Minors, e.TransactionValue.Currency, billMinors, billCurrency,
		formatTime(e.PerformedAt), nullTimePtr(e.SettledAt), nullTimePtr(e.BookkeepingDate), nullTimePtr(e.DeletedAt),
		documents[0], documents[1], supplier, documents[2], documents[3], nullString(e.MerchantName)}, nil
}

func nullTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return nullTime(*t)
}

// jsonText encodes v as JSON text, writing empty for a nil map or slice.
func jsonText(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return empty, nil
	}
	return string(b), nil
}

// nullJSON encodes v as JSON text for a nullable column: NULL for a nil
// pointer, map or slice.
func nullJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return string(b), nil
}
