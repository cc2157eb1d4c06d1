package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file persists the export API v3: jobs, their items, job events and
// the export-item view of the entries in unfinished jobs. The rules live in
// internal/pleo (state machine, entry export status, expiry); this file
// applies them in one immediate transaction per call, so concurrent calls
// for a company are serialised by the single writer. Every method first
// fails the jobs that have expired at now (see ExpireExportJobs), so reads
// and writes see expiry as it happens.

const exportJobColumns = `id, company_id, status, is_interactive, vendor_based_bookkeeping, number_of_items,
	created_by, failure_reason, coalesce(failure_reason_type, ''), created_at, started_at, completed_at,
	expired_at, last_updated_at`

func scanExportJob(row interface{ Scan(...any) error }) (pleo.ExportJob, error) {
	var j pleo.ExportJob
	var createdBy, reason, started, completed, expired sql.NullString
	var created, last string
	err := row.Scan(&j.ID, &j.CompanyID, &j.Status, &j.IsInteractive, &j.VendorBasedBookkeeping, &j.NumberOfItems,
		&createdBy, &reason, &j.FailureReasonType, &created, &started, &completed, &expired, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrNotFound
	}
	j.CreatedBy, j.FailureReason = ejString(createdBy), ejString(reason)
	j.CreatedAt, j.LastUpdatedAt = parseTime(created), ejTimePtr(sql.NullString{String: last, Valid: true})
	j.StartedAt, j.CompletedAt, j.ExpiredAt = ejTimePtr(started), ejTimePtr(completed), ejTimePtr(expired)
	return j, err
}

const exportItemColumns = `job_id, accounting_entry_id, status, previous_export_status, exported_at,
	external_id, external_url, failure_reason, coalesce(failure_reason_type, ''), updated_at`

func scanExportJobItem(row interface{ Scan(...any) error }) (pleo.ExportJobItem, error) {
	var it pleo.ExportJobItem
	var exported, extID, extURL, reason sql.NullString
	var updated string
	err := row.Scan(&it.ExportJobID, &it.AccountingEntryID, &it.Status, &it.PreviousExportStatus, &exported,
		&extID, &extURL, &reason, &it.FailureReasonType, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	it.ExportedAt, it.UpdatedAt = ejTimePtr(exported), parseTime(updated)
	it.ExternalID, it.ExternalURL, it.FailureReason = ejString(extID), ejString(extURL), ejString(reason)
	return it, err
}

// CreateExportJob creates a pending job for req.CompanyID whose items are
// req.AccountingEntryIDs, or, when that list is empty, every entry ready
// for export (pleo.EntryReadyForExport). The entries become QUEUED.
// Errors: ErrNotFound (no such company), pleo.ErrExportInProgress,
// pleo.ErrEntryNotExportable, pleo.ErrNothingToExport.
func (s *Store) CreateExportJob(ctx context.Context, req pleo.CreateExportJob, now time.Time) (pleo.ExportJob, error) {
	now = ejSeconds(now)
	if err := s.expireDue(ctx, now); err != nil {
		return pleo.ExportJob{}, err
	}
	job := pleo.ExportJob{ID: NewUUID(), CompanyID: req.CompanyID, Status: pleo.ExportJobPending,
		IsInteractive: req.Interactive(), VendorBasedBookkeeping: req.VendorBased(), CreatedBy: req.EmployeeID,
		CreatedAt: now, LastUpdatedAt: &now}
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, req.CompanyID); err != nil {
			return err
		}
		var busy bool
		if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM export_jobs WHERE company_id = ? AND status = ?)`,
			req.CompanyID, pleo.ExportJobInProgress).Scan(&busy); err != nil {
			return err
		}
		if busy {
			return pleo.ErrExportInProgress
		}
		entries, err := tx.exportableEntries(ctx, req.CompanyID, req.AccountingEntryIDs)
		if err != nil {
			return err
		}
		job.NumberOfItems = len(entries)
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO export_jobs (id, company_id, status, is_interactive,
			vendor_based_bookkeeping, number_of_items, created_by, created_at, last_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			job.ID, job.CompanyID, job.Status, boolInt(job.IsInteractive), boolInt(job.VendorBasedBookkeeping),
			job.NumberOfItems, job.CreatedBy, formatTime(now), formatTime(now)); err != nil {
			return err
		}
		for _, e := range entries {
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO export_job_items (job_id, accounting_entry_id, status,
				previous_export_status, updated_at) VALUES (?, ?, ?, ?, ?)`,
				job.ID, e.id, pleo.ExportItemPending, e.exportStatus, formatTime(now)); err != nil {
				return err
			}
			status := pleo.EntryExportStatus(job.Status, pleo.ExportItemPending, e.exportStatus)
			if err := tx.setEntryExportStatus(ctx, e.id, status, now); err != nil {
				return err
			}
		}
		return nil
	})
	return job.WithExpiresIn(now), err
}

