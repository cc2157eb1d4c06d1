package web_test

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/web"
)

// receiptPNG is a small, real PNG file.
func receiptPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 12))
	img.Set(3, 4, color.White)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// recordFile is a file part of a record form.
type recordFile struct {
	name, contentType string
	content           []byte
}

// postRecord posts the record form as a browser does (multipart), with
// fields and an optional receipt.
func (c *client) postRecord(fields url.Values, receipt *recordFile) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, values := range fields {
		for _, v := range values {
			_ = mw.WriteField(name, v)
		}
	}
	if receipt != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="receipt"; filename="`+receipt.name+`"`)
		h.Set("Content-Type", receipt.contentType)
		part, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = part.Write(receipt.content)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.abs("/spending/record"), &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, readBody(c.t, resp)
}

// purchaseDay is the record form's date: three days ago.
var purchaseDay = time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)

// recordFields is a valid out-of-pocket expense in Acme Denmark.
func recordFields(csrf string) url.Values {
	return url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}, "kind": {"out-of-pocket"},
		"merchant": {"Taxa 4x35"}, "date": {purchaseDay}, "amount": {"249,50"}, "currency": {"DKK"},
		"note": {"Taxi to the airport"}}
}

// entryTotal counts the entries of f in the store.
func entryTotal(t *testing.T, lb *app.Loopback, f store.EntryFilter) int64 {
	t.Helper()
	page, err := lb.Store.AccountingEntries(context.Background(), f,
		store.PageRequest{Order: store.WithTiebreak(nil), Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

// employeeID returns the employee record of email in Acme Denmark.
func employeeID(t *testing.T, lb *app.Loopback, email string) string {
	t.Helper()
	page, err := lb.Store.Employees(context.Background(), store.EmployeeFilter{CompanyIDs: []string{seed.DenmarkID}, Email: email},
		store.PageRequest{Order: store.WithTiebreak(nil), Limit: 1})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("employee %s: %v %v", email, page.Items, err)
	}
	return page.Items[0].ID
}

// caption returns the entry list's caption.
func caption(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`<caption>([^<]*)</caption>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no entry list")
	}
	return m[1]
}

func TestSpendingPageShowsEachRoleItsEntries(t *testing.T) {
	lb := startEmulator(t)
	denmarkAll := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}})
	evaOwn := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID},
		EmployeeIDs: []string{employeeID(t, lb, seed.EmployeeEmail)}})
	if evaOwn == 0 || evaOwn == denmarkAll {
		t.Fatalf("the seed gives the employee %d of %d entries; the test needs some, not all", evaOwn, denmarkAll)
	}

	anon := newClient(t, lb.URL)
	_, start := anon.get("/")
	mustContain(t, start, `href="/spending"`)
	resp, _ := anon.get("/spending")
	if got := location(t, resp); got != "/login?continue=/spending" {
		t.Errorf("signed out: redirect to %q", got)
	}

	employee := newClient(t, lb.URL)
	employee.logIn(seed.EmployeeEmail)
	resp, page := employee.get("/spending")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("employee: %d", resp.StatusCode)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the page can be framed: %v", resp.Header)
	}
	mustContain(t, page, "<h1>Spending</h1>", "Your entries", `action="/spending/record"`, `enctype="multipart/form-data"`,
		`<label for="spend-merchant">`, `<legend>How did you pay?</legend>`, strconv.FormatInt(evaOwn, 10)+" entries")
	mustNotContain(t, page, `action="/spending/review"`, `<th scope="col">Employee</th>`, `id="company-picker"`)

	bookkeeper := newClient(t, lb.URL)
	bookkeeper.logIn(seed.BookkeeperEmail)
	_, page = bookkeeper.get("/spending")
	mustContain(t, page, "The company's entries", `action="/spending/review"`, `<div class="entry-export"><dt>Export</dt>`,
		`<th scope="col">Employee</th>`, "Eva Employee")
	if got := caption(t, page); !strings.HasPrefix(got, strconv.FormatInt(denmarkAll, 10)+" entries") {
		t.Errorf("bookkeeper's caption %q, want all %d of the company's entries", got, denmarkAll)
	}

	// The admin belongs to two companies and picks one; the employee may not look at Sweden.
	admin := newClient(t, lb.URL)
	admin.logIn(seed.AdminEmail)
	_, page = admin.get("/spending?company=" + seed.SwedenID)
	mustContain(t, page, `id="company-picker"`, `<option value="`+seed.SwedenID+`" selected>`, "Acme Sweden")
	if resp, _ := employee.get("/spending?company=" + seed.SwedenID); resp.StatusCode != http.StatusForbidden {
		t.Errorf("employee looking at another company: %d, want 403", resp.StatusCode)
	}
}

