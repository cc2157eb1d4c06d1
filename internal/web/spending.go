package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Paths of the spending page.
const (
	spendingPath       = "/spending"
	spendingRecordPath = "/spending/record"
	spendingReviewPath = "/spending/review"
	spendingLoginPath  = "/login?continue=" + spendingPath
)

// spendingPageSize is how many entries one page of the list shows.
const spendingPageSize = 25

// spendingOrder is the list's order: newest purchase first.
var spendingOrder = []store.Sort{{Key: "performedAt", Desc: true}, {Key: store.TiebreakKey, Desc: true}}

// The list's query parameters besides the cursors; a review's return
// query keeps only these and the cursors.
const (
	spendCompanyParam = "company"
	spendAfterParam   = "after"
	spendBeforeParam  = "before"
)

// spendFilter is one of the list's filters: a query parameter whose
// values are one of Pleo's enums.
type spendFilter struct {
	param, id, label string
	values           []string
	apply            func(*store.EntryFilter, string)
}

var spendFilters = []spendFilter{
	{"status", "filter-status", "Status", pleo.EntryStatuses,
		func(f *store.EntryFilter, v string) { f.Statuses = []string{v} }},
	{"review_status", "filter-review", "Review status", pleo.EntryReviewStatuses,
		func(f *store.EntryFilter, v string) { f.ReviewStatuses = []string{v} }},
	{"export_status", "filter-export", "Export status", pleo.EntryExportStatuses,
		func(f *store.EntryFilter, v string) { f.ExportStatuses = []string{v} }},
}

// canReview is the emulator's rule for who reviews a company's entries
// and sees all of them: its admins and bookkeepers.
func canReview(role oauth.Role) bool { return role == oauth.RoleAdmin || role == oauth.RoleBookkeeper }

// spender is the signed-in user in one company: the role, and the
// employee record their own entries carry (nil when they have none there).
type spender struct {
	user      pleo.User
	company   store.Membership
	companies []store.Membership // every company the user belongs to
	employee  *pleo.Employee
}

func (s spender) reviewer() bool { return canReview(s.company.Role) }

// errNoCompany: the user belongs to no company.
var errNoCompany = errors.New("the user belongs to no company")

// errNotMember: the company asked for is not one of the user's.
var errNotMember = errors.New("the user does not belong to the company")

// spenderIn resolves the user in companyID ("": their first company).
// errNoCompany and errNotMember report a company the user cannot use.
func (h *Handlers) spenderIn(ctx context.Context, user pleo.User, companyID string) (spender, error) {
	ms, err := h.st.Memberships(ctx, user.ID)
	if err != nil {
		return spender{}, err
	}
	s := spender{user: user}
	for _, m := range ms {
		if m.Subject.Kind == oauth.SubjectCompany {
			s.companies = append(s.companies, m)
		}
	}
	if len(s.companies) == 0 {
		return s, errNoCompany
	}
	i := 0
	if companyID != "" {
		i = slices.IndexFunc(s.companies, func(m store.Membership) bool { return m.Subject.ID == strings.ToLower(companyID) })
		if i < 0 {
			return s, errNotMember
		}
	}
	s.company = s.companies[i]
	s.employee, err = h.employeeOf(ctx, user, s.company.Subject.ID)
	return s, err
}

// employeeOf finds user's employee record in companyID: the one linked to
// the user, else one with the user's email; nil when there is none.
func (h *Handlers) employeeOf(ctx context.Context, user pleo.User, companyID string) (*pleo.Employee, error) {
	page, err := h.st.Employees(ctx, store.EmployeeFilter{CompanyIDs: []string{companyID}, Email: user.Email},
		store.PageRequest{Order: store.WithTiebreak(nil), Limit: 10})
	if err != nil {
		return nil, err
	}
	var byEmail *pleo.Employee
	for i, e := range page.Items {
		if e.UserID == user.ID {
			return &page.Items[i], nil
		}
		if e.UserID == "" && byEmail == nil {
			byEmail = &page.Items[i]
		}
	}
	return byEmail, nil
}

// spendingUser returns the signed-in user and their place in companyID, or
// answers (sign-in redirect or error page) and returns false.
func (h *Handlers) spendingUser(w http.ResponseWriter, r *http.Request, companyID string) (spender, bool) {
	user, err := h.auth.SessionUser(r)
	if err != nil {
		if r.Method == http.MethodGet {
			seeOther(w, r, spendingLoginPath)
			return spender{}, false
		}
		h.pages.Render(w, http.StatusUnauthorized, view.ErrorPage{Title: "Signed out",
			Message: "Your session has ended, so nothing was saved. Sign in again and repeat the last step.",
			Detail:  "login_required", BackURL: spendingLoginPath})
		return spender{}, false
	}
	s, err := h.spenderIn(r.Context(), user, companyID)
	switch {
	case errors.Is(err, errNoCompany):
		h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "No company",
			Message: user.Email + " belongs to no company, so there is no spending to show.",
			Detail:  "access_denied", BackURL: "/"})
		return spender{}, false
	case errors.Is(err, errNotMember):
		h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Not allowed",
			Message: "You do not belong to that company, so you cannot see or change its spending.",
			Detail:  "access_denied", BackURL: spendingPath})
		return spender{}, false
	case err != nil:
		h.serverError(w, r, err)
		return spender{}, false
	}
	return s, true
}

