package api

import (
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
	// scope is the scope a token needs, from the catalogue in
	// internal/oauth; "" only with anyToken.
	scope string
	// anyToken marks a route any valid token may call. A row has a scope or
	// anyToken, never both and never neither (TestEveryRouteSaysWhoMayCallIt).
	anyToken bool
	handle   handler
	doc      operation // OpenAPI description, kept next to the handler
}

// table is every route of the API: the one place listing method, path,
// scope, handler and documentation.
func (a *API) table() []route {
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []route{
		{method: get, pattern: "/v1/introspect", anyToken: true, handle: a.introspect, doc: introspectDoc},

		{method: get, pattern: "/v2/employees", scope: oauth.UsersRead, handle: a.listEmployees, doc: listEmployeesDoc},
		{method: get, pattern: "/v2/employees/{employeeId}", scope: oauth.UsersRead, handle: a.getEmployee, doc: getEmployeeDoc},

		{method: get, pattern: "/v1/companies", scope: oauth.CompaniesRead, handle: a.listCompanies, doc: listCompaniesDoc},
		{method: get, pattern: "/v1/companies/{companyId}", scope: oauth.CompaniesRead, handle: a.getCompany, doc: getCompanyDoc},

		{method: post, pattern: "/v1/accounting-entries:search", scope: oauth.AccountingEntriesRead, handle: a.searchEntries, doc: searchEntriesDoc},
		{method: get, pattern: "/v1/accounting-entries/{accountingEntryId}", scope: oauth.AccountingEntriesRead, handle: a.getEntry, doc: getEntryDoc},

		{method: get, pattern: "/v1/installations/me", anyToken: true, handle: a.getInstallation, doc: getInstallationDoc},
		{method: post, pattern: "/v1/installations/me", anyToken: true, handle: a.createInstallation, doc: createInstallationDoc},
		{method: put, pattern: "/v1/installations/me", anyToken: true, handle: a.updateInstallation, doc: updateInstallationDoc},
		{method: del, pattern: "/v1/installations/me", anyToken: true, handle: a.deleteInstallation, doc: deleteInstallationDoc},
		{method: post, pattern: "/v1/installations/me:activate", anyToken: true, handle: a.activateInstallation, doc: activateInstallationDoc},

		// Export jobs v3 and export items.
		{method: get, pattern: "/v3/export-jobs", scope: oauth.ExportJobsRead, handle: a.listExportJobs, doc: listExportJobsDoc},
		{method: post, pattern: "/v3/export-jobs", scope: oauth.ExportJobsWrite, handle: a.createExportJob, doc: createExportJobDoc},
		{method: get, pattern: "/v3/export-jobs/{jobId}", scope: oauth.ExportJobsRead, handle: a.getExportJob, doc: getExportJobDoc},
		{method: get, pattern: "/v3/export-jobs/{jobId}/items", scope: oauth.ExportJobsRead, handle: a.listExportJobItems, doc: listExportJobItemsDoc},
		{method: put, pattern: "/v3/export-jobs/{jobId}/items", scope: oauth.ExportJobsWrite, handle: a.updateExportJobItems, doc: updateExportJobItemsDoc},
		{method: post, pattern: "/v3/export-job-events", scope: oauth.ExportJobsWrite, handle: a.createExportJobEvent, doc: createExportJobEventDoc},
		{method: get, pattern: "/v3/export-items", scope: oauth.ExportItemsRead, handle: a.listExportItems, doc: listExportItemsDoc},

		// Tag groups and tags.
		{method: get, pattern: "/v0/tag-groups", scope: oauth.TagGroupsRead, handle: a.listTagGroups, doc: listTagGroupsDoc},
		{method: post, pattern: "/v0/tag-groups", scope: oauth.TagGroupsWrite, handle: a.createTagGroup, doc: createTagGroupDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}", scope: oauth.TagGroupsRead, handle: a.getTagGroup, doc: getTagGroupDoc},
		{method: put, pattern: "/v0/tag-groups/{groupId}", scope: oauth.TagGroupsWrite, handle: a.updateTagGroup, doc: updateTagGroupDoc},
		{method: del, pattern: "/v0/tag-groups/{groupId}", scope: oauth.TagGroupsWrite, handle: a.deleteTagGroup, doc: deleteTagGroupDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}/tags", scope: oauth.TagGroupsRead, handle: a.listGroupTags, doc: listGroupTagsDoc},
		{method: post, pattern: "/v0/tag-groups/{groupId}/tags", scope: oauth.TagGroupsWrite, handle: a.createTag, doc: createTagDoc},
		{method: get, pattern: "/v0/tags", scope: oauth.TagGroupsRead, handle: a.searchTags, doc: searchTagsDoc},
		{method: get, pattern: "/v0/tags/{tagId}", scope: oauth.TagGroupsRead, handle: a.getTag, doc: getTagDoc},
		{method: put, pattern: "/v0/tags/{tagId}", scope: oauth.TagGroupsWrite, handle: a.updateTag, doc: updateTagDoc},
		{method: del, pattern: "/v0/tags/{tagId}", scope: oauth.TagGroupsWrite, handle: a.deleteTag, doc: deleteTagDoc},
		{method: post, pattern: "/v0/tags:search", scope: oauth.TagGroupsRead, handle: a.searchTagsPost, doc: searchTagsPostDoc},
		{method: post, pattern: "/v0/tags/archive", scope: oauth.TagGroupsWrite, handle: a.bulkArchiveTags, doc: bulkArchiveTagsDoc},
		{method: del, pattern: "/v0/tags", scope: oauth.TagGroupsWrite, handle: a.bulkDeleteTags, doc: bulkDeleteTagsDoc},

		// Tax codes.
		{method: post, pattern: "/v0/tax-codes", scope: oauth.TaxCodesWrite, handle: a.createTaxCode, doc: createTaxCodeDoc},
		{method: get, pattern: "/v0/tax-codes/{taxCodeId}", scope: oauth.TaxCodesRead, handle: a.getTaxCode, doc: getTaxCodeDoc},
		{method: put, pattern: "/v0/tax-codes/{taxCodeId}", scope: oauth.TaxCodesWrite, handle: a.updateTaxCode, doc: updateTaxCodeDoc},
		{method: del, pattern: "/v0/tax-codes/{taxCodeId}", scope: oauth.TaxCodesWrite, handle: a.deleteTaxCode, doc: deleteTaxCodeDoc},
		{method: post, pattern: "/v0/tax-codes:search", scope: oauth.TaxCodesRead, handle: a.searchTaxCodes, doc: searchTaxCodesDoc},

		// Vendors.
		{method: post, pattern: "/v1/vendors", scope: oauth.VendorsWrite, handle: a.createVendor, doc: createVendorDoc},
		{method: post, pattern: "/v1/vendors:search", scope: oauth.VendorsRead, handle: a.searchVendors, doc: searchVendorsDoc},
		{method: get, pattern: "/v1/vendors/{id}", scope: oauth.VendorsRead, handle: a.getVendor, doc: getVendorDoc},
		{method: put, pattern: "/v1/vendors/{id}", scope: oauth.VendorsWrite, handle: a.updateVendor, doc: updateVendorDoc},
		{method: post, pattern: "/v1/vendors/{id}:archive", scope: oauth.VendorsWrite, handle: a.archiveVendor, doc: archiveVendorDoc},
		{method: post, pattern: "/v1/vendors/{id}:activate", scope: oauth.VendorsWrite, handle: a.activateVendor, doc: activateVendorDoc},

		// Vendor CSV import jobs (Pleo marks them internal; served all the same).
		{method: post, pattern: "/v1/vendors/csv-import/jobs", scope: oauth.VendorsWrite, handle: a.createCsvImportJob, doc: createCsvImportJobDoc},
		{method: post, pattern: "/v1/vendors/csv-import/jobs:search", scope: oauth.VendorsRead, handle: a.searchCsvImportJobs, doc: searchCsvImportJobsDoc},
		{method: get, pattern: "/v1/vendors/csv-import/jobs/{jobId}", scope: oauth.VendorsRead, handle: a.getCsvImportJob, doc: getCsvImportJobDoc},
		{method: get, pattern: "/v1/vendors/csv-import/jobs/{jobId}/errors", scope: oauth.VendorsRead, handle: a.listCsvImportErrors, doc: listCsvImportErrorsDoc},
		{method: put, pattern: "/v1/vendors/csv-import/jobs/{jobId}/metadata", scope: oauth.VendorsWrite, handle: a.updateCsvImportMetadata, doc: updateCsvImportMetadataDoc},
		{method: put, pattern: "/v1/vendors/csv-import/jobs/{jobId}/status", scope: oauth.VendorsWrite, handle: a.updateCsvImportStatus, doc: updateCsvImportStatusDoc},
		{method: post, pattern: "/v1/vendors/csv-import/jobs/{jobId}:get-presigned-url", scope: oauth.VendorsWrite, handle: a.presignCsvImport, doc: presignCsvImportDoc},
		{method: post, pattern: "/v1/vendors/csv-import/jobs/{jobId}:run", scope: oauth.VendorsWrite, handle: a.runCsvImport, doc: runCsvImportDoc},

		// Chart of accounts.
		{method: post, pattern: "/v1/chart-of-accounts", scope: oauth.AccountsWrite, handle: a.createAccount, doc: createAccountDoc},
		{method: get, pattern: "/v1/chart-of-accounts/{accountId}", scope: oauth.AccountsRead, handle: a.getAccount, doc: getAccountDoc},
		{method: put, pattern: "/v1/chart-of-accounts/{accountId}", scope: oauth.AccountsWrite, handle: a.updateAccount, doc: updateAccountDoc},
		{method: del, pattern: "/v1/chart-of-accounts/{accountId}", scope: oauth.AccountsWrite, handle: a.deleteAccount, doc: deleteAccountDoc},
		{method: post, pattern: "/v1/chart-of-accounts:search", scope: oauth.AccountsRead, handle: a.searchAccounts, doc: searchAccountsDoc},

		// Webhook subscriptions (scopes: see subscriptions.go).
		{method: get, pattern: "/v1/subscriptions", scope: oauth.ExportJobsRead, handle: a.listSubscriptions, doc: listSubscriptionsDoc},
		{method: post, pattern: "/v1/subscriptions", scope: oauth.ExportJobsRead, handle: a.createSubscription, doc: createSubscriptionDoc},
		{method: get, pattern: "/v1/subscriptions/{id}", scope: oauth.ExportJobsRead, handle: a.getSubscription, doc: getSubscriptionDoc},
		{method: put, pattern: "/v1/subscriptions/{id}", scope: oauth.ExportJobsRead, handle: a.updateSubscription, doc: updateSubscriptionDoc},
		{method: del, pattern: "/v1/subscriptions/{id}", scope: oauth.ExportJobsRead, handle: a.deleteSubscription, doc: deleteSubscriptionDoc},
		{method: get, pattern: "/v1/subscriptions/{id}/activities", scope: oauth.ExportJobsRead, handle: a.listSubscriptionActivities, doc: listSubscriptionActivitiesDoc},
		{method: get, pattern: "/v1/subscriptions/{id}/secret", scope: oauth.ExportJobsRead, handle: a.getSubscriptionSecret, doc: getSubscriptionSecretDoc},

		// Receipts and the deprecated core shape of accounting entries; export
		// job items by accounting entry. Appended last: the fuzz corpus names
		// write routes by their index in this table.
		{method: post, pattern: "/v1/accounting-entries/receipts:search", scope: oauth.AccountingEntriesRead, handle: a.searchReceipts, doc: searchReceiptsDoc},
		{method: get, pattern: "/v1/accounting-entries/{accountingEntryId}/receipts", scope: oauth.AccountingEntriesRead, handle: a.listEntryReceipts, doc: listEntryReceiptsDoc},
		{method: get, pattern: "/v1/accounting-entries/{accountingEntryId}/receipts/{receiptId}", scope: oauth.AccountingEntriesRead, handle: a.getEntryReceipt, doc: getEntryReceiptDoc},
		{method: post, pattern: "/v1/accounting-entries/core:search", scope: oauth.AccountingEntriesRead, handle: a.searchEntriesCore, doc: searchEntriesCoreDoc},
		{method: get, pattern: "/v1/accounting-entries/{accountingEntryId}/core", scope: oauth.AccountingEntriesRead, handle: a.getEntryCore, doc: getEntryCoreDoc},
		{method: get, pattern: "/v3/export-job-items", scope: oauth.ExportJobsRead, handle: a.getExportJobItemByEntry, doc: getExportJobItemByEntryDoc},
		{method: post, pattern: "/v3/export-job-items:search", scope: oauth.ExportJobsRead, handle: a.searchExportJobItems, doc: searchExportJobItemsDoc},

		// Tag group dimensions and usage, tag dimension values, aggregations.
		{method: get, pattern: "/v0/tag-groups/{groupId}/dimensions", scope: oauth.TagGroupsRead, handle: a.listTagGroupDimensions, doc: listTagGroupDimensionsDoc},
		{method: post, pattern: "/v0/tag-groups/{groupId}/dimensions", scope: oauth.TagGroupsWrite, handle: a.createTagGroupDimension, doc: createTagGroupDimensionDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}/dimensions/{dimensionId}", scope: oauth.TagGroupsRead, handle: a.getTagGroupDimension, doc: getTagGroupDimensionDoc},
		{method: put, pattern: "/v0/tag-groups/{groupId}/dimensions/{dimensionId}", scope: oauth.TagGroupsWrite, handle: a.updateTagGroupDimension, doc: updateTagGroupDimensionDoc},
		{method: del, pattern: "/v0/tag-groups/{groupId}/dimensions/{dimensionId}", scope: oauth.TagGroupsWrite, handle: a.deleteTagGroupDimension, doc: deleteTagGroupDimensionDoc},
		{method: get, pattern: "/v0/tag-groups/{groupId}/usage", scope: oauth.TagGroupsRead, handle: a.tagGroupUsage, doc: tagGroupUsageDoc},
		{method: get, pattern: "/v0/tags/{tagId}/dimensions", scope: oauth.TagGroupsRead, handle: a.listTagDimensionValues, doc: listTagDimensionValuesDoc},
		{method: get, pattern: "/v0/tags/{tagId}/dimensions/{dimensionId}", scope: oauth.TagGroupsRead, handle: a.getTagDimensionValue, doc: getTagDimensionValueDoc},
		{method: post, pattern: "/v0/tags/{tagId}/dimensions/{dimensionId}", scope: oauth.TagGroupsWrite, handle: a.createTagDimensionValue, doc: createTagDimensionValueDoc},
		{method: put, pattern: "/v0/tags/{tagId}/dimensions/{dimensionId}", scope: oauth.TagGroupsWrite, handle: a.updateTagDimensionValue, doc: updateTagDimensionValueDoc},
		{method: del, pattern: "/v0/tags/{tagId}/dimensions/{dimensionId}", scope: oauth.TagGroupsWrite, handle: a.deleteTagDimensionValue, doc: deleteTagDimensionValueDoc},
		{method: get, pattern: "/v0/aggregations/tag-groups", scope: oauth.TagGroupsRead, handle: a.aggregatedTagGroups, doc: aggregatedTagGroupsDoc},
		{method: post, pattern: "/v0/aggregations/tags", scope: oauth.TagGroupsRead, handle: a.aggregatedTags, doc: aggregatedTagsDoc},
		// Tax amounts, the deprecated installation completions and the older
		// v1-beta accounts.
		{method: post, pattern: "/v0/tax-codes:calculate-tax-amounts", scope: oauth.TaxCodesRead, handle: a.calculateTaxes, doc: calculateTaxesDoc},
		{method: put, pattern: "/v1/installations/completions", anyToken: true, handle: a.completeInstallation, doc: completeInstallationDoc},
		{method: post, pattern: "/v1/chart-of-accounts/batch", scope: oauth.AccountsWrite, handle: a.createAccountsBatch, doc: createAccountsBatchDoc},
		{method: post, pattern: "/v1-beta/accounts", scope: oauth.AccountsWrite, handle: a.createAccount, doc: createAccountV4Doc},
		{method: get, pattern: "/v1-beta/accounts/{accountId}", scope: oauth.AccountsRead, handle: a.getAccount, doc: getAccountV4Doc},
		{method: put, pattern: "/v1-beta/accounts/{accountId}", scope: oauth.AccountsWrite, handle: a.updateAccount, doc: updateAccountV4Doc},
		{method: del, pattern: "/v1-beta/accounts/{accountId}", scope: oauth.AccountsWrite, handle: a.deleteAccount, doc: deleteAccountV4Doc},
		{method: post, pattern: "/v1-beta/accounts:search", scope: oauth.AccountsRead, handle: a.searchAccounts, doc: searchAccountsV4Doc},
	}
}
