package api_test

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Sample requests of the export routes for the scope matrix and TestGolden.
// TestGolden runs them on a fresh database, where no export job exists, so
// they record what needs no job: the empty lists, a refused creation and
// EXPORT_NOT_FOUND. TestExportGolden records the successful answers.
func init() {
	job := "/v3/export-jobs/" + unknownUUID
	samples["GET /v3/export-jobs"] = sample{"/v3/export-jobs?limit=2&statuses=pending,in_progress", ""}
	samples["POST /v3/export-jobs"] = sample{"/v3/export-jobs",
		`{"companyId":"` + seed.DenmarkID + `","accountingEntryIds":["` + dkDeleted + `"]}`}
	samples["GET /v3/export-jobs/{jobId}"] = sample{job, ""}
	samples["GET /v3/export-jobs/{jobId}/items"] = sample{job + "/items?status=failed", ""}
	samples["PUT /v3/export-jobs/{jobId}/items"] = sample{job + "/items", `[{"accountingEntryId":"` + dkEntry + `","status":"successful"}]`}
	samples["POST /v3/export-job-events"] = sample{"/v3/export-job-events", `{"jobId":"` + unknownUUID + `","event":"started"}`}
	samples["GET /v3/export-items"] = sample{"/v3/export-items?limit=2", ""}
}

// exportReady returns the IDs of token's entries that a job created without
// accountingEntryIds would take (COMPLETED and NOT_EXPORTED), in search order.
func exportReady(e *env, token string) []string {
	e.t.Helper()
	var ids []string
	for _, en := range decodeItems[pleo.AccountingEntry](e.t, e.walk("POST", search, token,
		`{"status":["COMPLETED"],"exportStatus":["NOT_EXPORTED"]}`, 100)) {
		ids = append(ids, en.ID)
	}
	return ids
}

// exportCreate creates a job with token and returns it.
func exportCreate(e *env, token, body string) pleo.ExportJob {
	e.t.Helper()
	var r struct{ Data pleo.ExportJob }
	e.do("POST", "/v3/export-jobs", token, body).ok(e.t, http.StatusCreated, &r)
	return r.Data
}

// exportJobBody is a creation body for company with entries.
func exportJobBody(company string, entries ...string) string {
	return string(mustMarshalAny(map[string]any{"companyId": company, "accountingEntryIds": append([]string{}, entries...)}))
}

func mustMarshalAny(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// exportEvent posts an event for a job.
func exportEvent(e *env, token, jobID, event string) response {
	e.t.Helper()
	return e.do("POST", "/v3/export-job-events", token, `{"jobId":"`+jobID+`","event":"`+event+`"}`)
}

// exportGet reads a job.
func exportGet(e *env, token, jobID string) pleo.ExportJob {
	e.t.Helper()
	var r struct{ Data pleo.ExportJob }
	e.do("GET", "/v3/export-jobs/"+jobID, token, "").ok(e.t, http.StatusOK, &r)
	return r.Data
}

// exportItems returns every item of a job, by accounting entry ID.
func exportItems(e *env, token, jobID string) map[string]pleo.ExportJobItem {
	e.t.Helper()
	out := map[string]pleo.ExportJobItem{}
	for _, it := range decodeItems[pleo.ExportJobItem](e.t, e.list("GET", "/v3/export-jobs/"+jobID+"/items?limit=100", token, "").Data) {
		out[it.AccountingEntryID] = it
	}
	return out
}

// wantEntryStatus checks the exportStatus of accounting entries as
// GET /v1/accounting-entries/{id} reports it.
func wantEntryStatus(e *env, token, want string, ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		var r struct{ Data pleo.AccountingEntry }
		e.do("GET", "/v1/accounting-entries/"+id, token, "").ok(e.t, http.StatusOK, &r)
		if r.Data.ExportStatus != want {
			e.t.Errorf("entry %s has exportStatus %s, want %s", id, r.Data.ExportStatus, want)
		}
	}
}

// accepted asserts the 202 without a body of an event.
func (r response) accepted(t testing.TB) {
	t.Helper()
	if r.status != http.StatusAccepted || len(r.body) != 0 {
		t.Fatalf("status %d, body %q; want 202 without a body", r.status, r.body)
	}
}

