package api

import (
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// companiesList pages GET /v1/companies: by id unless sorted otherwise.
var companiesList = listSpec{sortKeys: store.CompanySortKeys, defaultSort: []store.Sort{{Key: "id"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

var listCompaniesDoc = operation{
	id: "searchCompanies", tag: "Companies", summary: "Search for companies",
	params: append([]param{
		queryUUID("organization_id", "Only companies of this organisation (which must be the token's)."),
	}, pagingParams(companiesList)...),
	status: http.StatusOK, response: pageResponse[pleo.Company]{}, errors: []int{http.StatusBadRequest},
}

// listCompanies answers GET /v1/companies: the companies the token can see.
func (a *API) listCompanies(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, companiesList)
	if err != nil {
		return err
	}
	ids, err := a.companiesFor(r.Context(), p, q, companySelector{organization: "organization_id"})
	if err != nil {
		return err
	}
	page, err := a.store.CompanyPage(r.Context(), ids, pq.req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "organization_id")))
	return nil
}

var getCompanyDoc = operation{
	id: "getCompany", tag: "Companies", summary: "Get a company by ID",
	params: []param{pathParam("companyId", "The company ID.")},
	status: http.StatusOK, response: dataResponse[pleo.Company]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getCompany answers GET /v1/companies/{companyId}.
func (a *API) getCompany(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "companyId")
	if err != nil {
		return err
	}
	missing := notFound("Company with given ID not found.")
	if err := a.mustSee(r.Context(), p, id, missing); err != nil {
		return err
	}
	c, err := a.store.Company(r.Context(), id)
	if err != nil {
		return storeError(err, missing, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.Company]{Data: c})
	return nil
}
