package api

import (
	"fmt"
	"math"
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// The chart of accounts (/v1/chart-of-accounts): a company's bookkeeping
// accounts, identified by the ERP's externalId, which never changes.
// Creating an account whose externalId exists returns it (200) when every
// other field matches and 409 otherwise. Pleo declares these responses as
// application/json, without the charset its other APIs add.

// contentTypeAccounts is the content type of the chart-of-accounts
// responses: application/json without a charset, as Pleo declares it.
const contentTypeAccounts = "application/json"

// accountsList pages POST /v1/chart-of-accounts:search: oldest first
// (createdAt, then id). Pleo documents no sorting keys; createdAt and id
// are accepted.
var accountsList = listSpec{sortKeys: store.AccountSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// accountCreateRequest is Pleo's BookkeepingAccountCreateRequestV1.
type accountCreateRequest struct {
	CompanyID         string         `json:"companyId" format:"uuid"`
	ExternalID        string         `json:"externalId"`
	Name              string         `json:"name"`
	Archived          bool           `json:"archived"`
	Code              *string        `json:"code,omitempty"`
	TaxCodeExternalID *string        `json:"taxCodeExternalId,omitempty"`
	Metadata          map[string]any `json:"metadata,omitempty"`
}

// accountUpdateRequest is Pleo's BookkeepingAccountUpdateRequestV1: no
// companyId and no externalId, which never changes.
type accountUpdateRequest struct {
	Name              string         `json:"name"`
	Archived          bool           `json:"archived"`
	Code              *string        `json:"code,omitempty"`
	TaxCodeExternalID *string        `json:"taxCodeExternalId,omitempty"`
	Metadata          map[string]any `json:"metadata,omitempty"`
}

// accountSearchRequest is Pleo's BookkeepingAccountSearchRequestV1. The
// emulator has no bookkeeping categories or contra accounts, so the two
// exclusions exclude nothing; Pleo lists them as required with default
// false, and the emulator accepts them missing.
type accountSearchRequest struct {
	CompanyID                        string    `json:"companyId" format:"uuid"`
	ExcludeIfAssignedToCategory      bool      `json:"excludeIfAssignedToCategory,omitempty"`
	ExcludeIfAssignedToContraAccount bool      `json:"excludeIfAssignedToContraAccount,omitempty"`
	Archived                         *bool     `json:"archived,omitempty"`
	Code                             *string   `json:"code,omitempty"` // deprecated by Pleo in favour of codes
	Codes                            []*string `json:"codes,omitempty"`
	ExternalID                       *string   `json:"externalId,omitempty"`
	IDs                              []*string `json:"ids,omitempty" format:"uuid"`
	Name                             *string   `json:"name,omitempty"`
}

var accountNotFound = notFound("Account not found.")

var createAccountDoc = operation{
	id: "createAccountV1", tag: "Chart of Accounts", summary: "Create a new account (200 when the same account exists)",
	body: accountCreateRequest{}, bodyRequired: true,
	status: http.StatusCreated, alsoStatus: []int{http.StatusOK}, response: dataResponse[pleo.Account]{},
	contentType: contentTypeAccounts, errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createAccount answers POST /v1/chart-of-accounts (and /v1-beta/accounts): 201 with the new
// account, 200 with the existing one when the company has an account with
// the externalId and the same data, 409 when it has one with other data.
// The account rules (pleo.Account.Validate) are checked before the company.
func (a *API) createAccount(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[accountCreateRequest](w, r, true, "companyId", "externalId", "name", "archived")
	if err != nil {
		return err
	}
	acc := pleo.Account{ExternalID: b.ExternalID, Name: b.Name, Archived: b.Archived, Code: b.Code,
		TaxCodeExternalID: b.TaxCodeExternalID, Metadata: b.Metadata}
	if err := acc.Validate(); err != nil {
		return storeError(err, nil, "") // the 400 the store would answer
	}
	if acc.CompanyID, err = a.bodyCompany(r.Context(), p, "companyId", b.CompanyID); err != nil {
		return err
	}
	acc, created, err := a.store.CreateAccount(r.Context(), acc, a.clock.Now())
	if err != nil {
		return storeError(err, notFound("Company not found."),
			"An account with the externalId "+b.ExternalID+" exists in the company with other data.")
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, contentTypeAccounts, dataResponse[pleo.Account]{Data: acc})
	return nil
}

var getAccountDoc = operation{
	id: "getAccountV1", tag: "Chart of Accounts", summary: "Retrieve an account by its ID",
	params: []param{pathParam("accountId", "The account ID.")},
	status: http.StatusOK, response: dataResponse[pleo.Account]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getAccount answers GET /v1/chart-of-accounts/{accountId} (and
// /v1-beta/accounts/{accountId}).
func (a *API) getAccount(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "accountId", a.store.Account, accountNotFound, contentTypeAccounts)
}

var updateAccountDoc = operation{
	id: "updateAccountV1", tag: "Chart of Accounts", summary: "Update an account",
	params: []param{pathParam("accountId", "The account ID.")},
	body:   accountUpdateRequest{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.Account]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateAccount answers PUT /v1/chart-of-accounts/{accountId} (and
// /v1-beta/accounts/{accountId}): name,
// archived, code, taxCodeExternalId and metadata are replaced (absent
// optional fields are cleared); externalId and the company never change.
func (a *API) updateAccount(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "accountId")
	if err != nil {
		return err
	}
	b, err := readFields[accountUpdateRequest](w, r, true, "name", "archived")
	if err != nil {
		return err
	}
	acc := pleo.Account{ID: id, Name: b.Name, Archived: b.Archived, Code: b.Code, TaxCodeExternalID: b.TaxCodeExternalID,
		Metadata: b.Metadata}
	if err := acc.ValidateUpdate(); err != nil {
		return storeError(err, nil, "")
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	acc, err = a.store.UpdateAccount(r.Context(), companies, acc, a.clock.Now())
	if err != nil {
		return storeError(err, accountNotFound, "")
	}
	writeJSON(w, http.StatusOK, contentTypeAccounts, dataResponse[pleo.Account]{Data: acc})
	return nil
}

var deleteAccountDoc = operation{
	id: "deleteAccountV1", tag: "Chart of Accounts", summary: "Delete an account that no accounting entry uses",
	params: []param{pathParam("accountId", "The account ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict},
}

// deleteAccount answers DELETE /v1/chart-of-accounts/{accountId} (and
// /v1-beta/accounts/{accountId}) with 204,
// or 409 when an accounting entry (or a split item) uses the account.
func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "accountId")
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if err := a.store.DeleteAccount(r.Context(), companies, id); err != nil {
		return storeError(err, accountNotFound,
			"Account linked to accounting entries and cannot be deleted. Use UPDATE endpoint to archive the account.")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var searchAccountsDoc = operation{
	id: "searchAccountsV1", tag: "Chart of Accounts", summary: "Fetch a list of accounts",
	params: pagingParams(accountsList),
	body:   accountSearchRequest{}, bodyRequired: true,
	status: http.StatusOK, response: pageResponse[pleo.Account]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// searchAccounts answers POST /v1/chart-of-accounts:search (and
// /v1-beta/accounts:search). The company is
// the body's companyId, required from every caller, as Pleo declares it.
func (a *API) searchAccounts(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body requestFields[accountSearchRequest]
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, accountsList)
	if err != nil {
		return err
	}
	if err := body.require("companyId"); err != nil {
		return err
	}
	b := body.v
	f := store.AccountFilter{Archived: b.Archived}
	if f.IDs, err = uuidList("ids", present(b.IDs), math.MaxInt); err != nil {
		return err
	}
	f.Codes = present(b.Codes)
	if b.Code != nil {
		f.Codes = append(f.Codes, *b.Code)
	}
	if b.ExternalID != nil {
		f.ExternalID = *b.ExternalID
	}
	if b.Name != nil {
		f.Name = *b.Name
	}
	company, err := a.bodyCompany(r.Context(), p, "companyId", b.CompanyID)
	if err != nil {
		return err
	}
	page, err := a.store.SearchAccounts(r.Context(), []string{company}, f, pq.req)
	if err != nil {
		return storeError(err, nil, "")
	}
	writeJSON(w, http.StatusOK, contentTypeAccounts, newPage(page, pq, nil))
	return nil
}

// present returns the non-null values of a list whose items may be null.
func present(values []*string) []string {
	var out []string
	for _, v := range values {
		if v != nil {
			out = append(out, *v)
		}
	}
	return out
}

// accountBatchItem is Pleo's BookkeepingAccountBatchRequestItemV1: one
// account of a batch, echoed as it was sent when it fails.
type accountBatchItem struct {
	Archived          bool           `json:"archived"`
	Code              *string        `json:"code,omitempty"`
	ExternalID        string         `json:"externalId"`
	Metadata          map[string]any `json:"metadata,omitempty"`
	Name              string         `json:"name"`
	TaxCodeExternalID *string        `json:"taxCodeExternalId,omitempty"`
}

// accountBatchCreateRequest is Pleo's BookkeepingAccountBatchCreateRequestV1.
// It documents the body; createAccountsBatch decodes into accountBatchInput,
// which keeps the keys each item carries.
type accountBatchCreateRequest struct {
	CompanyID string             `json:"companyId" format:"uuid"`
	Items     []accountBatchItem `json:"items"`
}

// accountBatchInput is the decoded BookkeepingAccountBatchCreateRequestV1.
type accountBatchInput struct {
	CompanyID string                            `json:"companyId"`
	Items     []requestFields[accountBatchItem] `json:"items"`
}

// accountBatchFailedItem is Pleo's BookkeepingAccountBatchFailedItemV1.
type accountBatchFailedItem struct {
	Reasons []string         `json:"reasons"`
	Request accountBatchItem `json:"request"`
}

// accountBatchCreateResponse is Pleo's BookkeepingAccountBatchCreateResponseV1.
type accountBatchCreateResponse struct {
	Created []pleo.Account           `json:"created"`
	Failed  []accountBatchFailedItem `json:"failed"`
}

var createAccountsBatchDoc = operation{
	id: "createAccountsBatchV1", tag: "Chart of Accounts", summary: "Create multiple accounts in a single request",
	body: accountBatchCreateRequest{}, bodyRequired: true,
	status: http.StatusCreated, response: dataResponse[accountBatchCreateResponse]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// createAccountsBatch answers POST /v1/chart-of-accounts/batch with 201, as
// Pleo documents: every item that passes validation is created, every other
// one is returned in failed with its reasons and the item as sent
// (store.CreateAccountsBatch has the rules). A request Pleo calls bad (a
// batch of fewer than 1 or more than 1000 items, a missing required field
// of the body or of an item, a companyId that is not a UUID) answers 400
// and creates nothing; a company outside the token's subject answers 403.
func (a *API) createAccountsBatch(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[accountBatchInput](w, r, true, "companyId", "items")
	if err != nil {
		return err
	}
	if n := len(b.Items); n < pleo.MinAccountBatch || n > pleo.MaxAccountBatch {
		return badField("items", "has %d items; a batch has %d to %d.", n, pleo.MinAccountBatch, pleo.MaxAccountBatch)
	}
	items := make([]pleo.Account, len(b.Items))
	for i, it := range b.Items {
		if err := it.requireIn(fmt.Sprintf("items[%d].", i), "archived", "externalId", "name"); err != nil {
			return err
		}
		v := it.v
		items[i] = pleo.Account{ExternalID: v.ExternalID, Name: v.Name, Archived: v.Archived, Code: v.Code,
			TaxCodeExternalID: v.TaxCodeExternalID, Metadata: v.Metadata}
	}
	company, err := a.bodyCompany(r.Context(), p, "companyId", b.CompanyID)
	if err != nil {
		return err
	}
	created, failed, err := a.store.CreateAccountsBatch(r.Context(), company, items, a.clock.Now())
	if err != nil {
		return storeError(err, notFound("Company not found."), "")
	}
	out := accountBatchCreateResponse{Created: created, Failed: make([]accountBatchFailedItem, len(failed))}
	if out.Created == nil {
		out.Created = []pleo.Account{}
	}
	for i, f := range failed {
		out.Failed[i] = accountBatchFailedItem{Reasons: f.Reasons, Request: b.Items[f.Index].v}
	}
	writeJSON(w, http.StatusCreated, contentTypeAccounts, dataResponse[accountBatchCreateResponse]{Data: out})
	return nil
}

// The older accounts routes (/v1-beta/accounts, Pleo's "V4" models) serve
// the same accounts with the same handlers: their models carry the same
// fields as the /v1/chart-of-accounts ones, and the types below only give
// the OpenAPI document Pleo's V4 names. Differences, all emulator choices:
// the create's externalId must not be blank (Pleo's V4 schema allows an
// empty one; the accounts are the same, so the V1 rule applies), and the
// search also accepts the V1 filters (codes and the two exclusions), which
// a V4 client does not send.

// accountV4 is Pleo's BookkeepingAccountRestModelV4.
type accountV4 pleo.Account

// accountCreateRequestV4 is Pleo's BookkeepingAccountCreateRequestV4.
type accountCreateRequestV4 accountCreateRequest

// accountUpdateRequestV4 is Pleo's BookkeepingAccountUpdateRequestV4.
type accountUpdateRequestV4 accountUpdateRequest

// accountSearchRequestV4 is Pleo's BookkeepingAccountSearchRequestV4.
type accountSearchRequestV4 struct {
	CompanyID  string    `json:"companyId" format:"uuid"`
	Archived   *bool     `json:"archived,omitempty"`
	Code       *string   `json:"code,omitempty"`
	ExternalID *string   `json:"externalId,omitempty"`
	IDs        []*string `json:"ids,omitempty" format:"uuid"`
	Name       *string   `json:"name,omitempty"`
}

var createAccountV4Doc = operation{
	id: "createAccountV4", tag: "Chart of Accounts", summary: "Create a new account (v1-beta; 200 when the same account exists)",
	body: accountCreateRequestV4{}, bodyRequired: true,
	status: http.StatusCreated, alsoStatus: []int{http.StatusOK}, response: dataResponse[accountV4]{},
	contentType: contentTypeAccounts, errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

var getAccountV4Doc = operation{
	id: "getAccountV4", tag: "Chart of Accounts", summary: "Retrieve an account by its ID (v1-beta)",
	params: []param{pathParam("accountId", "ID of the account to retrieve.")},
	status: http.StatusOK, response: dataResponse[accountV4]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

var updateAccountV4Doc = operation{
	id: "updateAccountV4", tag: "Chart of Accounts", summary: "Update an account (v1-beta)",
	params: []param{pathParam("accountId", "ID of the account to update.")},
	body:   accountUpdateRequestV4{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[accountV4]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

var deleteAccountV4Doc = operation{
	id: "deleteAccountV4", tag: "Chart of Accounts", summary: "Delete an account that no accounting entry uses (v1-beta)",
	params: []param{pathParam("accountId", "ID of the account to delete.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict},
}

var searchAccountsV4Doc = operation{
	id: "searchAccountsV4", tag: "Chart of Accounts", summary: "Fetch a list of accounts (v1-beta)",
	params: pagingParams(accountsList),
	body:   accountSearchRequestV4{}, bodyRequired: true,
	status: http.StatusOK, response: pageResponse[accountV4]{}, contentType: contentTypeAccounts,
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}