func TestExportJobStateMachine(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, api.Options{PublicURL: "http://emulator.test/"})
	ready := exportReady(e, "dk")
	if len(ready) < 6 {
		t.Fatalf("only %d ready entries", len(ready))
	}
	a1, a2, a3, b1, b2, c1 := ready[0], ready[1], ready[2], ready[3], ready[4], ready[5]
	now := func() time.Time { return e.clock.Now().UTC().Truncate(time.Second) }

	// Create: pending, entries QUEUED.
	a := exportCreate(e, "dk", `{"companyId":"`+strings.ToUpper(seed.DenmarkID)+`","accountingEntryIds":["`+a1+`","`+a2+`","`+a3+`"],"employeeId":"`+dkEmployee+`"}`)
	if a.Status != "pending" || a.NumberOfItems != 3 || a.CompanyID != seed.DenmarkID || a.CreatedBy == nil || *a.CreatedBy != dkEmployee ||
		!a.IsInteractive || a.VendorBasedBookkeeping || a.ExpiresIn != 3600 || !a.CreatedAt.Equal(now()) || a.StartedAt != nil {
		t.Errorf("created %+v", a)
	}
	wantEntryStatus(e, "dk", "QUEUED", a1, a2, a3)
	if got := exportGet(e, "dk", a.ID); got.ID != a.ID || got.Status != "pending" {
		t.Errorf("GET %+v", got)
	}
	// A pending job does not block a second one.
	e.clock.advance(time.Second)
	b := exportCreate(e, "dk", `{"companyId":"`+seed.DenmarkID+`","accountingEntryIds":["`+b1+`","`+b2+`"],"isInteractive":false,"options":{"vendorBasedBookkeeping":true}}`)
	if b.IsInteractive || !b.VendorBasedBookkeeping || b.CreatedBy != nil {
		t.Errorf("second job %+v", b)
	}

	// Illegal: complete a pending job.
	msg := exportEvent(e, "dk", a.ID, "completed").fails(t, http.StatusUnprocessableEntity, "INVALID_EXPORT_JOB_STATUS_CHANGE")
	if !strings.Contains(msg, "pending") {
		t.Errorf("message %q does not name the status", msg)
	}

	// Start: in_progress, entries EXPORTING.
	e.clock.advance(time.Minute)
	exportEvent(e, "dk", a.ID, "started").accepted(t)
	started := exportGet(e, "dk", a.ID)
	if started.Status != "in_progress" || started.StartedAt == nil || !started.StartedAt.Equal(now()) || !started.LastUpdatedAt.Equal(now()) {
		t.Errorf("started %+v", started)
	}
	wantEntryStatus(e, "dk", "EXPORTING", a1, a2, a3)
	wantEntryStatus(e, "dk", "QUEUED", b1, b2)
	exportEvent(e, "dk", a.ID, "started").fails(t, http.StatusUnprocessableEntity, "INVALID_EXPORT_JOB_STATUS_CHANGE")
	if msg := e.do("POST", "/v3/export-jobs", "dk", exportJobBody(seed.DenmarkID, c1)).fails(t, http.StatusConflict, "EXPORT_ALREADY_IN_PROGRESS"); msg != "Export Job already in progress for this company." {
		t.Errorf("409 message %q", msg)
	}
	wantEntryStatus(e, "dk", "NOT_EXPORTED", c1)
	msg = exportEvent(e, "dk", b.ID, "started").fails(t, http.StatusUnprocessableEntity, "INVALID_EXPORT_JOB_STATUS_CHANGE")
	if !strings.Contains(msg, "in progress") {
		t.Errorf("starting a second job: message %q", msg)
	}

	// Export items of the running job, linked to their entries.
	items := decodeItems[pleo.ExportItem](t, e.list("GET", "/v3/export-items?job_id="+a.ID, "dk", "").Data)
	if len(items) != 3 {
		t.Fatalf("%d export items, want 3", len(items))
	}
	for _, it := range items {
		if it.CompanyID != seed.DenmarkID || it.Type == "" || it.Amount.InWalletCurrency.Currency != "DKK" || it.Bookkeeping != nil ||
			it.Links.API["accountingEntry"] != "http://emulator.test/v1/accounting-entries/"+it.AccountingEntryID {
			t.Errorf("export item %+v", it)
		}
	}

	// Item updates: 413 above 100 items; entries of other jobs are errors.
	tooMany := make([]string, pleo.MaxItemsPerUpdate+1)
	for i := range tooMany {
		tooMany[i] = `{"accountingEntryId":"` + a1 + `","status":"in_progress"}`
	}
	if msg := e.do("PUT", "/v3/export-jobs/"+a.ID+"/items", "dk", "["+strings.Join(tooMany, ",")+"]").
		fails(t, http.StatusRequestEntityTooLarge, "EXPORT_JOB_ITEMS_UPDATE_LIMIT"); msg != "Number of items to update is more than 100." {
		t.Errorf("413 message %q", msg)
	}
	e.do("PUT", "/v3/export-jobs/"+a.ID+"/items", "dk", "["+strings.Join(tooMany[:100], ",")+"]").ok(t, http.StatusOK, nil)
	e.clock.advance(time.Minute)
	var upd struct {
		Data   []pleo.ExportJobItem
		Errors []pleo.ExportJobItemUpdateError
	}
	e.do("PUT", "/v3/export-jobs/"+a.ID+"/items", "dk", `[
		{"accountingEntryId":"`+a1+`","status":"successful","externalId":"JE-1","externalUrl":"https://erp.example/JE-1"},
		{"accountingEntryId":"`+a2+`","status":"failed","failureReason":"Tax code missing","failureReasonType":"tax_code_unknown"},
		{"accountingEntryId":"`+b1+`","status":"successful"}]`).ok(t, http.StatusOK, &upd)
	if len(upd.Data) != 2 || upd.Data[0].Status != "successful" || *upd.Data[0].ExternalID != "JE-1" || !upd.Data[0].ExportedAt.Equal(now()) ||
		upd.Data[1].Status != "failed" || upd.Data[1].FailureReasonType != "tax_code_unknown" || upd.Data[0].ExportJobID != a.ID {
		t.Errorf("updated %+v", upd.Data)
	}
	if len(upd.Errors) != 1 || upd.Errors[0].AccountingEntryID != b1 || upd.Errors[0].Type != "ACCOUNTING_ENTRY_DOES_NOT_EXIST" {
		t.Errorf("errors %+v", upd.Errors)
	}
	wantEntryStatus(e, "dk", "EXPORTED", a1)
	wantEntryStatus(e, "dk", "EXPORTING", a2, a3)
	wantEntryStatus(e, "dk", "QUEUED", b1)
	if got := exportGet(e, "dk", a.ID); !got.LastUpdatedAt.Equal(now()) || got.ExpiresIn != 3600 {
		t.Errorf("an item update does not renew the job: %+v", got)
	}
	if failed := e.list("GET", "/v3/export-jobs/"+a.ID+"/items?status=failed", "dk", ""); len(failed.Data) != 1 ||
		!strings.Contains(string(failed.Data[0]), a2) || !slices.Equal(failed.Pagination.CurrentRequestPagination.Parameters["status"], []string{"failed"}) {
		t.Errorf("failed items: %s", failed.Data)
	}

	// Finish with errors: the pending item is abandoned; failed and
	// abandoned entries go back to NOT_EXPORTED; the exported one stays.
	e.clock.advance(time.Minute)
	exportEvent(e, "dk", a.ID, "completed_with_errors").accepted(t)
	fin := exportGet(e, "dk", a.ID)
	if fin.Status != "completed_with_errors" || fin.CompletedAt == nil || !fin.CompletedAt.Equal(now()) || fin.ExpiresIn != 0 || fin.FailureReason != nil {
		t.Errorf("finished %+v", fin)
	}
	its := exportItems(e, "dk", a.ID)
	if its[a1].Status != "successful" || its[a2].Status != "failed" || its[a3].Status != "abandoned" || *its[a2].FailureReason != "Tax code missing" {
		t.Errorf("items after finish: %+v", its)
	}
	wantEntryStatus(e, "dk", "EXPORTED", a1)
	wantEntryStatus(e, "dk", "NOT_EXPORTED", a2, a3)

	// A finished job takes no event, no item update and has no export items.
	for _, ev := range pleo.ExportJobEvents {
		exportEvent(e, "dk", a.ID, ev).fails(t, http.StatusUnprocessableEntity, "INVALID_EXPORT_JOB_STATUS_CHANGE")
	}
	if msg := e.do("PUT", "/v3/export-jobs/"+a.ID+"/items", "dk", `[{"accountingEntryId":"`+a3+`","status":"successful"}]`).
		fails(t, http.StatusUnprocessableEntity, "EXPORT_JOB_STATUS_UNPROCESSABLE"); msg != "Export job is finished." {
		t.Errorf("422 message %q", msg)
	}
	if msg := e.do("GET", "/v3/export-items?job_id="+a.ID, "dk", "").
		fails(t, http.StatusUnprocessableEntity, "EXPORT_JOB_STATUS_UNPROCESSABLE"); msg != "Export Job is finished and can no longer be processed." {
		t.Errorf("422 message %q", msg)
	}
	wantEntryStatus(e, "dk", "NOT_EXPORTED", a3)

	// Job B, vendor-based: every item successful, completed.
	exportEvent(e, "dk", b.ID, "started").accepted(t)
	for _, it := range decodeItems[pleo.ExportItem](t, e.list("GET", "/v3/export-items?job_id="+b.ID, "dk", "").Data) {
		if it.Bookkeeping == nil {
			t.Errorf("item of a vendor-based job has no bookkeeping: %+v", it)
		}
	}
	e.do("PUT", "/v3/export-jobs/"+b.ID+"/items", "dk", `[{"accountingEntryId":"`+b1+`","status":"successful"},
		{"accountingEntryId":"`+strings.ToUpper(b2)+`","status":"successful","exportedAt":"2026-03-02T08:00:00+01:00"}]`).ok(t, http.StatusOK, &upd)
	if len(upd.Data) != 2 || len(upd.Errors) != 0 || upd.Data[1].ExportedAt.Format(time.RFC3339) != "2026-03-02T07:00:00Z" {
		t.Errorf("updated %+v, errors %+v", upd.Data, upd.Errors)
	}
	exportEvent(e, "dk", b.ID, "completed").accepted(t)
	if got := exportGet(e, "dk", b.ID); got.Status != "completed" {
		t.Errorf("job B is %s", got.Status)
	}
	wantEntryStatus(e, "dk", "EXPORTED", b1, b2)

	// Job C: started, then failed with a reason; its entry goes back.
	c := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, c1))
	exportEvent(e, "dk", c.ID, "started").accepted(t)
	wantEntryStatus(e, "dk", "EXPORTING", c1)
	e.do("POST", "/v3/export-job-events", "dk", `{"jobId":"`+c.ID+`","event":"failed","failureReason":"ERP down",
		"failureReasonType":"accounting_system_unreachable"}`).accepted(t)
	failed := exportGet(e, "dk", c.ID)
	if failed.Status != "failed" || failed.FailureReason == nil || *failed.FailureReason != "ERP down" ||
		failed.FailureReasonType != "accounting_system_unreachable" || failed.CompletedAt == nil {
		t.Errorf("failed job %+v", failed)
	}
	wantEntryStatus(e, "dk", "NOT_EXPORTED", c1)

	// A pending job may fail at once (emulator choice).
	e.clock.advance(time.Second)
	d := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, c1))
	exportEvent(e, "dk", d.ID, "failed").accepted(t)
	wantEntryStatus(e, "dk", "NOT_EXPORTED", c1)

	// The statuses filter.
	for query, want := range map[string][]string{
		"?statuses=failed":                                           {c.ID, d.ID},
		"?statuses=completed,completed_with_errors":                  {a.ID, b.ID},
		"?statuses=completed&statuses=completed_with_errors":         {a.ID, b.ID},
		"?statuses=pending&statuses=in_progress":                     nil,
		"?statuses=completed&company_id=" + seed.DenmarkID:           {b.ID},
		"?sorting_keys=createdAt&sorting_order=DESC&statuses=failed": {d.ID, c.ID},
	} {
		if got := e.list("GET", "/v3/export-jobs"+query, "dk", "").ids(t); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
}

