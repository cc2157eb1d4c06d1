package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// handler serves one route for a verified principal. A returned error is
// rendered by writeError; a handler returns an error only before writing.
type handler func(w http.ResponseWriter, r *http.Request, p oauth.Principal) error

// route is one row of the route table.
type route struct {
	method  string
	pattern string // chi pattern, equal to the OpenAPI path template
	// anyToken marks a route any valid token may call. It must agree with
	// the scope catalogue (internal/oauth/scopes.go), which gives every other
	// route its scope: New panics when they disagree, so a route forgotten
	// in the catalogue can never be served without a scope check.
	anyToken bool
	handle   handler
	doc      operation // OpenAPI description, kept next to the handler
}

// scope returns the scope the catalogue assigns to the route ("" for none).
func (rt route) scope() string { return oauth.RouteScope(rt.method + " " + rt.pattern) }

func (rt route) checkScope() error {
	switch s := rt.scope(); {
	case s == "" && !rt.anyToken:
		return fmt.Errorf("api: route %s %s has no scope in the catalogue; add it to internal/oauth/scopes.go or mark it anyToken",
			rt.method, rt.pattern)
	case s != "" && rt.anyToken:
		return fmt.Errorf("api: route %s %s is marked anyToken but the catalogue guards it with %q", rt.method, rt.pattern, s)
	}
	return nil
}

// table is every route of the API: the one place listing method, path,
// handler and documentation. Scopes come from the catalogue.
func (a *API) table() []route {
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	core := []route{
		{method: get, pattern: "/v1/introspect", anyToken: true, handle: a.introspect, doc: introspectDoc},

		{method: get, pattern: "/v2/employees", handle: a.listEmployees, doc: listEmployeesDoc},
		{method: get, pattern: "/v2/employees/{employeeId}", handle: a.getEmployee, doc: getEmployeeDoc},

		{method: get, pattern: "/v1/companies", handle: a.listCompanies, doc: listCompaniesDoc},
		{method: get, pattern: "/v1/companies/{companyId}", handle: a.getCompany, doc: getCompanyDoc},

		{method: post, pattern: "/v1/accounting-entries:search", handle: a.searchEntries, doc: searchEntriesDoc},
		{method: get, pattern: "/v1/accounting-entries/{accountingEntryId}", handle: a.getEntry, doc: getEntryDoc},

		{method: get, pattern: "/v1/installations/me", anyToken: true, handle: a.getInstallation, doc: getInstallationDoc},
		{method: post, pattern: "/v1/installations/me", anyToken: true, handle: a.createInstallation, doc: createInstallationDoc},
		{method: put, pattern: "/v1/installations/me", anyToken: true, handle: a.updateInstallation, doc: updateInstallationDoc},
		{method: del, pattern: "/v1/installations/me", anyToken: true, handle: a.deleteInstallation, doc: deleteInstallationDoc},
		{method: post, pattern: "/v1/installations/me:activate", anyToken: true, handle: a.activateInstallation, doc: activateInstallationDoc},
	}
	return slices.Concat(core, a.exportRoutes(), a.tagRoutes(), a.taxCodeRoutes(), a.vendorRoutes(), a.accountRoutes())
}
