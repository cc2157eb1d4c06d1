package api

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Tax codes (/v0/tax-codes): a company's VAT codes. Rates are decimals
// (0.25 is 25 %); timestamps are whole seconds in UTC, Pleo's pattern
// YYYY-MM-DDTHH:mi:ssZ.

// taxCodesList pages POST /v0/tax-codes:search: oldest first (createdAt,
// then id). Pleo documents no sorting keys; createdAt and id are accepted.
var taxCodesList = listSpec{sortKeys: store.TaxCodeSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// taxCodeCreateUpdateModel is Pleo's TaxCodeCreateUpdateModel, the body of
// both the create and the (full) update.
type taxCodeCreateUpdateModel struct {
	CompanyID          string  `json:"companyId" format:"uuid"`
	Name               string  `json:"name"`
	Rate               float64 `json:"rate"`
	Type               string  `json:"type"`
	Archived           bool    `json:"archived"`
	Code               *string `json:"code,omitempty"`
	IngoingTaxAccount  *string `json:"ingoingTaxAccount,omitempty"`
	OutgoingTaxAccount *string `json:"outgoingTaxAccount,omitempty"`
}

// taxCodeSearchRequest is Pleo's TaxCodeSearchRequest.
type taxCodeSearchRequest struct {
	Archived   *bool    `json:"archived,omitempty"`
	Code       *string  `json:"code,omitempty"`
	TaxCodeIDs []string `json:"taxCodeIds,omitempty" format:"uuid"`
	Type       *string  `json:"type,omitempty"`
}

var taxCodeNotFound = notFound("Tax code not found.")

// readTaxCode reads and validates a create or update body and returns the
// tax code it describes, for a company the token may see. The tax-code
// rules (pleo.TaxCode.Validate) are checked before the company.
func (a *API) readTaxCode(w http.ResponseWriter, r *http.Request, p oauth.Principal) (pleo.TaxCode, error) {
	b, err := readFields[taxCodeCreateUpdateModel](w, r, true, "companyId", "name", "rate", "type", "archived")
	if err != nil {
		return pleo.TaxCode{}, err
	}
	c := pleo.TaxCode{Name: b.Name, Rate: b.Rate, Type: b.Type, Archived: b.Archived, Code: b.Code,
		IngoingTaxAccount: b.IngoingTaxAccount, OutgoingTaxAccount: b.OutgoingTaxAccount}
	if err := c.Validate(); err != nil {
		return c, storeError(err, nil, "") // the 400 the store would answer
	}
	c.CompanyID, err = a.bodyCompany(r.Context(), p, "companyId", b.CompanyID)
	return c, err
}

var createTaxCodeDoc = operation{
	id: "createTaxCode", tag: "Tax Codes", summary: "Create a new tax code",
	body: taxCodeCreateUpdateModel{}, bodyRequired: true, bodyEnums: map[string][]string{"type": pleo.TaxCodeTypes},
	status: http.StatusOK, response: dataResponse[pleo.TaxCode]{},
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// createTaxCode answers POST /v0/tax-codes. Pleo documents no success
// status; the emulator answers 200.
func (a *API) createTaxCode(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	c, err := a.readTaxCode(w, r, p)
	if err != nil {
		return err
	}
	if c, err = a.store.CreateTaxCode(r.Context(), c, a.clock.Now()); err != nil {
		return storeError(err, notFound("Company not found."), "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TaxCode]{Data: c})
	return nil
}

var getTaxCodeDoc = operation{
	id: "getTaxCode", tag: "Tax Codes", summary: "Returns a given tax code",
	params: []param{pathParam("taxCodeId", "The tax code ID.")},
	status: http.StatusOK, response: dataResponse[pleo.TaxCode]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getTaxCode answers GET /v0/tax-codes/{taxCodeId}.
func (a *API) getTaxCode(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "taxCodeId", a.store.TaxCode, taxCodeNotFound, contentTypeJSON)
}

var updateTaxCodeDoc = operation{
	id: "updateTaxCode", tag: "Tax Codes", summary: "Update a tax code",
	params: []param{pathParam("taxCodeId", "The tax code ID.")},
	body:   taxCodeCreateUpdateModel{}, bodyRequired: true, bodyEnums: map[string][]string{"type": pleo.TaxCodeTypes},
	status: http.StatusOK, response: dataResponse[pleo.TaxCode]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateTaxCode answers PUT /v0/tax-codes/{taxCodeId}: every field is
// replaced (an absent code or tax account becomes null). companyId is
// required, as Pleo's model says, and must be the tax code's company.
func (a *API) updateTaxCode(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "taxCodeId")
	if err != nil {
		return err
	}
	c, err := a.readTaxCode(w, r, p)
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	c.ID = id
	if c, err = a.store.UpdateTaxCode(r.Context(), companies, c, a.clock.Now()); err != nil {
		return storeError(err, taxCodeNotFound, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TaxCode]{Data: c})
	return nil
}

var deleteTaxCodeDoc = operation{
	id: "deleteTaxCode", tag: "Tax Codes", summary: "Delete a tax code",
	params: []param{pathParam("taxCodeId", "The tax code ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteTaxCode answers DELETE /v0/tax-codes/{taxCodeId} with 204 (Pleo
// documents only a default response). Accounting entries that used the
// tax code lose their taxCodeId.
func (a *API) deleteTaxCode(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return deleteByID(a, w, r, p, "taxCodeId", a.store.DeleteTaxCode, taxCodeNotFound)
}

var searchTaxCodesDoc = operation{
	id: "getTaxCodes", tag: "Tax Codes", summary: "Returns a list of tax codes",
	params: append([]param{
		queryUUID("company_id", "Only tax codes of this company. Without it, the tax codes of every company the token can see."),
	}, pagingParams(taxCodesList)...),
	body: taxCodeSearchRequest{}, bodyEnums: map[string][]string{"type": pleo.TaxCodeTypes},
	status: http.StatusOK, response: pageResponse[pleo.TaxCode]{},
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// searchTaxCodes answers POST /v0/tax-codes:search. The body is optional;
// archived true lists only archived codes, false only active ones, and
// absent both.
func (a *API) searchTaxCodes(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body taxCodeSearchRequest
	if err := decodeBody(w, r, &body, false); err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, taxCodesList)
	if err != nil {
		return err
	}
	f := store.TaxCodeFilter{Archived: body.Archived}
	if f.IDs, err = uuidList("taxCodeIds", body.TaxCodeIDs, 100); err != nil {
		return err
	}
	if body.Type != nil {
		if err := pleo.ValidateTaxCodeType(*body.Type); err != nil {
			return storeError(err, nil, "")
		}
		f.Type = *body.Type
	}
	if body.Code != nil {
		f.Code = *body.Code
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.SearchTaxCodes(r.Context(), companies, f, pq.req)
	if err != nil {
		return storeError(err, nil, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id")))
	return nil
}

// calculateTaxesRequest is Pleo's CalculateTaxesRequest: per tax code ID,
// the amounts to apply it to. It documents the body; calculateTaxes
// decodes into calculateTaxesInput, which tells a missing field from a
// zero one.
type calculateTaxesRequest struct {
	AmountsByTaxCodeID map[string][]pleo.TaxedAmount `json:"amountsByTaxCodeId"`
}

// calculateTaxesInput is the decoded CalculateTaxesRequest.
type calculateTaxesInput struct {
	AmountsByTaxCodeID map[string][]struct {
		ID     *string `json:"id"`
		Amount *struct {
			Currency *string `json:"currency"`
			Minors   *int64  `json:"minors"`
		} `json:"amount"`
	} `json:"amountsByTaxCodeId"`
}

// taxes is Pleo's Taxes: one amount's breakdown, with the caller's id.
type taxes struct {
	ID                 string            `json:"id"`
	AmountTaxBreakdown pleo.TaxBreakdown `json:"amountTaxBreakdown"`
}

// calculateTaxesResponse is Pleo's CalculateTaxesResponse: per tax code ID
// (as the request spelled it), the breakdowns in the request's order.
type calculateTaxesResponse struct {
	Taxes map[string][]taxes `json:"taxes"`
}

// Bounds of one calculation (emulator choices; Pleo documents none).
const (
	maxTaxCodesPerCalculation = 100
	maxAmountsPerCalculation  = 1000
)

var calculateTaxesDoc = operation{
	id: "calculateTax", tag: "Tax Codes", summary: "Calculate gross, net, and tax amounts for a list of tax code ids and amounts.",
	body: calculateTaxesRequest{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[calculateTaxesResponse]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// calculateTaxes answers POST /v0/tax-codes:calculate-tax-amounts with the
// gross, net and tax of each amount under its tax code, by the arithmetic
// and rounding of pleo.TaxAmounts. Pleo documents only a default response;
// the emulator answers 200. Every key must be the ID of a tax code the
// token may see (archived ones included), else 404 naming it; at most 100
// tax codes and 1000 amounts (emulator choices). Nothing is stored.
func (a *API) calculateTaxes(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body calculateTaxesInput
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	const field = "amountsByTaxCodeId"
	if body.AmountsByTaxCodeID == nil {
		return badField(field, "is required.")
	}
	if n := len(body.AmountsByTaxCodeID); n > maxTaxCodesPerCalculation {
		return badField(field, "has %d tax codes; at most %d are allowed.", n, maxTaxCodesPerCalculation)
	}
	amounts := 0
	for _, list := range body.AmountsByTaxCodeID {
		amounts += len(list)
	}
	if amounts > maxAmountsPerCalculation {
		return badField(field, "has %d amounts; at most %d are allowed.", amounts, maxAmountsPerCalculation)
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	out := calculateTaxesResponse{Taxes: make(map[string][]taxes, len(body.AmountsByTaxCodeID))}
	for _, key := range slices.Sorted(maps.Keys(body.AmountsByTaxCodeID)) { // sorted: the first error is stable
		if !oauth.IsUUID(key) {
			return badField(field, "keys must be tax code IDs (UUIDs), not %q.", key)
		}
		code, err := a.store.TaxCode(r.Context(), companies, strings.ToLower(key))
		if err != nil {
			return storeError(err, notFound("Tax code "+key+" not found."), "")
		}
		list := body.AmountsByTaxCodeID[key]
		out.Taxes[key] = make([]taxes, 0, len(list))
		for i, in := range list {
			at := fmt.Sprintf("%s[%s][%d]", field, key, i)
			switch {
			case in.ID == nil:
				return badField(at+".id", "is required.")
			case in.Amount == nil:
				return badField(at+".amount", "is required.")
			case in.Amount.Currency == nil:
				return badField(at+".amount.currency", "is required.")
			case in.Amount.Minors == nil:
				return badField(at+".amount.minors", "is required.")
			}
			amount := pleo.TaxedAmount{ID: *in.ID, Amount: pleo.Money{Currency: *in.Amount.Currency, Minors: *in.Amount.Minors}}
			if err := amount.Validate(at); err != nil {
				return storeError(err, nil, "")
			}
			b, err := pleo.TaxAmounts(code, amount.Amount)
			var tooLarge *pleo.FieldError
			if errors.As(err, &tooLarge) && tooLarge.Field == "minors" {
				return badField(at+".amount.minors", "%s.", tooLarge.Message)
			} else if err != nil {
				return err // a stored tax code breaks its rules: a bug, 500
			}
			out.Taxes[key] = append(out.Taxes[key], taxes{ID: amount.ID, AmountTaxBreakdown: b})
		}
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[calculateTaxesResponse]{Data: out})
	return nil
}
