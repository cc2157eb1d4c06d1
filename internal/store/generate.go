package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// This file reads what the accounting-entry generator (internal/seed)
// spreads entries over: a company's employees, accounts, tax codes, tags
// and vendors, each in ID order so that generation is deterministic.

// EntryRefs are the records of one company an accounting entry may refer to.
type EntryRefs struct {
	Currency  string // the company's wallet currency
	Country   string // the company's address country, ISO 3166 alpha-2 ("" if unknown)
	Employees []EmployeeRef
	Accounts  []AccountRef   // not archived
	TaxCodes  []TaxCodeRef   // not archived
	TagGroups []TagGroupRefs // not archived, each with its tags that are not archived
	Vendors   []VendorRef    // active vendors
}

// EmployeeRef is an employee and their team ("" if none).
type EmployeeRef struct{ ID, TeamID string }

// AccountRef is an account and its code ("" if none).
type AccountRef struct{ ID, Code string }

// TaxCodeRef is a tax code and its type (inclusive, exclusive or reverse).
type TaxCodeRef struct{ ID, Type string }

// TagGroupRefs is a tag group and the IDs of its tags.
type TagGroupRefs struct {
	ID     string
	TagIDs []string
}

// VendorRef is a vendor's name and external ID ("" if none).
type VendorRef struct{ Name, ExternalID string }

// EntryRefs returns what entries of company may refer to; ErrNotFound if
// there is no such company.
func (t *Tx) EntryRefs(ctx context.Context, companyID string) (EntryRefs, error) {
	var r EntryRefs
	err := t.tx.QueryRowContext(ctx, `SELECT currency, country FROM companies WHERE id = ?`, companyID).Scan(&r.Currency, &r.Country)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	lists := []struct {
		query string
		scan  func(*sql.Rows) error
	}{
		{`SELECT id, coalesce(team_id, '') FROM employees WHERE company_id = ? ORDER BY id`, func(rows *sql.Rows) error {
			var e EmployeeRef
			err := rows.Scan(&e.ID, &e.TeamID)
			r.Employees = append(r.Employees, e)
			return err
		}},
		{`SELECT id, coalesce(code, '') FROM accounts WHERE company_id = ? AND archived = 0 ORDER BY id`, func(rows *sql.Rows) error {
			var a AccountRef
			err := rows.Scan(&a.ID, &a.Code)
			r.Accounts = append(r.Accounts, a)
			return err
		}},
		{`SELECT id, type FROM tax_codes WHERE company_id = ? AND archived = 0 ORDER BY id`, func(rows *sql.Rows) error {
			var c TaxCodeRef
			err := rows.Scan(&c.ID, &c.Type)
			r.TaxCodes = append(r.TaxCodes, c)
			return err
		}},
		{`SELECT g.id, t.id FROM tag_groups g JOIN tags t ON t.group_id = g.id
			WHERE g.company_id = ? AND g.archived = 0 AND t.archived = 0 ORDER BY g.id, t.id`, func(rows *sql.Rows) error {
			var group, tag string
			if err := rows.Scan(&group, &tag); err != nil {
				return err
			}
			if n := len(r.TagGroups); n == 0 || r.TagGroups[n-1].ID != group {
				r.TagGroups = append(r.TagGroups, TagGroupRefs{ID: group})
			}
			last := &r.TagGroups[len(r.TagGroups)-1]
			last.TagIDs = append(last.TagIDs, tag)
			return nil
		}},
		{`SELECT name, coalesce(external_id, '') FROM vendors WHERE company_id = ? AND state = 'ACTIVE' ORDER BY id`, func(rows *sql.Rows) error {
			var v VendorRef
			err := rows.Scan(&v.Name, &v.ExternalID)
			r.Vendors = append(r.Vendors, v)
			return err
		}},
	}
	for _, l := range lists {
		if err := t.eachRow(ctx, l.query, companyID, l.scan); err != nil {
			return r, err
		}
	}
	return r, nil
}

// eachRow runs query with one argument and calls scan for every row.
func (t *Tx) eachRow(ctx context.Context, query, arg string, scan func(*sql.Rows) error) error {
	rows, err := t.tx.QueryContext(ctx, query, arg)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AccountingEntryExists reports whether an accounting entry (deleted or
// not) has the ID id.
func (t *Tx) AccountingEntryExists(ctx context.Context, id string) (bool, error) {
	var exists bool
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM accounting_entries WHERE id = ?)`, id).Scan(&exists)
	return exists, err
}

// bulkCacheKiB is the writer's page cache during a bulk write (SQLite's
// default is 2 MiB), so fewer pages are spilled to the WAL and read back
// mid-transaction; the memory it takes may stay with the process.
const bulkCacheKiB = 32 << 10

// WithBulkCache runs fn with the writer connection's page cache raised to
// bulkCacheKiB, and puts the previous size back afterwards (SQLite then
// frees the pages above it).
func (t *Tx) WithBulkCache(ctx context.Context, fn func() error) error {
	var previous int64
	if err := t.tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&previous); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
		return err
	}
	err := fn()
	_, restore := t.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, previous))
	return errors.Join(err, restore)
}
