package pleo

import (
	"fmt"
	"time"
)

// This file holds the export API v3 resources (export jobs, job items, job
// events) and their rules as pure functions: the job state machine, what an
// item's status means for its accounting entry, and expiry. Their enums are
// in enums.go, their errors in errors.go, and the export-item view of an
// entry in exportitems.go.

// ExportJobTTL is how long an unfinished job lives without an action on it
// (an event or an item update); expiresIn counts down from lastUpdatedAt.
// Emulator choice: Pleo documents expiry but not its length.
const ExportJobTTL = time.Hour

// MaxItemsPerUpdate is the most items one PUT /v3/export-jobs/{jobId}/items
// may update (more is 413 EXPORT_JOB_ITEMS_UPDATE_LIMIT).
const MaxItemsPerUpdate = 100

// ExportJob is ExportJobV3. Timestamps are whole seconds in UTC, so they
// encode as Pleo's pattern YYYY-MM-DDTHH:mi:ssZ.
type ExportJob struct {
	ID                     string     `json:"id" format:"uuid"`
	CompanyID              string     `json:"companyId" format:"uuid"`
	Status                 string     `json:"status"`
	IsInteractive          bool       `json:"isInteractive"`
	VendorBasedBookkeeping bool       `json:"vendorBasedBookkeeping"`
	NumberOfItems          int        `json:"numberOfItems"`
	ExpiresIn              int32      `json:"expiresIn"`
	CreatedBy              *string    `json:"createdBy" format:"uuid"`
	CreatedAt              time.Time  `json:"createdAt"`
	StartedAt              *time.Time `json:"startedAt"`
	CompletedAt            *time.Time `json:"completedAt"`
	ExpiredAt              *time.Time `json:"expiredAt"`
	LastUpdatedAt          *time.Time `json:"lastUpdatedAt"`
	FailureReason          *string    `json:"failureReason"`
	FailureReasonType      string     `json:"failureReasonType,omitempty"`
}

// CreateExportJob is the body of POST /v3/export-jobs.
type CreateExportJob struct {
	AccountingEntryIDs []string          `json:"accountingEntryIds" format:"uuid"`
	CompanyID          string            `json:"companyId" format:"uuid"`
	EmployeeID         *string           `json:"employeeId,omitempty" format:"uuid"`
	IsInteractive      *bool             `json:"isInteractive,omitempty"`
	Options            *ExportJobOptions `json:"options,omitempty"`
}

// ExportJobOptions is Options of CreateExportJob.
type ExportJobOptions struct {
	VendorBasedBookkeeping *bool `json:"vendorBasedBookkeeping,omitempty"`
}

// Interactive applies Pleo's default (true) to IsInteractive.
func (c CreateExportJob) Interactive() bool { return c.IsInteractive == nil || *c.IsInteractive }

// VendorBased applies Pleo's default (false) to options.vendorBasedBookkeeping.
func (c CreateExportJob) VendorBased() bool {
	return c.Options != nil && c.Options.VendorBasedBookkeeping != nil && *c.Options.VendorBasedBookkeeping
}

// ExportJobEvent is the body of POST /v3/export-job-events.
type ExportJobEvent struct {
	JobID             string  `json:"jobId" format:"uuid"`
	Event             string  `json:"event"`
	FailureReason     *string `json:"failureReason,omitempty"`
	FailureReasonType string  `json:"failureReasonType,omitempty"`
}

// Validate checks the event's enums.
func (e ExportJobEvent) Validate() error {
	if err := OneOf("event", e.Event, ExportJobEvents); err != nil {
		return err
	}
	if e.FailureReasonType != "" && !ValidExportJobFailureReasonType(e.FailureReasonType) {
		return Invalid("failureReasonType", "has unknown value %q (see ExportJobFailureReasonType)", e.FailureReasonType)
	}
	return nil
}

