package pleo_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

var (
	jobStatuses  = []string{"pending", "in_progress", "failed", "completed", "completed_with_errors"}
	jobEvents    = []string{"started", "failed", "completed", "completed_with_errors"}
	itemStatuses = []string{"pending", "in_progress", "failed", "successful", "abandoned"}
)

// TestNextExportJobStatus covers every (status, event) pair: the legal
// ones in the table, every other one illegal.
func TestNextExportJobStatus(t *testing.T) {
	legal := map[[2]string]string{
		{"pending", "started"}:                   "in_progress",
		{"pending", "failed"}:                    "failed",
		{"in_progress", "completed"}:             "completed",
		{"in_progress", "completed_with_errors"}: "completed_with_errors",
		{"in_progress", "failed"}:                "failed",
	}
	for _, from := range jobStatuses {
		for _, ev := range jobEvents {
			got, err := pleo.NextExportJobStatus(from, ev)
			want, ok := legal[[2]string{from, ev}]
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("%s + %s = %q, %v; want %q", from, ev, got, err, want)
			case !ok && !errors.Is(err, pleo.ErrIllegalTransition):
				t.Errorf("%s + %s = %q, %v; want ErrIllegalTransition", from, ev, got, err)
			}
		}
	}
	if _, err := pleo.NextExportJobStatus("pending", "canceled"); !errors.Is(err, pleo.ErrIllegalTransition) {
		t.Errorf("unknown event: %v", err)
	}
}

func TestExportJobApplySetsTimestamps(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	job := pleo.ExportJob{ID: "j", Status: "pending", CreatedAt: t0, LastUpdatedAt: &t0}
	reason := "boom"

	started, err := job.Apply(pleo.ExportJobEvent{Event: "started", FailureReason: &reason}, t0.Add(time.Minute+time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if started.Status != "in_progress" || started.StartedAt == nil || !started.StartedAt.Equal(t0.Add(time.Minute)) ||
		started.CompletedAt != nil || started.FailureReason != nil || !started.LastUpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("started: %+v", started)
	}
	failed, err := started.Apply(pleo.ExportJobEvent{Event: "failed", FailureReason: &reason,
		FailureReasonType: "service_timeout"}, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if failed.Status != "failed" || failed.CompletedAt == nil || *failed.FailureReason != "boom" ||
		failed.FailureReasonType != "service_timeout" || !failed.StartedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("failed: %+v", failed)
	}
	if _, err := failed.Apply(pleo.ExportJobEvent{Event: "started"}, t0); !errors.Is(err, pleo.ErrIllegalTransition) {
		t.Errorf("event on a finished job: %v", err)
	}
	done, _ := started.Apply(pleo.ExportJobEvent{Event: "completed", FailureReason: &reason}, t0.Add(3*time.Minute))
	if done.FailureReason != nil || done.FailureReasonType != "" {
		t.Errorf("completed job keeps a failure reason: %+v", done)
	}
}

func TestFinishedItemStatus(t *testing.T) {
	want := map[string]string{"pending": "abandoned", "in_progress": "abandoned", "failed": "failed",
		"successful": "successful", "abandoned": "abandoned"}
	for _, s := range itemStatuses {
		if got := pleo.FinishedItemStatus(s); got != want[s] {
			t.Errorf("FinishedItemStatus(%s) = %s, want %s", s, got, want[s])
		}
	}
}

// TestEntryExportStatus covers every (job status, item status) pair.
func TestEntryExportStatus(t *testing.T) {
	for _, job := range jobStatuses {
		for _, item := range itemStatuses {
			want := "NOT_EXPORTED" // the previous status
			switch {
			case item == "successful":
				want = "EXPORTED"
			case job == "pending":
				want = "QUEUED"
			case job == "in_progress":
				want = "EXPORTING"
			}
			if got := pleo.EntryExportStatus(job, item, "NOT_EXPORTED"); got != want {
				t.Errorf("job %s, item %s: %s, want %s", job, item, got, want)
			}
		}
	}
	if got := pleo.EntryExportStatus("failed", "failed", "EXPORTED"); got != "EXPORTED" {
		t.Errorf("a re-export that failed gives back %s, want EXPORTED", got)
	}
}

func TestEntryEligibility(t *testing.T) {
	cases := []struct {
		status, export string
		deleted        bool
		ready, able    bool
	}{
		{"COMPLETED", "NOT_EXPORTED", false, true, true},
		{"COMPLETED", "NOT_EXPORTED", true, false, false},
		{"PENDING", "NOT_EXPORTED", false, false, true},
		{"COMPLETED", "EXPORTED", false, false, true},
		{"COMPLETED", "QUEUED", false, false, false},
		{"COMPLETED", "EXPORTING", false, false, false},
	}
	for _, c := range cases {
		if got := pleo.EntryReadyForExport(c.status, c.export, c.deleted); got != c.ready {
			t.Errorf("EntryReadyForExport(%+v) = %v", c, got)
		}
		if got := pleo.EntryExportable(c.export, c.deleted); got != c.able {
			t.Errorf("EntryExportable(%+v) = %v", c, got)
		}
	}
}

func TestExportJobExpiry(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	last := t0.Add(10 * time.Minute)
	job := pleo.ExportJob{Status: "in_progress", CreatedAt: t0, LastUpdatedAt: &last}
	if got := job.WithExpiresIn(last.Add(90 * time.Second)).ExpiresIn; got != int32((pleo.ExportJobTTL-90*time.Second)/time.Second) {
		t.Errorf("expiresIn = %d", got)
	}
	at := last.Add(pleo.ExportJobTTL)
	if job.Expired(at.Add(-time.Second)) || !job.Expired(at) {
		t.Error("expiry is not at lastUpdatedAt + TTL")
	}
	if got := job.WithExpiresIn(at.Add(time.Hour)).ExpiresIn; got != 0 {
		t.Errorf("expiresIn after expiry = %d", got)
	}
	exp := job.Expire()
	if exp.Status != "failed" || exp.FailureReasonType != "job_expired" || !exp.ExpiredAt.Equal(at) ||
		!exp.CompletedAt.Equal(at) || exp.FailureReason == nil {
		t.Errorf("expired: %+v", exp)
	}
	if exp.Expired(at.Add(time.Hour)) || exp.WithExpiresIn(t0).ExpiresIn != 0 {
		t.Error("a finished job expires or counts down")
	}
}

func TestItemUpdateApply(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 500, time.UTC)
	reason := "vendor missing"
	item := pleo.ExportJobItem{Status: "pending"}
	item = pleo.ExportJobItemUpdate{Status: "failed", FailureReason: &reason, FailureReasonType: "vendor_unknown"}.Apply(item, now)
	if item.Status != "failed" || *item.FailureReason != reason || item.FailureReasonType != "vendor_unknown" || item.ExportedAt != nil {
		t.Errorf("failed item: %+v", item)
	}
	ext := "JE-1"
	item = pleo.ExportJobItemUpdate{Status: "successful", ExternalID: &ext}.Apply(item, now)
	if item.Status != "successful" || *item.ExternalID != "JE-1" || item.FailureReason != nil || item.FailureReasonType != "" ||
		item.ExportedAt == nil || !item.ExportedAt.Equal(now.Truncate(time.Second)) {
		t.Errorf("successful item: %+v", item)
	}
}

