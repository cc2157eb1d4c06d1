package api_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// The demo's finished vendor CSV import job (Denmark): three rows, one bad.
var dkCsvJob = seed.ID("acme-denmark/vendor-csv-import/0")

const csvJobs = "/v1/vendors/csv-import/jobs"

func init() {
	samples["POST "+csvJobs] = sample{csvJobs, `{"companyId":"` + seed.DenmarkID + `","originalFilename":"vendors.csv","type":"vendors",` +
		`"csvFormat":{"delimiter":";","ignoreEmptyLines":true,"recordSeparator":"\r\n","skipHeaderRecord":true},"metadata":{"batch":{"number":1}}}`}
	samples["POST "+csvJobs+":search"] = sample{csvJobs + ":search?company_id=" + seed.DenmarkID, `{"statuses":["COMPLETED"],"types":["vendors"]}`}
	samples["GET "+csvJobs+"/{jobId}"] = sample{csvJobs + "/" + dkCsvJob, ""}
	samples["GET "+csvJobs+"/{jobId}/errors"] = sample{csvJobs + "/" + dkCsvJob + "/errors", ""}
	samples["PUT "+csvJobs+"/{jobId}/metadata"] = sample{csvJobs + "/" + dkCsvJob + "/metadata",
		`{"metadata":{"reviewedBy":{"email":"bookkeeper@acme.test"}},"strategy":"MERGE"}`}
	samples["PUT "+csvJobs+"/{jobId}/status"] = sample{csvJobs + "/" + dkCsvJob + "/status", `{"status":"COMPLETED"}`}
	// A presigned URL's signature uses a random key, so the golden file
	// records the documented 404; TestVendorCSVImportEndToEnd checks the 200.
	samples["POST "+csvJobs+"/{jobId}:get-presigned-url"] = sample{csvJobs + "/" + unknownUUID + ":get-presigned-url", ""}
	samples["POST "+csvJobs+"/{jobId}:run"] = sample{csvJobs + "/" + dkCsvJob + ":run", ""} // 409: it has run
}