// Spending serves GET /spending?company=&status=&review_status=&export_status=&after=&before=:
// the spending page of the signed-in user in one company. Without a
// session it sends the user to sign in.
func (h *Handlers) Spending(w http.ResponseWriter, r *http.Request) {
	s, ok := h.spendingUser(w, r, r.URL.Query().Get(spendCompanyParam))
	if !ok {
		return
	}
	page := h.newSpendingPage(w, r, s)
	page.Notice = h.spendNotices.take(w, r, s.user.ID, h.clock.Now())
	h.renderSpending(w, r, s, page, http.StatusOK)
}

// newSpendingPage starts the page of s: who and where, and an empty
// record form for an employee of the company.
func (h *Handlers) newSpendingPage(w http.ResponseWriter, r *http.Request, s spender) view.SpendingPage {
	page := view.SpendingPage{CSRFToken: h.csrf.Token(w, r), UserName: s.user.Name, UserEmail: s.user.Email,
		CompanyID: s.company.Subject.ID, CompanyName: s.company.Name, Role: roleLabel(s.company.Role),
		Reviewer: s.reviewer(), ReviewAction: spendingReviewPath}
	for _, m := range s.companies {
		page.Companies = append(page.Companies, view.OptionView{Value: m.Subject.ID, Label: m.Name,
			Selected: m.Subject.ID == s.company.Subject.ID})
	}
	if s.employee != nil {
		page.Record = h.recordForm(s, recordInput{})
	}
	return page
}

// renderSpending fills the page's list from the request's query and
// renders it with status.
func (h *Handlers) renderSpending(w http.ResponseWriter, r *http.Request, s spender, page view.SpendingPage, status int) {
	q := r.URL.Query()
	if r.Method == http.MethodPost { // a failed form: the list as the form's page showed it
		q, _ = url.ParseQuery(r.PostFormValue("return"))
	}
	if err := h.fillEntries(r.Context(), s, q, &page); err != nil {
		h.serverError(w, r, err)
		return
	}
	h.pages.Render(w, status, page)
}

// fillEntries lists one page of the entries s may see, filtered and paged
// by q, into page.
func (h *Handlers) fillEntries(ctx context.Context, s spender, q url.Values, page *view.SpendingPage) error {
	companyID := s.company.Subject.ID
	f := store.EntryFilter{CompanyIDs: []string{companyID}}
	if !s.reviewer() {
		if s.employee == nil {
			f.CompanyIDs = nil // nothing of their own to see
		} else {
			f.EmployeeIDs = []string{s.employee.ID}
		}
	}
	keep := url.Values{spendCompanyParam: {companyID}} // the list's query without cursors
	for _, sf := range spendFilters {
		value := q.Get(sf.param)
		if !slices.Contains(sf.values, value) {
			value = "" // an unknown value filters nothing rather than showing an empty list
		}
		sel := view.SelectView{ID: sf.id, Name: sf.param, Label: sf.label,
			Options: []view.OptionView{{Value: "", Label: "Any", Selected: value == ""}}}
		for _, v := range sf.values {
			sel.Options = append(sel.Options, view.OptionView{Value: v, Label: v, Selected: v == value})
		}
		page.Filters.Selects = append(page.Filters.Selects, sel)
		if value != "" {
			sf.apply(&f, value)
			keep.Set(sf.param, value)
			page.Filters.Active = true
		}
	}
	page.Filters.ClearURL = spendingPath + "?" + url.Values{spendCompanyParam: {companyID}}.Encode() + "#entries"

	req := store.PageRequest{Order: spendingOrder, Limit: spendingPageSize}
	current := cloneValues(keep)
	if pos, ok := decodeSpendCursor(q.Get(spendAfterParam)); ok {
		req.After = pos
		current.Set(spendAfterParam, q.Get(spendAfterParam))
	} else if pos, ok := decodeSpendCursor(q.Get(spendBeforeParam)); ok {
		req.Before = pos
		current.Set(spendBeforeParam, q.Get(spendBeforeParam))
	}
	entries, err := h.st.AccountingEntries(ctx, f, req)
	if errors.Is(err, store.ErrBadPosition) { // a cursor that does not fit: start from the top
		req.After, req.Before, current = nil, nil, keep
		entries, err = h.st.AccountingEntries(ctx, f, req)
	}
	if err != nil {
		return err
	}
	page.ReturnQuery = current.Encode()
	page.Total = entries.Total
	if n := len(entries.Items); n > 0 {
		if entries.HasPrevious {
			page.NewerURL = spendingPageURL(keep, spendBeforeParam, entries.Positions[0])
		}
		if entries.HasNext {
			page.OlderURL = spendingPageURL(keep, spendAfterParam, entries.Positions[n-1])
		}
	}
	names := map[string]string{}
	now := h.clock.Now()
	for _, e := range entries.Items {
		name, err := h.employeeName(ctx, e.EmployeeID, names)
		if err != nil {
			return err
		}
		page.Entries = append(page.Entries, entryView(e, name, now, s.reviewer()))
	}
	return nil
}