func TestValidators(t *testing.T) {
	checks := []struct {
		name string
		fn   func(string) bool
		ok   []string
		bad  []string
	}{
		{"job status", pleo.ValidExportJobStatus, jobStatuses, []string{"", "PENDING", "expired"}},
		{"event", pleo.ValidExportJobEvent, jobEvents, []string{"pending", "canceled"}},
		{"item status", pleo.ValidExportJobItemStatus, itemStatuses, []string{"completed"}},
		{"export status", pleo.ValidExportStatus, []string{"QUEUED", "NOT_EXPORTED"}, []string{"queued"}},
		{"job failure", pleo.ValidExportJobFailureReasonType, []string{"canceled_by_user", "job_expired"}, []string{"cancelled_by_user"}},
		{"item failure", pleo.ValidExportJobItemFailureReasonType, []string{"tag_unknown", "receipt_upload_failure"}, []string{"job_expired"}},
		{"tax type", pleo.ValidTaxCodeType, []string{"inclusive", "exclusive", "reverse"}, []string{"INCLUSIVE"}},
		{"vendor state", pleo.ValidVendorState, []string{"DRAFT", "ACTIVE", "ARCHIVED"}, []string{"active"}},
		{"country", pleo.ValidCountryCode, []string{"DK", "SE", "NO", "UNDEFINED"}, []string{"dk", "XX", ""}},
		{"currency", pleo.ValidCurrencyCode, []string{"DKK", "EUR"}, []string{"dkk", "EURO", ""}},
	}
	for _, c := range checks {
		for _, v := range c.ok {
			if !c.fn(v) {
				t.Errorf("%s: %q refused", c.name, v)
			}
		}
		for _, v := range c.bad {
			if c.fn(v) {
				t.Errorf("%s: %q accepted", c.name, v)
			}
		}
	}
	err := pleo.ExportJobItemUpdate{AccountingEntryID: "e", Status: "done"}.Validate()
	if !errors.Is(err, pleo.ErrInvalid) || !strings.Contains(err.Error(), "status") {
		t.Errorf("bad item status: %v", err)
	}
	if err := (pleo.ExportJobEvent{Event: "failed", FailureReasonType: "nope"}).Validate(); !errors.Is(err, pleo.ErrInvalid) {
		t.Errorf("bad failure type: %v", err)
	}
}