func TestSpendingListFiltersAndPages(t *testing.T) {
	lb := startEmulator(t)
	c := newClient(t, lb.URL)
	c.logIn(seed.BookkeeperEmail)

	pending := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}, Statuses: []string{"PENDING"}})
	_, page := c.get("/spending?status=PENDING")
	if got := caption(t, page); !strings.HasPrefix(got, strconv.FormatInt(pending, 10)+" ") || !strings.Contains(got, "matching the filters") {
		t.Errorf("filtered caption %q, want %d pending entries", got, pending)
	}
	statuses := regexp.MustCompile(`<div class="entry-status"><dt>Status</dt><dd><span class="status-badge status-\w+">(\w+)</span>`).FindAllStringSubmatch(page, -1)
	if len(statuses) == 0 {
		t.Fatal("no rows")
	}
	for _, m := range statuses {
		if m[1] != "PENDING" {
			t.Errorf("a %s entry in the PENDING list", m[1])
		}
	}
	mustContain(t, page, `<option value="PENDING" selected>`, "Clear filters")

	// Paging: older, then newer again, never the same rows twice.
	ids := func(page string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<tr id="entry-([0-9a-f-]+)">`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	_, first := c.get("/spending")
	older := regexp.MustCompile(`href="([^"]+)">Older entries`).FindStringSubmatch(first)
	if older == nil || strings.Contains(first, "Newer entries") {
		t.Fatal("the first page does not link to older entries only")
	}
	_, second := c.get(html.UnescapeString(older[1]))
	firstIDs, secondIDs := ids(first), ids(second)
	if len(firstIDs) != 25 || len(secondIDs) == 0 {
		t.Fatalf("pages of %d and %d entries", len(firstIDs), len(secondIDs))
	}
	for _, id := range secondIDs {
		if strings.Contains(strings.Join(firstIDs, " "), id) {
			t.Fatalf("entry %s on both pages", id)
		}
	}
	newer := regexp.MustCompile(`href="([^"]+)">Newer entries`).FindStringSubmatch(second)
	if newer == nil {
		t.Fatal("the second page does not link back")
	}
	_, back := c.get(html.UnescapeString(newer[1]))
	if strings.Join(ids(back), " ") != strings.Join(firstIDs, " ") {
		t.Error("going back does not show the first page again")
	}
	// A forged cursor shows the first page, not an error.
	if resp, forged := c.get("/spending?after=bm9wZQ"); resp.StatusCode != http.StatusOK || strings.Join(ids(forged), " ") != strings.Join(firstIDs, " ") {
		t.Errorf("forged cursor: %d", resp.StatusCode)
	}
}