// ExportJobItem is ExportJobItemV3: one accounting entry's progress in a job.
type ExportJobItem struct {
	AccountingEntryID string     `json:"accountingEntryId" format:"uuid"`
	ExportJobID       string     `json:"exportJobId" format:"uuid"`
	Status            string     `json:"status"`
	ExportedAt        *time.Time `json:"exportedAt"`
	ExternalID        *string    `json:"externalId"`
	ExternalURL       *string    `json:"externalUrl"`
	FailureReason     *string    `json:"failureReason"`
	FailureReasonType string     `json:"failureReasonType,omitempty"`
	// PreviousExportStatus is the entry's exportStatus before the job took it.
	PreviousExportStatus string    `json:"-"`
	UpdatedAt            time.Time `json:"-"`
}

// ExportJobItemUpdate is one element of the PUT /v3/export-jobs/{jobId}/items body.
type ExportJobItemUpdate struct {
	AccountingEntryID string     `json:"accountingEntryId" format:"uuid"`
	Status            string     `json:"status"`
	ExportedAt        *time.Time `json:"exportedAt,omitempty"`
	ExternalID        *string    `json:"externalId,omitempty"`
	ExternalURL       *string    `json:"externalUrl,omitempty"`
	FailureReason     *string    `json:"failureReason,omitempty"`
	FailureReasonType string     `json:"failureReasonType,omitempty"`
}

// Validate checks the update's required fields and enums.
func (u ExportJobItemUpdate) Validate() error {
	if u.AccountingEntryID == "" {
		return Invalid("accountingEntryId", "is required")
	}
	if err := OneOf("status", u.Status, ExportJobItemStatuses); err != nil {
		return err
	}
	if u.FailureReasonType != "" && !ValidExportJobItemFailureReasonType(u.FailureReasonType) {
		return Invalid("failureReasonType", "has unknown value %q (see ExportJobItemFailureReasonType)", u.FailureReasonType)
	}
	return nil
}

// Apply returns item changed by u at now: the status always, the other
// fields when u carries them. A successful item gets exportedAt = now unless
// given, and loses any failure reason. Emulator choice: Pleo is silent.
func (u ExportJobItemUpdate) Apply(item ExportJobItem, now time.Time) ExportJobItem {
	item.Status = u.Status
	if u.ExportedAt != nil {
		t := u.ExportedAt.UTC().Truncate(time.Second)
		item.ExportedAt = &t
	}
	if u.ExternalID != nil {
		item.ExternalID = u.ExternalID
	}
	if u.ExternalURL != nil {
		item.ExternalURL = u.ExternalURL
	}
	if u.FailureReason != nil {
		item.FailureReason = u.FailureReason
	}
	if u.FailureReasonType != "" {
		item.FailureReasonType = u.FailureReasonType
	}
	if u.Status == ExportItemSuccessful {
		if item.ExportedAt == nil {
			t := now.UTC().Truncate(time.Second)
			item.ExportedAt = &t
		}
		item.FailureReason, item.FailureReasonType = nil, ""
	}
	item.UpdatedAt = now
	return item
}

// ExportJobItemUpdateError is ExportJobItemUpdateErrorV3.
type ExportJobItemUpdateError struct {
	AccountingEntryID string `json:"accountingEntryId" format:"uuid"`
	Type              string `json:"type"`
	Message           string `json:"message"`
}

// ItemNotInJob is the update error for an entry that is not an item of the job.
func ItemNotInJob(entryID string) ExportJobItemUpdateError {
	return ExportJobItemUpdateError{AccountingEntryID: entryID, Type: "ACCOUNTING_ENTRY_DOES_NOT_EXIST",
		Message: "Accounting entry " + entryID + " is not an item of this export job."}
}

// NextExportJobStatus is the state machine: the status a job in status from
// moves to on event, or ErrIllegalTransition.
//
//	pending     + started                       → in_progress
//	pending     + failed                        → failed (emulator choice: a job can fail before it starts)
//	in_progress + completed | completed_with_errors | failed → that status
//
// Everything else, including a second started and any event on a finished
// job, is illegal.
func NextExportJobStatus(from, event string) (string, error) {
	switch {
	case from == ExportJobPending && event == ExportEventStarted:
		return ExportJobInProgress, nil
	case from == ExportJobPending && event == ExportEventFailed:
		return ExportJobFailed, nil
	case from == ExportJobInProgress && (event == ExportEventCompleted ||
		event == ExportEventCompletedWithErrors || event == ExportEventFailed):
		return event, nil // the terminal events are named like their statuses
	}
	return "", fmt.Errorf("%w: event %s does not apply to a job that is %s", ErrIllegalTransition, event, from)
}