// employeeName returns the name of employee id ("" for none), through cache.
func (h *Handlers) employeeName(ctx context.Context, id string, cache map[string]string) (string, error) {
	if id == "" {
		return "", nil
	}
	if name, ok := cache[id]; ok {
		return name, nil
	}
	e, err := h.st.Employee(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		cache[id] = ""
		return "", nil
	}
	if err != nil {
		return "", err
	}
	cache[id] = strings.TrimSpace(e.FirstName + " " + e.LastName)
	return cache[id], nil
}

// entryView turns an entry into a row of the list.
func entryView(e pleo.AccountingEntry, employee string, now time.Time, reviewer bool) view.SpendEntryView {
	v := view.SpendEntryView{ID: e.ID, PerformedAt: timeView(e.PerformedAt, now), Date: e.PerformedAt.UTC().Format("2 Jan 2006"),
		Merchant: e.MerchantName, Employee: employee, Kind: kindLabel(e.Family, e.SubFamily), Family: e.Family,
		SubFamily: e.SubFamily, Amount: pleo.FormatMoney(e.TransactionValue), Note: e.Note, Receipts: len(e.ReceiptIDs),
		Status: e.Status, ReviewStatus: e.ReviewStatus, ExportStatus: e.ExportStatus,
		StatusTone: statusTone(e.Status), ReviewTone: reviewTone(e.ReviewStatus), ExportTone: exportTone(e.ExportStatus)}
	if v.Merchant == "" {
		v.Merchant = "No merchant"
	}
	if b := e.TotalBillValue; b != nil && b.Currency != e.TransactionValue.Currency {
		v.BillAmount = pleo.FormatMoney(*b)
	}
	if reviewer && e.DeletedAt == nil {
		v.ReviewOptions = reviewOptions(e.ReviewStatus)
	}
	return v
}

// kindLabel names a family and subFamily in words, e.g. "Card purchase,
// online" or "Card purchase, ATM".
func kindLabel(family, subFamily string) string {
	words := func(code string) string {
		if code == "ATM" {
			return code
		}
		return strings.ToLower(strings.ReplaceAll(code, "_", " "))
	}
	label := words(family)
	if label != "" {
		label = strings.ToUpper(label[:1]) + label[1:]
	}
	if subFamily != "" {
		label += ", " + words(subFamily)
	}
	return label
}

// statusTone, reviewTone and exportTone colour a status badge: "ok" for
// done, "bad" for refused or failed, "wait" for anything still open.
func statusTone(status string) string {
	switch status {
	case pleo.EntryCompleted, pleo.EntryCompletedExternally:
		return "ok"
	case pleo.EntryCancelled, pleo.EntryRejected, pleo.EntryError:
		return "bad"
	}
	return "wait"
}

func reviewTone(status string) string {
	switch status {
	case pleo.ReviewOK, pleo.ReviewNotRequired:
		return "ok"
	case pleo.ReviewNotOK:
		return "bad"
	}
	return "wait"
}

func exportTone(status string) string {
	switch status {
	case pleo.ExportStatusExported, pleo.ExportStatusCreated:
		return "ok"
	case pleo.ExportStatusNotCreated:
		return "bad"
	}
	return "wait"
}

// spendingPageURL is the list at the page after (or before) pos.
func spendingPageURL(keep url.Values, param string, pos store.Position) string {
	q := cloneValues(keep)
	q.Set(param, encodeSpendCursor(pos))
	return spendingPath + "?" + q.Encode() + "#entries"
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// encodeSpendCursor writes a list position for a URL. The store checks a
// position against the order, so a forged one fails as ErrBadPosition.
func encodeSpendCursor(pos store.Position) string {
	b, _ := json.Marshal(pos) // strings and nulls only
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeSpendCursor reads encodeSpendCursor's output; false for "" or garbage.
func decodeSpendCursor(s string) (store.Position, bool) {
	if s == "" || len(s) > 512 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	var pos store.Position
	if err := json.Unmarshal(b, &pos); err != nil || len(pos) == 0 {
		return nil, false
	}
	return pos, true
}
