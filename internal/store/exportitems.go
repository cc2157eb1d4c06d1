package store

import (
	"context"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file reads the export-item view (GET /v3/export-items): the entries of
// unfinished export jobs with the catalogue they are exported against.

// ListExportItems returns one page of the entries of the unfinished jobs of
// companies (only jobID's when it is set) as export items, by accounting
// entry ID and then job ID by default. Links are left to the caller.
// Errors: ErrNotFound (no such job), pleo.ErrJobFinished.
func (s *Store) ListExportItems(ctx context.Context, companies []string, jobID string, req PageRequest,
	now time.Time) (Page[pleo.ExportItem], error) {
	var out Page[pleo.ExportItem]
	if err := s.expireDue(ctx, now); err != nil {
		return out, err
	}
	if jobID != "" {
		job, err := s.ExportJob(ctx, companies, jobID, now)
		if err != nil {
			return out, err
		}
		if pleo.ExportJobFinished(job.Status) {
			return out, pleo.ErrJobFinished
		}
	}
	type ref struct {
		jobID, entryID string
		vendorBased    bool
	}
	if len(companies) == 0 {
		return out, nil
	}
	q := listQuery{columns: "i.job_id, i.accounting_entry_id, j.vendor_based_bookkeeping",
		from: "FROM export_job_items i JOIN export_jobs j ON j.id = i.job_id", sortable: exportItemSortColumns}
	q.filterIn("j.company_id", companies)
	q.filterIn("j.status", []string{pleo.ExportJobPending, pleo.ExportJobInProgress})
	q.filterEqual("i.job_id", jobID)
	refs, err := listPage(ctx, s, q, withDefaultOrder(req), func(row interface{ Scan(...any) error }) (ref, error) {
		var r ref
		return r, row.Scan(&r.jobID, &r.entryID, &r.vendorBased)
	})
	if err != nil {
		return out, err
	}
	out.Positions, out.HasNext, out.HasPrevious, out.Total = refs.Positions, refs.HasNext, refs.HasPrevious, refs.Total
	out.Items = make([]pleo.ExportItem, 0, len(refs.Items))
	catalogs := map[string]pleo.ExportCatalog{}
	for _, r := range refs.Items {
		e, err := scanEntry(s.r.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM accounting_entries WHERE id = ?`, r.entryID))
		if err != nil {
			return out, err
		}
		c, ok := catalogs[e.CompanyID]
		if !ok {
			if c, err = s.exportCatalog(ctx, e.CompanyID); err != nil {
				return out, err
			}
			catalogs[e.CompanyID] = c
		}
		item := pleo.BuildExportItem(e, r.vendorBased, c)
		item.ExportJobID = r.jobID
		out.Items = append(out.Items, item)
	}
	return out, nil
}

// exportCatalog loads the records of a company that export items refer to.
func (s *Store) exportCatalog(ctx context.Context, companyID string) (c pleo.ExportCatalog, err error) {
	if err = s.r.QueryRowContext(ctx, `SELECT currency FROM companies WHERE id = ?`, companyID).Scan(&c.WalletCurrency); err != nil {
		return c, err
	}
	if c.Accounts, err = ejIndex(ctx, s, scanAccount, `SELECT `+accountColumns+` FROM accounts WHERE company_id = ?`,
		companyID, func(a pleo.Account) string { return a.ID }); err != nil {
		return c, err
	}
	if c.TaxCodes, err = ejIndex(ctx, s, scanTaxCode, `SELECT `+taxCodeColumns+` FROM tax_codes WHERE company_id = ?`,
		companyID, func(t pleo.TaxCode) string { return t.ID }); err != nil {
		return c, err
	}
	if c.TagGroups, err = ejIndex(ctx, s, scanTagGroup, `SELECT `+tagGroupColumns+` FROM tag_groups WHERE company_id = ?`,
		companyID, func(g pleo.TagGroup) string { return g.ID }); err != nil {
		return c, err
	}
	if c.Tags, err = ejIndex(ctx, s, scanTag, `SELECT `+tagColumns+` `+tagFrom+` WHERE g.company_id = ?`,
		companyID, func(t pleo.Tag) string { return t.ID }); err != nil {
		return c, err
	}
	if c.Teams, err = ejIndex(ctx, s, func(row interface{ Scan(...any) error }) (pleo.Team, error) {
		var t pleo.Team
		return t, row.Scan(&t.ID, &t.CompanyID, &t.Name)
	}, `SELECT id, company_id, name FROM teams WHERE company_id = ?`, companyID, func(t pleo.Team) string { return t.ID }); err != nil {
		return c, err
	}
	if c.Employees, err = ejIndex(ctx, s, func(row interface{ Scan(...any) error }) (pleo.Employee, error) {
		var e pleo.Employee
		return e, row.Scan(&e.ID, &e.CompanyID, &e.FirstName, &e.LastName, &e.Code)
	}, `SELECT id, company_id, first_name, last_name, coalesce(code, '') FROM employees WHERE company_id = ?`,
		companyID, func(e pleo.Employee) string { return e.ID }); err != nil {
		return c, err
	}
	c.Vendors, err = queryList(ctx, s.r, scanVendor, `SELECT `+vendorColumns+` FROM vendors WHERE company_id = ?
		ORDER BY created_at, id`, companyID)
	return c, err
}
