package api

import (
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Vendors (/v1/vendors): the suppliers a company buys from, kept in sync
// with the ERP. A vendor is DRAFT until the ERP knows it (no externalId),
// ACTIVE once it does, and ARCHIVED when retired. Within a company a
// vendor's identity is its externalId, or its name (ignoring case) while it
// has none: creating a vendor that exists is 409.

// vendorsList pages POST /v1/vendors:search: oldest first (createdAt, then
// id). Pleo documents no sorting keys; createdAt and id are accepted.
var vendorsList = listSpec{sortKeys: store.VendorSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// vendorCreateRequest is Pleo's VendorCreateRequest.
type vendorCreateRequest struct {
	CompanyID             string `json:"companyId" format:"uuid"`
	Name                  string `json:"name"`
	DefaultCurrency       string `json:"defaultCurrency"`
	Code                  string `json:"code,omitempty"`
	Country               string `json:"country,omitempty"`
	ExternalID            string `json:"externalId,omitempty"`
	RegistrationNumber    string `json:"registrationNumber,omitempty"`
	TaxRegistrationNumber string `json:"taxRegistrationNumber,omitempty"`
}

// vendorUpdateRequest is Pleo's VendorUpdateRequest: externalId and state
// are required here.
type vendorUpdateRequest struct {
	CompanyID             string `json:"companyId" format:"uuid"`
	Name                  string `json:"name"`
	DefaultCurrency       string `json:"defaultCurrency"`
	ExternalID            string `json:"externalId"`
	State                 string `json:"state"`
	Code                  string `json:"code,omitempty"`
	Country               string `json:"country,omitempty"`
	RegistrationNumber    string `json:"registrationNumber,omitempty"`
	TaxRegistrationNumber string `json:"taxRegistrationNumber,omitempty"`
}

// vendorSearchRequest is Pleo's VendorSearchRequestV1.
type vendorSearchRequest struct {
	IDs                    []string `json:"ids,omitempty" format:"uuid"`
	Codes                  []string `json:"codes,omitempty"`
	ExternalIDs            []string `json:"externalIds,omitempty"`
	AccountingSystems      []string `json:"accountingSystems,omitempty"`
	Countries              []string `json:"countries,omitempty"`
	TaxRegistrationNumbers []string `json:"taxRegistrationNumbers,omitempty"`
	States                 []string `json:"states,omitempty"`
	Name                   *string  `json:"name,omitempty"`
}

// activateVendorEventRequest is Pleo's ActivateVendorEventRequest.
type activateVendorEventRequest struct {
	ExternalID string `json:"externalId"`
	Code       string `json:"code,omitempty"`
}

var vendorNotFound = notFound("Vendor not found.")

var createVendorDoc = operation{
	id: "postVendor", tag: "Vendors", summary: "Create a new vendor",
	body: vendorCreateRequest{}, bodyRequired: true,
	status: http.StatusCreated, response: dataResponse[pleo.Vendor]{},
	errors: []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createVendor answers POST /v1/vendors with 201, or 409 when the company
// has the vendor already. The vendor starts ACTIVE when it has an
// externalId (it exists in the ERP) and DRAFT otherwise. The vendor rules
// (pleo.Vendor.Validate) are checked before the company.
func (a *API) createVendor(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[vendorCreateRequest](w, r, true, "companyId", "name", "defaultCurrency")
	if err != nil {
		return err
	}
	v := pleo.Vendor{Name: b.Name, DefaultCurrency: b.DefaultCurrency, Code: b.Code, Country: b.Country,
		ExternalID: b.ExternalID, RegistrationNumber: b.RegistrationNumber, TaxRegistrationNumber: b.TaxRegistrationNumber}
	if err := v.Validate(); err != nil {
		return storeError(err, nil, "") // the 400 the store would answer
	}
	if v.CompanyID, err = a.bodyCompany(r.Context(), p, "companyId", b.CompanyID); err != nil {
		return err
	}
	v, err = a.store.CreateVendor(r.Context(), v, a.clock.Now())
	if err != nil {
		return storeError(err, notFound("Company not found."), "Vendor already exists.")
	}
	writeJSON(w, http.StatusCreated, contentTypeJSON, dataResponse[pleo.Vendor]{Data: v})
	return nil
}

var searchVendorsDoc = operation{
	id: "searchVendors", tag: "Vendors", summary: "Fetches vendors by search criteria",
	params: append([]param{
		func() param {
			p := queryUUID("company_id", "The company whose vendors to search. Required.")
			p.required = true
			return p
		}(),
	}, pagingParams(vendorsList)...),
	body: vendorSearchRequest{}, bodyEnums: map[string][]string{"states": pleo.VendorStates},
	status: http.StatusOK, response: pageResponse[pleo.Vendor]{},
	errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// searchVendors answers POST /v1/vendors:search. company_id is required
// from every caller, as Pleo declares it; the body is optional.
func (a *API) searchVendors(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body vendorSearchRequest
	if err := decodeBody(w, r, &body, false); err != nil {
		return err
	}
	q := r.URL.Query()
	if !q.Has("company_id") {
		return badParam("company_id", "is required.")
	}
	pq, err := parsePageQuery(q, vendorsList)
	if err != nil {
		return err
	}
	f, err := body.filter()
	if err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.SearchVendors(r.Context(), companies, f, pq.req)
	if err != nil {
		return storeError(err, nil, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id")))
	return nil
}

// filter validates the search request: at most 100 values per list (4
// states), UUIDs, known countries and states.
func (b vendorSearchRequest) filter() (store.VendorFilter, error) {
	var f store.VendorFilter
	var err error
	if f.IDs, err = uuidList("ids", b.IDs, 100); err != nil {
		return f, err
	}
	lists := []struct {
		field  string
		values []string
		max    int
		dst    *[]string
		check  func(string) bool
		expect string
	}{
		{"codes", b.Codes, 100, &f.Codes, nil, ""},
		{"externalIds", b.ExternalIDs, 100, &f.ExternalIDs, nil, ""},
		{"accountingSystems", b.AccountingSystems, 100, &f.AccountingSystems, nil, ""},
		{"countries", b.Countries, 100, &f.Countries, pleo.ValidCountryCode, "one of Pleo's CountryCode values"},
		{"taxRegistrationNumbers", b.TaxRegistrationNumbers, 100, &f.TaxRegistrationNumbers, nil, ""},
		{"states", b.States, 4, &f.States, nil, ""}, // each a VendorState: pleo.ValidateVendorStates below
	}
	for _, l := range lists {
		if err := checkList(l.field, l.values, l.max, l.check, l.expect); err != nil {
			return f, err
		}
		*l.dst = l.values
	}
	if err := pleo.ValidateVendorStates(f.States); err != nil {
		return f, storeError(err, nil, "")
	}
	if b.Name != nil {
		f.Name = *b.Name
	}
	return f, nil
}

var getVendorDoc = operation{
	id: "getVendorById", tag: "Vendors", summary: "Retrieves a vendor by its id",
	params: []param{pathParam("id", "The vendor ID.")},
	status: http.StatusOK, response: dataResponse[pleo.Vendor]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getVendor answers GET /v1/vendors/{id}.
func (a *API) getVendor(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "id", a.store.Vendor, vendorNotFound, contentTypeJSON)
}

var updateVendorDoc = operation{
	id: "updateVendor", tag: "Vendors", summary: "Update a vendor",
	params: []param{pathParam("id", "The vendor ID.")},
	body:   vendorUpdateRequest{}, bodyRequired: true, bodyEnums: map[string][]string{"state": pleo.VendorStates},
	status: http.StatusOK, response: dataResponse[pleo.Vendor]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// updateVendor answers PUT /v1/vendors/{id}: every field of the body is
// replaced (absent optional fields are cleared; accountingSystem is kept).
// The vendor rules (pleo.Vendor.ValidateUpdate) are checked before the
// company, which must be the vendor's; an externalId another vendor of the
// company has is 409.
func (a *API) updateVendor(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	b, err := readFields[vendorUpdateRequest](w, r, true, "companyId", "name", "defaultCurrency", "externalId", "state")
	if err != nil {
		return err
	}
	v := pleo.Vendor{ID: id, Name: b.Name, DefaultCurrency: b.DefaultCurrency, ExternalID: b.ExternalID, State: b.State,
		Code: b.Code, Country: b.Country, RegistrationNumber: b.RegistrationNumber, TaxRegistrationNumber: b.TaxRegistrationNumber}
	if err := v.ValidateUpdate(); err != nil {
		return storeError(err, nil, "")
	}
	if v.CompanyID, err = a.bodyCompany(r.Context(), p, "companyId", b.CompanyID); err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	v, err = a.store.UpdateVendor(r.Context(), companies, v, a.clock.Now())
	if err != nil {
		return storeError(err, vendorNotFound, "Conflicting vendor update: another vendor of the company has the externalId "+b.ExternalID+".")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.Vendor]{Data: v})
	return nil
}

var archiveVendorDoc = operation{
	id: "archiveVendorById", tag: "Vendors", summary: "Archive a vendor",
	params: []param{pathParam("id", "The vendor ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// archiveVendor answers POST /v1/vendors/{id}:archive with 204: the state
// becomes ARCHIVED. A body, if any, is ignored.
func (a *API) archiveVendor(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if _, err := a.store.ArchiveVendor(r.Context(), companies, id, a.clock.Now()); err != nil {
		return storeError(err, vendorNotFound, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var activateVendorDoc = operation{
	id: "activateVendor", tag: "Vendors", summary: "Activate a vendor: record that it exists in the ERP",
	params: []param{pathParam("id", "The vendor ID.")},
	body:   activateVendorEventRequest{}, bodyRequired: true,
	status: http.StatusNoContent,
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// activateVendor answers POST /v1/vendors/{id}:activate with 204: the
// vendor gets the ERP's externalId (and code, when given) and becomes
// ACTIVE. An externalId another vendor of the company has is 409.
func (a *API) activateVendor(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	b, err := readFields[activateVendorEventRequest](w, r, true, "externalId")
	if err != nil {
		return err
	}
	if err := pleo.ValidateVendorExternalID(b.ExternalID); err != nil {
		return storeError(err, nil, "")
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if _, err := a.store.ActivateVendor(r.Context(), companies, id, b.ExternalID, b.Code, a.clock.Now()); err != nil {
		return storeError(err, vendorNotFound, "Another vendor of the company has the externalId "+b.ExternalID+".")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
