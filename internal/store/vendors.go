package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// This file serves the vendors API (/v1/vendors). A vendor's identity in
// its company is its externalId (the ERP's ID) when it has one, else its
// name ignoring case: creating a second vendor with the same identity is
// ErrConflict (Pleo's 409 "Vendor already exists"), and so is giving a
// vendor an externalId another vendor of the company has.

const vendorColumns = `id, company_id, name, coalesce(code, ''), coalesce(external_id, ''), coalesce(country, ''),
	default_currency, coalesce(registration_number, ''), coalesce(tax_registration_number, ''),
	coalesce(accounting_system, ''), state, created_at, updated_at`

func scanVendor(row interface{ Scan(...any) error }) (pleo.Vendor, error) {
	var v pleo.Vendor
	var created, updated string
	err := row.Scan(&v.ID, &v.CompanyID, &v.Name, &v.Code, &v.ExternalID, &v.Country, &v.DefaultCurrency,
		&v.RegistrationNumber, &v.TaxRegistrationNumber, &v.AccountingSystem, &v.State, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return v, err
}

// CreateVendor adds v (ID generated) to v.CompanyID. It starts ACTIVE when
// it has an externalId (it exists in the ERP) and DRAFT otherwise.
// pleo.ErrInvalid: v breaks a rule of (pleo.Vendor).Validate; ErrNotFound:
// no such company; ErrConflict: the vendor exists.
func (s *Store) CreateVendor(ctx context.Context, v pleo.Vendor, now time.Time) (pleo.Vendor, error) {
	v, _, err := s.createVendor(ctx, v, now, false)
	return v, err
}

// createVendor is CreateVendor; with emit, it also writes v1.vendor.created
// in the same transaction and returns the event's ID (webhooks.go).
func (s *Store) createVendor(ctx context.Context, v pleo.Vendor, now time.Time, emit bool) (pleo.Vendor, string, error) {
	var eventID string
	if err := v.Validate(); err != nil {
		return v, "", err
	}
	v.State = "DRAFT"
	if v.ExternalID != "" {
		v.State = "ACTIVE"
	}
	v.ID, v.CreatedAt, v.UpdatedAt = NewUUID(), now, now
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, v.CompanyID); err != nil {
			return err
		}
		if err := tx.vendorIdentityFree(ctx, v, ""); err != nil {
			return err
		}
		if err := tx.InsertVendor(ctx, v); err != nil || !emit {
			return err
		}
		var err error
		eventID, err = tx.EnqueueEvent(ctx, events.VendorCreated, v.CompanyID, v, now)
		return err
	})
	return v, eventID, err
}

// vendorIdentityFree returns ErrConflict if a vendor of v's company other
// than exceptID has v's externalId or, when v has none, v's name.
func (t *Tx) vendorIdentityFree(ctx context.Context, v pleo.Vendor, exceptID string) error {
	others, err := queryList(ctx, t.tx, scanVendor, `SELECT `+vendorColumns+` FROM vendors WHERE company_id = ? AND id != ?`,
		v.CompanyID, exceptID)
	if err != nil {
		return err
	}
	for _, o := range others {
		if v.ExternalID != "" && o.ExternalID == v.ExternalID ||
			v.ExternalID == "" && exceptID == "" && strings.EqualFold(o.Name, v.Name) {
			return ErrConflict
		}
	}
	return nil
}

// Vendor returns a vendor of one of companies.
func (s *Store) Vendor(ctx context.Context, companies []string, id string) (pleo.Vendor, error) {
	return vendorByID(ctx, s.r, companies, id)
}

func vendorByID(ctx context.Context, db rowQuerier, companies []string, id string) (pleo.Vendor, error) {
	return scanVendor(selectRowOfCompanies(ctx, db, vendorColumns, "vendors", id, companies))
}

// VendorFilter is VendorSearchRequestV1; empty fields do not filter.
type VendorFilter struct {
	IDs                    []string
	Codes                  []string
	ExternalIDs            []string
	AccountingSystems      []string
	Countries              []string
	TaxRegistrationNumbers []string
	States                 []string
	Name                   string // case-insensitive substring
}

// vendorSortColumns maps the sort keys SearchVendors accepts to columns.
// Pleo documents no sort keys for vendors; the default order is createdAt, id.
var vendorSortColumns = map[string]string{"createdAt": "created_at", "id": "id"}

// VendorSortKeys are the sort keys SearchVendors accepts, sorted.
var VendorSortKeys = sortKeys(vendorSortColumns)

