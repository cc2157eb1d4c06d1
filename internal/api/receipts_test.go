package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Demo receipts the tests use: entry 0 of Denmark (an online card purchase)
// has receipt 0; entry 3 is a bill with a PDF; entry 8 a purchase at Føtex
// with a photo (PNG); entry 5, deleted, has receipt 5.
var (
	dkReceipt        = seed.ID("acme-denmark/receipt/0")
	dkBill           = seed.ID("acme-denmark/entry/3")
	dkBillReceipt    = seed.ID("acme-denmark/receipt/3")
	dkPhotoEntry     = seed.ID("acme-denmark/entry/8")
	dkPhotoReceipt   = seed.ID("acme-denmark/receipt/8")
	dkDeletedReceipt = seed.ID("acme-denmark/receipt/5")
	seReceipt        = seed.ID("acme-sweden/receipt/0")
)

func init() {
	entry := "/v1/accounting-entries/" + dkEntry
	samples["POST /v1/accounting-entries/receipts:search"] = sample{"/v1/accounting-entries/receipts:search?limit=2",
		`{"mimeType":["application/pdf"]}`}
	samples["GET /v1/accounting-entries/{accountingEntryId}/receipts"] = sample{entry + "/receipts", ""}
	samples["GET /v1/accounting-entries/{accountingEntryId}/receipts/{receiptId}"] = sample{entry + "/receipts/" + dkReceipt, ""}
	samples["POST /v1/accounting-entries/core:search"] = sample{"/v1/accounting-entries/core:search?limit=2", `{"families":["BILL_INVOICE"]}`}
	samples["GET /v1/accounting-entries/{accountingEntryId}/core"] = sample{entry + "/core", ""}
	samples["GET /v3/export-job-items"] = sample{"/v3/export-job-items?accounting_entry_id=" + dkEntry, ""}
	samples["POST /v3/export-job-items:search"] = sample{"/v3/export-job-items:search", `{"accountingEntryIds":["` + dkEntry + `"]}`}
}

// receiptSignatures matches the signature of a presigned URL, which depends
// on the database's random key; golden files hold a placeholder.
var receiptSignatures = regexp.MustCompile(`signature=[A-Za-z0-9_-]+`)

// files serves the presigned receipt URLs of e's API, as the app does.
func (e *env) files() *httptest.Server {
	e.t.Helper()
	r := chi.NewRouter()
	r.Get(api.ReceiptFilePath+"/{receiptId}", e.api.ServeReceiptFile)
	r.Head(api.ReceiptFilePath+"/{receiptId}", e.api.ServeReceiptFile)
	srv := httptest.NewServer(r)
	e.t.Cleanup(srv.Close)
	return srv
}

// receipt reads one receipt through the API.
func (e *env) receipt(token, entry, id, query string) pleo.Receipt {
	e.t.Helper()
	var r struct{ Data pleo.Receipt }
	e.do("GET", "/v1/accounting-entries/"+entry+"/receipts/"+id+query, token, "").ok(e.t, http.StatusOK, &r)
	return r.Data
}

// fetch downloads a presigned URL (a path on srv) with optional headers.
func fetch(t testing.TB, srv *httptest.Server, method, u string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func TestEntryReceiptsListAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.list("GET", "/v1/accounting-entries/"+dkBill+"/receipts", "dk", "")
	rcs := decodeItems[pleo.Receipt](t, p.Data)
	if len(rcs) != 1 || rcs[0].ID != dkBillReceipt || rcs[0].AccountingEntryID != dkBill {
		t.Fatalf("receipts of the bill: %+v", rcs)
	}
	rc := rcs[0]
	if rc.MimeType != "application/pdf" || rc.Source != "EMAIL_FORWARDING" || rc.FileType != "ORIGINAL" || rc.SizeInBytes < 500 {
		t.Errorf("bill receipt %+v", rc)
	}
	if p.Pagination.CurrentRequestPagination.Limit != 10 {
		t.Errorf("default limit %d, want Pleo's 10", p.Pagination.CurrentRequestPagination.Limit)
	}
	got := e.receipt("dk", dkBill, dkBillReceipt, "?file_type=PREVIEW")
	if got.FileType != "PREVIEW" || !strings.Contains(got.URL, "file_type=PREVIEW") {
		t.Errorf("file_type=PREVIEW: %+v", got)
	}
	if photo := e.receipt("dk", dkPhotoEntry, dkPhotoReceipt, ""); photo.MimeType != "image/png" {
		t.Errorf("photo receipt %+v", photo)
	}

	// Another entry's receipt, a foreign entry, a deleted entry, bad input.
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/receipts/"+dkBillReceipt, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+seEntry+"/receipts", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+seEntry+"/receipts/"+seReceipt, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"/receipts", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/receipts?file_type=BIG", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/receipts?source=FAX", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/receipts/not-a-uuid", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	if p := e.list("GET", "/v1/accounting-entries/"+dkBill+"/receipts?source=CAMERA", "dk", ""); len(p.Data) != 0 {
		t.Errorf("source=CAMERA on an emailed bill: %d receipts", len(p.Data))
	}
	if p := e.list("GET", "/v1/accounting-entries/"+seEntry+"/receipts", "org", ""); len(p.Data) != 1 {
		t.Errorf("organisation token: %d receipts of a Swedish entry", len(p.Data))
	}
}

func TestReceiptDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	files := e.files()
	for _, c := range []struct{ entry, id, mime string }{{dkBill, dkBillReceipt, "application/pdf"}, {dkPhotoEntry, dkPhotoReceipt, "image/png"}} {
		rc := e.receipt("dk", c.entry, c.id, "")
		if !strings.HasPrefix(rc.URL, api.ReceiptFilePath+"/"+c.id+"?") {
			t.Fatalf("url %q", rc.URL)
		}
		r := fetch(t, files, "GET", rc.URL)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d %s", c.mime, r.status, r.body)
		}
		sum := sha256.Sum256(r.body)
		if r.header.Get("Content-Type") != c.mime || r.header.Get("Content-Length") != strconv.Itoa(int(rc.SizeInBytes)) ||
			len(r.body) != int(rc.SizeInBytes) || r.header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` ||
			r.header.Get("Accept-Ranges") != "bytes" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v, %d bytes, size %d", c.mime, r.header, len(r.body), rc.SizeInBytes)
		}
		switch c.mime {
		case "application/pdf":
			// The slip shows merchant, date and amount (the PDF is uncompressed).
			if !bytes.HasPrefix(r.body, []byte("%PDF-")) || !bytes.Contains(r.body, []byte("Amazon Web Services")) ||
				!bytes.Contains(r.body, []byte(" DKK")) {
				t.Errorf("PDF does not show the slip: %.200q", r.body)
			}
		case "image/png":
			if _, err := png.Decode(bytes.NewReader(r.body)); err != nil {
				t.Errorf("PNG: %v", err)
			}
		}
		// A storage bucket's conditional and range requests.
		if r2 := fetch(t, files, "GET", rc.URL, "If-None-Match", r.header.Get("ETag")); r2.status != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d", r2.status)
		}
		r3 := fetch(t, files, "GET", rc.URL, "Range", "bytes=10-19")
		if r3.status != http.StatusPartialContent || !bytes.Equal(r3.body, r.body[10:20]) ||
			r3.header.Get("Content-Range") != "bytes 10-19/"+strconv.Itoa(len(r.body)) {
			t.Errorf("Range: status %d, %q, Content-Range %q", r3.status, r3.body, r3.header.Get("Content-Range"))
		}
		if r4 := fetch(t, files, "HEAD", rc.URL); r4.status != http.StatusOK || len(r4.body) != 0 ||
			r4.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
			t.Errorf("HEAD: status %d, Content-Length %q", r4.status, r4.header.Get("Content-Length"))
		}
	}
}

func TestReceiptURLRefusesTamperingAndExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	files := e.files()
	rc := e.receipt("dk", dkEntry, dkReceipt, "")
	u, err := url.Parse(rc.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	tamper := func(key, value string) string {
		t2 := url.Values{}
		for k, v := range q {
			t2[k] = slices.Clone(v)
		}
		if value == "" {
			t2.Del(key)
		} else {
			t2.Set(key, value)
		}
		return u.Path + "?" + t2.Encode()
	}
	expires, _ := strconv.ParseInt(q.Get("expires"), 10, 64)
	if want := e.clock.Now().Add(24 * time.Hour).Unix(); expires != want {
		t.Errorf("expires %d, want now + 24 h = %d", expires, want)
	}
	for name, u := range map[string]string{
		"later expiry":     tamper("expires", strconv.FormatInt(expires+3600, 10)),
		"other file type":  tamper("file_type", "THUMBNAIL"),
		"other signature":  tamper("signature", strings.Repeat("A", 43)),
		"no signature":     tamper("signature", ""),
		"no expiry":        tamper("expires", ""),
		"other receipt":    strings.Replace(u.Path, dkReceipt, dkBillReceipt, 1) + "?" + q.Encode(),
		"not a receipt ID": api.ReceiptFilePath + "/x?" + q.Encode(),
	} {
		fetch(t, files, "GET", u).fails(t, http.StatusForbidden, "SIGNATURE_DOES_NOT_MATCH")
		_ = name
	}
	e.clock.advance(24*time.Hour - time.Second)
	if r := fetch(t, files, "GET", rc.URL); r.status != http.StatusOK {
		t.Fatalf("a second before expiry: status %d %s", r.status, r.body)
	}
	e.clock.advance(time.Second)
	fetch(t, files, "GET", rc.URL).fails(t, http.StatusForbidden, "REQUEST_EXPIRED")

	// A fresh URL works again; a URL of a receipt that is gone answers 404.
	fresh := e.receipt("dk", dkEntry, dkReceipt, "")
	if err := e.st.Write(context.Background(), func(tx *store.Tx) error { return tx.DeleteAllData(context.Background()) }); err != nil {
		t.Fatal(err)
	}
	fetch(t, files, "GET", fresh.URL).fails(t, http.StatusNotFound, "NOT_FOUND")
}

// TestReceiptURLKeySurvivesRestart builds a second API on the same
// database, as a restart does: URLs signed before still work.
func TestReceiptURLKeySurvivesRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := e.receipt("dk", dkEntry, dkReceipt, "")
	restarted := api.New(api.Options{}, e.st, e.clock, e.verify, e.faults, slog.New(slog.DiscardHandler))
	r := chi.NewRouter()
	r.Get(api.ReceiptFilePath+"/{receiptId}", restarted.ServeReceiptFile)
	srv := httptest.NewServer(r)
	defer srv.Close()
	if got := fetch(t, srv, "GET", rc.URL); got.status != http.StatusOK {
		t.Errorf("after a restart: status %d %s", got.status, got.body)
	}
}

// TestLargeReceiptStreams stores a file of several chunks and reads it
// back whole and in ranges that cross chunk boundaries.
func TestLargeReceiptStreams(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	files := e.files()
	big := make([]byte, 3*store.ReceiptChunkSize+1234)
	for i := range big {
		big[i] = byte(i * 7 % 251)
	}
	ctx := context.Background()
	id := store.NewUUID()
	if err := e.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.InsertReceipt(ctx, store.NewReceipt{ID: id, AccountingEntryID: dkEntry, ContentType: "application/vnd.odd",
			Source: "USER", CreatedAt: e.clock.Now()}, bytes.NewReader(big))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rc := e.receipt("dk", dkEntry, id, "")
	if rc.MimeType != "unknown" || int(rc.SizeInBytes) != len(big) {
		t.Errorf("odd type: %+v", rc)
	}
	r := fetch(t, files, "GET", rc.URL)
	if r.status != http.StatusOK || !bytes.Equal(r.body, big) || r.header.Get("Content-Type") != "application/vnd.odd" {
		t.Fatalf("status %d, %d bytes, Content-Type %q", r.status, len(r.body), r.header.Get("Content-Type"))
	}
	from, to := store.ReceiptChunkSize-10, 2*store.ReceiptChunkSize+10
	r = fetch(t, files, "GET", rc.URL, "Range", "bytes="+strconv.Itoa(from)+"-"+strconv.Itoa(to))
	if r.status != http.StatusPartialContent || !bytes.Equal(r.body, big[from:to+1]) {
		t.Errorf("range across chunks: status %d, %d bytes", r.status, len(r.body))
	}
	var entry struct{ Data pleo.AccountingEntry }
	e.do("GET", "/v1/accounting-entries/"+dkEntry, "dk", "").ok(t, http.StatusOK, &entry)
	if !slices.Equal(entry.Data.ReceiptIDs, []string{dkReceipt, id}) {
		t.Errorf("entry receiptIds %v", entry.Data.ReceiptIDs)
	}
}

func TestSearchReceipts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const search = "/v1/accounting-entries/receipts:search"
	all := decodeItems[pleo.Receipt](t, e.walk("POST", search, "dk", "", 37))
	if len(all) < 100 {
		t.Fatalf("%d receipts for Denmark", len(all))
	}
	mimes, sources := map[string]int{}, map[string]int{}
	for i, rc := range all {
		if i > 0 && rc.CreatedAt.Before(all[i-1].CreatedAt) {
			t.Errorf("not by createdAt at %d", i)
		}
		if rc.ID == dkDeletedReceipt || rc.ID == seReceipt {
			t.Errorf("search shows %s (deleted entry or other company)", rc.ID)
		}
		mimes[rc.MimeType]++
		sources[rc.Source]++
	}
	if mimes["image/png"] == 0 || mimes["application/pdf"] == 0 || len(mimes) != 2 {
		t.Errorf("mime types %v, want a mix of PNG and PDF", mimes)
	}
	withDeleted := decodeItems[pleo.Receipt](t, e.walk("POST", search, "dk", `{"includeDeleted":true}`, 50))
	if len(withDeleted) <= len(all) || !slices.ContainsFunc(withDeleted, func(r pleo.Receipt) bool { return r.ID == dkDeletedReceipt }) {
		t.Errorf("includeDeleted: %d receipts, %d without", len(withDeleted), len(all))
	}
	pdfs := decodeItems[pleo.Receipt](t, e.walk("POST", search, "dk", `{"mimeType":["application/pdf"],"source":["EMAIL_FORWARDING"]}`, 50))
	if len(pdfs) == 0 || len(pdfs) >= mimes["application/pdf"] {
		t.Errorf("PDFs by email forwarding: %d of %d PDFs", len(pdfs), mimes["application/pdf"])
	}
	for _, rc := range pdfs {
		if rc.MimeType != "application/pdf" || rc.Source != "EMAIL_FORWARDING" {
			t.Errorf("filter let through %+v", rc)
		}
	}
	one := e.list("POST", search, "dk", `{"accountingEntryIds":["`+dkBill+`"],"fileType":"THUMBNAIL"}`)
	if ids := one.ids(t); !slices.Equal(ids, []string{dkBillReceipt}) {
		t.Errorf("by entry: %v", ids)
	}
	if rc := decodeItems[pleo.Receipt](t, one.Data)[0]; rc.FileType != "THUMBNAIL" {
		t.Errorf("fileType %q", rc.FileType)
	}
	bySize := decodeItems[pleo.Receipt](t, e.walk("POST", search+"?sorting_keys=size&sorting_order=DESC", "dk", "", 40))
	if len(bySize) != len(all) || !slices.IsSortedFunc(bySize, func(a, b pleo.Receipt) int { return int(b.SizeInBytes - a.SizeInBytes) }) {
		t.Errorf("sorting by size DESC: %d receipts, sorted %v", len(bySize), slices.IsSortedFunc(bySize, func(a, b pleo.Receipt) int { return int(b.SizeInBytes - a.SizeInBytes) }))
	}
	if p := e.list("POST", search, "dk", `{"mimeType":["unknown"]}`); len(p.Data) != 0 {
		t.Errorf("mimeType unknown: %d receipts", len(p.Data))
	}

	// Subject binding and bad input.
	e.do("POST", search, "org", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	if p := e.list("POST", search+"?organization_id="+seed.OrganizationID+"&limit=1", "org", ""); p.Pagination.Total <= int64(len(all)) {
		t.Errorf("organisation total %d", p.Pagination.Total)
	}
	e.do("POST", search+"?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", search+"?partner_id="+unknownUUID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	for _, body := range []string{`{"mimeType":["image/bmp"]}`, `{"source":["FAX"]}`, `{"fileType":"HUGE"}`,
		`{"accountingEntryIds":["x"]}`, `{"employeeIds":[1]}`, `[]`} {
		if r := e.do("POST", search, "dk", body); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d", body, r.status)
		}
	}
	e.do("POST", search+"?limit=101", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("POST", search+"?sorting_keys=amount", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

func TestCoreEntries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var one struct{ Data map[string]any }
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/core", "dk", "").ok(t, http.StatusOK, &one)
	if fees, ok := one.Data["fees"].(map[string]any); !ok || len(fees) != 0 {
		t.Errorf("fees %v", one.Data["fees"])
	}
	for _, absent := range []string{"tags", "splitItems", "attendees"} {
		if _, ok := one.Data[absent]; ok {
			t.Errorf("core shape has %s", absent)
		}
	}
	if one.Data["id"] != dkEntry || one.Data["receiptIds"] == nil {
		t.Errorf("core entry %v", one.Data)
	}
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"/core", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"/core?include_deleted=true", "dk", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v1/accounting-entries/"+seEntry+"/core", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkEntry+"/core?include_hidden=maybe", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")

	// core:search returns the entries of the V1 search, in the same order.
	v1 := e.walk("POST", "/v1/accounting-entries:search", "dk", `{"families":["BILL_INVOICE"]}`, 7)
	core := e.walk("POST", "/v1/accounting-entries/core:search", "dk", `{"families":["BILL_INVOICE"]}`, 7)
	if len(v1) == 0 || len(v1) != len(core) {
		t.Fatalf("v1 %d entries, core %d", len(v1), len(core))
	}
	for i := range v1 {
		a, b := decodeItems[pleo.AccountingEntry](t, v1[i:i+1])[0], decodeItems[pleo.AccountingEntry](t, core[i:i+1])[0]
		if a.ID != b.ID || a.TransactionValue != b.TransactionValue {
			t.Errorf("entry %d: v1 %s, core %s", i, a.ID, b.ID)
		}
	}
	e.do("POST", "/v1/accounting-entries/core:search", "dk", `{"families":["SHOES"]}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	e.do("POST", "/v1/accounting-entries/core:search", "org", `{}`).fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

func TestExportJobItemsByEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do("GET", "/v3/export-job-items?accounting_entry_id="+dkEntry, "dk", "").fails(t, http.StatusNotFound, "EXPORT_ENTRY_NOT_FOUND")
	ready := exportReady(e, "dk")
	first := exportCreate(e, "dk", exportJobBody(seed.DenmarkID, ready[0], ready[1]))
	var got struct{ Data pleo.ExportJobItem }
	e.do("GET", "/v3/export-job-items?accounting_entry_id="+ready[0], "dk", "").ok(t, http.StatusOK, &got)
	if got.Data.ExportJobID != first.ID || got.Data.AccountingEntryID != ready[0] || got.Data.Status != "pending" {
		t.Errorf("item %+v", got.Data)
	}
	e.do("GET", "/v3/export-job-items?accounting_entry_id="+ready[0], "se", "").fails(t, http.StatusNotFound, "EXPORT_ENTRY_NOT_FOUND")
	e.do("GET", "/v3/export-job-items?company_id="+seed.SwedenID+"&accounting_entry_id="+ready[0], "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("GET", "/v3/export-job-items", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v3/export-job-items?accounting_entry_id=nope", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")

	p := e.list("POST", "/v3/export-job-items:search", "dk", `{"accountingEntryIds":["`+ready[0]+`","`+ready[1]+`","`+ready[2]+`"]}`)
	items := decodeItems[pleo.ExportJobItem](t, p.Data)
	if len(items) != 2 || items[0].AccountingEntryID > items[1].AccountingEntryID {
		t.Errorf("search: %+v", items)
	}
	if p := e.list("POST", "/v3/export-job-items:search", "dk", `{"accountingEntryIds":["`+ready[0]+`"],"status":"failed"}`); len(p.Data) != 0 {
		t.Errorf("status=failed: %d items", len(p.Data))
	}
	if p := e.list("POST", "/v3/export-job-items:search", "se", `{"accountingEntryIds":["`+ready[0]+`"]}`); len(p.Data) != 0 {
		t.Errorf("another company's token: %d items", len(p.Data))
	}
	e.do("POST", "/v3/export-job-items:search", "dk", `{}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	e.do("POST", "/v3/export-job-items:search", "dk", `{"accountingEntryIds":[],"status":"lost"}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	e.do("POST", "/v3/export-job-items:search", "dk", "").fails(t, http.StatusBadRequest, "JSON_MAPPING_EXCEPTION")
}