// TestFieldError: validation errors name their field for the API's 400
// and still match ErrInvalid.
func TestFieldError(t *testing.T) {
	for _, c := range []struct {
		err   error
		field string
	}{
		{pleo.ExportJobItemUpdate{Status: "successful"}.Validate(), "accountingEntryId"},
		{pleo.ExportJobItemUpdate{AccountingEntryID: "e", Status: "done"}.Validate(), "status"},
		{pleo.ExportJobItemUpdate{AccountingEntryID: "e", Status: "failed", FailureReasonType: "job_expired"}.Validate(), "failureReasonType"},
		{pleo.ExportJobEvent{Event: "paused"}.Validate(), "event"},
		{pleo.ExportJobEvent{Event: "failed", FailureReasonType: "cancelled_by_user"}.Validate(), "failureReasonType"},
		{pleo.Invalid("country", "unknown country code %q", "XX"), "country"},
	} {
		var fe *pleo.FieldError
		if !errors.As(c.err, &fe) || fe.Field != c.field || !errors.Is(c.err, pleo.ErrInvalid) {
			t.Errorf("%v: want a FieldError for %s", c.err, c.field)
		}
	}
	if got := pleo.Invalid("country", "unknown country code %q", "XX").Error(); got != `invalid value: country: unknown country code "XX"` {
		t.Errorf("Error() = %s", got)
	}
	for _, ok := range []error{
		pleo.ExportJobItemUpdate{AccountingEntryID: "e", Status: "failed", FailureReasonType: "tag_unknown"}.Validate(),
		pleo.ExportJobEvent{Event: "failed", FailureReasonType: "canceled_by_user"}.Validate(),
	} {
		if ok != nil {
			t.Errorf("valid value refused: %v", ok)
		}
	}
	if len(pleo.ExportJobFailureReasonTypes) != 15 || len(pleo.ExportJobItemFailureReasonTypes) != 18 {
		t.Errorf("%d job and %d item failure reason types, Pleo has 15 and 18",
			len(pleo.ExportJobFailureReasonTypes), len(pleo.ExportJobItemFailureReasonTypes))
	}
}

func TestExportItemType(t *testing.T) {
	cases := []struct{ family, sub, typ, subType string }{
		{"CARD_PURCHASE", "ONLINE", "card_purchase", ""},
		{"CARD_PURCHASE", "ATM", "atm_withdrawal", ""},
		{"OUT_OF_POCKET", "REIMBURSEMENT_TO_EMPLOYEE", "out_of_pocket", ""},
		{"REIMBURSEMENT", "REIMBURSEMENT_TO_COMPANY", "direct_reimbursement", "reimbursement_to_company"},
		{"BILL_INVOICE", "", "invoice", ""},
		{"BILL_INVOICE_PAYMENT", "BILL_INVOICE_PAYMENT_RETURNED", "invoice_payment", "invoice_payment_returned"},
		{"WALLET", "UNLOAD", "wallet_unload", ""},
		{"WALLET", "LOAD", "wallet_topup", ""},
		{"OVERDRAFT", "INTEREST", "fee", "interest"},
		{"PLEO_INVOICE", "PLEO_INVOICE", "fee", ""},
		{"CASHBACK", "", "cashback", ""},
	}
	for _, c := range cases {
		typ, sub := pleo.ExportItemType(c.family, c.sub)
		if typ != c.typ || sub != c.subType {
			t.Errorf("%s/%s = %s/%s, want %s/%s", c.family, c.sub, typ, sub, c.typ, c.subType)
		}
	}
}

