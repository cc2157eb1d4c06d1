package store

import (
	"context"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file reads export job items by accounting entry, across jobs, for
// GET /v3/export-job-items and POST /v3/export-job-items:search.

// exportJobItemAcrossJobsSortColumns maps the sort keys SearchExportJobItems
// accepts to columns. An entry can be an item of several jobs, so the
// tiebreak is the entry ID, then the job ID.
var exportJobItemAcrossJobsSortColumns = map[string]string{TiebreakKey: "accounting_entry_id || '/' || job_id",
	"accountingEntryId": "accounting_entry_id", "status": "status", "exportedAt": "exported_at"}

// jobsOfCompanies is the condition "the item's job belongs to one of companies".
func jobsOfCompanies(companies []string) (string, []any) {
	return "job_id IN (SELECT id FROM export_jobs WHERE company_id IN (" + placeholders(len(companies)) + "))",
		anySlice(companies)
}

// LatestExportJobItem returns the item of accounting entry entryID in the
// newest job (by creation time) of one of companies. Errors: ErrNotFound
// (the entry is in no such job).
func (s *Store) LatestExportJobItem(ctx context.Context, companies []string, entryID string, now time.Time) (pleo.ExportJobItem, error) {
	if len(companies) == 0 {
		return pleo.ExportJobItem{}, ErrNotFound
	}
	if err := s.expireDue(ctx, now); err != nil {
		return pleo.ExportJobItem{}, err
	}
	cond, args := jobsOfCompanies(companies)
	return scanExportJobItem(s.queryRow(ctx, `SELECT `+exportItemColumns+` FROM export_job_items
		JOIN (SELECT id AS jid, created_at AS job_created FROM export_jobs) ON jid = job_id
		WHERE accounting_entry_id = ? AND `+cond+` ORDER BY job_created DESC, job_id DESC LIMIT 1`,
		append([]any{entryID}, args...)...))
}

// SearchExportJobItems returns one page of the items, in every job of one
// of companies, of the accounting entries entryIDs, optionally only those
// with status. The id tiebreak orders by accounting entry ID, then job ID.
func (s *Store) SearchExportJobItems(ctx context.Context, companies, entryIDs []string, status string, req PageRequest,
	now time.Time) (Page[pleo.ExportJobItem], error) {
	if len(companies) == 0 || len(entryIDs) == 0 {
		return Page[pleo.ExportJobItem]{}, nil
	}
	if err := s.expireDue(ctx, now); err != nil {
		return Page[pleo.ExportJobItem]{}, err
	}
	q := listQuery{columns: exportItemColumns, from: "FROM export_job_items", sortable: exportJobItemAcrossJobsSortColumns}
	cond, args := jobsOfCompanies(companies)
	q.filter(cond, args...)
	q.filterIn("accounting_entry_id", entryIDs)
	q.filterEqual("status", status)
	return listPage(ctx, s, q, req, scanExportJobItem)
}