// ExportJobFinished reports whether status is terminal.
func ExportJobFinished(status string) bool {
	return status == ExportJobFailed || status == ExportJobCompleted || status == ExportJobCompletedWithErrors
}

// FinishedItemStatus is an item's status once its job has finished: items
// still pending or in_progress are abandoned; the others keep theirs.
func FinishedItemStatus(item string) string {
	if item == ExportItemPending || item == ExportItemInProgress {
		return ExportItemAbandoned
	}
	return item
}

// EntryExportStatus is the exportStatus of an accounting entry that is an
// item of a job: EXPORTED once the item is successful; otherwise QUEUED while
// the job is pending, EXPORTING while it is in progress, and back to the
// status it had before the job once the job has finished.
func EntryExportStatus(jobStatus, itemStatus, previous string) string {
	switch {
	case itemStatus == ExportItemSuccessful:
		return ExportStatusExported
	case jobStatus == ExportJobPending:
		return ExportStatusQueued
	case jobStatus == ExportJobInProgress:
		return ExportStatusExporting
	}
	return previous
}

// EntryReadyForExport reports whether an entry goes into a job created
// without accountingEntryIds: completed, not exported, not deleted.
func EntryReadyForExport(status, exportStatus string, deleted bool) bool {
	return status == "COMPLETED" && exportStatus == ExportStatusNotExported && !deleted
}

// EntryExportable reports whether an entry named in accountingEntryIds may
// join a new job: not deleted and not already in an unfinished job.
func EntryExportable(exportStatus string, deleted bool) bool {
	return !deleted && exportStatus != ExportStatusQueued && exportStatus != ExportStatusExporting
}

// ExpiresAt is when an unfinished job expires: ExportJobTTL after its last action.
func (j ExportJob) ExpiresAt() time.Time {
	last := j.CreatedAt
	if j.LastUpdatedAt != nil {
		last = *j.LastUpdatedAt
	}
	return last.Add(ExportJobTTL)
}

// Expired reports whether the job is unfinished and past its expiry at now.
func (j ExportJob) Expired(now time.Time) bool {
	return !ExportJobFinished(j.Status) && !now.Before(j.ExpiresAt())
}

// WithExpiresIn returns j with ExpiresIn set for now: the whole seconds left
// until expiry, 0 once expired or finished.
func (j ExportJob) WithExpiresIn(now time.Time) ExportJob {
	j.ExpiresIn = 0
	if !ExportJobFinished(j.Status) {
		if left := j.ExpiresAt().Sub(now); left > 0 {
			j.ExpiresIn = int32(left / time.Second)
		}
	}
	return j
}

// Expire returns j failed as job_expired at its expiry time.
func (j ExportJob) Expire() ExportJob {
	at := j.ExpiresAt()
	reason := "Job not updated within expiry time limit."
	j.Status, j.FailureReason, j.FailureReasonType = ExportJobFailed, &reason, FailureJobExpired
	j.ExpiredAt, j.CompletedAt, j.LastUpdatedAt = &at, &at, &at
	return j
}

// Apply returns j after event at now, or ErrIllegalTransition. A failure
// reason is kept only on the failed event.
func (j ExportJob) Apply(ev ExportJobEvent, now time.Time) (ExportJob, error) {
	next, err := NextExportJobStatus(j.Status, ev.Event)
	if err != nil {
		return j, err
	}
	now = now.UTC().Truncate(time.Second)
	j.Status, j.LastUpdatedAt = next, &now
	if next == ExportJobInProgress {
		j.StartedAt = &now
	}
	if ExportJobFinished(next) {
		j.CompletedAt = &now
	}
	if next == ExportJobFailed {
		j.FailureReason, j.FailureReasonType = ev.FailureReason, ev.FailureReasonType
	}
	return j, nil
}
