package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// entriesList pages POST /v1/accounting-entries:search: oldest performedAt
// first unless sorted otherwise. Pleo declares no offset for this route.
var entriesList = listSpec{sortKeys: store.EntrySortKeys, defaultSort: []store.Sort{{Key: "performedAt"}},
	defaultLimit: 20, maxLimit: 100}

// entrySearchRequest is Pleo's AccountingEntryBaseSearchRequest. Date
// fields are strings so that a bad one can be named in the 400.
type entrySearchRequest struct {
	IncludeDeleted             bool     `json:"includeDeleted,omitempty"`
	AccountIDs                 []string `json:"accountIds,omitempty" format:"uuid"`
	EmployeeIDs                []string `json:"employeeIds,omitempty" format:"uuid"`
	TeamIDs                    []string `json:"teamIds,omitempty" format:"uuid"`
	TagRowIDs                  []string `json:"tagRowIds,omitempty" format:"uuid"`
	TagGroupIDsUnset           []string `json:"tagGroupIdsUnset,omitempty" format:"uuid"`
	TaxCodeIDs                 []string `json:"taxCodeIds,omitempty" format:"uuid"`
	ForeignExtensionIDs        []string `json:"foreignExtensionIds,omitempty"`
	TransactionValueCurrencies []string `json:"transactionValueCurrencies,omitempty"`
	ExportStatus               []string `json:"exportStatus,omitempty"`
	Families                   []string `json:"families,omitempty"`
	SubFamilies                []string `json:"subFamilies,omitempty"`
	Status                     []string `json:"status,omitempty"`
	ReviewStatus               []string `json:"reviewStatus,omitempty"`
	HasAccount                 *bool    `json:"hasAccount,omitempty"`
	HasBookkeepingDate         *bool    `json:"hasBookkeepingDate,omitempty"`
	HasNote                    *bool    `json:"hasNote,omitempty"`
	Settled                    *bool    `json:"settled,omitempty"`
	PerformedAtStart           *string  `json:"performedAtStart,omitempty" format:"date-time"`
	PerformedAtEnd             *string  `json:"performedAtEnd,omitempty" format:"date-time"`
	SettledAtStart             *string  `json:"settledAtStart,omitempty" format:"date-time"`
	SettledAtEnd               *string  `json:"settledAtEnd,omitempty" format:"date-time"`
	BookkeepingDateStart       *string  `json:"bookkeepingDateStart,omitempty" format:"date-time"`
	BookkeepingDateEnd         *string  `json:"bookkeepingDateEnd,omitempty" format:"date-time"`
}