type exportEntry struct{ id, exportStatus string }

// exportableEntries resolves the entries a new job of company takes.
func (t *Tx) exportableEntries(ctx context.Context, companyID string, ids []string) ([]exportEntry, error) {
	var out []exportEntry
	if len(ids) == 0 {
		rows, err := t.tx.QueryContext(ctx, `SELECT id, status, export_status, deleted_at IS NOT NULL
			FROM accounting_entries WHERE company_id = ? ORDER BY performed_at, id`, companyID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var e exportEntry
			var status string
			var deleted bool
			if err := rows.Scan(&e.id, &status, &e.exportStatus, &deleted); err != nil {
				return nil, err
			}
			if pleo.EntryReadyForExport(status, e.exportStatus, deleted) {
				out = append(out, e)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return nil, pleo.ErrNothingToExport
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		e := exportEntry{id: id}
		var company string
		var deleted bool
		err := t.tx.QueryRowContext(ctx, `SELECT company_id, export_status, deleted_at IS NOT NULL
			FROM accounting_entries WHERE id = ?`, id).Scan(&company, &e.exportStatus, &deleted)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && company != companyID) {
			return nil, fmt.Errorf("%w: accounting entry %s not found", pleo.ErrEntryNotExportable, id)
		}
		if err != nil {
			return nil, err
		}
		if !pleo.EntryExportable(e.exportStatus, deleted) {
			return nil, fmt.Errorf("%w: accounting entry %s is deleted or already in an unfinished export job",
				pleo.ErrEntryNotExportable, id)
		}
		out = append(out, e)
	}
	return out, nil
}

// ExportJob returns a job of one of companies, with expiresIn as of now.
func (s *Store) ExportJob(ctx context.Context, companies []string, id string, now time.Time) (pleo.ExportJob, error) {
	if err := s.expireDue(ctx, now); err != nil {
		return pleo.ExportJob{}, err
	}
	var w ksWhere
	w.add("id = ?", id)
	w.in("company_id", companies)
	j, err := scanExportJob(s.r.QueryRowContext(ctx, `SELECT `+exportJobColumns+` FROM export_jobs`+w.sql(), w.args...))
	return j.WithExpiresIn(now), err
}

// ListExportJobs lists the jobs of companies, oldest first, optionally only
// those in statuses, with expiresIn as of now.
func (s *Store) ListExportJobs(ctx context.Context, companies, statuses []string, q KeysetQuery, now time.Time) (KeysetPage[pleo.ExportJob], error) {
	if err := s.expireDue(ctx, now); err != nil {
		return KeysetPage[pleo.ExportJob]{}, err
	}
	l := ksList{columns: exportJobColumns, from: "FROM export_jobs", sort: "created_at", id: "id"}
	l.where.in("company_id", companies)
	l.where.filterIn("status", statuses)
	page, err := ksPage(ctx, s, l, q, scanExportJob)
	for i := range page.Items {
		page.Items[i] = page.Items[i].WithExpiresIn(now)
	}
	return page, err
}

// ApplyExportJobEvent moves a job of one of companies through the state
// machine (pleo.NextExportJobStatus) and gives its items and their entries
// the matching statuses. Starting a job while another job of the company is
// in progress is an error matching both pleo.ErrIllegalTransition and
// pleo.ErrExportInProgress.
func (s *Store) ApplyExportJobEvent(ctx context.Context, companies []string, ev pleo.ExportJobEvent, now time.Time) (pleo.ExportJob, error) {
	now = ejSeconds(now)
	if err := ev.Validate(); err != nil {
		return pleo.ExportJob{}, err
	}
	if err := s.expireDue(ctx, now); err != nil {
		return pleo.ExportJob{}, err
	}
	var job pleo.ExportJob
	err := s.Write(ctx, func(tx *Tx) error {
		var err error
		if job, err = tx.exportJob(ctx, companies, ev.JobID); err != nil {
			return err
		}
		if job, err = job.Apply(ev, now); err != nil {
			return err
		}
		if job.Status == pleo.ExportJobInProgress {
			var busy bool
			if err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM export_jobs WHERE company_id = ? AND status = ?)`,
				job.CompanyID, pleo.ExportJobInProgress).Scan(&busy); err != nil {
				return err
			}
			if busy {
				return fmt.Errorf("%w: %w", pleo.ErrIllegalTransition, pleo.ErrExportInProgress)
			}
		}
		if err := tx.saveExportJob(ctx, job); err != nil {
			return err
		}
		return tx.settleExportItems(ctx, job, now)
	})
	return job.WithExpiresIn(now), err
}

// ListExportJobItems lists the items of a job of one of companies, by
// accounting entry ID, optionally only those with status.
func (s *Store) ListExportJobItems(ctx context.Context, companies []string, jobID, status string, q KeysetQuery,
	now time.Time) (KeysetPage[pleo.ExportJobItem], error) {
	if _, err := s.ExportJob(ctx, companies, jobID, now); err != nil {
		return KeysetPage[pleo.ExportJobItem]{}, err
	}
	l := ksList{columns: exportItemColumns, from: "FROM export_job_items", sort: "accounting_entry_id", id: "accounting_entry_id"}
	l.where.add("job_id = ?", jobID)
	if status != "" {
		l.where.add("status = ?", status)
	}
	return ksPage(ctx, s, l, q, scanExportJobItem)
}

// UpdateExportJobItems applies updates to the items of a job of one of
// companies and sets their entries' export status. Entries that are not
// items of the job are reported in the second result, not applied.
// Errors: pleo.ErrTooManyItems, pleo.ErrInvalid, ErrNotFound (no such job),
// pleo.ErrJobFinished.
func (s *Store) UpdateExportJobItems(ctx context.Context, companies []string, jobID string,
	updates []pleo.ExportJobItemUpdate, now time.Time) ([]pleo.ExportJobItem, []pleo.ExportJobItemUpdateError, error) {
	now = ejSeconds(now)
	if len(updates) > pleo.MaxItemsPerUpdate {
		return nil, nil, pleo.ErrTooManyItems
	}
	for i, u := range updates {
		if err := u.Validate(); err != nil {
			return nil, nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	if err := s.expireDue(ctx, now); err != nil {
		return nil, nil, err
	}
	var done []pleo.ExportJobItem
	var failed []pleo.ExportJobItemUpdateError
	err := s.Write(ctx, func(tx *Tx) error {
		done, failed = []pleo.ExportJobItem{}, []pleo.ExportJobItemUpdateError{}
		job, err := tx.exportJob(ctx, companies, jobID)
		if err != nil {
			return err
		}
		if pleo.ExportJobFinished(job.Status) {
			return pleo.ErrJobFinished
		}
		for _, u := range updates {
			item, err := scanExportJobItem(tx.tx.QueryRowContext(ctx, `SELECT `+exportItemColumns+
				` FROM export_job_items WHERE job_id = ? AND accounting_entry_id = ?`, jobID, u.AccountingEntryID))
			if errors.Is(err, ErrNotFound) {
				failed = append(failed, pleo.ItemNotInJob(u.AccountingEntryID))
				continue
			}
			if err != nil {
				return err
			}
			item = u.Apply(item, now)
			if err := tx.saveExportJobItem(ctx, item); err != nil {
				return err
			}
			status := pleo.EntryExportStatus(job.Status, item.Status, item.PreviousExportStatus)
			if err := tx.setEntryExportStatus(ctx, item.AccountingEntryID, status, now); err != nil {
				return err
			}
			done = append(done, item)
		}
		job.LastUpdatedAt = &now
		return tx.saveExportJob(ctx, job)
	})
	if err != nil {
		return nil, nil, err
	}
	return done, failed, nil
}

// ExpireExportJobs fails, as job_expired, every unfinished job whose
// expiry has passed at now (pleo.ExportJob.Expired), abandons their open
// items, gives their entries back, and returns how many jobs it failed.
// The other export methods call it when a job is due, so the API need not.
func (s *Store) ExpireExportJobs(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.Write(ctx, func(tx *Tx) error {
		n = 0
		jobs, err := queryList(ctx, tx.tx, scanExportJob, `SELECT `+exportJobColumns+` FROM export_jobs WHERE status IN (?, ?)`,
			pleo.ExportJobPending, pleo.ExportJobInProgress)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if !j.Expired(now) {
				continue
			}
			j = j.Expire()
			if err := tx.saveExportJob(ctx, j); err != nil {
				return err
			}
			if err := tx.settleExportItems(ctx, j, *j.ExpiredAt); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// expireDue runs ExpireExportJobs when a job has expired at now; the check
// is one read, so reads write only when expiry is due.
func (s *Store) expireDue(ctx context.Context, now time.Time) error {
	var due bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM export_jobs WHERE status IN (?, ?) AND last_updated_at <= ?)`,
		pleo.ExportJobPending, pleo.ExportJobInProgress, formatTime(now.Add(-pleo.ExportJobTTL))).Scan(&due)
	if err != nil || !due {
		return err
	}
	_, err = s.ExpireExportJobs(ctx, now)
	return err
}

// exportJob reads a job of one of companies inside a write.
func (t *Tx) exportJob(ctx context.Context, companies []string, id string) (pleo.ExportJob, error) {
	var w ksWhere
	w.add("id = ?", id)
	w.in("company_id", companies)
	return scanExportJob(t.tx.QueryRowContext(ctx, `SELECT `+exportJobColumns+` FROM export_jobs`+w.sql(), w.args...))
}

// saveExportJob writes a job's mutable columns.
func (t *Tx) saveExportJob(ctx context.Context, j pleo.ExportJob) error {
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE export_jobs SET status = ?, failure_reason = ?, failure_reason_type = ?,
		started_at = ?, completed_at = ?, expired_at = ?, last_updated_at = ? WHERE id = ?`,
		j.Status, j.FailureReason, nullString(j.FailureReasonType), ejNullTime(j.StartedAt), ejNullTime(j.CompletedAt),
		ejNullTime(j.ExpiredAt), ejNullTime(j.LastUpdatedAt), j.ID))
}

func (t *Tx) saveExportJobItem(ctx context.Context, it pleo.ExportJobItem) error {
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE export_job_items SET status = ?, exported_at = ?, external_id = ?,
		external_url = ?, failure_reason = ?, failure_reason_type = ?, updated_at = ? WHERE job_id = ? AND accounting_entry_id = ?`,
		it.Status, ejNullTime(it.ExportedAt), it.ExternalID, it.ExternalURL, it.FailureReason,
		nullString(it.FailureReasonType), formatTime(it.UpdatedAt), it.ExportJobID, it.AccountingEntryID))
}

