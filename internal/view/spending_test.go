package view

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func sampleSpending() SpendingPage {
	form := &SpendForm{Action: "/spending/record", Merchant: `Café "Ø"`, Date: "2026-12-01", MaxDate: "2026-12-07",
		Amount: "12.345", Note: "Lunch", ReceiptLimit: "10 MiB",
		Kinds:      []OptionView{{Value: "card-in-store", Label: "Company card, in a shop"}, {Value: "out-of-pocket", Label: "My own money", Selected: true}},
		Currencies: []OptionView{{Value: "DKK", Label: "DKK", Selected: true}, {Value: "EUR", Label: "EUR"}},
		Errors: []FieldError{{Field: "spend-kind-0", Message: "Choose how you paid."},
			{Field: "spend-amount", Message: "Enter at most 2 decimals."}, {Field: "spend-receipt", Message: "The receipt is too large."}}}
	return SpendingPage{CSRFToken: "tok123", UserEmail: "bookkeeper@acme.test", CompanyID: "c1", CompanyName: "Acme Denmark ApS",
		Role: "Bookkeeper", Reviewer: true, Record: form, ReviewAction: "/spending/review", ReturnQuery: "company=c1&status=PENDING",
		Companies: []OptionView{{Value: "c1", Label: "Acme Denmark ApS", Selected: true}, {Value: "c2", Label: "Acme Sweden AB"}},
		Filters: SpendFilters{Active: true, ClearURL: "/spending?company=c1#entries", Selects: []SelectView{
			{ID: "filter-status", Name: "status", Label: "Status", Options: []OptionView{{Value: "", Label: "Any"}, {Value: "PENDING", Label: "PENDING", Selected: true}}}}},
		Total: 2,
		Entries: []SpendEntryView{
			{ID: "e1", Date: "1 Dec 2026", Merchant: "Taxa", Kind: "Out of pocket", Amount: "249.50 DKK", Receipts: 1,
				Status: "COMPLETED", ReviewStatus: "NOT_SET", ExportStatus: "NOT_EXPORTED", StatusTone: "ok", ReviewTone: "wait", ExportTone: "wait",
				ReviewOptions: []OptionView{{Value: "", Label: "Choose…", Selected: true}, {Value: "OK", Label: "OK"}}},
			{ID: "e2", Date: "2 Dec 2026", Merchant: "Føtex", Kind: "Card purchase, in store", Amount: "10.00 EUR", BillAmount: "74.60 DKK",
				Status: "PENDING", ReviewStatus: "OK", ExportStatus: "EXPORTED", StatusTone: "wait", ReviewTone: "ok", ExportTone: "ok"}},
		OlderURL: "/spending?after=x"}
}

func TestSpendingPageAccessibility(t *testing.T) {
	_, body := render(t, http.StatusBadRequest, sampleSpending())
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%d h1 elements, want 1", n)
	}
	mustNotContain(t, body, "<script", "style=", "<style")
	// Every visible form control has a label.
	ids := formControlID.FindAllStringSubmatch(body, -1)
	if len(ids) < 10 {
		t.Fatalf("only %d form controls rendered", len(ids))
	}
	for _, m := range ids {
		mustContain(t, body, `<label for="`+m[1]+`"`)
	}
	if strings.Count(body, `<form method="post"`) != strings.Count(body, `name="csrf_token" value="tok123"`) {
		t.Error("a POST form lacks its csrf_token")
	}
	// The error summary takes the focus and links to fields that exist;
	// each field with an error says so and points at its message.
	mustContain(t, body, `id="record-errors" role="alert" aria-labelledby="record-errors-title" tabindex="-1" autofocus`,
		`<a href="#spend-amount">Enter at most 2 decimals.</a>`, `aria-describedby="spend-kind-error"`,
		`<p class="field-error" id="spend-amount-error">Enter at most 2 decimals.</p>`,
		`aria-describedby="spend-amount-hint spend-amount-error" aria-invalid="true"`,
		`aria-describedby="spend-receipt-hint spend-receipt-error" aria-invalid="true"`,
		`<legend>How did you pay?</legend>`, `value="out-of-pocket" required checked`)
	for _, m := range regexp.MustCompile(`<li><a href="#([^"]+)">`).FindAllStringSubmatch(body, -1) {
		mustContain(t, body, `id="`+m[1]+`"`)
	}
	// What was typed comes back, escaped.
	mustContain(t, body, `value="Café &#34;Ø&#34;"`, `value="12.345"`, ">Lunch</textarea>")
	// The reviewer's rows: one review form per reviewable entry, with the list's query to return to.
	if n := strings.Count(body, `action="/spending/review"`); n != 1 {
		t.Errorf("%d review forms, want 1 (the second entry has no review move)", n)
	}
	mustContain(t, body, `name="return" value="company=c1&amp;status=PENDING"`, "74.60 DKK billed", "No receipt",
		`href="/spending?after=x">Older entries`, `id="company-picker"`, "Clear filters", "2 entries matching the filters")
	mustNotContain(t, body, "Newer entries")
}

func TestSpendingPageWithoutRecordForm(t *testing.T) {
	p := sampleSpending()
	p.Record, p.Reviewer, p.Companies, p.Entries, p.Filters.Active = nil, false, p.Companies[:1], nil, false
	_, body := render(t, http.StatusOK, p)
	mustContain(t, body, "Your entries", "No entries yet.")
	mustNotContain(t, body, `action="/spending/record"`, `id="company-picker"`, "Your review")
}
