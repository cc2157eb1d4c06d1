package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Vendor CSV import jobs (/v1/vendors/csv-import/jobs), operations Pleo
// marks internal (x-exclude) and serves all the same. The flow, as the
// emulator runs it:
//
//  1. POST .../jobs creates a job (UPLOAD_INITIATED).
//  2. POST .../{jobId}:get-presigned-url returns a signed, expiring URL on
//     the emulator itself (vendorupload.go), like an S3 presigned PUT URL.
//  3. PUT of the CSV file to that URL, without a bearer token: the job
//     becomes UPLOADED and gets the header's columnNames.
//  4. Optionally PUT .../status (READY_FOR_IMPORT, QUEUED) and
//     PUT .../metadata.
//  5. POST .../{jobId}:run imports the file at once (an emulator choice:
//     Pleo processes in the background) and answers the job COMPLETED
//     with its row counts, or FAILED with a CsvImportErrorTypeV1 code.
//  6. GET .../{jobId}/errors lists the rows that were not imported, with
//     their line numbers.
//
// Reads need vendors:read, writes vendors:write, as for vendors.

// csvJobsList pages POST .../jobs:search: oldest first.
var csvJobsList = listSpec{sortKeys: store.CsvImportJobSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// csvErrorsList pages GET .../{jobId}/errors: in file order.
var csvErrorsList = listSpec{sortKeys: store.CsvImportErrorSortKeys, defaultSort: []store.Sort{{Key: "rowNumber"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// csvImportJobCreateRequest is Pleo's CreateCsvImportJobRequestV1.
type csvImportJobCreateRequest struct {
	CompanyID        string          `json:"companyId" format:"uuid"`
	OriginalFilename string          `json:"originalFilename"`
	Type             string          `json:"type"`
	CsvFormat        *pleo.CsvFormat `json:"csvFormat,omitempty"`
	Metadata         map[string]any  `json:"metadata,omitempty"`
}

// csvImportJobSearchRequest is Pleo's SearchCsvImportJobsRequestV1.
type csvImportJobSearchRequest struct {
	IDs      []string `json:"ids,omitempty" format:"uuid"`
	Statuses []string `json:"statuses,omitempty"`
	Types    []string `json:"types,omitempty"`
}

// csvImportMetadataRequest is Pleo's UpdateMetadataRequestV1.
type csvImportMetadataRequest struct {
	Metadata map[string]any `json:"metadata"`
	Strategy string         `json:"strategy"`
}

// presignedURL is Pleo's PresignedUrlV1.
type presignedURL struct {
	PresignedURL string `json:"presignedUrl"`
}

// csvJobNotFound is Pleo's documented 404 for a job: an unknown ID, or one
// of a company the token may not see.
func csvJobNotFound(id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: pleo.CsvErrorImportJobNotFound,
		Message: "CSV import job with ID " + id + " not found"}
}

// csvJobError renders an error of the store for job id: not found, a
// status that does not allow the change (409 INVALID_STATUS_TRANSITION, as
// Pleo documents for :run), or a broken rule (400).
func csvJobError(err error, id string) error {
	if errors.Is(err, pleo.ErrCsvImportStatus) {
		msg := strings.TrimPrefix(err.Error(), pleo.ErrCsvImportStatus.Error()+": ")
		return &apiError{Status: http.StatusConflict, Type: pleo.CsvErrorInvalidStatusTransition,
			Message: strings.ToUpper(msg[:1]) + msg[1:] + "."}
	}
	return storeError(err, csvJobNotFound(id), "")
}

var csvJobParam = pathParam("jobId", "ID of the import job.")

var createCsvImportJobDoc = operation{
	id: "createCsvImportJobV1", tag: "Vendors", summary: "Create an import job",
	body: csvImportJobCreateRequest{}, bodyRequired: true,
	status: http.StatusCreated, response: dataResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest},
}

// createCsvImportJob answers POST /v1/vendors/csv-import/jobs with 201 and
// the job in UPLOAD_INITIATED. The rules (pleo.ValidateCsvImportJob) are
// checked before the company.
func (a *API) createCsvImportJob(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[csvImportJobCreateRequest](w, r, true, "companyId", "originalFilename", "type")
	if err != nil {
		return err
	}
	job := pleo.CsvImportJob{Type: b.Type, OriginalFilename: b.OriginalFilename, CsvFormat: b.CsvFormat, Metadata: b.Metadata}
	if err := job.ValidateCsvImportJob(); err != nil {
		return storeError(err, nil, "")
	}
	if job.CompanyID, err = a.bodyCompany(r.Context(), p, "companyId", b.CompanyID); err != nil {
		return err
	}
	job, err = a.store.CreateCsvImportJob(r.Context(), job, a.clock.Now())
	if err != nil {
		return storeError(err, notFound("Company not found."), "")
	}
	writeJSON(w, http.StatusCreated, contentTypeJSON, dataResponse[pleo.CsvImportJob]{Data: job})
	return nil
}

var searchCsvImportJobsDoc = operation{
	id: "searchCsvImportJobsV1", tag: "Vendors", summary: "Search CSV import jobs by filter",
	params: append(pagingParams(csvJobsList), func() param {
		p := queryUUID("company_id", "Only return CSV import jobs for the given company. Required.")
		p.required = true
		return p
	}()),
	body: csvImportJobSearchRequest{}, bodyRequired: true, bodyEnums: map[string][]string{"statuses": pleo.CsvImportJobStatuses},
	status: http.StatusOK, response: pageResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest},
}

// searchCsvImportJobs answers POST /v1/vendors/csv-import/jobs:search.
// company_id and a body (which may be {}) are required, as Pleo declares.
func (a *API) searchCsvImportJobs(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body csvImportJobSearchRequest
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	q := r.URL.Query()
	if !q.Has("company_id") {
		return badParam("company_id", "is required.")
	}
	pq, err := parsePageQuery(q, csvJobsList)
	if err != nil {
		return err
	}
	var f store.CsvImportJobFilter
	if f.IDs, err = uuidList("ids", body.IDs, 100); err != nil {
		return err
	}
	if err := pleo.ValidateCsvImportStatuses(body.Statuses); err != nil {
		return storeError(err, nil, "")
	}
	if err := checkList("types", body.Types, 100, nil, ""); err != nil {
		return err
	}
	f.Statuses, f.Types = body.Statuses, body.Types
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.SearchCsvImportJobs(r.Context(), companies, f, pq.req)
	if err != nil {
		return storeError(err, nil, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id")))
	return nil
}

var getCsvImportJobDoc = operation{
	id: "getCsvImportJobV1", tag: "Vendors", summary: "Get CSV import job details",
	params: []param{csvJobParam},
	status: http.StatusOK, response: dataResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getCsvImportJob answers GET /v1/vendors/csv-import/jobs/{jobId}.
func (a *API) getCsvImportJob(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "jobId", a.store.CsvImportJob, csvJobNotFound(r.PathValue("jobId")), contentTypeJSON)
}

var listCsvImportErrorsDoc = operation{
	id: "getCsvImportJobErrorsV1", tag: "Vendors", summary: "Get import job errors",
	params: append(pagingParams(csvErrorsList), csvJobParam),
	status: http.StatusOK, response: pageResponse[pleo.CsvRowImportError]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listCsvImportErrors answers GET /v1/vendors/csv-import/jobs/{jobId}/errors:
// the rows the job's run could not import, in file order by default.
func (a *API) listCsvImportErrors(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, companies, err := a.resourceID(r, p, "jobId")
	if err != nil {
		return err
	}
	pq, err := parsePageQuery(r.URL.Query(), csvErrorsList)
	if err != nil {
		return err
	}
	page, err := a.store.CsvImportErrors(r.Context(), companies, id, pq.req)
	if err != nil {
		return csvJobError(err, id)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, nil))
	return nil
}

var updateCsvImportMetadataDoc = operation{
	id: "updateCsvImportJobMetadataV1", tag: "Vendors", summary: "Update metadata for CSV import job",
	params: []param{csvJobParam},
	body:   csvImportMetadataRequest{}, bodyRequired: true, bodyEnums: map[string][]string{"strategy": pleo.MetadataStrategies},
	status: http.StatusOK, response: dataResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// updateCsvImportMetadata answers PUT .../{jobId}/metadata: REPLACE swaps
// the job's metadata, MERGE overwrites the keys given.
func (a *API) updateCsvImportMetadata(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, companies, err := a.resourceID(r, p, "jobId")
	if err != nil {
		return err
	}
	b, err := readFields[csvImportMetadataRequest](w, r, true, "metadata", "strategy")
	if err != nil {
		return err
	}
	job, err := a.store.UpdateCsvImportMetadata(r.Context(), companies, id, b.Metadata, b.Strategy, a.clock.Now())
	if err != nil {
		return csvJobError(err, id)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.CsvImportJob]{Data: job})
	return nil
}

var updateCsvImportStatusDoc = operation{
	id: "updateCsvImportJobStatusV1", tag: "Vendors", summary: "Update status for CSV import job",
	params: []param{csvJobParam},
	body:   pleo.CsvImportStatusUpdate{}, bodyRequired: true,
	bodyEnums: map[string][]string{"status": pleo.CsvImportJobStatuses, "errorType": pleo.CsvImportErrorTypes},
	status:    http.StatusOK, response: dataResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict},
}

// updateCsvImportStatus answers PUT .../{jobId}/status. Which changes a
// client may make is an emulator choice (pleo.CheckCsvImportStatusChange);
// any other is 409 INVALID_STATUS_TRANSITION.
func (a *API) updateCsvImportStatus(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, companies, err := a.resourceID(r, p, "jobId")
	if err != nil {
		return err
	}
	b, err := readFields[pleo.CsvImportStatusUpdate](w, r, true, "status")
	if err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return storeError(err, nil, "")
	}
	job, err := a.store.UpdateCsvImportStatus(r.Context(), companies, id, b, a.clock.Now())
	if err != nil {
		return csvJobError(err, id)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.CsvImportJob]{Data: job})
	return nil
}