// settleExportItems gives a job's items the status its own status implies
// (abandoned once finished) and their entries the matching export status.
func (t *Tx) settleExportItems(ctx context.Context, job pleo.ExportJob, now time.Time) error {
	items, err := queryList(ctx, t.tx, scanExportJobItem, `SELECT `+exportItemColumns+` FROM export_job_items WHERE job_id = ?`, job.ID)
	if err != nil {
		return err
	}
	for _, it := range items {
		if pleo.ExportJobFinished(job.Status) {
			if next := pleo.FinishedItemStatus(it.Status); next != it.Status {
				it.Status, it.UpdatedAt = next, now
				if err := t.saveExportJobItem(ctx, it); err != nil {
					return err
				}
			}
		}
		status := pleo.EntryExportStatus(job.Status, it.Status, it.PreviousExportStatus)
		if err := t.setEntryExportStatus(ctx, it.AccountingEntryID, status, now); err != nil {
			return err
		}
	}
	return nil
}

// setEntryExportStatus sets an entry's exportStatus, and its updatedAt when that changes it.
func (t *Tx) setEntryExportStatus(ctx context.Context, entryID, status string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE accounting_entries SET export_status = ?, updated_at = ?
		WHERE id = ? AND export_status != ?`, status, formatTime(now), entryID, status)
	return err
}

// ListExportItems lists, as export items, the entries of the unfinished
// jobs of companies (only jobID's when it is set), by accounting entry ID.
// Errors: ErrNotFound (no such job), pleo.ErrJobFinished.
func (s *Store) ListExportItems(ctx context.Context, companies []string, jobID string, q KeysetQuery,
	now time.Time) (KeysetPage[pleo.ExportItem], error) {
	var out KeysetPage[pleo.ExportItem]
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
	l := ksList{columns: "i.job_id, i.accounting_entry_id, j.vendor_based_bookkeeping",
		from: "FROM export_job_items i JOIN export_jobs j ON j.id = i.job_id",
		sort: "i.accounting_entry_id", id: "i.job_id"}
	l.where.in("j.company_id", companies)
	l.where.in("j.status", []string{pleo.ExportJobPending, pleo.ExportJobInProgress})
	if jobID != "" {
		l.where.add("i.job_id = ?", jobID)
	}
	refs, err := ksPage(ctx, s, l, q, func(row interface{ Scan(...any) error }) (ref, error) {
		var r ref
		return r, row.Scan(&r.jobID, &r.entryID, &r.vendorBased)
	})
	if err != nil {
		return out, err
	}
	out.Start, out.End, out.HasNext, out.HasPrevious, out.More, out.Total =
		refs.Start, refs.End, refs.HasNext, refs.HasPrevious, refs.More, refs.Total
	out.Items = []pleo.ExportItem{}
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

// ejIndex runs a query of one company's rows and indexes them by ID.
func ejIndex[T any](ctx context.Context, s *Store, scan func(interface{ Scan(...any) error }) (T, error),
	query, companyID string, id func(T) string) (map[string]T, error) {
	rows, err := queryList(ctx, s.r, scan, query, companyID)
	out := make(map[string]T, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out, err
}

// ejSeconds is now as export timestamps carry it: UTC, whole seconds.
func ejSeconds(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func ejNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func ejTimePtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

func ejString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}
