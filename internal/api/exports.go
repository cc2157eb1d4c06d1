package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Export API v3: the workflow of accounting integrations. An integration
// creates a job for a company (POST /v3/export-jobs), starts it
// (POST /v3/export-job-events), reads its export items (GET /v3/export-items),
// reports each item's outcome (PUT /v3/export-jobs/{jobId}/items) and
// finishes it with another event. The state machine and its effect on the
// accounting entries' exportStatus live in internal/pleo and the store; this
// file validates requests, binds them to the token's subject and maps the
// domain errors to Pleo's documented statuses and error types:
//
//	unknown or foreign job                        404 EXPORT_NOT_FOUND
//	create while a job of the company is running  409 EXPORT_ALREADY_IN_PROGRESS
//	event that does not apply to the job's status 422 INVALID_EXPORT_JOB_STATUS_CHANGE
//	item update or export items of a finished job 422 EXPORT_JOB_STATUS_UNPROCESSABLE
//	more than 100 items in one update             413 EXPORT_JOB_ITEMS_UPDATE_LIMIT

// The three export lists. Pleo declares offset on all of them; it leaves
// sorting_keys untyped, so the keys are emulator choices.
var (
	// exportJobsList: oldest first.
	exportJobsList = listSpec{sortKeys: store.ExportJobSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
		offset: true, defaultLimit: 20, maxLimit: 100}
	// exportJobItemsList: by accounting entry ID.
	exportJobItemsList = listSpec{sortKeys: store.ExportJobItemSortKeys, offset: true, defaultLimit: 20, maxLimit: 100}
	// exportItemsList: by accounting entry ID, then job ID.
	exportItemsList = listSpec{sortKeys: store.ExportItemSortKeys, offset: true, defaultLimit: 20, maxLimit: 100}
)

// Pleo's error types and messages for the export routes, as its documents
// give them.
func exportNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Type: "EXPORT_NOT_FOUND", Message: "Export job not found."}
}

func exportInProgress() *apiError {
	return &apiError{Status: http.StatusConflict, Type: "EXPORT_ALREADY_IN_PROGRESS",
		Message: "Export Job already in progress for this company."}
}

func exportJobFinished(message string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Type: "EXPORT_JOB_STATUS_UNPROCESSABLE", Message: message}
}

func exportItemsLimit() *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "EXPORT_JOB_ITEMS_UPDATE_LIMIT",
		Message: fmt.Sprintf("Number of items to update is more than %d.", pleo.MaxItemsPerUpdate)}
}

// exportError maps the store's and the domain's errors to API errors;
// finished is the message of EXPORT_JOB_STATUS_UNPROCESSABLE on the route.
// Other errors pass through (and render as 500).
func exportError(err error, finished string) error {
	var field *pleo.FieldError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return exportNotFound()
	case errors.Is(err, pleo.ErrIllegalTransition):
		detail := strings.TrimPrefix(err.Error(), pleo.ErrIllegalTransition.Error()+": ")
		if errors.Is(err, pleo.ErrExportInProgress) {
			detail = "another export job of this company is in progress"
		}
		return &apiError{Status: http.StatusUnprocessableEntity, Type: "INVALID_EXPORT_JOB_STATUS_CHANGE",
			Message: "Export Job status change failed: " + detail + "."}
	case errors.Is(err, pleo.ErrExportInProgress):
		return exportInProgress()
	case errors.Is(err, pleo.ErrJobFinished):
		return exportJobFinished(finished)
	case errors.Is(err, pleo.ErrTooManyItems):
		return exportItemsLimit()
	case errors.Is(err, pleo.ErrEntryNotExportable):
		return badField("accountingEntryIds", "names an entry that cannot be exported: %s.",
			strings.TrimPrefix(err.Error(), pleo.ErrEntryNotExportable.Error()+": "))
	case errors.Is(err, pleo.ErrNothingToExport):
		return badField("accountingEntryIds", "is empty and no accounting entry of the company is ready for export "+
			"(status COMPLETED, exportStatus NOT_EXPORTED).")
	case errors.As(err, &field):
		return badField(field.Field, "%s.", field.Message)
	}
	return err
}

var listExportJobsDoc = operation{
	id: "getExportJobsListV3", tag: "Export Jobs", summary: "Get a list of Export Jobs",
	params: append([]param{
		queryUUID("company_id", "Only jobs of this company. Without it, the jobs of every company the token can see."),
		queryEnums("statuses", "Only jobs in these states.", pleo.ExportJobStatuses),
	}, pagingParams(exportJobsList)...),
	status: http.StatusOK, response: pageResponse[pleo.ExportJob]{}, errors: []int{http.StatusBadRequest},
}

