package control_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/control"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// controlError is the control API's error body; Field is set for a 400 of a rule.
type controlError struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// entryCall sends a control request about accounting entries and decodes
// the answer as an entry (2xx) or an error.
func entryCall(t *testing.T, e *apptest.Emulator, method, path, body string) (int, pleo.AccountingEntry, controlError) {
	t.Helper()
	resp, raw := apptest.Send(t, method, e.URL+"/_emulator"+path, "application/json", nil, strings.NewReader(body))
	var entry pleo.AccountingEntry
	var ce controlError
	target := any(&entry)
	if resp.StatusCode >= 300 {
		target = &ce
	}
	if err := json.Unmarshal([]byte(raw), target); err != nil {
		t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, raw, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return resp.StatusCode, entry, ce
}

func TestControlSpendErrors(t *testing.T) {
	e := apptest.Start(t, "")
	dk := "/companies/" + seed.DenmarkID + "/accounting-entries"
	status, created, _ := entryCall(t, e, "POST", dk, "")
	if status != http.StatusCreated || created.Status != "PENDING" || created.Family != "CARD_PURCHASE" {
		t.Fatalf("create with an empty body: %d %+v", status, created)
	}
	entry := "/accounting-entries/" + created.ID
	unknown := "/accounting-entries/" + seed.ID("no-such-entry")
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		field, text              string
	}{
		{"unknown family", "POST", dk, `{"family":"GROCERIES"}`, 400, "family", "must be one of BALANCE_AMENDMENT"},
		{"subFamily of another family", "POST", dk, `{"family":"MILEAGE","subFamily":"ONLINE"}`, 400, "subFamily", "no documented subFamily"},
		{"employee of another company", "POST", dk, `{"employeeId":"` + seed.ID("acme-sweden/employee/0") + `"}`, 400, "employeeId", "not an employee of company"},
		{"split items that do not add up", "POST", dk, `{"transactionValue":{"currency":"DKK","minors":100},"splitItems":[
			{"transactionValue":{"minors":50}},{"transactionValue":{"minors":49}}]}`, 400, "splitItems", "adds up to 99 DKK"},
		{"bill against the rate", "POST", dk, `{"transactionValue":{"currency":"EUR","minors":10000},"exchangeRate":"0.134",
			"totalBillValue":{"currency":"DKK","minors":1}}`, 400, "totalBillValue", "makes 74627 DKK"},
		{"unknown field", "POST", dk, `{"amount":1}`, 400, "", "unknown field"},
		{"not JSON", "POST", dk, `{`, 400, "", ""},
		{"unknown company", "POST", "/companies/" + seed.ID("no-such-company") + "/accounting-entries", `{}`, 404, "", "company not found"},
		{"taken id", "POST", dk, `{"id":"` + created.ID + `"}`, 409, "", "already exists"},
		{"settle unknown", "POST", unknown + "/settle", "", 404, "", "accounting entry not found"},
		{"settle in the future", "POST", entry + "/settle", `{"settledAt":"2999-01-01T00:00:00Z"}`, 400, "settledAt", "must not be later"},
		{"review without status", "POST", entry + "/review", `{}`, 400, "reviewStatus", "must be one of"},
		{"review to an unknown status", "POST", entry + "/review", `{"reviewStatus":"APPROVED"}`, 400, "reviewStatus", "must be one of"},
		{"review back to NOT_SET", "POST", entry + "/review", `{"reviewStatus":"NOT_SET"}`, 409, "", "cannot move to NOT_SET"},
		{"review unknown", "POST", unknown + "/review", `{"reviewStatus":"OK"}`, 404, "", "accounting entry not found"},
		{"edit without body", "PATCH", entry, "", 400, "", ""},
		{"edit the family", "PATCH", entry, `{"family":"MILEAGE"}`, 400, "", "unknown field"},
		{"edit to a foreign tax code", "PATCH", entry, `{"taxCodeId":"` + seed.ID("acme-sweden/tax-code/0") + `"}`, 400, "taxCodeId", "not a tax code of company"},
		{"edit unknown", "PATCH", unknown, `{"note":"x"}`, 404, "", "accounting entry not found"},
		{"delete unknown", "DELETE", unknown, "", 404, "", "accounting entry not found"},
	} {
		status, _, ce := entryCall(t, e, c.method, c.path, c.body)
		if status != c.status || ce.Field != c.field || !strings.Contains(ce.Error, c.text) || ce.Error == "" {
			t.Errorf("%s: %d %+v; want %d field %q with %q", c.name, status, ce, c.status, c.field, c.text)
		}
	}
	// Receipts travel in the body, which may exceed the other control bodies' limit.
	large := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("receipt scan "), 200_000)) // 2.6 MB, 3.5 MB in base64
	if status, withFile, ce := entryCall(t, e, "POST", dk, `{"receipts":[{"content":"`+large+`","contentType":"image/tiff"}]}`); status != 201 || len(withFile.ReceiptIDs) != 1 {
		t.Errorf("entry with a large receipt: %d %+v", status, ce)
	}
	tooLarge := strings.Repeat("A", control.MaxEntryBodyBytes)
	if status, _, ce := entryCall(t, e, "POST", dk, `{"receipts":[{"content":"`+tooLarge+`"}]}`); status != 413 {
		t.Errorf("entry over the limit: %d %+v", status, ce)
	}
	// Settling twice, and any change of a deleted entry, is a 409.
	if status, _, ce := entryCall(t, e, "POST", entry+"/settle", ""); status != 200 {
		t.Fatalf("settle: %d %+v", status, ce)
	}
	if status, _, ce := entryCall(t, e, "POST", entry+"/settle", ""); status != 409 || !strings.Contains(ce.Error, "only a PENDING entry settles") {
		t.Errorf("settle twice: %d %+v", status, ce)
	}
	if status, _, _ := entryCall(t, e, "DELETE", entry, ""); status != 200 {
		t.Fatalf("delete: %d", status)
	}
	for _, c := range []struct{ method, path, body string }{
		{"DELETE", entry, ""}, {"PATCH", entry, `{"note":"x"}`}, {"POST", entry + "/review", `{"reviewStatus":"OK"}`},
	} {
		if status, _, ce := entryCall(t, e, c.method, c.path, c.body); status != 409 || !strings.Contains(ce.Error, "is deleted") {
			t.Errorf("%s %s of a deleted entry: %d %+v", c.method, c.path, status, ce)
		}
	}
}