// SearchVendors returns one page of the vendors of companies that match f;
// pleo.ErrInvalid when f.States has a value that is not a VendorState.
func (s *Store) SearchVendors(ctx context.Context, companies []string, f VendorFilter, req PageRequest) (Page[pleo.Vendor], error) {
	if err := pleo.ValidateVendorStates(f.States); err != nil {
		return Page[pleo.Vendor]{}, err
	}
	q := listQuery{columns: vendorColumns, from: "FROM vendors", sortable: vendorSortColumns}
	q.scopeToCompanies("company_id", companies)
	q.filterIn("id", f.IDs)
	q.filterIn("code", f.Codes)
	q.filterIn("external_id", f.ExternalIDs)
	q.filterIn("accounting_system", f.AccountingSystems)
	q.filterIn("country", f.Countries)
	q.filterIn("tax_registration_number", f.TaxRegistrationNumbers)
	q.filterIn("state", f.States)
	q.filterContains("name", f.Name)
	return listPage(ctx, s, q, req, scanVendor)
}

// UpdateVendor replaces vendor v.ID of one of companies: every field of
// VendorUpdateRequest (accountingSystem is kept). v must keep the rules of
// (pleo.Vendor).ValidateUpdate and v.CompanyID must be the vendor's company
// (else pleo.ErrInvalid); ErrConflict: another vendor of the company has
// v.ExternalID.
func (s *Store) UpdateVendor(ctx context.Context, companies []string, v pleo.Vendor, now time.Time) (pleo.Vendor, error) {
	if err := v.ValidateUpdate(); err != nil {
		return v, err
	}
	var out pleo.Vendor
	err := s.Write(ctx, func(tx *Tx) error {
		old, err := vendorByID(ctx, tx.tx, companies, v.ID)
		if err != nil {
			return err
		}
		if v.CompanyID != old.CompanyID {
			return pleo.Invalid("companyId", "does not match the vendor's company")
		}
		if err := tx.vendorIdentityFree(ctx, v, v.ID); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE vendors SET name = ?, code = ?, external_id = ?, country = ?,
			default_currency = ?, registration_number = ?, tax_registration_number = ?, state = ?, updated_at = ? WHERE id = ?`,
			v.Name, nullString(v.Code), v.ExternalID, nullString(v.Country), v.DefaultCurrency, nullString(v.RegistrationNumber),
			nullString(v.TaxRegistrationNumber), v.State, formatTime(now), v.ID); err != nil {
			return err
		}
		out, err = vendorByID(ctx, tx.tx, companies, v.ID)
		return err
	})
	return out, err
}

// ArchiveVendor sets a vendor of one of companies to ARCHIVED.
func (s *Store) ArchiveVendor(ctx context.Context, companies []string, id string, now time.Time) (pleo.Vendor, error) {
	var out pleo.Vendor
	err := s.Write(ctx, func(tx *Tx) error {
		if _, err := vendorByID(ctx, tx.tx, companies, id); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE vendors SET state = 'ARCHIVED', updated_at = ? WHERE id = ?`,
			formatTime(now), id); err != nil {
			return err
		}
		var err error
		out, err = vendorByID(ctx, tx.tx, companies, id)
		return err
	})
	return out, err
}

// ActivateVendor records that a vendor of one of companies exists in the
// ERP as externalID (and code, when not empty): its state becomes ACTIVE.
// pleo.ErrInvalid: externalID is blank; ErrConflict: another vendor of the
// company has externalID.
func (s *Store) ActivateVendor(ctx context.Context, companies []string, id, externalID, code string, now time.Time) (pleo.Vendor, error) {
	if err := pleo.ValidateVendorExternalID(externalID); err != nil {
		return pleo.Vendor{}, err
	}
	var out pleo.Vendor
	err := s.Write(ctx, func(tx *Tx) error {
		v, err := vendorByID(ctx, tx.tx, companies, id)
		if err != nil {
			return err
		}
		v.ExternalID = externalID
		if err := tx.vendorIdentityFree(ctx, v, v.ID); err != nil {
			return err
		}
		if code != "" {
			v.Code = code
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE vendors SET state = 'ACTIVE', external_id = ?, code = ?, updated_at = ?
			WHERE id = ?`, externalID, nullString(v.Code), formatTime(now), id); err != nil {
			return err
		}
		out, err = vendorByID(ctx, tx.tx, companies, id)
		return err
	})
	return out, err
}
