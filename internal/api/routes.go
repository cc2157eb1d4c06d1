package api

import (
	"fmt"
	"net/http"

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
	return []route{
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

		// Export jobs v3 and export items.
		{method: get, pattern: "/v3/export-jobs", handle: a.listExportJobs, doc: listExportJobsDoc},
		{method: post, pattern: "/v3/export-jobs", handle: a.createExportJob, doc: createExportJobDoc},
		{method: get, pattern: "/v3/export-jobs/{jobId}", handle: a.getExportJob, doc: getExportJobDoc},
		{method: get, pattern: "/v3/export-jobs/{jobId}/items", handle: a.listExportJobItems, doc: listExportJobItemsDoc},
		{method: put, pattern: "/v3/export-jobs/{jobId}/items", handle: a.updateExportJobItems, doc: updateExportJobItemsDoc},
		{method: post, pattern: "/v3/export-job-events", handle: a.createExportJobEvent, doc: createExportJobEventDoc},
		{method: get, pattern: "/v3/export-items", handle: a.listExportItems, doc: listExportItemsDoc},

		// Tag groups and tags.
		{method: get, pattern: "/v0/tag-groups", handle: a.listTagGroups, doc: listTagGroupsDoc},
		{method: post, pattern: "/v0/tag-groups", handle: a.createTagGroup, doc: createTagGroupDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}", handle: a.getTagGroup, doc: getTagGroupDoc},
		{method: put, pattern: "/v0/tag-groups/{groupId}", handle: a.updateTagGroup, doc: updateTagGroupDoc},
		{method: del, pattern: "/v0/tag-groups/{groupId}", handle: a.deleteTagGroup, doc: deleteTagGroupDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}/tags", handle: a.listGroupTags, doc: listGroupTagsDoc},
		{method: post, pattern: "/v0/tag-groups/{groupId}/tags", handle: a.createTag, doc: createTagDoc},
		{method: get, pattern: "/v0/tags", handle: a.searchTags, doc: searchTagsDoc},
		{method: get, pattern: "/v0/tags/{tagId}", handle: a.getTag, doc: getTagDoc},
		{method: put, pattern: "/v0/tags/{tagId}", handle: a.updateTag, doc: updateTagDoc},
		{method: del, pattern: "/v0/tags/{tagId}", handle: a.deleteTag, doc: deleteTagDoc},

		// Tax codes.
		{method: post, pattern: "/v0/tax-codes", handle: a.createTaxCode, doc: createTaxCodeDoc},
		{method: get, pattern: "/v0/tax-codes/{taxCodeId}", handle: a.getTaxCode, doc: getTaxCodeDoc},
		{method: put, pattern: "/v0/tax-codes/{taxCodeId}", handle: a.updateTaxCode, doc: updateTaxCodeDoc},
		{method: del, pattern: "/v0/tax-codes/{taxCodeId}", handle: a.deleteTaxCode, doc: deleteTaxCodeDoc},
		{method: post, pattern: "/v0/tax-codes:search", handle: a.searchTaxCodes, doc: searchTaxCodesDoc},

		// Vendors.
		{method: post, pattern: "/v1/vendors", handle: a.createVendor, doc: createVendorDoc},
		{method: post, pattern: "/v1/vendors:search", handle: a.searchVendors, doc: searchVendorsDoc},
		{method: get, pattern: "/v1/vendors/{id}", handle: a.getVendor, doc: getVendorDoc},
		{method: put, pattern: "/v1/vendors/{id}", handle: a.updateVendor, doc: updateVendorDoc},
		{method: post, pattern: "/v1/vendors/{id}:archive", handle: a.archiveVendor, doc: archiveVendorDoc},
		{method: post, pattern: "/v1/vendors/{id}:activate", handle: a.activateVendor, doc: activateVendorDoc},

		// Chart of accounts.
		{method: post, pattern: "/v1/chart-of-accounts", handle: a.createAccount, doc: createAccountDoc},
		{method: get, pattern: "/v1/chart-of-accounts/{accountId}", handle: a.getAccount, doc: getAccountDoc},
		{method: put, pattern: "/v1/chart-of-accounts/{accountId}", handle: a.updateAccount, doc: updateAccountDoc},
		{method: del, pattern: "/v1/chart-of-accounts/{accountId}", handle: a.deleteAccount, doc: deleteAccountDoc},
		{method: post, pattern: "/v1/chart-of-accounts:search", handle: a.searchAccounts, doc: searchAccountsDoc},
	}
}