func TestBuildExportItem(t *testing.T) {
	performed := time.Date(2026, 2, 3, 14, 5, 6, 789, time.UTC)
	code, in := "DK25", "6810"
	accCode := "2200"
	c := pleo.ExportCatalog{
		WalletCurrency: "DKK",
		Accounts:       map[string]pleo.Account{"a1": {ID: "a1", Name: "Travel", Code: &accCode, ExternalID: "acc-2200"}},
		TaxCodes:       map[string]pleo.TaxCode{"t1": {ID: "t1", Rate: 0.25, Type: "inclusive", Code: &code, IngoingTaxAccount: &in}},
		Tags:           map[string]pleo.Tag{"g1t1": {ID: "g1t1", GroupID: "g1", Code: "PROJ-01"}},
		TagGroups:      map[string]pleo.TagGroup{"g1": {ID: "g1", Code: "PROJ"}},
		Teams:          map[string]pleo.Team{"team": {ID: "team", Name: "Sales"}},
		Employees:      map[string]pleo.Employee{"emp": {ID: "emp", FirstName: "Mette", LastName: "Nielsen", Code: "DK-001"}},
		Vendors:        []pleo.Vendor{{ID: "v1", Name: "DSB", DefaultCurrency: "DKK", ExternalID: "ext-1"}},
	}
	e := pleo.AccountingEntry{ID: "e1", CompanyID: "co", Family: "CARD_PURCHASE", SubFamily: "ONLINE",
		TransactionValue: pleo.Money{Currency: "DKK", Minors: 12500}, PerformedAt: performed,
		AccountID: "a1", TaxCodeID: "t1", TeamID: "team", EmployeeID: "emp", Note: "Train",
		Tags:         []pleo.EntryTag{{TagGroupID: "g1", TagID: "g1t1"}, {TagGroupID: "g2", TagID: "00000000-0000-0000-0000-000000000000"}},
		MerchantName: "dsb"}

	it := pleo.BuildExportItem(e, false, c)
	if it.Type != "card_purchase" || it.Amount.InSupplierCurrency != (pleo.MoneyValue{Currency: "DKK", Value: 12500}) ||
		!it.Date.Equal(performed.Truncate(time.Second)) || *it.Note != "Train" || it.Vendor != nil || it.Bookkeeping != nil {
		t.Errorf("item: %+v", it)
	}
	if len(it.AccountingEntryLines) != 1 {
		t.Fatalf("lines: %+v", it.AccountingEntryLines)
	}
	l := it.AccountingEntryLines[0]
	if l.AccountingEntryLineID != "e1" || l.Account == nil || *l.Account.Identifier != "acc-2200" ||
		l.Tax == nil || l.Tax.Amount.InSupplierCurrency.Value != 2500 || l.NetAmount.InWalletCurrency.Value != 10000 ||
		l.LineAmount.InWalletCurrency.Value != 12500 || len(l.Tags) != 1 || l.Tags[0] != (pleo.ExportTag{ID: "g1t1", Code: "PROJ-01", GroupCode: "PROJ"}) {
		t.Errorf("line: %+v", l)
	}
	if it.User == nil || it.User.Name != "Mette Nielsen" || *it.User.Code != "DK-001" || it.Team.Name != "Sales" {
		t.Errorf("user/team: %+v %+v", it.User, it.Team)
	}

	vb := pleo.BuildExportItem(e, true, c)
	if vb.Vendor == nil || vb.Vendor.ID != "v1" || vb.Bookkeeping.Method != "accounts_payable" {
		t.Errorf("vendor-based: %+v %+v", vb.Vendor, vb.Bookkeeping)
	}
	e.MerchantName = "Unknown shop"
	if nv := pleo.BuildExportItem(e, true, c); nv.Vendor != nil || nv.Bookkeeping.Method != "journal" {
		t.Errorf("no vendor: %+v %+v", nv.Vendor, nv.Bookkeeping)
	}

	b, err := json.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"_links":{}`, `"date":"2026-02-03T14:05:06Z"`, `"value":12500`, `"contraAccount":null`,
		`"reconciliationId":"e1"`, `"accountingEntryLines":[{`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

func TestExportJobJSON(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b, err := json.Marshal(pleo.ExportJob{ID: "j", CompanyID: "c", Status: "pending", CreatedAt: t0, LastUpdatedAt: &t0, ExpiresIn: 3600})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"j","companyId":"c","status":"pending","isInteractive":false,"vendorBasedBookkeeping":false,` +
		`"numberOfItems":0,"expiresIn":3600,"createdBy":null,"createdAt":"2026-03-01T09:00:00Z","startedAt":null,` +
		`"completedAt":null,"expiredAt":null,"lastUpdatedAt":"2026-03-01T09:00:00Z","failureReason":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