var presignCsvImportDoc = operation{
	id: "getCsvImportJobPresignedUrlV1", tag: "Vendors", summary: "Get presigned URL for file upload",
	params: []param{csvJobParam},
	status: http.StatusOK, response: dataResponse[presignedURL]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict},
}

// presignCsvImport answers POST .../{jobId}:get-presigned-url with a URL to
// PUT the CSV file to (see vendorupload.go), valid for uploadURLLifetime
// by the emulator's clock. The job records the object key as s3Key. A job
// that has been queued or run takes no file: 409.
func (a *API) presignCsvImport(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, companies, err := a.resourceID(r, p, "jobId")
	if err != nil {
		return err
	}
	job, err := a.store.CsvImportJob(r.Context(), companies, id)
	if err != nil {
		return csvJobError(err, id)
	}
	key := "uploads/" + job.CompanyID + "/vendors-" + job.ID + ".csv"
	if _, err := a.store.SetCsvImportS3Key(r.Context(), companies, id, key, a.clock.Now()); err != nil {
		return csvJobError(err, id)
	}
	u, err := a.presignUpload(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[presignedURL]{Data: presignedURL{PresignedURL: u}})
	return nil
}

var runCsvImportDoc = operation{
	id: "runCsvImportJobV1", tag: "Vendors", summary: "Run import job",
	params: []param{csvJobParam},
	status: http.StatusOK, response: dataResponse[pleo.CsvImportJob]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict},
}

// runCsvImport answers POST .../{jobId}:run: the file is imported before
// the answer (store.RunCsvImport), which carries the finished job. A job
// without a file, or one that has run, is 409 INVALID_STATUS_TRANSITION.
func (a *API) runCsvImport(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, companies, err := a.resourceID(r, p, "jobId")
	if err != nil {
		return err
	}
	job, err := a.store.RunCsvImport(r.Context(), companies, id, a.clock.Now())
	if err != nil {
		return csvJobError(err, id)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.CsvImportJob]{Data: job})
	return nil
}