// listExportJobs answers GET /v3/export-jobs.
func (a *API) listExportJobs(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, exportJobsList)
	if err != nil {
		return err
	}
	statuses := multiValues(q, "statuses")
	for _, s := range statuses {
		if !pleo.ValidExportJobStatus(s) {
			return badParam("statuses", "has unknown value %q; allowed: %s.", s, strings.Join(pleo.ExportJobStatuses, ", "))
		}
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.ListExportJobs(r.Context(), companies, statuses, pq.req, a.clock.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id", "statuses")))
	return nil
}

var createExportJobDoc = operation{
	id: "createExportJobV3", tag: "Export Jobs", summary: "Create a new export job",
	body: pleo.CreateExportJob{}, bodyRequired: true,
	status: http.StatusCreated, response: dataResponse[pleo.ExportJob]{},
	errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createExportJob answers POST /v3/export-jobs. companyId and
// accountingEntryIds are required, as Pleo's schema marks them; an empty
// accountingEntryIds takes every entry of the company that is ready for
// export. A company outside the token's subject is 403.
func (a *API) createExportJob(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body pleo.CreateExportJob
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	if err := requiredUUIDField("companyId", body.CompanyID); err != nil {
		return err
	}
	switch {
	case body.AccountingEntryIDs == nil:
		return badField("accountingEntryIds", "is required (an empty list exports every entry that is ready for export).")
	case body.EmployeeID != nil && !oauth.IsUUID(*body.EmployeeID):
		return badField("employeeId", "must be a UUID, not %q.", *body.EmployeeID)
	}
	ids, err := uuidList("accountingEntryIds", body.AccountingEntryIDs, math.MaxInt)
	if err != nil {
		return err
	}
	body.CompanyID, body.AccountingEntryIDs = strings.ToLower(body.CompanyID), ids
	if body.EmployeeID != nil {
		id := strings.ToLower(*body.EmployeeID)
		body.EmployeeID = &id
	}
	if err := a.mustSee(r.Context(), p, body.CompanyID,
		forbidden("The access token does not grant access to company "+body.CompanyID+".")); err != nil {
		return err
	}
	job, err := a.store.CreateExportJob(r.Context(), body, a.clock.Now())
	if err != nil {
		return exportError(err, "")
	}
	writeJSON(w, http.StatusCreated, contentTypeJSON, dataResponse[pleo.ExportJob]{Data: job})
	return nil
}

var getExportJobDoc = operation{
	id: "getExportJobByIdV3", tag: "Export Jobs", summary: "Get an Export Job",
	params: []param{pathParam("jobId", "The export job ID.")},
	status: http.StatusOK, response: dataResponse[pleo.ExportJob]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getExportJob answers GET /v3/export-jobs/{jobId}.
func (a *API) getExportJob(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "jobId")
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	job, err := a.store.ExportJob(r.Context(), companies, id, a.clock.Now())
	if err != nil {
		return exportError(err, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.ExportJob]{Data: job})
	return nil
}

var listExportJobItemsDoc = operation{
	id: "getExportJobItemsV3", tag: "Export Jobs", summary: "Get Export Job Items",
	params: append([]param{
		pathParam("jobId", "The export job ID."),
		{name: "status", in: "query", description: "Only items in this state.",
			schema: map[string]any{"type": "string", "enum": pleo.ExportJobItemStatuses}},
	}, pagingParams(exportJobItemsList)...),
	status: http.StatusOK, response: pageResponse[pleo.ExportJobItem]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listExportJobItems answers GET /v3/export-jobs/{jobId}/items.
func (a *API) listExportJobItems(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "jobId")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, exportJobItemsList)
	if err != nil {
		return err
	}
	status := q.Get("status")
	if q.Has("status") && !pleo.ValidExportJobItemStatus(status) {
		return badParam("status", "has unknown value %q; allowed: %s.", status, strings.Join(pleo.ExportJobItemStatuses, ", "))
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	page, err := a.store.ListExportJobItems(r.Context(), companies, id, status, pq.req, a.clock.Now())
	if err != nil {
		return exportError(err, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "status")))
	return nil
}

// exportJobItemUpdate is UpdateExportJobItemV3. exportedAt is a string so
// that a bad one can be named in the 400.
type exportJobItemUpdate struct {
	AccountingEntryID string  `json:"accountingEntryId" format:"uuid"`
	Status            string  `json:"status"`
	ExportedAt        *string `json:"exportedAt,omitempty" format:"date-time"`
	ExternalID        *string `json:"externalId,omitempty"`
	ExternalURL       *string `json:"externalUrl,omitempty"`
	FailureReason     *string `json:"failureReason,omitempty"`
	FailureReasonType string  `json:"failureReasonType,omitempty"`
}

// exportJobItemsUpdated is ExportJobItemUpdateV3, the answer of the PUT:
// the items updated, and an error for each entry that is not an item of the job.
type exportJobItemsUpdated struct {
	Data   []pleo.ExportJobItem            `json:"data"`
	Errors []pleo.ExportJobItemUpdateError `json:"errors"`
}

var updateExportJobItemsDoc = operation{
	id: "updateExportJobItemsV3", tag: "Export Jobs", summary: "Update Export Job Items",
	params: []param{pathParam("jobId", "The export job ID.")},
	body:   []exportJobItemUpdate{}, bodyRequired: true,
	bodyEnums: map[string][]string{"status": pleo.ExportJobItemStatuses, "failureReasonType": pleo.ExportJobItemFailureReasonTypes},
	status:    http.StatusOK, response: exportJobItemsUpdated{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
}

// updateExportJobItems answers PUT /v3/export-jobs/{jobId}/items. The body
// is a bare array of at most 100 updates. Entries that are not items of the
// job are reported in errors; the others are applied, and each item's
// accounting entry gets the exportStatus its new status implies (EXPORTED
// once successful).
func (a *API) updateExportJobItems(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "jobId")
	if err != nil {
		return err
	}
	var body []exportJobItemUpdate
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	if body == nil {
		return &apiError{Status: http.StatusBadRequest, Type: typeJSONMapping, Message: "The request body must be an array, not null."}
	}
	if len(body) > pleo.MaxItemsPerUpdate {
		return exportItemsLimit()
	}
	updates := make([]pleo.ExportJobItemUpdate, len(body))
	for i, b := range body {
		if updates[i], err = b.update(); err != nil {
			var field *pleo.FieldError
			if errors.As(err, &field) {
				return badField(fmt.Sprintf("[%d].%s", i, field.Field), "%s.", field.Message)
			}
			return err
		}
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	done, failed, err := a.store.UpdateExportJobItems(r.Context(), companies, id, updates, a.clock.Now())
	if err != nil {
		return exportError(err, "Export job is finished.")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, exportJobItemsUpdated{Data: done, Errors: failed})
	return nil
}

// update validates one element of the PUT body and converts it.
func (b exportJobItemUpdate) update() (pleo.ExportJobItemUpdate, error) {
	u := pleo.ExportJobItemUpdate{AccountingEntryID: strings.ToLower(b.AccountingEntryID), Status: b.Status,
		ExternalID: b.ExternalID, ExternalURL: b.ExternalURL, FailureReason: b.FailureReason, FailureReasonType: b.FailureReasonType}
	if b.AccountingEntryID != "" && !oauth.IsUUID(b.AccountingEntryID) {
		return u, pleo.Invalid("accountingEntryId", "must be a UUID, not %q", b.AccountingEntryID)
	}
	if b.ExportedAt != nil {
		t, err := time.Parse(time.RFC3339, *b.ExportedAt)
		if err != nil {
			return u, pleo.Invalid("exportedAt", "must be a date-time such as 2026-01-31T12:00:00Z, not %q", *b.ExportedAt)
		}
		u.ExportedAt = &t
	}
	return u, u.Validate()
}

var createExportJobEventDoc = operation{
	id: "createExportJobEventV3", tag: "Export Jobs", summary: "Create an Export Job Event",
	body: pleo.ExportJobEvent{}, bodyRequired: true,
	bodyEnums: map[string][]string{"event": pleo.ExportJobEvents, "failureReasonType": pleo.ExportJobFailureReasonTypes},
	status:    http.StatusAccepted,
	errors:    []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
}

// createExportJobEvent answers POST /v3/export-job-events with 202 and no
// body. The events move the job through the state machine
// (pleo.NextExportJobStatus); failureReason and failureReasonType are kept
// only with the failed event.
func (a *API) createExportJobEvent(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var ev pleo.ExportJobEvent
	if err := decodeBody(w, r, &ev, true); err != nil {
		return err
	}
	if err := requiredUUIDField("jobId", ev.JobID); err != nil {
		return err
	}
	if ev.Event == "" {
		return badField("event", "is required.")
	}
	if err := ev.Validate(); err != nil {
		return exportError(err, "")
	}
	ev.JobID = strings.ToLower(ev.JobID)
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if _, err := a.store.ApplyExportJobEvent(r.Context(), companies, ev, a.clock.Now()); err != nil {
		return exportError(err, "")
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

var listExportItemsDoc = operation{
	id: "getExportItemsV3", tag: "Export Items", summary: "Get Export Items",
	params: append([]param{
		queryUUID("job_id", "Only the items of this job, which must be pending or in_progress. Without it, the items of "+
			"every unfinished job of every company the token can see."),
	}, pagingParams(exportItemsList)...),
	status: http.StatusOK, response: pageResponse[pleo.ExportItem]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity},
}

// listExportItems answers GET /v3/export-items: the accounting entries of
// unfinished jobs, as an integration exports them.
func (a *API) listExportItems(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, exportItemsList)
	if err != nil {
		return err
	}
	var jobID string
	if q.Has("job_id") {
		if jobID, err = uuidValue("job_id", q.Get("job_id")); err != nil {
			return err
		}
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	page, err := a.store.ListExportItems(r.Context(), companies, jobID, pq.req, a.clock.Now())
	if err != nil {
		return exportError(err, "Export Job is finished and can no longer be processed.")
	}
	base := a.opt.PublicURL
	for i := range page.Items {
		page.Items[i].Links = pleo.ExportItemLinks(base, page.Items[i].AccountingEntryID)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "job_id")))
	return nil
}