// TestExportJobWithoutEntryIDs: an empty accountingEntryIds takes every
// entry that is ready; a second such job finds nothing to export.
func TestExportJobWithoutEntryIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ready := exportReady(e, "dk")
	job := exportCreate(e, "dk", exportJobBody(seed.DenmarkID))
	if job.NumberOfItems != len(ready) || len(ready) == 0 {
		t.Fatalf("job of %d items; %d entries were ready", job.NumberOfItems, len(ready))
	}
	got := exportWalk(e, "/v3/export-jobs/"+job.ID+"/items", "dk", "accountingEntryId", 100)
	want := slices.Sorted(slices.Values(ready))
	if !slices.Equal(got, want) {
		t.Errorf("items %v\nwant  %v", got, want)
	}
	msg := e.do("POST", "/v3/export-jobs", "dk", exportJobBody(seed.DenmarkID)).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	if !strings.Contains(msg, "'accountingEntryIds'") {
		t.Errorf("message %q does not name accountingEntryIds", msg)
	}
}

// TestExportJobExpiry: a job not updated for an hour reads as failed
// (job_expired) and gives its entries back.
func TestExportJobExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ready := exportReady(e, "dk")[:2]
	job := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, ready...))
	exportEvent(e, "dk", job.ID, "started").accepted(t)
	e.clock.advance(59 * time.Minute)
	if got := exportGet(e, "dk", job.ID); got.Status != "in_progress" || got.ExpiresIn != 60 {
		t.Errorf("before expiry: %+v", got)
	}
	e.clock.advance(time.Minute)
	got := exportGet(e, "dk", job.ID)
	if got.Status != "failed" || got.FailureReasonType != "job_expired" || got.ExpiredAt == nil || got.ExpiresIn != 0 {
		t.Errorf("after expiry: %+v", got)
	}
	wantEntryStatus(e, "dk", "NOT_EXPORTED", ready...)
	exportEvent(e, "dk", job.ID, "completed").fails(t, http.StatusUnprocessableEntity, "INVALID_EXPORT_JOB_STATUS_CHANGE")
	exportCreate(e, "dk", exportJobBody(seed.DenmarkID, ready...)) // the company is free again
}

func TestExportValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ready := exportReady(e, "dk")
	job := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, ready[0]))
	dk := seed.DenmarkID
	cases := []struct {
		method, path, body string
		status             int
		typ, mention       string
	}{
		// Creation.
		{"POST", "/v3/export-jobs", "", 400, "JSON_MAPPING_EXCEPTION", "missing"},
		{"POST", "/v3/export-jobs", `{"companyId":`, 400, "JSON_MAPPING_EXCEPTION", "JSON"},
		{"POST", "/v3/export-jobs", `[]`, 400, "JSON_MAPPING_EXCEPTION", "object"},
		{"POST", "/v3/export-jobs", `{}`, 400, "VALIDATION_FAILED", "'companyId'"},
		{"POST", "/v3/export-jobs", `{"companyId":"acme","accountingEntryIds":[]}`, 400, "VALIDATION_FAILED", "'companyId'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `"}`, 400, "VALIDATION_FAILED", "'accountingEntryIds'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `","accountingEntryIds":null}`, 400, "VALIDATION_FAILED", "'accountingEntryIds'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `","accountingEntryIds":"` + ready[1] + `"}`, 400, "JSON_MAPPING_EXCEPTION", "'accountingEntryIds'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `","accountingEntryIds":["` + ready[1] + `","nope"]}`, 400, "VALIDATION_FAILED", "'accountingEntryIds[1]'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `","accountingEntryIds":[],"employeeId":"me"}`, 400, "VALIDATION_FAILED", "'employeeId'"},
		{"POST", "/v3/export-jobs", `{"companyId":"` + dk + `","accountingEntryIds":[],"isInteractive":"yes"}`, 400, "JSON_MAPPING_EXCEPTION", "'isInteractive'"},
		{"POST", "/v3/export-jobs", exportJobBody(dk, dkDeleted), 400, "VALIDATION_FAILED", dkDeleted},
		{"POST", "/v3/export-jobs", exportJobBody(dk, seEntry), 400, "VALIDATION_FAILED", seEntry},
		{"POST", "/v3/export-jobs", exportJobBody(dk, unknownUUID), 400, "VALIDATION_FAILED", unknownUUID},
		{"POST", "/v3/export-jobs", exportJobBody(dk, ready[1], ready[0]), 400, "VALIDATION_FAILED", ready[0]}, // already queued
		{"POST", "/v3/export-jobs", exportJobBody(seed.SwedenID, seEntry), 403, "FORBIDDEN", seed.SwedenID},
		{"POST", "/v3/export-jobs", exportJobBody(unknownUUID), 403, "FORBIDDEN", unknownUUID},
		// Events.
		{"POST", "/v3/export-job-events", "", 400, "JSON_MAPPING_EXCEPTION", "missing"},
		{"POST", "/v3/export-job-events", `{}`, 400, "VALIDATION_FAILED", "'jobId'"},
		{"POST", "/v3/export-job-events", `{"jobId":"42","event":"started"}`, 400, "VALIDATION_FAILED", "'jobId'"},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `"}`, 400, "VALIDATION_FAILED", "'event'"},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `","event":"STARTED"}`, 400, "VALIDATION_FAILED", "'event'"},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `","event":"failed","failureReasonType":"oops"}`, 400, "VALIDATION_FAILED", "'failureReasonType'"},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `","event":"failed","failureReason":7}`, 400, "JSON_MAPPING_EXCEPTION", "'failureReason'"},
		{"POST", "/v3/export-job-events", `{"jobId":"` + unknownUUID + `","event":"started"}`, 404, "EXPORT_NOT_FOUND", "Export job not found."},
		// Item updates.
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", "", 400, "JSON_MAPPING_EXCEPTION", "missing"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `null`, 400, "JSON_MAPPING_EXCEPTION", "array"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `{"accountingEntryId":"` + ready[0] + `","status":"successful"}`, 400, "JSON_MAPPING_EXCEPTION", "array"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `","status":"done"}]`, 400, "VALIDATION_FAILED", "'[0].status'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `"}]`, 400, "VALIDATION_FAILED", "'[0].status'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"status":"successful"}]`, 400, "VALIDATION_FAILED", "'[0].accountingEntryId'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `","status":"failed"},{"accountingEntryId":"x","status":"failed"}]`, 400, "VALIDATION_FAILED", "'[1].accountingEntryId'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `","status":"successful","exportedAt":"yesterday"}]`, 400, "VALIDATION_FAILED", "'[0].exportedAt'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `","status":"failed","failureReasonType":"job_expired"}]`, 400, "VALIDATION_FAILED", "'[0].failureReasonType'"},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + ready[0] + `","status":5}]`, 400, "JSON_MAPPING_EXCEPTION", "'status'"},
		{"PUT", "/v3/export-jobs/nope/items", `[]`, 400, "PARAMETER_VALIDATION_FAILED", "'jobId'"},
		{"PUT", "/v3/export-jobs/" + unknownUUID + "/items", `[]`, 404, "EXPORT_NOT_FOUND", "Export job not found."},
		// Reads.
		{"GET", "/v3/export-jobs/nope", "", 400, "PARAMETER_VALIDATION_FAILED", "'jobId'"},
		{"GET", "/v3/export-jobs/" + unknownUUID, "", 404, "EXPORT_NOT_FOUND", "Export job not found."},
		{"GET", "/v3/export-jobs/nope/items", "", 400, "PARAMETER_VALIDATION_FAILED", "'jobId'"},
		{"GET", "/v3/export-jobs/" + job.ID + "/items?status=done", "", 400, "PARAMETER_VALIDATION_FAILED", "'status'"},
		{"GET", "/v3/export-jobs/" + job.ID + "/items?status=", "", 400, "PARAMETER_VALIDATION_FAILED", "'status'"},
		{"GET", "/v3/export-jobs/" + job.ID + "/items?sorting_keys=amount", "", 400, "PARAMETER_VALIDATION_FAILED", "'sorting_keys'"},
		{"GET", "/v3/export-jobs/" + unknownUUID + "/items", "", 404, "EXPORT_NOT_FOUND", "Export job not found."},
		{"GET", "/v3/export-jobs?statuses=pending,open", "", 400, "PARAMETER_VALIDATION_FAILED", "'statuses'"},
		{"GET", "/v3/export-jobs?company_id=acme", "", 400, "PARAMETER_VALIDATION_FAILED", "'company_id'"},
		{"GET", "/v3/export-jobs?limit=0", "", 400, "PARAMETER_VALIDATION_FAILED", "'limit'"},
		{"GET", "/v3/export-jobs?limit=101", "", 400, "PARAMETER_VALIDATION_FAILED", "'limit'"},
		{"GET", "/v3/export-jobs?offset=-1", "", 400, "PARAMETER_VALIDATION_FAILED", "'offset'"},
		{"GET", "/v3/export-jobs?after=abc", "", 400, "PARAMETER_VALIDATION_FAILED", "'after'"},
		{"GET", "/v3/export-jobs?sorting_keys=createdAt&sorting_order=UP", "", 400, "PARAMETER_VALIDATION_FAILED", "'sorting_order'"},
		{"GET", "/v3/export-items?job_id=nope", "", 400, "PARAMETER_VALIDATION_FAILED", "'job_id'"},
		{"GET", "/v3/export-items?job_id=" + unknownUUID, "", 404, "EXPORT_NOT_FOUND", "Export job not found."},
		{"GET", "/v3/export-items?sorting_keys=date", "", 400, "PARAMETER_VALIDATION_FAILED", "'sorting_keys'"},
		// Methods the routes do not have.
		{"DELETE", "/v3/export-jobs/" + job.ID, "", 405, "METHOD_NOT_ALLOWED", "DELETE"},
		{"GET", "/v3/export-job-events", "", 405, "METHOD_NOT_ALLOWED", "GET"},
	}
	for _, c := range cases {
		msg := e.do(c.method, c.path, "dk", c.body).fails(t, c.status, c.typ)
		if !strings.Contains(msg, c.mention) {
			t.Errorf("%s %s %.80s: message %q does not mention %q", c.method, c.path, c.body, msg, c.mention)
		}
	}
	// None of the refused requests changed the job or its entries.
	if got := exportGet(e, "dk", job.ID); got.Status != "pending" || got.NumberOfItems != 1 {
		t.Errorf("job after the refused requests: %+v", got)
	}
	wantEntryStatus(e, "dk", "QUEUED", ready[0])
	wantEntryStatus(e, "dk", "NOT_EXPORTED", ready[1])
	// A body over 1 MiB is refused before it is read.
	big := `{"companyId":"` + dk + `","accountingEntryIds":[],"x":"` + strings.Repeat("x", 1<<20) + `"}`
	e.do("POST", "/v3/export-jobs", "dk", big).fails(t, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
}

