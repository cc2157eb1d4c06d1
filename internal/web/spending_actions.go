package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// This file holds the spending page's actions: an employee records a
// purchase, a reviewer reviews an entry. Both write through the spend
// package, as the control API does.

// SpendingRecord serves POST /spending/record (multipart/form-data:
// csrf_token, company_id, kind, merchant, date, amount, currency, note and
// the receipt file): the signed-in employee records a company card
// purchase or an out-of-pocket expense of their own, with its receipt.
// Problems are shown next to their fields, with the form as it was sent;
// success redirects to the page with a confirmation.
func (h *Handlers) SpendingRecord(w http.ResponseWriter, r *http.Request) {
	if !h.parseUpload(w, r) {
		return
	}
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	s, ok := h.spendingUser(w, r, r.PostFormValue("company_id"))
	if !ok {
		return
	}
	if s.employee == nil {
		h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Not allowed",
			Message: s.user.Email + " is not an employee of " + s.company.Name + ", so has no spending of their own to record there.",
			Detail:  "access_denied", BackURL: spendingPath})
		return
	}
	in, entry, problems := readRecordForm(r, s, h.clock.Now())
	if len(problems) == 0 {
		e, err := h.opt.Spend.Create(r.Context(), s.company.Subject.ID, newEntry(entry, s.employee.ID))
		var fe *pleo.FieldError
		switch {
		case errors.As(err, &fe):
			problems = append(problems, view.FieldError{Field: recordField(fe.Field), Message: fieldMessage(fe)})
		case err != nil:
			h.serverError(w, r, err)
			return
		default:
			h.spendNotices.put(w, s.user.ID, "Recorded "+recordedWhat(e)+".", h.clock.Now())
			seeOther(w, r, spendingPath+"?"+url.Values{spendCompanyParam: {e.CompanyID}}.Encode()+"#entry-"+e.ID)
			return
		}
	}
	page := h.newSpendingPage(w, r, s)
	page.Record = h.recordForm(s, in)
	page.Record.Errors = problems
	h.renderSpending(w, r, s, page, http.StatusBadRequest)
}

// newEntry is the spend package's entry for a valid record form of
// employeeID.
func newEntry(in recordEntry, employeeID string) spend.NewEntry {
	e := spend.NewEntry{Family: in.kind.family, SubFamily: in.kind.subFamily, EmployeeID: employeeID,
		PerformedAt: &in.performedAt, TransactionValue: &in.value, MerchantName: in.merchant, Note: in.note}
	if in.receipt != nil {
		e.Receipts = []spend.NewReceipt{{Content: in.receipt.content, ContentType: in.receipt.contentType}}
	}
	return e
}

// recordField maps a field the spend package names (a JSON name of
// Pleo's AccountingEntryV1) to the record form's element; a field the form
// does not have is reported on the form's first field.
func recordField(jsonName string) string {
	switch strings.SplitN(jsonName, ".", 2)[0] {
	case "family", "subFamily":
		return fieldKind
	case "merchantName":
		return fieldMerchant
	case "performedAt":
		return fieldDate
	case "transactionValue", "totalBillValue", "exchangeRate":
		return fieldAmount
	case "note":
		return fieldNote
	case "receipts":
		return fieldReceipt
	}
	return fieldKind
}

// fieldMessage turns a spend package's field error into a sentence.
func fieldMessage(fe *pleo.FieldError) string {
	return "The entry was refused: " + fe.Field + " " + strings.TrimSuffix(fe.Message, ".") + "."
}

// recordedWhat names an entry in a confirmation, e.g. "Taxi, 125.00 DKK
// (COMPLETED, review NOT_SET)".
func recordedWhat(e pleo.AccountingEntry) string {
	name := e.MerchantName
	if name == "" {
		name = kindLabel(e.Family, e.SubFamily)
	}
	return name + ", " + pleo.FormatMoney(e.TransactionValue) + " (" + e.Status + ", review " + e.ReviewStatus + ")"
}

// SpendingReview serves POST /spending/review (csrf_token, entry_id,
// review_status, return): an admin or bookkeeper of the entry's company
// sets its review status. return is the list's query, kept so the page
// comes back as it was.
func (h *Handlers) SpendingReview(w http.ResponseWriter, r *http.Request) {
	if !h.parsePost(w, r) {
		return
	}
	ctx := r.Context()
	id := strings.ToLower(strings.TrimSpace(r.PostFormValue("entry_id")))
	entry, err := h.st.AccountingEntry(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		h.pages.Render(w, http.StatusNotFound, view.ErrorPage{Title: "No such entry",
			Message: "There is no accounting entry " + id + ". It may have been removed by a reset.",
			Detail:  "not_found", BackURL: spendingPath})
		return
	}
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	s, ok := h.spendingUser(w, r, entry.CompanyID) // another company's entry: refused here
	if !ok {
		return
	}
	if !s.reviewer() {
		h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Not allowed",
			Message: "Only an admin or bookkeeper of " + s.company.Name + " reviews its entries.",
			Detail:  "access_denied", BackURL: spendingPath})
		return
	}
	status := r.PostFormValue("review_status")
	if status == "" {
		h.spendingProblem(w, r, s, http.StatusBadRequest, "Choose a review status for "+recordedWhat(entry)+".")
		return
	}
	reviewed, err := h.opt.Spend.Review(ctx, entry.ID, status)
	var fe *pleo.FieldError
	switch {
	case errors.Is(err, spend.ErrLifecycle):
		h.spendingProblem(w, r, s, http.StatusConflict, "Not reviewed: "+err.Error()+".")
	case errors.As(err, &fe):
		h.spendingProblem(w, r, s, http.StatusBadRequest, "Not reviewed: "+fe.Field+" "+strings.TrimSuffix(fe.Message, ".")+".")
	case errors.Is(err, store.ErrNotFound):
		h.spendingProblem(w, r, s, http.StatusNotFound, "Not reviewed: the entry no longer exists.")
	case err != nil:
		h.serverError(w, r, err)
	default:
		h.spendNotices.put(w, s.user.ID, "Reviewed "+recordedWhat(reviewed)+".", h.clock.Now())
		seeOther(w, r, spendingPath+"?"+reviewReturn(r.PostFormValue("return"), entry.CompanyID)+"#entry-"+entry.ID)
	}
}

// spendingProblem shows the page again with a problem of an action that is
// no one field's, with status.
func (h *Handlers) spendingProblem(w http.ResponseWriter, r *http.Request, s spender, status int, message string) {
	page := h.newSpendingPage(w, r, s)
	page.Error = message
	h.renderSpending(w, r, s, page, status)
}

// reviewReturn is the list's query to return to after a review: the
// posted return query's filters and cursor, in the entry's company.
func reviewReturn(posted, companyID string) string {
	in, _ := url.ParseQuery(posted)
	out := url.Values{spendCompanyParam: {companyID}}
	for _, sf := range spendFilters {
		if v := in.Get(sf.param); slices.Contains(sf.values, v) {
			out.Set(sf.param, v)
		}
	}
	for _, param := range []string{spendAfterParam, spendBeforeParam} {
		if _, ok := decodeSpendCursor(in.Get(param)); ok {
			out.Set(param, in.Get(param))
			break
		}
	}
	return out.Encode()
}

// parseUpload reads a posted multipart form (or a plain one) and checks
// its CSRF token; on failure it renders an error page and returns false.
// r.MultipartForm is nil for a plain form.
func (h *Handlers) parseUpload(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseMultipartForm(MaxSpendingFormBytes)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil || !h.csrf.Check(r) {
		h.refuseForm(w, r)
		return false
	}
	return true
}