var searchEntriesDoc = operation{
	id: "externalSearchAccountingEntriesV1", tag: "Accounting Entries", summary: "Search accounting entries",
	params: append([]param{
		queryUUID("company_id", "The company whose entries to search. Required with an organisation token unless organization_id is given."),
		queryUUID("organization_id", "Search every company of this organisation (which must be the token's)."),
	}, pagingParams(entriesList)...),
	body: entrySearchRequest{},
	bodyEnums: map[string][]string{"exportStatus": pleo.EntryExportStatuses, "families": pleo.EntryFamilies,
		"subFamilies": pleo.EntrySubFamilies, "status": pleo.EntryStatuses, "reviewStatus": pleo.EntryReviewStatuses},
	status: http.StatusOK, response: pageResponse[pleo.AccountingEntry]{},
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// searchEntries answers POST /v1/accounting-entries:search. The body is
// optional (Pleo does not mark it required); unknown fields are ignored.
func (a *API) searchEntries(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	resp, err := a.entryPage(w, r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, resp)
	return nil
}

// entryPage runs an accounting entry search: its body, paging parameters
// and company selection, for searchEntries and its core twin.
func (a *API) entryPage(w http.ResponseWriter, r *http.Request, p oauth.Principal) (pageResponse[pleo.AccountingEntry], error) {
	var body entrySearchRequest
	if err := decodeBody(w, r, &body, false); err != nil {
		return pageResponse[pleo.AccountingEntry]{}, err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, entriesList)
	if err != nil {
		return pageResponse[pleo.AccountingEntry]{}, err
	}
	f, err := body.filter()
	if err != nil {
		return pageResponse[pleo.AccountingEntry]{}, err
	}
	if f.CompanyIDs, err = a.companiesFor(r.Context(), p, q,
		companySelector{company: "company_id", organization: "organization_id", required: true}); err != nil {
		return pageResponse[pleo.AccountingEntry]{}, err
	}
	page, err := a.store.AccountingEntries(r.Context(), f, pq.req)
	if err != nil {
		return pageResponse[pleo.AccountingEntry]{}, err
	}
	return newPage(page, pq, echoParams(q, "company_id", "organization_id")), nil
}

// filter validates the request and turns it into a store filter: IDs must
// be UUIDs, enum values known, lists at most 100 long, dates RFC 3339, and
// at most one of the three date ranges used.
func (b entrySearchRequest) filter() (store.EntryFilter, error) {
	f := store.EntryFilter{IncludeDeleted: b.IncludeDeleted, HasAccount: b.HasAccount,
		HasBookkeepingDate: b.HasBookkeepingDate, HasNote: b.HasNote, Settled: b.Settled}
	var err error
	uuidLists := []struct {
		field  string
		values []string
		dst    *[]string
	}{
		{"accountIds", b.AccountIDs, &f.AccountIDs},
		{"employeeIds", b.EmployeeIDs, &f.EmployeeIDs},
		{"teamIds", b.TeamIDs, &f.TeamIDs},
		{"tagRowIds", b.TagRowIDs, &f.TagIDs},
		{"tagGroupIdsUnset", b.TagGroupIDsUnset, &f.TagGroupIDsUnset},
		{"taxCodeIds", b.TaxCodeIDs, &f.TaxCodeIDs},
	}
	for _, l := range uuidLists {
		if *l.dst, err = uuidList(l.field, l.values, 100); err != nil {
			return f, err
		}
	}
	lists := []struct {
		field  string
		values []string
		dst    *[]string
		check  func(string) bool
		expect string
	}{
		{"foreignExtensionIds", b.ForeignExtensionIDs, &f.ForeignExtensionIDs, nil, ""},
		{"transactionValueCurrencies", b.TransactionValueCurrencies, &f.Currencies, pleo.ValidCurrencyCode, "an ISO 4217 currency code"},
		{"exportStatus", b.ExportStatus, &f.ExportStatuses, oneOf(pleo.EntryExportStatuses), "one of " + strings.Join(pleo.EntryExportStatuses, ", ")},
		{"families", b.Families, &f.Families, oneOf(pleo.EntryFamilies), "one of " + strings.Join(pleo.EntryFamilies, ", ")},
		{"subFamilies", b.SubFamilies, &f.SubFamilies, oneOf(pleo.EntrySubFamilies), "one of " + strings.Join(pleo.EntrySubFamilies, ", ")},
		{"status", b.Status, &f.Statuses, oneOf(pleo.EntryStatuses), "one of " + strings.Join(pleo.EntryStatuses, ", ")},
		{"reviewStatus", b.ReviewStatus, &f.ReviewStatuses, oneOf(pleo.EntryReviewStatuses), "one of " + strings.Join(pleo.EntryReviewStatuses, ", ")},
	}
	for _, l := range lists {
		if err := checkList(l.field, l.values, 100, l.check, l.expect); err != nil {
			return f, err
		}
		*l.dst = l.values
	}
	ranges := []struct {
		start, end string
		from, to   *string
		dst        *store.TimeRange
	}{
		{"performedAtStart", "performedAtEnd", b.PerformedAtStart, b.PerformedAtEnd, &f.PerformedAt},
		{"settledAtStart", "settledAtEnd", b.SettledAtStart, b.SettledAtEnd, &f.SettledAt},
		{"bookkeepingDateStart", "bookkeepingDateEnd", b.BookkeepingDateStart, b.BookkeepingDateEnd, &f.BookkeepingDate},
	}
	used := 0
	for _, rg := range ranges {
		if rg.from == nil && rg.to == nil {
			continue
		}
		if used++; used > 1 {
			return f, badField(rg.start, "cannot be combined with another date range (performedAt, settledAt and bookkeepingDate exclude each other).")
		}
		if rg.dst.From, err = parseDateTime(rg.start, rg.from); err != nil {
			return f, err
		}
		if rg.dst.To, err = parseDateTime(rg.end, rg.to); err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseDateTime parses an optional RFC 3339 date-time field.
func parseDateTime(field string, v *string) (time.Time, error) {
	if v == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return time.Time{}, badField(field, "must be an RFC 3339 date-time such as 2024-01-31T00:00:00Z, not %q.", *v)
	}
	return t, nil
}

func oneOf(values []string) func(string) bool {
	return func(v string) bool { return slices.Contains(values, v) }
}

var getEntryDoc = operation{
	id: "getAccountingEntryV1", tag: "Accounting Entries", summary: "Get an accounting entry by ID",
	params: []param{
		pathParam("accountingEntryId", "The accounting entry ID."),
		queryBool("include_deleted", "Also return the entry when it is deleted."),
	},
	status: http.StatusOK, response: dataResponse[pleo.AccountingEntry]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getEntry answers GET /v1/accounting-entries/{accountingEntryId}. A
// deleted entry is not found unless include_deleted=true.
func (a *API) getEntry(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	e, err := a.entryInPath(r, p, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.AccountingEntry]{Data: e})
	return nil
}

// entryInPath reads the entry the accountingEntryId path parameter names,
// for getEntry, its core twin and the receipt routes: an unknown entry, one
// of a company the token cannot see, and a deleted one are all not found,
// unless deletedParam lets the include_deleted query parameter show a
// deleted entry.
func (a *API) entryInPath(r *http.Request, p oauth.Principal, deletedParam bool) (pleo.AccountingEntry, error) {
	id, err := pathUUID(r, "accountingEntryId")
	if err != nil {
		return pleo.AccountingEntry{}, err
	}
	includeDeleted := false
	if deletedParam {
		if includeDeleted, err = boolParam(r.URL.Query(), "include_deleted"); err != nil {
			return pleo.AccountingEntry{}, err
		}
	}
	missing := notFound("Accounting entry not found.")
	e, err := a.store.AccountingEntry(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && e.DeletedAt != nil && !includeDeleted {
		return pleo.AccountingEntry{}, missing
	}
	if err != nil {
		return pleo.AccountingEntry{}, err
	}
	if err := a.mustSee(r.Context(), p, e.CompanyID, missing); err != nil {
		return pleo.AccountingEntry{}, err
	}
	return e, nil
}