// TestExportSubjectIsolation: a company token never sees or changes
// another company's jobs (404, like an unknown job); an organisation token
// sees its companies' jobs and names the company of a new job.
func TestExportSubjectIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dkReady, seReady := exportReady(e, "dk"), exportReady(e, "se")
	job := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, dkReady[:2]...))

	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v3/export-jobs/" + job.ID, ""},
		{"GET", "/v3/export-jobs/" + job.ID + "/items", ""},
		{"PUT", "/v3/export-jobs/" + job.ID + "/items", `[{"accountingEntryId":"` + dkReady[0] + `","status":"successful"}]`},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `","event":"started"}`},
		{"POST", "/v3/export-job-events", `{"jobId":"` + job.ID + `","event":"failed"}`},
		{"GET", "/v3/export-items?job_id=" + job.ID, ""},
	} {
		if msg := e.do(c.method, c.path, "se", c.body).fails(t, http.StatusNotFound, "EXPORT_NOT_FOUND"); msg != "Export job not found." {
			t.Errorf("%s %s: message %q", c.method, c.path, msg)
		}
	}
	if p := e.list("GET", "/v3/export-jobs", "se", ""); len(p.Data) != 0 || p.Pagination.Total != 0 {
		t.Errorf("Sweden lists Danish jobs: %s", p.Data)
	}
	if p := e.list("GET", "/v3/export-items", "se", ""); len(p.Data) != 0 {
		t.Errorf("Sweden lists Danish export items: %d", len(p.Data))
	}
	e.do("GET", "/v3/export-jobs?company_id="+seed.DenmarkID, "se", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", "/v3/export-jobs", "se", exportJobBody(seed.DenmarkID, dkReady[2])).fails(t, http.StatusForbidden, "FORBIDDEN")
	// Sweden's attempts changed nothing.
	if got := exportGet(e, "dk", job.ID); got.Status != "pending" {
		t.Errorf("Danish job is %s", got.Status)
	}
	wantEntryStatus(e, "dk", "QUEUED", dkReady[0], dkReady[1])
	wantEntryStatus(e, "dk", "NOT_EXPORTED", dkReady[2])

	// The organisation token: companyId is required in the body, as for every token.
	msg := e.do("POST", "/v3/export-jobs", "org", `{"accountingEntryIds":[]}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	if !strings.Contains(msg, "'companyId'") {
		t.Errorf("message %q does not name companyId", msg)
	}
	seJob := exportCreate(e, "org", exportJobBody(seed.SwedenID, seReady[:3]...))
	if seJob.CompanyID != seed.SwedenID {
		t.Errorf("organisation created %+v", seJob)
	}
	exportGet(e, "org", job.ID)
	exportGet(e, "se", seJob.ID)
	e.do("GET", "/v3/export-jobs/"+seJob.ID, "dk", "").fails(t, http.StatusNotFound, "EXPORT_NOT_FOUND")
	for query, want := range map[string][]string{
		"":                              {job.ID, seJob.ID},
		"?company_id=" + seed.SwedenID:  {seJob.ID},
		"?company_id=" + seed.DenmarkID: {job.ID},
		"?company_id=" + unknownUUID:    nil, // refused below
		"?statuses=pending&company_id=" + seed.SwedenID: {seJob.ID},
	} {
		r := e.do("GET", "/v3/export-jobs"+query, "org", "")
		if want == nil {
			r.fails(t, http.StatusForbidden, "FORBIDDEN")
			continue
		}
		var p pageBody
		r.ok(t, http.StatusOK, &p)
		got := p.ids(t)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("organisation %q: %v, want %v", query, got, want)
		}
	}
	if p := e.list("GET", "/v3/export-items?limit=100", "org", ""); len(p.Data) != 5 {
		t.Errorf("organisation sees %d export items, want 5", len(p.Data))
	}
	// The organisation drives the Swedish job.
	exportEvent(e, "org", seJob.ID, "started").accepted(t)
	e.do("PUT", "/v3/export-jobs/"+seJob.ID+"/items", "org", `[{"accountingEntryId":"`+seReady[0]+`","status":"successful"}]`).ok(t, http.StatusOK, nil)
	wantEntryStatus(e, "se", "EXPORTED", seReady[0])
	wantEntryStatus(e, "org", "EXPORTING", seReady[1])
	// Denmark's own pending job may still start: Sweden's running job does not block it.
	exportEvent(e, "dk", job.ID, "started").accepted(t)
}

// exportWalk pages through a list keyed by key (the item field that is
// unique in the list) forwards following endCursor and backwards following
// startCursor, like env.walk, and returns the keys in list order.
func exportWalk(e *env, path, token, key string, limit int) []string {
	t := e.t
	t.Helper()
	path = withQuery(path, "limit="+strconv.Itoa(limit))
	keys := func(p pageBody) []string {
		var out []string
		for _, raw := range p.Data {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(m[key]))
		}
		return out
	}
	var forward []string
	var last pageBody
	for n := 0; ; n++ {
		if n > 1000 {
			t.Fatal("walk does not end")
		}
		after := ""
		if n > 0 {
			after = last.Pagination.EndCursor
		}
		p := e.list("GET", withQueryIf(path, "after", after), token, "")
		if p.Pagination.HasPreviousPage != (n > 0) {
			t.Fatalf("page %d: hasPreviousPage %v", n+1, p.Pagination.HasPreviousPage)
		}
		if len(p.Data) > limit || p.Pagination.HasNextPage && len(p.Data) != limit {
			t.Fatalf("page %d has %d items with limit %d", n+1, len(p.Data), limit)
		}
		forward = append(forward, keys(p)...)
		last = p
		if !p.Pagination.HasNextPage {
			break
		}
	}
	if int(last.Pagination.Total) != len(forward) {
		t.Fatalf("walked %d items, total says %d", len(forward), last.Pagination.Total)
	}
	seen := map[string]bool{}
	for _, k := range forward {
		if seen[k] {
			t.Fatalf("item %s appears twice", k)
		}
		seen[k] = true
	}
	backward := keys(last)
	for n, p := 0, last; p.Pagination.HasPreviousPage; n++ {
		if n > 1000 {
			t.Fatal("backward walk does not end")
		}
		p = e.list("GET", withQuery(path, "before="+p.Pagination.StartCursor), token, "")
		if !p.Pagination.HasNextPage {
			t.Fatalf("backward page %d has no next page", n+1)
		}
		backward = append(keys(p), backward...)
	}
	if !slices.Equal(forward, backward) {
		t.Fatalf("backward walk differs from forward walk:\nforward  %v\nbackward %v", forward, backward)
	}
	return forward
}

// TestExportPagination walks export jobs, job items and export items
// forwards and backwards with page sizes that do and do not divide the total.
func TestExportPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ready := exportReady(e, "dk")
	// Nine single-entry jobs, two per second, so the id tiebreak matters.
	var jobs []pleo.ExportJob
	for i, id := range ready[:9] {
		if i%2 == 0 {
			e.clock.advance(time.Second)
		}
		jobs = append(jobs, exportCreate(e, "dk", exportJobBody(seed.DenmarkID, id)))
	}
	slices.SortFunc(jobs, func(a, b pleo.ExportJob) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var want []string
	for _, j := range jobs {
		want = append(want, j.ID)
	}
	for _, limit := range []int{1, 2, 4, 9, 100} {
		var got []string
		for _, it := range decodeItems[pleo.ExportJob](t, e.walk("GET", "/v3/export-jobs", "dk", "", limit)) {
			got = append(got, it.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: %v\nwant %v", limit, got, want)
		}
	}
	desc := decodeItems[pleo.ExportJob](t, e.walk("GET", "/v3/export-jobs?sorting_keys=createdAt,id&sorting_order=DESC,DESC", "dk", "", 4))
	for i, j := range desc {
		if j.ID != want[len(want)-1-i] {
			t.Fatalf("descending walk is not the reverse order")
		}
	}
	if got := len(e.walk("GET", "/v3/export-jobs?statuses=pending&company_id="+seed.DenmarkID, "dk", "", 2)); got != 9 {
		t.Errorf("pending jobs: %d", got)
	}
	p := e.list("GET", "/v3/export-jobs?limit=2&offset=3", "dk", "")
	if got := p.ids(t); !slices.Equal(got, want[3:5]) || !p.Pagination.HasPreviousPage || !p.Pagination.HasNextPage {
		t.Errorf("offset 3: %v, want %v", got, want[3:5])
	}
	if got := e.list("GET", "/v3/export-jobs?limit=2&after="+p.Pagination.EndCursor, "dk", "").ids(t); !slices.Equal(got, want[5:7]) {
		t.Errorf("after the offset page: %v, want %v", got, want[5:7])
	}
	// A job cursor is refused by the job items list.
	e.do("GET", "/v3/export-jobs/"+jobs[0].ID+"/items?after="+p.Pagination.EndCursor, "dk", "").
		fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")

	// One job with every other ready entry: its items by accounting entry ID.
	big := exportCreate(e, "dk", exportJobBody(seed.DenmarkID))
	entries := slices.Sorted(slices.Values(ready[9:]))
	if big.NumberOfItems != len(entries) || len(entries) < 15 {
		t.Fatalf("job of %d items, %d ready entries", big.NumberOfItems, len(entries))
	}
	for _, limit := range []int{1, 7, 100} {
		if got := exportWalk(e, "/v3/export-jobs/"+big.ID+"/items", "dk", "accountingEntryId", limit); !slices.Equal(got, entries) {
			t.Errorf("job items, limit %d: %v\nwant %v", limit, got, entries)
		}
		if got := exportWalk(e, "/v3/export-items?job_id="+big.ID, "dk", "accountingEntryId", limit); !slices.Equal(got, entries) {
			t.Errorf("export items, limit %d: %v\nwant %v", limit, got, entries)
		}
	}
	rev := exportWalk(e, "/v3/export-jobs/"+big.ID+"/items?sorting_keys=accountingEntryId&sorting_order=DESC", "dk", "accountingEntryId", 6)
	slices.Reverse(rev)
	if !slices.Equal(rev, entries) {
		t.Errorf("descending job items are not the reverse order")
	}
	// Without job_id: the items of every unfinished job of the company.
	every := exportWalk(e, "/v3/export-items", "dk", "accountingEntryId", 8)
	if want := slices.Sorted(slices.Values(ready)); !slices.Equal(every, want) {
		t.Errorf("export items of every job: %d, want %d", len(every), len(want))
	}
	// Items of one status, paged.
	e.do("PUT", "/v3/export-jobs/"+big.ID+"/items", "dk", `[{"accountingEntryId":"`+entries[0]+`","status":"failed"},
		{"accountingEntryId":"`+entries[3]+`","status":"failed"},{"accountingEntryId":"`+entries[5]+`","status":"failed"}]`).ok(t, http.StatusOK, nil)
	if got := exportWalk(e, "/v3/export-jobs/"+big.ID+"/items?status=failed", "dk", "accountingEntryId", 2); !slices.Equal(got, []string{entries[0], entries[3], entries[5]}) {
		t.Errorf("failed items: %v", got)
	}
}

// TestExportGolden records a successful answer of every export route, in
// one workflow, in testdata/golden/exports (the random job ID replaced by
// EXPORT-JOB-ID). Run with -update to rewrite.
func TestExportGolden(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, api.Options{PublicURL: "http://emulator.test"})
	ready := exportReady(e, "dk")
	r := e.do("POST", "/v3/export-jobs", "dk", `{"companyId":"`+seed.DenmarkID+`","accountingEntryIds":["`+ready[0]+`","`+ready[1]+`"],"employeeId":"`+dkEmployee+`"}`)
	var created struct{ Data pleo.ExportJob }
	r.ok(t, http.StatusCreated, &created)
	id := created.Data.ID
	exportGolden(t, "POST", "/v3/export-jobs", r, id)
	e.clock.advance(2 * time.Minute)
	exportGolden(t, "POST", "/v3/export-job-events", exportEvent(e, "dk", id, "started"), id)
	exportGolden(t, "GET", "/v3/export-items", e.do("GET", "/v3/export-items?limit=1&job_id="+id, "dk", ""), id)
	e.clock.advance(time.Minute)
	exportGolden(t, "PUT", "/v3/export-jobs/{jobId}/items", e.do("PUT", "/v3/export-jobs/"+id+"/items", "dk",
		`[{"accountingEntryId":"`+ready[0]+`","status":"successful","externalId":"JE-1001","externalUrl":"https://erp.example/JE-1001"},
		{"accountingEntryId":"`+ready[1]+`","status":"failed","failureReason":"Tax code unknown","failureReasonType":"tax_code_unknown"},
		{"accountingEntryId":"`+unknownUUID+`","status":"successful"}]`), id)
	exportGolden(t, "GET", "/v3/export-jobs/{jobId}/items", e.do("GET", "/v3/export-jobs/"+id+"/items", "dk", ""), id)
	exportGolden(t, "GET", "/v3/export-jobs/{jobId}", e.do("GET", "/v3/export-jobs/"+id, "dk", ""), id)
	exportGolden(t, "GET", "/v3/export-jobs", e.do("GET", "/v3/export-jobs?statuses=in_progress&company_id="+seed.DenmarkID, "dk", ""), id)
}

var cursorPattern = regexp.MustCompile(`"(startCursor|endCursor)":"([A-Z2-7=]+)"`)

func exportGolden(t *testing.T, method, pattern string, r response, jobID string) {
	t.Helper()
	body := json.RawMessage("null")
	if len(r.body) > 0 {
		// Cursors hold the job ID too (base32 of JSON): replace it inside them.
		body = cursorPattern.ReplaceAllFunc(r.body, func(m []byte) []byte {
			sub := cursorPattern.FindSubmatch(m)
			raw, err := base32.StdEncoding.DecodeString(string(sub[2]))
			if err != nil {
				t.Fatalf("cursor %s: %v", sub[2], err)
			}
			raw = bytes.ReplaceAll(raw, []byte(jobID), []byte("EXPORT-JOB-ID"))
			return []byte(`"` + string(sub[1]) + `":"` + base32.StdEncoding.EncodeToString(raw) + `"`)
		})
		body = bytes.ReplaceAll(body, []byte(jobID), []byte("EXPORT-JOB-ID"))
	}
	compareGolden(t, method, pattern, r, body, filepath.Join("testdata", "golden", "exports", goldenName(method, pattern)), "TestExportGolden")
}
