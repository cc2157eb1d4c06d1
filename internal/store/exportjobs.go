package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// This file persists the export API v3: jobs, their items, job events and
// the export-item view of the entries in unfinished jobs. The rules live in
// internal/pleo (state machine, entry export status, expiry); this file
// applies them in one immediate transaction per call, so concurrent calls
// for a company are serialised by the single writer. Every method first
// fails the jobs that have expired at now (see ExpireExportJobs), so reads
// and writes see expiry as it happens. The three lists page like every other
// list (cursor.go); an empty order means the list's default order.

// exportJobSortColumns maps the sort keys ListExportJobs accepts to columns.
var exportJobSortColumns = map[string]string{"id": "id", "createdAt": "created_at", "startedAt": "started_at",
	"completedAt": "completed_at", "lastUpdatedAt": "last_updated_at", "status": "status"}

// ExportJobSortKeys are the sort keys ListExportJobs accepts, sorted. Its
// default order is createdAt, then id.
var ExportJobSortKeys = sortKeys(exportJobSortColumns)

// exportJobItemSortColumns maps the sort keys ListExportJobItems accepts to
// columns. Items have no id of their own: within a job the accounting entry
// ID is unique, so it is the tiebreak.
var exportJobItemSortColumns = map[string]string{TiebreakKey: "accounting_entry_id",
	"accountingEntryId": "accounting_entry_id", "status": "status", "exportedAt": "exported_at"}

// ExportJobItemSortKeys are the sort keys ListExportJobItems accepts besides
// the tiebreak; its default order is by accounting entry ID.
var ExportJobItemSortKeys = []string{"accountingEntryId", "exportedAt", "status"}

// exportItemSortColumns maps the sort keys ListExportItems accepts to
// expressions. An entry can be an item of two unfinished jobs (an EXPORTED
// entry may be exported again), so the tiebreak is entry ID, then job ID.
var exportItemSortColumns = map[string]string{TiebreakKey: "i.accounting_entry_id || '/' || i.job_id",
	"accountingEntryId": "i.accounting_entry_id"}

// ExportItemSortKeys are the sort keys ListExportItems accepts besides the
// tiebreak; its default order is by accounting entry ID, then job ID.
var ExportItemSortKeys = []string{"accountingEntryId"}

// withDefaultOrder gives req the list's default order when it has none.
func withDefaultOrder(req PageRequest, order ...Sort) PageRequest {
	if len(req.Order) == 0 {
		req.Order = WithTiebreak(order)
	}
	return req
}

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
	j.CreatedBy, j.FailureReason = nullableString(createdBy), nullableString(reason)
	j.CreatedAt, j.LastUpdatedAt = parseTime(created), nullableTime(sql.NullString{String: last, Valid: true})
	j.StartedAt, j.CompletedAt, j.ExpiredAt = nullableTime(started), nullableTime(completed), nullableTime(expired)
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
	it.ExportedAt, it.UpdatedAt = nullableTime(exported), parseTime(updated)
	it.ExternalID, it.ExternalURL, it.FailureReason = nullableString(extID), nullableString(extURL), nullableString(reason)
	return it, err
}

// CreateExportJob creates a pending job for req.CompanyID whose items are
// req.AccountingEntryIDs, or, when that list is empty, every entry ready
// for export (pleo.EntryReadyForExport). The entries become QUEUED.
// Errors: ErrNotFound (no such company), pleo.ErrExportInProgress,
// pleo.ErrEntryNotExportable, pleo.ErrNothingToExport.
//
// Whether the job emits v1.export-job.created is the setting
// SettingAPIExportJobsEmit (webhooks.go).
func (s *Store) CreateExportJob(ctx context.Context, req pleo.CreateExportJob, now time.Time) (pleo.ExportJob, error) {
	job, _, err := s.createExportJob(ctx, req, now, eventSetting)
	return job, err
}

// createExportJob is CreateExportJob; when emit says so it also writes
// v1.export-job.created in the same transaction and returns its ID.
func (s *Store) createExportJob(ctx context.Context, req pleo.CreateExportJob, now time.Time, emit eventRule) (pleo.ExportJob, string, error) {
	var eventID string
	now = wholeSeconds(now)
	if err := s.expireDue(ctx, now); err != nil {
		return pleo.ExportJob{}, "", err
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
		if on, err := tx.emits(ctx, emit); err != nil || !on {
			return err
		}
		eventID, err = tx.EnqueueEvent(ctx, events.ExportJobCreated, job.CompanyID, job.WithExpiresIn(now), now)
		return err
	})
	return job.WithExpiresIn(now), eventID, err
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
	j, err := scanExportJob(selectRowOfCompanies(ctx, s.r, exportJobColumns, "export_jobs", id, companies))
	return j.WithExpiresIn(now), err
}

// ListExportJobs returns one page of the jobs of companies (oldest first
// by default), optionally only those in statuses, with expiresIn as of now.
func (s *Store) ListExportJobs(ctx context.Context, companies, statuses []string, req PageRequest, now time.Time) (Page[pleo.ExportJob], error) {
	if err := s.expireDue(ctx, now); err != nil || len(companies) == 0 {
		return Page[pleo.ExportJob]{}, err
	}
	q := listQuery{columns: exportJobColumns, from: "FROM export_jobs", sortable: exportJobSortColumns}
	q.filterIn("company_id", companies)
	q.filterIn("status", statuses)
	page, err := listPage(ctx, s, q, withDefaultOrder(req, Sort{Key: "createdAt"}), scanExportJob)
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
	now = wholeSeconds(now)
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

// ListExportJobItems returns one page of the items of a job of one of
// companies (by accounting entry ID by default), optionally only those with
// status. Errors: ErrNotFound (no such job).
func (s *Store) ListExportJobItems(ctx context.Context, companies []string, jobID, status string, req PageRequest,
	now time.Time) (Page[pleo.ExportJobItem], error) {
	if _, err := s.ExportJob(ctx, companies, jobID, now); err != nil {
		return Page[pleo.ExportJobItem]{}, err
	}
	q := listQuery{columns: exportItemColumns, from: "FROM export_job_items", sortable: exportJobItemSortColumns}
	q.filter("job_id = ?", jobID)
	q.filterEqual("status", status)
	return listPage(ctx, s, q, withDefaultOrder(req), scanExportJobItem)
}

// UpdateExportJobItems applies updates to the items of a job of one of
// companies and sets their entries' export status. Entries that are not
// items of the job are reported in the second result, not applied.
// Errors: pleo.ErrTooManyItems, pleo.ErrInvalid, ErrNotFound (no such job),
// pleo.ErrJobFinished.
func (s *Store) UpdateExportJobItems(ctx context.Context, companies []string, jobID string,
	updates []pleo.ExportJobItemUpdate, now time.Time) ([]pleo.ExportJobItem, []pleo.ExportJobItemUpdateError, error) {
	now = wholeSeconds(now)
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
	return scanExportJob(selectRowOfCompanies(ctx, t.tx, exportJobColumns, "export_jobs", id, companies))
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

func ejNullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}