// uploadServer serves presigned uploads of e's API, as the app router does.
func uploadServer(t *testing.T, e *env) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("PUT "+api.VendorCSVUploadPattern, httpx.GuardInput(api.MaxUploadBytes, api.RefuseUpload)(http.HandlerFunc(e.api.UploadVendorCSV)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// flipFirst changes the first character of a base64url signature, always
// to a different one.
func flipFirst(sig string) string {
	if sig[0] == 'A' {
		return "B" + sig[1:]
	}
	return "A" + sig[1:]
}

// upload PUTs body to the path and query of a presigned URL on srv and
// returns the status and S3 error code ("" on success).
func upload(t *testing.T, srv *httptest.Server, presigned string, body []byte) (int, string, http.Header) {
	t.Helper()
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, srv.URL+u.RequestURI(), strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		return res.StatusCode, "", res.Header
	}
	var e struct{ Code, Message string }
	if err := xml.Unmarshal(b, &e); err != nil || res.Header.Get("Content-Type") != "application/xml" {
		t.Fatalf("upload error %d is not S3 XML: %s (%v)", res.StatusCode, b, err)
	}
	return res.StatusCode, e.Code, res.Header
}

func readCSV(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "vendors", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createCsvJob creates a job for Denmark and returns it with its presigned URL.
func createCsvJob(t *testing.T, e *env, filename string) (pleo.CsvImportJob, string) {
	t.Helper()
	job := data[pleo.CsvImportJob](t, e.do("POST", csvJobs, "dk",
		`{"companyId":"`+seed.DenmarkID+`","originalFilename":"`+filename+`","type":"vendors"}`), http.StatusCreated)
	if job.Status != "UPLOAD_INITIATED" || job.CompanyID != seed.DenmarkID || job.OriginalFilename != filename {
		t.Fatalf("created %+v", job)
	}
	signed := data[struct {
		PresignedURL string `json:"presignedUrl"`
	}](t, e.do("POST", csvJobs+"/"+job.ID+":get-presigned-url", "dk", ""), http.StatusOK)
	return job, signed.PresignedURL
}

func TestVendorCSVImportEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, api.Options{PublicURL: "https://emulator.example/"})
	srv := uploadServer(t, e)
	job, presigned := createCsvJob(t, e, "leverandoerer.csv")
	if !strings.HasPrefix(presigned, "https://emulator.example/_uploads/vendor-csv-import/"+job.ID+"?expires=") ||
		!strings.Contains(presigned, "&signature=") {
		t.Errorf("presigned URL %s", presigned)
	}
	got := data[pleo.CsvImportJob](t, e.do("GET", csvJobs+"/"+job.ID, "dk", ""), http.StatusOK)
	if got.S3Key != "uploads/"+seed.DenmarkID+"/vendors-"+job.ID+".csv" {
		t.Errorf("s3Key %q", got.S3Key)
	}
	e.do("POST", csvJobs+"/"+job.ID+":run", "dk", "").fails(t, http.StatusConflict, "INVALID_STATUS_TRANSITION") // no file yet

	file := readCSV(t, "mixed-with-bad-rows.csv")
	status, code, header := upload(t, srv, presigned, file)
	if status != http.StatusOK || code != "" || header.Get("ETag") == "" {
		t.Fatalf("upload: %d %s", status, code)
	}
	uploaded := data[pleo.CsvImportJob](t, e.do("GET", csvJobs+"/"+job.ID, "dk", ""), http.StatusOK)
	if uploaded.Status != "UPLOADED" || strings.Join(uploaded.ColumnNames, "|") != "Konto|Name|USt-IdNr.|Currency|Country" {
		t.Errorf("after upload %+v", uploaded)
	}
	data[pleo.CsvImportJob](t, e.do("PUT", csvJobs+"/"+job.ID+"/status", "dk", `{"status":"READY_FOR_IMPORT"}`), http.StatusOK)
	data[pleo.CsvImportJob](t, e.do("PUT", csvJobs+"/"+job.ID+"/metadata", "dk", `{"metadata":{"source":{"erp":"e-conomic"}},"strategy":"REPLACE"}`), http.StatusOK)

	e.clock.advance(time.Minute)
	done := data[pleo.CsvImportJob](t, e.do("POST", csvJobs+"/"+job.ID+":run", "dk", ""), http.StatusOK)
	if done.Status != "COMPLETED" || *done.RowsTotal != 8 || *done.RowsSucceeded != 3 || *done.RowsFailed != 4 || *done.RowsSkipped != 1 ||
		done.Metadata["source"] == nil || !done.UpdatedAt.Equal(e.clock.Now()) {
		t.Fatalf("run: %+v", done)
	}
	errs := e.list("GET", csvJobs+"/"+job.ID+"/errors?limit=2", "dk", "")
	var rows []pleo.CsvRowImportError
	for _, raw := range e.walk("GET", csvJobs+"/"+job.ID+"/errors", "dk", "", 2) {
		var row pleo.CsvRowImportError
		if err := json.Unmarshal(raw, &row); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	if errs.Pagination.Total != 4 || len(rows) != 4 || rows[0].RowNumber != 3 || rows[1].RowNumber != 5 || rows[2].RowNumber != 6 || rows[3].RowNumber != 8 {
		t.Errorf("errors: total %d, rows %+v", errs.Pagination.Total, rows)
	}
	if rows[2].RawData != `"70005","Too Few Values"` || rows[3].ErrorCode != "VENDOR_ALREADY_EXISTS" {
		t.Errorf("error rows %+v", rows)
	}
	found := e.list("POST", "/v1/vendors:search?company_id="+seed.DenmarkID, "dk", `{"name":"Müller"}`)
	if found.Pagination.Total != 1 {
		t.Errorf("imported vendor Müller GmbH: %d found", found.Pagination.Total)
	}

	// Finished: no more uploads, runs or presigned URLs.
	if status, code, _ := upload(t, srv, presigned, file); status != http.StatusConflict || code != "InvalidRequest" {
		t.Errorf("upload after the run: %d %s", status, code)
	}
	e.do("POST", csvJobs+"/"+job.ID+":run", "dk", "").fails(t, http.StatusConflict, "INVALID_STATUS_TRANSITION")
	e.do("POST", csvJobs+"/"+job.ID+":get-presigned-url", "dk", "").fails(t, http.StatusConflict, "INVALID_STATUS_TRANSITION")
	e.do("PUT", csvJobs+"/"+job.ID+"/status", "dk", `{"status":"QUEUED"}`).fails(t, http.StatusConflict, "INVALID_STATUS_TRANSITION")
}

func TestPresignedUploadURLRefusesTamperingAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := uploadServer(t, e)
	job, presigned := createCsvJob(t, e, "vendors.csv")
	other, _ := createCsvJob(t, e, "other.csv")
	u, _ := url.Parse(presigned)
	q := u.Query()
	file := readCSV(t, "all-good.csv")

	tampered := func(change func(u *url.URL, q url.Values)) string {
		c := *u
		cq := url.Values{}
		for k, v := range q {
			cq[k] = append([]string(nil), v...)
		}
		change(&c, cq)
		c.RawQuery = cq.Encode()
		return c.String()
	}
	for name, bad := range map[string]string{
		"later expiry":    tampered(func(_ *url.URL, q url.Values) { q.Set("expires", "99999999999") }),
		"other job":       tampered(func(u *url.URL, _ url.Values) { u.Path = strings.Replace(u.Path, job.ID, other.ID, 1) }),
		"signature bit":   tampered(func(_ *url.URL, q url.Values) { q.Set("signature", flipFirst(q.Get("signature"))) }),
		"empty signature": tampered(func(_ *url.URL, q url.Values) { q.Set("signature", "x") }),
	} {
		if status, code, _ := upload(t, srv, bad, file); status != http.StatusForbidden || code != "SignatureDoesNotMatch" {
			t.Errorf("%s: %d %s", name, status, code)
		}
	}
	if status, code, _ := upload(t, srv, tampered(func(_ *url.URL, q url.Values) { q.Del("signature") }), file); status != http.StatusForbidden || code != "AccessDenied" {
		t.Errorf("no signature: %d %s", status, code)
	}
	if status, code, _ := upload(t, srv, presigned, make([]byte, api.MaxUploadBytes+1)); status != http.StatusRequestEntityTooLarge || code != "EntityTooLarge" {
		t.Errorf("too large: %d %s", status, code)
	}

	e.clock.advance(15 * time.Minute) // the URL's lifetime, by the emulator's clock
	if status, code, _ := upload(t, srv, presigned, file); status != http.StatusForbidden || code != "AccessDenied" {
		t.Errorf("expired: %d %s", status, code)
	}
	if got := data[pleo.CsvImportJob](t, e.do("GET", csvJobs+"/"+job.ID, "dk", ""), http.StatusOK); got.Status != "UPLOAD_INITIATED" {
		t.Errorf("refused uploads changed the job: %+v", got)
	}
	// A fresh URL works again.
	fresh := data[struct {
		PresignedURL string `json:"presignedUrl"`
	}](t, e.do("POST", csvJobs+"/"+job.ID+":get-presigned-url", "dk", ""), http.StatusOK)
	if status, code, _ := upload(t, srv, fresh.PresignedURL, file); status != http.StatusOK {
		t.Errorf("fresh URL: %d %s", status, code)
	}
}

func TestVendorCSVImportFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := uploadServer(t, e)
	for _, c := range []struct{ file, filename, code string }{
		{"wrong-encoding-latin1.csv", "latin1.csv", "INVALID_FILE_FORMAT"},
		{"wrong-header.csv", "wrong.csv", "INVALID_FILE_FORMAT"},
		{"all-good.csv", "vendors.txt", "FILE_EXTENSION_NOT_SUPPORTED"},
	} {
		job, presigned := createCsvJob(t, e, c.filename)
		if status, code, _ := upload(t, srv, presigned, readCSV(t, c.file)); status != http.StatusOK {
			t.Fatalf("%s: upload %d %s", c.file, status, code)
		}
		done := data[pleo.CsvImportJob](t, e.do("POST", csvJobs+"/"+job.ID+":run", "dk", ""), http.StatusOK)
		if done.Status != "FAILED" || done.ErrorCode != c.code || done.ErrorMessage == "" {
			t.Errorf("%s: %+v", c.file, done)
		}
	}

	// All good: four vendors, no errors.
	job, presigned := createCsvJob(t, e, "all-good.csv")
	upload(t, srv, presigned, readCSV(t, "all-good.csv"))
	done := data[pleo.CsvImportJob](t, e.do("POST", csvJobs+"/"+job.ID+":run", "dk", ""), http.StatusOK)
	if done.Status != "COMPLETED" || *done.RowsSucceeded != 4 || *done.RowsFailed != 0 {
		t.Errorf("all good: %+v", done)
	}
}

func TestVendorCSVImportRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	create := func(extra string) string {
		return `{"companyId":"` + seed.DenmarkID + `","originalFilename":"v.csv","type":"vendors"` + extra + `}`
	}
	for _, c := range []struct{ method, path, token, body, typ, field string }{
		{"POST", csvJobs, "dk", `{"originalFilename":"v.csv","type":"vendors"}`, "VALIDATION_FAILED", "companyId"},
		{"POST", csvJobs, "dk", `{"companyId":"` + seed.DenmarkID + `","type":"vendors"}`, "VALIDATION_FAILED", "originalFilename"},
		{"POST", csvJobs, "dk", create(`,"type":"accounts"`), "VALIDATION_FAILED", "type"},
		{"POST", csvJobs, "dk", create(`,"originalFilename":" "`), "VALIDATION_FAILED", "originalFilename"},
		{"POST", csvJobs, "dk", create(`,"csvFormat":{"delimiter":","}`), "VALIDATION_FAILED", "csvFormat.ignoreEmptyLines"},
		{"POST", csvJobs, "dk", create(`,"csvFormat":{"delimiter":"ab","ignoreEmptyLines":true,"recordSeparator":"","skipHeaderRecord":true}`),
			"VALIDATION_FAILED", "csvFormat.delimiter"},
		{"POST", csvJobs, "dk", create(`,"metadata":[]`), "JSON_MAPPING_EXCEPTION", "metadata"},
		{"POST", csvJobs + ":search", "dk", `{}`, "PARAMETER_VALIDATION_FAILED", "company_id"},
		{"POST", csvJobs + ":search?company_id=" + seed.DenmarkID, "dk", `{"statuses":["DONE"]}`, "VALIDATION_FAILED", "statuses[0]"},
		{"POST", csvJobs + ":search?company_id=" + seed.DenmarkID, "dk", `{"ids":["x"]}`, "VALIDATION_FAILED", "ids[0]"},
		{"POST", csvJobs + ":search?company_id=" + seed.DenmarkID, "dk", ``, "JSON_MAPPING_EXCEPTION", "missing"},
		{"PUT", csvJobs + "/" + dkCsvJob + "/metadata", "dk", `{"metadata":{}}`, "VALIDATION_FAILED", "strategy"},
		{"PUT", csvJobs + "/" + dkCsvJob + "/metadata", "dk", `{"metadata":{},"strategy":"UPSERT"}`, "VALIDATION_FAILED", "strategy"},
		{"PUT", csvJobs + "/" + dkCsvJob + "/status", "dk", `{}`, "VALIDATION_FAILED", "status"},
		{"PUT", csvJobs + "/" + dkCsvJob + "/status", "dk", `{"status":"FAILED","errorType":"OOPS"}`, "VALIDATION_FAILED", "errorType"},
		{"GET", csvJobs + "/nope", "dk", "", "PARAMETER_VALIDATION_FAILED", "jobId"},
		{"GET", csvJobs + "/" + dkCsvJob + "/errors?sorting_keys=line", "dk", "", "PARAMETER_VALIDATION_FAILED", "sorting_keys"},
	} {
		mentions(t, e.do(c.method, c.path, c.token, c.body), c.typ, c.field)
	}
	e.do("POST", csvJobs, "dk", `{"companyId":"`+seed.SwedenID+`","originalFilename":"v.csv","type":"vendors"}`).fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", csvJobs+":search?company_id="+seed.SwedenID, "dk", `{}`).fails(t, http.StatusForbidden, "FORBIDDEN")

	// Subject isolation: Sweden's token sees none of Denmark's job.
	for _, path := range []string{csvJobs + "/" + dkCsvJob, csvJobs + "/" + dkCsvJob + "/errors"} {
		msg := e.do("GET", path, "se", "").fails(t, http.StatusNotFound, "IMPORT_JOB_NOT_FOUND")
		if msg != "CSV import job with ID "+dkCsvJob+" not found" {
			t.Errorf("404 message %q", msg)
		}
	}
	e.do("POST", csvJobs+"/"+dkCsvJob+":run", "se", "").fails(t, http.StatusNotFound, "IMPORT_JOB_NOT_FOUND")
	e.do("PUT", csvJobs+"/"+dkCsvJob+"/status", "se", `{"status":"FAILED"}`).fails(t, http.StatusNotFound, "IMPORT_JOB_NOT_FOUND")
	e.do("POST", csvJobs+"/"+dkCsvJob+":get-presigned-url", "se", "").fails(t, http.StatusNotFound, "IMPORT_JOB_NOT_FOUND")
	if n := e.list("POST", csvJobs+":search?company_id="+seed.SwedenID, "se", `{}`).Pagination.Total; n != 0 {
		t.Errorf("Sweden sees %d jobs", n)
	}
	e.do("GET", csvJobs+"/"+dkCsvJob, "org", "").ok(t, http.StatusOK, nil)

	// Metadata: MERGE keeps the seeded key, REPLACE drops it.
	merged := data[pleo.CsvImportJob](t, e.do("PUT", csvJobs+"/"+dkCsvJob+"/metadata", "dk", `{"metadata":{"b":{"n":2}},"strategy":"MERGE"}`), http.StatusOK)
	if len(merged.Metadata) != 2 || merged.Metadata["requestedBy"] == nil {
		t.Errorf("merged %v", merged.Metadata)
	}
	replaced := data[pleo.CsvImportJob](t, e.do("PUT", csvJobs+"/"+dkCsvJob+"/metadata", "dk", `{"metadata":{"c":{}},"strategy":"REPLACE"}`), http.StatusOK)
	if len(replaced.Metadata) != 1 || replaced.Metadata["c"] == nil {
		t.Errorf("replaced %v", replaced.Metadata)
	}

	// A client may fail a job it gave up on, with its reason.
	job, _ := createCsvJob(t, e, "v.csv")
	failed := data[pleo.CsvImportJob](t, e.do("PUT", csvJobs+"/"+job.ID+"/status", "dk",
		`{"status":"FAILED","errorType":"FILE_TOO_LARGE","errorMessage":"The ERP export was too big."}`), http.StatusOK)
	if failed.Status != "FAILED" || failed.ErrorCode != "FILE_TOO_LARGE" || failed.ErrorMessage != "The ERP export was too big." {
		t.Errorf("failed %+v", failed)
	}
}