// apiCall calls the mock API with token and decodes the answer into out.
func apiCall(t *testing.T, e *apptest.Emulator, token, method, path, body string, out any) int {
	t.Helper()
	resp, raw := apptest.Send(t, method, e.URL+path, "application/json", http.Header{"Authorization": {"Bearer " + token}}, strings.NewReader(body))
	if out != nil && resp.StatusCode < 300 && raw != "" {
		if err := json.Unmarshal([]byte(raw), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// search returns the IDs the mock API's entry search finds for body.
func search(t *testing.T, e *apptest.Emulator, token, body string) map[string]pleo.AccountingEntry {
	t.Helper()
	var page struct{ Data []pleo.AccountingEntry }
	if st := apiCall(t, e, token, "POST", "/v1/accounting-entries:search?company_id="+seed.DenmarkID+"&limit=100", body, &page); st != 200 {
		t.Fatalf("search %s: %d", body, st)
	}
	out := map[string]pleo.AccountingEntry{}
	for _, x := range page.Data {
		out[x.ID] = x
	}
	return out
}

// TestSpendThroughTheMockAPI follows an entry made through the control API
// as an integration sees it: search, export job, export items, and the
// changes after export.
func TestSpendThroughTheMockAPI(t *testing.T) {
	e := apptest.Start(t, "")
	token := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "accounting-entries:read export-jobs:read export-jobs:write export-items:read"}`).AccessToken
	receipt := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 hotel invoice"))
	performed := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	status, created, ce := entryCall(t, e, "POST", "/companies/"+seed.DenmarkID+"/accounting-entries", `{
		"subFamily": "ONLINE", "performedAt": "`+performed+`", "merchantName": "Hotel Berlin",
		"transactionValue": {"currency": "EUR", "minors": 24000}, "exchangeRate": "0.134",
		"employeeId": "`+seed.ID("acme-denmark/employee/1")+`", "accountId": "`+seed.ID("acme-denmark/account/1")+`",
		"note": "Hotel, two nights", "tags": [{"tagGroupId": "`+seed.ID("acme-denmark/tag-group/1")+`", "tagId": "`+seed.ID("acme-denmark/tag/1/0")+`"}],
		"receipts": [{"content": "`+receipt+`", "contentType": "application/pdf"}, {}]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %+v", status, ce)
	}
	if created.TotalBillValue == nil || *created.TotalBillValue != (pleo.Money{Currency: "DKK", Minors: 179_104}) || len(created.ReceiptIDs) != 2 {
		t.Fatalf("created: %+v", created)
	}

	// The integration finds it, pending, with its receipts.
	found := search(t, e, token, `{"status":["PENDING"],"transactionValueCurrencies":["EUR"]}`)
	got, ok := found[created.ID]
	if !ok || got.Note != "Hotel, two nights" || got.AccountCode == "" || got.TotalBillValue.Minors != 179_104 {
		t.Fatalf("search for the pending entry: %+v", got)
	}
	var receipts struct{ Data []pleo.Receipt }
	if st := apiCall(t, e, token, "GET", "/v1/accounting-entries/"+created.ID+"/receipts", "", &receipts); st != 200 || len(receipts.Data) != 2 {
		t.Fatalf("receipts: %d %+v", st, receipts.Data)
	}

	// It settles, the integration exports it.
	if status, settled, ce := entryCall(t, e, "POST", "/accounting-entries/"+created.ID+"/settle", ""); status != 200 || settled.Status != "COMPLETED" {
		t.Fatalf("settle: %d %+v %+v", status, settled, ce)
	}
	// A split expense goes into the same job.
	travel, meals := seed.ID("acme-denmark/account/1"), seed.ID("acme-denmark/account/3")
	status, split, ce := entryCall(t, e, "POST", "/companies/"+seed.DenmarkID+"/accounting-entries", `{"family": "OUT_OF_POCKET",
		"transactionValue": {"currency": "DKK", "minors": 45000}, "splitItems": [
		{"transactionValue": {"minors": 30000}, "accountId": "`+travel+`"}, {"transactionValue": {"minors": 15000}, "accountId": "`+meals+`"}]}`)
	if status != http.StatusCreated {
		t.Fatalf("create split: %d %+v", status, ce)
	}
	var job struct{ Data pleo.ExportJob }
	if st := apiCall(t, e, token, "POST", "/v3/export-jobs", `{"companyId":"`+seed.DenmarkID+`","accountingEntryIds":["`+created.ID+`","`+split.ID+`"]}`, &job); st != 201 {
		t.Fatalf("create export job: %d", st)
	}
	if st := apiCall(t, e, token, "POST", "/v3/export-job-events", `{"jobId":"`+job.Data.ID+`","event":"started"}`, nil); st != 202 {
		t.Fatalf("start job: %d", st)
	}
	var items struct{ Data []pleo.ExportItem }
	if st := apiCall(t, e, token, "GET", "/v3/export-items?job_id="+job.Data.ID, "", &items); st != 200 || len(items.Data) != 2 {
		t.Fatalf("export items: %d %+v", st, items.Data)
	}
	byEntry := map[string]pleo.ExportItem{}
	for _, it := range items.Data {
		byEntry[it.AccountingEntryID] = it
	}
	amount := byEntry[created.ID].Amount
	if amount.InSupplierCurrency != (pleo.MoneyValue{Currency: "EUR", Value: 24_000}) ||
		amount.InWalletCurrency != (pleo.MoneyValue{Currency: "DKK", Value: 179_104}) {
		t.Errorf("export item of the foreign purchase: %+v", byEntry[created.ID])
	}
	lines := byEntry[split.ID].AccountingEntryLines
	if len(lines) != 2 || lines[0].Account == nil || lines[0].Account.ID != travel || lines[1].Account == nil || lines[1].Account.ID != meals ||
		lines[0].LineAmount.InWalletCurrency.Value != 30_000 || lines[1].LineAmount.InWalletCurrency.Value != 15_000 {
		t.Errorf("export item lines of the split expense: %+v", lines)
	}
	// While the job holds it, the entry cannot change.
	if status, _, ce := entryCall(t, e, "PATCH", "/accounting-entries/"+created.ID, `{"note":"late edit"}`); status != 409 || !strings.Contains(ce.Error, "EXPORTING") {
		t.Errorf("edit while exporting: %d %+v", status, ce)
	}
	if st := apiCall(t, e, token, "PUT", "/v3/export-jobs/"+job.Data.ID+"/items", `[{"accountingEntryId":"`+created.ID+`","status":"successful"},
		{"accountingEntryId":"`+split.ID+`","status":"successful"}]`, nil); st != 200 {
		t.Fatalf("item successful: %d", st)
	}
	if st := apiCall(t, e, token, "POST", "/v3/export-job-events", `{"jobId":"`+job.Data.ID+`","event":"completed"}`, nil); st != 202 {
		t.Fatalf("complete job: %d", st)
	}
	if got := search(t, e, token, `{"exportStatus":["EXPORTED"],"transactionValueCurrencies":["EUR"]}`)[created.ID]; got.ExportStatus != "EXPORTED" {
		t.Fatalf("after export: %+v", got)
	}

	// Edited after export, it is to be exported again; the new amount is
	// billed at the rate of the entry's own values (179104 DKK for 240 EUR).
	if status, edited, ce := entryCall(t, e, "PATCH", "/accounting-entries/"+created.ID, `{"note":"Hotel, three nights",
		"transactionValue":{"currency":"EUR","minors":36000}}`); status != 200 || edited.ExportStatus != "NOT_EXPORTED" {
		t.Fatalf("edit after export: %d %+v %+v", status, edited, ce)
	}
	got = search(t, e, token, `{"exportStatus":["NOT_EXPORTED"],"transactionValueCurrencies":["EUR"]}`)[created.ID]
	if got.Note != "Hotel, three nights" || got.TransactionValue.Minors != 36_000 || got.TotalBillValue.Minors != 268_656 {
		t.Errorf("edited entry as the API shows it: %+v", got)
	}

	// Reviewed, then deleted: it shows only with includeDeleted.
	if status, reviewed, _ := entryCall(t, e, "POST", "/accounting-entries/"+created.ID+"/review", `{"reviewStatus":"OK"}`); status != 200 || reviewed.ReviewStatus != "OK" {
		t.Fatalf("review: %d %+v", status, reviewed)
	}
	if status, deleted, _ := entryCall(t, e, "DELETE", "/accounting-entries/"+created.ID, ""); status != 200 || deleted.DeletedAt == nil {
		t.Fatalf("delete: %d %+v", status, deleted)
	}
	if _, ok := search(t, e, token, `{"reviewStatus":["OK"],"transactionValueCurrencies":["EUR"]}`)[created.ID]; ok {
		t.Error("a deleted entry is found without includeDeleted")
	}
	if got, ok := search(t, e, token, `{"reviewStatus":["OK"],"transactionValueCurrencies":["EUR"],"includeDeleted":true}`)[created.ID]; !ok || got.DeletedAt == nil {
		t.Errorf("a deleted entry is not found with includeDeleted: %+v", got)
	}
	if st := apiCall(t, e, token, "GET", "/v1/accounting-entries/"+created.ID+"?include_deleted=true", "", nil); st != 200 {
		t.Errorf("get deleted with include_deleted: %d", st)
	}
}