func TestSpendingRecordWithReceiptThenReview(t *testing.T) {
	lb := startEmulator(t)
	ctx := context.Background()
	employee := newClient(t, lb.URL)
	employee.logIn(seed.EmployeeEmail)
	receipt := receiptPNG(t)

	// Without the CSRF token nothing is recorded.
	before := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}})
	if resp, _ := employee.postRecord(recordFields(""), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("record without CSRF token: %d, want 403", resp.StatusCode)
	}
	if got := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}}); got != before {
		t.Fatalf("a refused form recorded an entry: %d, want %d", got, before)
	}

	resp, body := employee.postRecord(recordFields(employee.csrf("/spending")), &recordFile{"taxi.png", "image/png", receipt})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", resp.StatusCode, body)
	}
	target := location(t, resp)
	entryID := strings.TrimPrefix(target[strings.Index(target, "#"):], "#entry-")
	e, err := lb.Store.AccountingEntry(ctx, entryID)
	if err != nil {
		t.Fatalf("the redirect %s names no entry: %v", target, err)
	}
	if e.Family != "OUT_OF_POCKET" || e.EmployeeID != employeeID(t, lb, seed.EmployeeEmail) || e.MerchantName != "Taxa 4x35" ||
		e.TransactionValue.Minors != 24950 || e.TransactionValue.Currency != "DKK" || e.Note != "Taxi to the airport" ||
		e.PerformedAt.Format(time.DateOnly) != purchaseDay {
		t.Errorf("recorded entry %+v", e)
	}
	if len(e.ReceiptIDs) != 1 {
		t.Fatalf("receipts %v, want the uploaded one", e.ReceiptIDs)
	}
	rc, err := lb.Store.Receipt(ctx, e.ReceiptIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	stored, err := io.ReadAll(lb.Store.OpenReceiptFile(ctx, rc))
	if err != nil || !bytes.Equal(stored, receipt) || rc.MimeType != "image/png" {
		t.Errorf("stored receipt: %s, %d bytes (%v), want the uploaded PNG", rc.MimeType, len(stored), err)
	}

	_, page := employee.get(target)
	mustContain(t, page, `role="status">Recorded Taxa 4x35, 249.50 DKK`, `<tr id="entry-`+entryID+`">`, "1 receipt")
	if _, again := employee.get("/spending"); strings.Contains(again, `role="status"`) {
		t.Error("the confirmation shows again on reload")
	}

	// The employee cannot review; the bookkeeper can.
	review := url.Values{"csrf_token": {employee.csrf("/spending")}, "entry_id": {entryID}, "review_status": {"OK"}}
	if resp, _ := employee.post("/spending/review", review); resp.StatusCode != http.StatusForbidden {
		t.Errorf("employee reviewing: %d, want 403", resp.StatusCode)
	}
	bookkeeper := newClient(t, lb.URL)
	bookkeeper.logIn(seed.BookkeeperEmail)
	_, page = bookkeeper.get("/spending")
	mustContain(t, page, `<label for="review-`+entryID+`" class="visually-hidden">Review of Taxa 4x35, 249.50 DKK</label>`)
	review = url.Values{"entry_id": {entryID}, "review_status": {"OK"}, "return": {"status=COMPLETED&company=" + seed.SwedenID}}
	if resp, _ := bookkeeper.post("/spending/review", review); resp.StatusCode != http.StatusForbidden {
		t.Errorf("review without CSRF token: %d, want 403", resp.StatusCode)
	}
	review.Set("csrf_token", hidden(t, page, "csrf_token"))
	resp, body = bookkeeper.post("/spending/review", review)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d %s", resp.StatusCode, body)
	}
	want := "/spending?" + url.Values{"company": {seed.DenmarkID}, "status": {"COMPLETED"}}.Encode() + "#entry-" + entryID
	if got := location(t, resp); got != want {
		t.Errorf("after the review: %s, want %s (the list as it was, in the entry's company)", got, want)
	}
	if e, _ := lb.Store.AccountingEntry(ctx, entryID); e.ReviewStatus != "OK" {
		t.Errorf("review status %s, want OK", e.ReviewStatus)
	}
	_, page = bookkeeper.get(location(t, resp))
	mustContain(t, page, `role="status">Reviewed Taxa 4x35, 249.50 DKK (COMPLETED, review OK).`)

	// No choice, an unknown status and a move the lifecycle forbids are
	// each refused on the page, which shows the list again.
	for _, c := range []struct {
		status string
		code   int
		want   string
	}{
		{"", http.StatusBadRequest, `role="alert">Choose a review status for Taxa 4x35`},
		{"APPROVED", http.StatusBadRequest, `role="alert">Not reviewed: reviewStatus `},
		{"OK", http.StatusConflict, `role="alert">Not reviewed: `},
	} {
		review.Set("review_status", c.status)
		resp, page = bookkeeper.post("/spending/review", review)
		if resp.StatusCode != c.code {
			t.Errorf("review status %q: %d, want %d", c.status, resp.StatusCode, c.code)
		}
		mustContain(t, page, c.want, "The company's entries", `<tr id="entry-`+entryID+`">`)
	}
	if e, _ := lb.Store.AccountingEntry(ctx, entryID); e.ReviewStatus != "OK" {
		t.Errorf("a refused review changed the status to %s", e.ReviewStatus)
	}
}

