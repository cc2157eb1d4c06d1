package api

import (
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Export job items by accounting entry, across jobs: GET /v3/export-job-items
// and POST /v3/export-job-items:search. Pleo's document marks both internal
// (x-exclude) and the search deprecated ("a temporary workaround"), but
// clients call them, so the emulator serves them. Pleo names no scope for
// them; the emulator asks for export-jobs:read, like the other item reads.

// exportJobItemsSearchList pages the search: by accounting entry ID, then
// job ID. Pleo declares offset and leaves sorting_keys untyped.
var exportJobItemsSearchList = listSpec{sortKeys: store.ExportJobItemSortKeys, offset: true, defaultLimit: 20, maxLimit: 100}

func exportEntryNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Type: "EXPORT_ENTRY_NOT_FOUND", Message: "Export Job Item not found"}
}

var getExportJobItemByEntryDoc = operation{
	id: "getExportJobItemByAccountingEntryIdV3", tag: "Export API (v3)",
	summary: "Retrieve the export job item of an accounting entry (in its newest export job)",
	params: []param{
		queryUUID("company_id", "The company of the entry. Optional; with it, only that company's jobs are searched."),
		{name: "accounting_entry_id", in: "query", required: true, description: "The accounting entry.", schema: uuidSchema()},
	},
	status: http.StatusOK, response: dataResponse[pleo.ExportJobItem]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getExportJobItemByEntry answers GET /v3/export-job-items: the item of the
// entry in its newest job; 404 EXPORT_ENTRY_NOT_FOUND when it is in none
// the token may see. Pleo marks accounting_entry_id optional, but the
// route has no answer without it (400).
func (a *API) getExportJobItemByEntry(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	if !q.Has("accounting_entry_id") {
		return badParam("accounting_entry_id", "is required.")
	}
	entryID, err := uuidValue("accounting_entry_id", q.Get("accounting_entry_id"))
	if err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	item, err := a.store.LatestExportJobItem(r.Context(), companies, entryID, a.clock.Now())
	if err != nil {
		return storeError(err, exportEntryNotFound(), "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.ExportJobItem]{Data: item})
	return nil
}

// exportJobItemsSearch is SearchExportJobItemsRequest.
type exportJobItemsSearch struct {
	AccountingEntryIDs []string `json:"accountingEntryIds" format:"uuid"`
	Status             string   `json:"status,omitempty"`
}

var searchExportJobItemsDoc = operation{
	id: "searchExportJobItemsV3", tag: "Export API (v3)",
	summary: "Search the export job items of accounting entries, across export jobs",
	params: append([]param{queryUUID("company_id", "Only items of this company's jobs.")},
		pagingParams(exportJobItemsSearchList)...),
	body: exportJobItemsSearch{}, bodyRequired: true,
	bodyEnums: map[string][]string{"status": pleo.ExportJobItemStatuses},
	status:    http.StatusOK, response: pageResponse[pleo.ExportJobItem]{}, errors: []int{http.StatusBadRequest},
}

// searchExportJobItems answers POST /v3/export-job-items:search: the items
// of the named entries in every job the token may see. Pleo gives no bound
// for the list; the emulator takes at most 100 IDs, like its other ID lists.
func (a *API) searchExportJobItems(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[exportJobItemsSearch](w, r, true, "accountingEntryIds")
	if err != nil {
		return err
	}
	ids, err := uuidList("accountingEntryIds", b.AccountingEntryIDs, 100)
	if err != nil {
		return err
	}
	if s := b.Status; s != "" && !pleo.ValidExportJobItemStatus(s) {
		return badField("status", "must be one of %s, not %q.", strings.Join(pleo.ExportJobItemStatuses, ", "), s)
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, exportJobItemsSearchList)
	if err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.SearchExportJobItems(r.Context(), companies, ids, b.Status, pq.req, a.clock.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id")))
	return nil
}
