package api

import (
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// employeesList pages GET /v2/employees: by id unless sorted otherwise.
var employeesList = listSpec{sortKeys: store.EmployeeSortKeys, defaultSort: []store.Sort{{Key: "id"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

var listEmployeesDoc = operation{
	id: "searchEmployees", tag: "Employees", summary: "Search for employees",
	params: append([]param{
		queryUUID("companyId", "Only employees of this company. Without it, every employee the token can see."),
		queryString("email", "Only the employee with this email (ignoring case)."),
		queryString("code", "Only the employee with this external ID."),
	}, pagingParams(employeesList)...),
	status: http.StatusOK, response: pageResponse[pleo.Employee]{}, errors: []int{http.StatusBadRequest},
}

// listEmployees answers GET /v2/employees.
func (a *API) listEmployees(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, employeesList)
	if err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "companyId"})
	if err != nil {
		return err
	}
	page, err := a.store.Employees(r.Context(), store.EmployeeFilter{CompanyIDs: companies, Email: q.Get("email"), Code: q.Get("code")}, pq.req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "companyId", "email", "code")))
	return nil
}

var getEmployeeDoc = operation{
	id: "getEmployee", tag: "Employees", summary: "Get an employee by ID",
	params: []param{pathParam("employeeId", "The employee ID.")},
	status: http.StatusOK, response: dataResponse[pleo.Employee]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getEmployee answers GET /v2/employees/{employeeId}.
func (a *API) getEmployee(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "employeeId")
	if err != nil {
		return err
	}
	missing := notFound("Employee with given ID not found.")
	e, err := a.store.Employee(r.Context(), id)
	if err != nil {
		return storeError(err, missing, "")
	}
	if err := a.mustSee(r.Context(), p, e.CompanyID, missing); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.Employee]{Data: e})
	return nil
}