func TestSpendingRefusesAnotherCompanysEntry(t *testing.T) {
	lb := startEmulator(t)
	sweden, err := lb.Store.AccountingEntries(context.Background(), store.EntryFilter{CompanyIDs: []string{seed.SwedenID}},
		store.PageRequest{Order: store.WithTiebreak(nil), Limit: 1})
	if err != nil || len(sweden.Items) != 1 {
		t.Fatalf("no Swedish entry: %v", err)
	}
	c := newClient(t, lb.URL)
	c.logIn(seed.BookkeeperEmail) // bookkeeper of Denmark only
	csrf := c.csrf("/spending")
	resp, page := c.post("/spending/review", url.Values{"csrf_token": {csrf}, "entry_id": {sweden.Items[0].ID}, "review_status": {"OK"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("reviewing another company's entry: %d, want 403", resp.StatusCode)
	}
	mustContain(t, page, "You do not belong to that company")
	if e, _ := lb.Store.AccountingEntry(context.Background(), sweden.Items[0].ID); e.ReviewStatus != sweden.Items[0].ReviewStatus {
		t.Errorf("the Swedish entry's review changed to %s", e.ReviewStatus)
	}
	resp, _ = c.post("/spending/review", url.Values{"csrf_token": {csrf}, "entry_id": {"00000000-0000-4000-8000-000000000000"}, "review_status": {"OK"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("reviewing an unknown entry: %d, want 404", resp.StatusCode)
	}

	// Recording into another company is refused too.
	fields := recordFields(csrf)
	fields.Set("company_id", seed.SwedenID)
	if resp, _ := c.postRecord(fields, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("recording in another company: %d, want 403", resp.StatusCode)
	}
}

func TestSpendingRecordShowsProblemsByTheirFields(t *testing.T) {
	lb := startEmulator(t)
	c := newClient(t, lb.URL)
	c.logIn(seed.EmployeeEmail)
	before := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}})

	fields := recordFields(c.csrf("/spending"))
	fields.Set("merchant", "  ")
	fields.Set("amount", "12.345")
	fields.Set("date", "2999-01-01")
	fields.Del("kind")
	resp, page := c.postRecord(fields, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	mustContain(t, page,
		`class="error-summary" id="record-errors" role="alert"`, "autofocus",
		`<a href="#spend-kind-0">Choose how you paid.</a>`,
		`<a href="#spend-merchant">Enter the merchant: where you bought it.</a>`,
		`<a href="#spend-date">The date cannot be in the future.</a>`,
		`<a href="#spend-amount">Enter at most 2 decimals.</a>`,
		`<p class="field-error" id="spend-merchant-error">`, `aria-invalid="true" aria-describedby="spend-merchant-error"`,
		`value="12.345"`, `value="2999-01-01"`, "Taxi to the airport", // the form as sent
		"Your entries") // and the rest of the page
	mustNotContain(t, page, `href="#spend-currency"`, `href="#spend-receipt"`)
	if got := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}}); got != before {
		t.Errorf("an invalid form recorded an entry")
	}

	// A file that is no image or PDF.
	resp, page = c.postRecord(recordFields(c.csrf("/spending")), &recordFile{"notes.png", "image/png", []byte("just some text\n")})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("text as receipt: %d", resp.StatusCode)
	}
	mustContain(t, page, `<a href="#spend-receipt">The receipt must be a photo (JPEG, PNG, HEIC or GIF) or a PDF.</a>`)
}

func TestSpendingReceiptTooLarge(t *testing.T) {
	lb := startEmulator(t)
	c := newClient(t, lb.URL)
	c.logIn(seed.EmployeeEmail)
	before := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}})

	big := append(receiptPNG(t), make([]byte, web.MaxReceiptBytes)...) // over the limit, within the form's
	resp, page := c.postRecord(recordFields(c.csrf("/spending")), &recordFile{"huge.png", "image/png", big})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("receipt over the limit: %d", resp.StatusCode)
	}
	mustContain(t, page, `<a href="#spend-receipt">The receipt is larger than 10 MiB. Choose a smaller file.</a>`,
		`id="spend-receipt-error"`, `value="Taxa 4x35"`)

	// A body over the form's limit is refused before it is read.
	huge := make([]byte, web.MaxSpendingFormBytes)
	resp, page = c.postRecord(recordFields(c.csrf("/spending")), &recordFile{"huge.pdf", "application/pdf", huge})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("body over the limit: %d, want 413", resp.StatusCode)
	}
	mustContain(t, page, "Request refused")
	if got := entryTotal(t, lb, store.EntryFilter{CompanyIDs: []string{seed.DenmarkID}}); got != before {
		t.Errorf("an oversized receipt recorded an entry")
	}
}

func TestSpendingForeignCardPurchaseInAnotherCompany(t *testing.T) {
	lb := startEmulator(t)
	admin := newClient(t, lb.URL)
	admin.logIn(seed.AdminEmail) // admin of Denmark and Sweden
	_, page := admin.get("/spending?company=" + seed.SwedenID)
	mustContain(t, page, `<option value="SEK" selected>SEK (the company&#39;s currency)</option>`)
	fields := url.Values{"csrf_token": {hidden(t, page, "csrf_token")}, "company_id": {seed.SwedenID}, "kind": {"card-online"},
		"merchant": {"Lufthansa"}, "date": {purchaseDay}, "amount": {"120"}, "currency": {"EUR"}}
	resp, body := admin.postRecord(fields, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("record: %d %s", resp.StatusCode, body)
	}
	target := location(t, resp)
	e, err := lb.Store.AccountingEntry(context.Background(), target[strings.Index(target, "#entry-")+len("#entry-"):])
	if err != nil {
		t.Fatal(err)
	}
	if e.CompanyID != seed.SwedenID || e.Family != "CARD_PURCHASE" || e.SubFamily != "ONLINE" || e.Status != "PENDING" ||
		e.TransactionValue.Minors != 12000 || e.TransactionValue.Currency != "EUR" ||
		e.TotalBillValue == nil || e.TotalBillValue.Currency != "SEK" || len(e.ReceiptIDs) != 0 {
		t.Errorf("recorded %+v (bill %+v)", e, e.TotalBillValue)
	}
	_, page = admin.get(target)
	mustContain(t, page, "Recorded Lufthansa, 120.00 EUR (PENDING, review NOT_SET).", " SEK billed", "No receipt")
}
