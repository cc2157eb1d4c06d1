package api

import (
	"net/http"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// The deprecated core routes of Pleo's accounting-entries document,
// POST /v1/accounting-entries/core:search and
// GET /v1/accounting-entries/{accountingEntryId}/core: the same entries, the
// same search body and the same rules as the V1 routes, in the older
// AccountingEntryCoreV6 shape.

// accountingEntryCore is AccountingEntryCoreV6. It has no tags, split items
// or attendees. fees is always empty (the emulator records no fees); the
// deprecated tax values, transactionWalletValue, externalAccountId,
// reconciliationId and spendTransactionIds are left out (all optional).
type accountingEntryCore struct {
	ID                 string                `json:"id" format:"uuid"`
	CompanyID          string                `json:"companyId" format:"uuid"`
	EmployeeID         string                `json:"employeeId,omitempty" format:"uuid"`
	TeamID             string                `json:"teamId,omitempty" format:"uuid"`
	AccountID          string                `json:"accountId,omitempty" format:"uuid"`
	AccountCode        string                `json:"accountCode,omitempty"`
	TaxCodeID          string                `json:"taxCodeId,omitempty" format:"uuid"`
	Family             string                `json:"family"`
	SubFamily          string                `json:"subFamily,omitempty"`
	Status             string                `json:"status"`
	ReviewStatus       string                `json:"reviewStatus"`
	ExportStatus       string                `json:"exportStatus"`
	Note               string                `json:"note,omitempty"`
	ForeignExtensionID string                `json:"foreignExtensionId,omitempty"`
	Fees               map[string]pleo.Money `json:"fees"`
	TransactionValue   pleo.Money            `json:"transactionValue"`
	TotalBillValue     *pleo.Money           `json:"totalBillValue,omitempty"`
	PerformedAt        time.Time             `json:"performedAt"`
	SettledAt          *time.Time            `json:"settledAt,omitempty"`
	BookkeepingDate    *time.Time            `json:"bookkeepingDate,omitempty"`
	DeletedAt          *time.Time            `json:"deletedAt,omitempty"`
	Supplier           *pleo.Supplier        `json:"supplier,omitempty"`
	ReceiptIDs         []string              `json:"receiptIds" format:"uuid"`
	CreatedAt          time.Time             `json:"createdAt"`
	UpdatedAt          time.Time             `json:"updatedAt"`
}

func coreOf(e pleo.AccountingEntry) accountingEntryCore {
	return accountingEntryCore{ID: e.ID, CompanyID: e.CompanyID, EmployeeID: e.EmployeeID, TeamID: e.TeamID,
		AccountID: e.AccountID, AccountCode: e.AccountCode, TaxCodeID: e.TaxCodeID, Family: e.Family,
		SubFamily: e.SubFamily, Status: e.Status, ReviewStatus: e.ReviewStatus, ExportStatus: e.ExportStatus,
		Note: e.Note, ForeignExtensionID: e.ForeignExtensionID, Fees: map[string]pleo.Money{},
		TransactionValue: e.TransactionValue, TotalBillValue: e.TotalBillValue, PerformedAt: e.PerformedAt,
		SettledAt: e.SettledAt, BookkeepingDate: e.BookkeepingDate, DeletedAt: e.DeletedAt, Supplier: e.Supplier,
		ReceiptIDs: e.ReceiptIDs, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

var searchEntriesCoreDoc = operation{
	id: "externalSearchCoreAccountingEntriesV1", tag: "Accounting Entries",
	summary: "Search accounting entries in the core shape (deprecated by Pleo)",
	params:  searchEntriesDoc.params, body: entrySearchRequest{}, bodyEnums: searchEntriesDoc.bodyEnums,
	status: http.StatusOK, response: pageResponse[accountingEntryCore]{}, errors: searchEntriesDoc.errors,
}

// searchEntriesCore answers POST /v1/accounting-entries/core:search, with
// the body, parameters and rules of searchEntries.
func (a *API) searchEntriesCore(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	resp, err := a.entryPage(w, r, p)
	if err != nil {
		return err
	}
	out := pageResponse[accountingEntryCore]{Data: make([]accountingEntryCore, len(resp.Data)), Pagination: resp.Pagination}
	for i, e := range resp.Data {
		out.Data[i] = coreOf(e)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, out)
	return nil
}

var getEntryCoreDoc = operation{
	id: "getCoreAccountingEntryV6ById", tag: "Accounting Entries",
	summary: "Get an accounting entry in the core shape (deprecated by Pleo)",
	params: append(getEntryDoc.params, queryBool("include_hidden",
		"Deprecated by Pleo. The emulator has no hidden entries; the parameter is accepted and changes nothing.")),
	status: http.StatusOK, response: dataResponse[accountingEntryCore]{}, errors: getEntryDoc.errors,
}

// getEntryCore answers GET /v1/accounting-entries/{accountingEntryId}/core,
// with the rules of getEntry: a deleted entry is not found unless
// include_deleted=true.
func (a *API) getEntryCore(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	if _, err := boolParam(r.URL.Query(), "include_hidden"); err != nil {
		return err
	}
	e, err := a.entryInPath(r, p, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[accountingEntryCore]{Data: coreOf(e)})
	return nil
}
