package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file changes accounting entries the way the customer's side of Pleo
// does (internal/spend), and answers, inside the same write transaction,
// the look-ups its rules need: each one finds a row only in the given
// company, so an ID of another company is ErrNotFound.

// CompanyOf returns company id; ErrNotFound if there is none.
func (t *Tx) CompanyOf(ctx context.Context, id string) (pleo.Company, error) {
	return scanCompany(t.tx.QueryRowContext(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = ?`, id))
}

// EmployeeOf returns employee id of companyID.
func (t *Tx) EmployeeOf(ctx context.Context, companyID, id string) (pleo.Employee, error) {
	return scanEmployee(t.tx.QueryRowContext(ctx, `SELECT `+employeeColumns+` FROM employees
		WHERE id = ? AND company_id = ?`, id, companyID))
}

// FirstEmployeeOf returns the company's earliest employee (by createdAt,
// then ID); ErrNotFound if it has none.
func (t *Tx) FirstEmployeeOf(ctx context.Context, companyID string) (pleo.Employee, error) {
	return scanEmployee(t.tx.QueryRowContext(ctx, `SELECT `+employeeColumns+` FROM employees
		WHERE company_id = ? ORDER BY created_at, id LIMIT 1`, companyID))
}

// TeamOf returns team id of companyID.
func (t *Tx) TeamOf(ctx context.Context, companyID, id string) (pleo.Team, error) {
	var tm pleo.Team
	err := t.tx.QueryRowContext(ctx, `SELECT id, company_id, name FROM teams WHERE id = ? AND company_id = ?`,
		id, companyID).Scan(&tm.ID, &tm.CompanyID, &tm.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return tm, ErrNotFound
	}
	return tm, err
}

// AccountOf returns account id of companyID.
func (t *Tx) AccountOf(ctx context.Context, companyID, id string) (pleo.Account, error) {
	return scanAccount(t.tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE id = ? AND company_id = ?`, id, companyID))
}

// TaxCodeOf returns tax code id of companyID.
func (t *Tx) TaxCodeOf(ctx context.Context, companyID, id string) (pleo.TaxCode, error) {
	return scanTaxCode(t.tx.QueryRowContext(ctx, `SELECT `+taxCodeColumns+` FROM tax_codes
		WHERE id = ? AND company_id = ?`, id, companyID))
}

// TagGroupOf returns tag group id of companyID.
func (t *Tx) TagGroupOf(ctx context.Context, companyID, id string) (pleo.TagGroup, error) {
	return scanTagGroup(t.tx.QueryRowContext(ctx, `SELECT `+tagGroupColumns+` FROM tag_groups
		WHERE id = ? AND company_id = ?`, id, companyID))
}

// TagOf returns tag id of a tag group of companyID.
func (t *Tx) TagOf(ctx context.Context, companyID, id string) (pleo.Tag, error) {
	return tagByID(ctx, t.tx, []string{companyID}, id)
}

// AccountingEntryForUpdate returns accounting entry id, deleted or not, as
// the write transaction sees it; ErrNotFound if there is none.
func (t *Tx) AccountingEntryForUpdate(ctx context.Context, id string) (pleo.AccountingEntry, error) {
	return scanEntry(t.tx.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM accounting_entries WHERE id = ?`, id))
}

// UpdateAccountingEntry replaces every changeable column of entry e.ID
// with e's values (its ID, companyId and createdAt stay); ErrNotFound if
// there is no such entry. accountCode is not stored: reads take it from
// the account.
func (t *Tx) UpdateAccountingEntry(ctx context.Context, e pleo.AccountingEntry) error {
	values, err := entryValues(e)
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE accounting_entries SET employee_id = ?, team_id = ?, account_id = ?,
		tax_code_id = ?, family = ?, sub_family = ?, status = ?, review_status = ?, export_status = ?, note = ?,
		foreign_extension_id = ?, transaction_minors = ?, transaction_currency = ?, total_bill_minors = ?,
		total_bill_currency = ?, performed_at = ?, settled_at = ?, bookkeeping_date = ?, deleted_at = ?, tags = ?,
		split_items = ?, supplier = ?, attendees = ?, receipt_ids = ?, merchant_name = ?, updated_at = ?
		WHERE id = ?`,
		append(values, formatTime(e.UpdatedAt), e.ID)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, ErrNotFound)
	}
	return nil
}
