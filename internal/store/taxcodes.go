package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves the tax-codes API (/v0/tax-codes). Pleo documents no
// conflict for tax codes, so codes are not checked for uniqueness.

const taxCodeColumns = `id, company_id, name, code, rate, type, archived, ingoing_tax_account, outgoing_tax_account,
	created_at, updated_at`

func scanTaxCode(row interface{ Scan(...any) error }) (pleo.TaxCode, error) {
	var c pleo.TaxCode
	var code, in, out sql.NullString
	var created, updated string
	err := row.Scan(&c.ID, &c.CompanyID, &c.Name, &code, &c.Rate, &c.Type, &c.Archived, &in, &out, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.Code, c.IngoingTaxAccount, c.OutgoingTaxAccount = nullableString(code), nullableString(in), nullableString(out)
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	return c, err
}

// CreateTaxCode adds c (ID generated) to c.CompanyID. pleo.ErrInvalid: c
// breaks a rule of (pleo.TaxCode).Validate; ErrNotFound: no such company.
// Timestamps are whole seconds, Pleo's pattern.
func (s *Store) CreateTaxCode(ctx context.Context, c pleo.TaxCode, now time.Time) (pleo.TaxCode, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	now = wholeSeconds(now)
	c.ID, c.CreatedAt, c.UpdatedAt, c.AccountingIntegrationSystem = NewUUID(), now, now, nil
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, c.CompanyID); err != nil {
			return err
		}
		return tx.InsertTaxCode(ctx, c)
	})
	return c, err
}

// TaxCode returns a tax code of one of companies.
func (s *Store) TaxCode(ctx context.Context, companies []string, id string) (pleo.TaxCode, error) {
	return taxCodeByID(ctx, s.r, companies, id)
}

func taxCodeByID(ctx context.Context, db rowQuerier, companies []string, id string) (pleo.TaxCode, error) {
	return scanTaxCode(selectRowOfCompanies(ctx, db, taxCodeColumns, "tax_codes", id, companies))
}

// UpdateTaxCode replaces every field of tax code c.ID of one of companies.
// c must keep the rules of (pleo.TaxCode).Validate and c.CompanyID must be
// the tax code's company (else pleo.ErrInvalid): a tax code does not move
// between companies.
func (s *Store) UpdateTaxCode(ctx context.Context, companies []string, c pleo.TaxCode, now time.Time) (pleo.TaxCode, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	now = wholeSeconds(now)
	var old pleo.TaxCode
	err := s.Write(ctx, func(tx *Tx) error {
		var err error
		old, err = taxCodeByID(ctx, tx.tx, companies, c.ID)
		if err != nil {
			return err
		}
		if c.CompanyID != old.CompanyID {
			return pleo.Invalid("companyId", "does not match the tax code's company")
		}
		return mustAffect(tx.tx.ExecContext(ctx, `UPDATE tax_codes SET name = ?, code = ?, rate = ?, type = ?, archived = ?,
			ingoing_tax_account = ?, outgoing_tax_account = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Code, c.Rate, c.Type, boolInt(c.Archived), c.IngoingTaxAccount, c.OutgoingTaxAccount, formatTime(now), c.ID))
	})
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt, c.AccountingIntegrationSystem = old.CreatedAt, now, old.AccountingIntegrationSystem
	return c, nil
}

// DeleteTaxCode removes a tax code of one of companies. Accounting entries
// that used it lose their taxCodeId (the schema's ON DELETE SET NULL).
func (s *Store) DeleteTaxCode(ctx context.Context, companies []string, id string) error {
	return s.deleteRowOfCompanies(ctx, "tax_codes", id, companies)
}

// TaxCodeFilter is TaxCodeSearchRequest; empty fields do not filter.
type TaxCodeFilter struct {
	Archived *bool // true: only archived; false: only active; nil: both
	Code     string
	IDs      []string
	Type     string
}

// taxCodeSortColumns maps the sort keys SearchTaxCodes accepts to columns.
// Pleo documents no sort keys for tax codes; the default order is
// createdAt, id.
var taxCodeSortColumns = map[string]string{"createdAt": "created_at", "id": "id"}

// TaxCodeSortKeys are the sort keys SearchTaxCodes accepts, sorted.
var TaxCodeSortKeys = sortKeys(taxCodeSortColumns)

// SearchTaxCodes returns one page of the tax codes of companies that match
// f; pleo.ErrInvalid when f.Type is neither empty nor a TaxCodeTypeModel.
func (s *Store) SearchTaxCodes(ctx context.Context, companies []string, f TaxCodeFilter, req PageRequest) (Page[pleo.TaxCode], error) {
	if f.Type != "" {
		if err := pleo.ValidateTaxCodeType(f.Type); err != nil {
			return Page[pleo.TaxCode]{}, err
		}
	}
	q := listQuery{columns: taxCodeColumns, from: "FROM tax_codes", sortable: taxCodeSortColumns}
	q.scopeToCompanies("company_id", companies)
	q.filterIn("id", f.IDs)
	q.filterArchived("archived", f.Archived)
	q.filterEqual("code", f.Code)
	q.filterEqual("type", f.Type)
	return listPage(ctx, s, q, req, scanTaxCode)
}
