package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves the chart-of-accounts API (/v1/chart-of-accounts). An
// account's identity in its company is its externalId, which never changes:
// creating an account whose externalId exists returns the existing account
// when every other field matches (Pleo's 200) and ErrConflict otherwise.

const accountColumns = `id, company_id, external_id, name, code, archived, tax_code_external_id, metadata,
	created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (pleo.Account, error) {
	var a pleo.Account
	var code, taxCode sql.NullString
	var meta, created, updated string
	err := row.Scan(&a.ID, &a.CompanyID, &a.ExternalID, &a.Name, &code, &a.Archived, &taxCode, &meta, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.Code, a.TaxCodeExternalID = nullableString(code), nullableString(taxCode)
	a.CreatedAt, a.UpdatedAt = parseTime(created), parseTime(updated)
	return a, json.Unmarshal([]byte(meta), &a.Metadata)
}

// CreateAccount adds a (ID generated) to a.CompanyID and reports true, or
// returns the company's account with a.ExternalID and false when its
// fields equal a's. pleo.ErrInvalid: a breaks a rule of
// (pleo.Account).Validate; ErrNotFound: no such company; ErrConflict: the
// externalId exists with other data.
func (s *Store) CreateAccount(ctx context.Context, a pleo.Account, now time.Time) (pleo.Account, bool, error) {
	if err := a.Validate(); err != nil {
		return a, false, err
	}
	a.ID, a.CreatedAt, a.UpdatedAt = NewUUID(), now, now
	created := false
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, a.CompanyID); err != nil {
			return err
		}
		old, err := scanAccount(tx.tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts
			WHERE company_id = ? AND external_id = ?`, a.CompanyID, a.ExternalID))
		switch {
		case err == nil && sameAccount(old, a):
			a = old
			return nil
		case err == nil:
			return ErrConflict
		case !errors.Is(err, ErrNotFound):
			return err
		}
		created = true
		return tx.InsertAccount(ctx, a)
	})
	return a, created, err
}

// sameAccount reports whether two accounts carry the same data.
func sameAccount(a, b pleo.Account) bool {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	ma, _ := jsonText(a.Metadata, "{}")
	mb, _ := jsonText(b.Metadata, "{}")
	return a.Name == b.Name && str(a.Code) == str(b.Code) && a.Archived == b.Archived &&
		str(a.TaxCodeExternalID) == str(b.TaxCodeExternalID) && ma == mb
}

// Account returns an account of one of companies.
func (s *Store) Account(ctx context.Context, companies []string, id string) (pleo.Account, error) {
	return scanAccount(selectRowOfCompanies(ctx, s.r, accountColumns, "accounts", id, companies))
}

// UpdateAccount replaces the name, code, archived flag, taxCodeExternalId
// and metadata of account a.ID of one of companies (BookkeepingAccountUpdateRequestV1).
// pleo.ErrInvalid: a breaks a rule of (pleo.Account).ValidateUpdate.
func (s *Store) UpdateAccount(ctx context.Context, companies []string, a pleo.Account, now time.Time) (pleo.Account, error) {
	if err := a.ValidateUpdate(); err != nil {
		return a, err
	}
	meta, err := jsonText(a.Metadata, "{}")
	if err != nil {
		return a, err
	}
	err = s.updateRowOfCompanies(ctx, "accounts", "name = ?, code = ?, archived = ?, tax_code_external_id = ?, metadata = ?, updated_at = ?",
		[]any{a.Name, a.Code, boolInt(a.Archived), a.TaxCodeExternalID, meta, formatTime(now)}, a.ID, companies)
	if err != nil {
		return a, err
	}
	return s.Account(ctx, companies, a.ID)
}

// DeleteAccount removes an account of one of companies. ErrConflict: an
// accounting entry or split item uses it (Pleo's 409; archive it instead).
func (s *Store) DeleteAccount(ctx context.Context, companies []string, id string) error {
	return s.Write(ctx, func(tx *Tx) error {
		if err := requireRowOfCompanies(ctx, tx.tx, "accounts", id, companies); err != nil {
			return err
		}
		var used bool
		if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM accounting_entries WHERE account_id = ?1)
			OR EXISTS (SELECT 1 FROM accounting_entries e, json_each(e.split_items) s
				WHERE json_extract(s.value, '$.accountId') = ?1)`, id).Scan(&used); err != nil {
			return err
		}
		if used {
			return ErrConflict
		}
		return mustAffect(tx.tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id))
	})
}

// AccountFilter is BookkeepingAccountSearchRequestV1; empty fields do not
// filter. The category and contra-account exclusions have nothing to
// exclude in the emulator.
type AccountFilter struct {
	Archived   *bool
	Codes      []string // codes, plus the deprecated single code
	ExternalID string
	IDs        []string
	Name       string // case-insensitive substring
}

// accountSortColumns maps the sort keys SearchAccounts accepts to columns.
// Pleo documents no sort keys for accounts; the default order is
// createdAt, id.
var accountSortColumns = map[string]string{"createdAt": "created_at", "id": "id"}

// AccountSortKeys are the sort keys SearchAccounts accepts, sorted.
var AccountSortKeys = sortKeys(accountSortColumns)

// SearchAccounts returns one page of the accounts of companies that match f.
func (s *Store) SearchAccounts(ctx context.Context, companies []string, f AccountFilter, req PageRequest) (Page[pleo.Account], error) {
	q := listQuery{columns: accountColumns, from: "FROM accounts", sortable: accountSortColumns}
	q.scopeToCompanies("company_id", companies)
	q.filterIn("id", f.IDs)
	q.filterIn("code", f.Codes)
	q.filterArchived("archived", f.Archived)
	q.filterEqual("external_id", f.ExternalID)
	q.filterContains("name", f.Name)
	return listPage(ctx, s, q, req, scanAccount)
}

// AccountBatchFailure is one item of a batch that was not created: its
// index in the batch and Pleo's reasons (pleo.AccountBatchFailureReasons).
type AccountBatchFailure struct {
	Index   int
	Reasons []string
}

// CreateAccountsBatch creates, in one transaction, each of items (their
// CompanyID is ignored) in company that breaks no rule of
// (pleo.Account).BatchItemReasons and whose externalId is neither in the
// company nor on an earlier item of the batch; every other item fails
// with all its reasons, EXTERNAL_ID_ALREADY_EXISTS among them when it
// applies, even when the existing account carries the same data (a batch
// creates; it does not match). created keeps the order of items.
// ErrNotFound: no such company.
func (s *Store) CreateAccountsBatch(ctx context.Context, company string, items []pleo.Account, now time.Time) (
	created []pleo.Account, failed []AccountBatchFailure, err error) {
	err = s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, company); err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, a := range items {
			reasons := a.BatchItemReasons()
			if a.ExternalID != "" {
				exists := seen[a.ExternalID]
				if !exists {
					var n int
					if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE company_id = ? AND external_id = ?`,
						company, a.ExternalID).Scan(&n); err != nil {
						return err
					}
					exists = n > 0
				}
				if exists {
					reasons = append([]string{pleo.AccountExternalIDExists}, reasons...)
				}
				seen[a.ExternalID] = true
			}
			if len(reasons) > 0 {
				failed = append(failed, AccountBatchFailure{Index: i, Reasons: reasons})
				continue
			}
			a.ID, a.CompanyID, a.CreatedAt, a.UpdatedAt = NewUUID(), company, now, now
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
			created = append(created, a)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return created, failed, nil
}
