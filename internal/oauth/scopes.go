// Package oauth holds the emulator's OAuth 2.0 domain rules: the scope
// catalogue, PKCE, redirect URI matching, subject URNs and the RFC 6749 error
// vocabulary. It imports neither net/http nor database/sql.
package oauth

import (
	"slices"
	"strings"
)

// ScopeSource says how sure the emulator is that Pleo uses a scope name.
type ScopeSource string

const (
	// SourcePleoDocs: the scope is listed on Pleo's developer documentation.
	SourcePleoDocs ScopeSource = "pleo-docs"
	// SourceThirdParty: seen only in a third-party Pleo client.
	SourceThirdParty ScopeSource = "third-party-client"
	// SourceEmulatorGuess: Pleo documents no scope for this API; the name is the emulator's guess.
	SourceEmulatorGuess ScopeSource = "emulator-guess"
)

// Scope is one entry of the scope catalogue.
type Scope struct {
	Name        string
	Description string      // shown on the consent screen
	Routes      []string    // API routes the scope guards, "METHOD /path"
	Source      ScopeSource // where the name comes from
}

// catalogue is the single list of scopes the emulator knows. Every other
// part of the emulator (client validation, consent screen, API guards,
// metadata, README) reads it through Scopes, LookupScope or RouteScope.
var catalogue = []Scope{
	{Name: "users:read", Description: "See the employees of the company: names, emails, codes and job titles.", Source: SourcePleoDocs,
		Routes: []string{"GET /v2/employees", "GET /v2/employees/{employeeId}"}},
	{Name: "companies:read", Description: "See the company's name, address and registration number.", Source: SourceThirdParty,
		Routes: []string{"GET /v1/companies", "GET /v1/companies/{companyId}"}},
	{Name: "accounting-entries:read", Description: "See expenses and other accounting entries, with amounts, notes, tags and receipts.", Source: SourceEmulatorGuess,
		Routes: []string{"POST /v1/accounting-entries:search", "GET /v1/accounting-entries/{accountingEntryId}"}},
	{Name: "export-jobs:read", Description: "See export jobs and the entries they contain.", Source: SourcePleoDocs,
		Routes: []string{"GET /v3/export-jobs", "GET /v3/export-jobs/{jobId}", "GET /v3/export-jobs/{jobId}/items"}},
	{Name: "export-jobs:write", Description: "Create export jobs and report their progress and results.", Source: SourcePleoDocs,
		Routes: []string{"POST /v3/export-jobs", "PUT /v3/export-jobs/{jobId}/items", "POST /v3/export-job-events"}},
	{Name: "export-items:read", Description: "See the accounting data of the entries in an export.", Source: SourcePleoDocs,
		Routes: []string{"GET /v3/export-items"}},
	{Name: "tag-groups:read", Description: "See tag groups and tags (for example projects or cost centres).", Source: SourceThirdParty,
		Routes: []string{"GET /v0/tag-groups", "GET /v0/tag-groups/{groupId}", "GET /v0/tag-groups/{groupId}/tags", "GET /v0/tags", "GET /v0/tags/{tagId}"}},
	{Name: "tag-groups:write", Description: "Create, change and delete tag groups and tags.", Source: SourceThirdParty,
		Routes: []string{"POST /v0/tag-groups", "PUT /v0/tag-groups/{groupId}", "DELETE /v0/tag-groups/{groupId}", "POST /v0/tag-groups/{groupId}/tags", "PUT /v0/tags/{tagId}", "DELETE /v0/tags/{tagId}"}},
	{Name: "tax-codes:read", Description: "See the company's tax codes.", Source: SourceThirdParty,
		Routes: []string{"GET /v0/tax-codes/{taxCodeId}", "POST /v0/tax-codes:search"}},
	{Name: "tax-codes:write", Description: "Create, change and delete tax codes.", Source: SourceThirdParty,
		Routes: []string{"POST /v0/tax-codes", "PUT /v0/tax-codes/{taxCodeId}", "DELETE /v0/tax-codes/{taxCodeId}"}},
	{Name: "vendors:read", Description: "See the company's vendors.", Source: SourcePleoDocs,
		Routes: []string{"GET /v1/vendors/{id}", "POST /v1/vendors:search"}},
	{Name: "vendors:write", Description: "Create, change, archive and activate vendors.", Source: SourcePleoDocs,
		Routes: []string{"POST /v1/vendors", "PUT /v1/vendors/{id}", "POST /v1/vendors/{id}:archive", "POST /v1/vendors/{id}:activate"}},
	{Name: "accounts:read", Description: "See the chart of accounts.", Source: SourcePleoDocs,
		Routes: []string{"GET /v1/chart-of-accounts/{accountId}", "POST /v1/chart-of-accounts:search"}},
	{Name: "accounts:write", Description: "Create, change and delete accounts in the chart of accounts.", Source: SourcePleoDocs,
		Routes: []string{"POST /v1/chart-of-accounts", "PUT /v1/chart-of-accounts/{accountId}", "DELETE /v1/chart-of-accounts/{accountId}"}},
	{Name: "test:test", Description: "Test scope: grants no data access; any valid token can call the introspection and installation routes.", Source: SourcePleoDocs},
}

// Scopes returns the catalogue in a stable order. The slice is a copy.
func Scopes() []Scope { return slices.Clone(catalogue) }

// ScopeNames returns the names of every scope in the catalogue.
func ScopeNames() []string {
	names := make([]string, len(catalogue))
	for i, s := range catalogue {
		names[i] = s.Name
	}
	return names
}

// LookupScope returns the catalogue entry for name.
func LookupScope(name string) (Scope, bool) {
	for _, s := range catalogue {
		if s.Name == name {
			return s, true
		}
	}
	return Scope{}, false
}

// RouteScope returns the scope that guards route ("METHOD /pattern"), or ""
// when the route needs only a valid token.
func RouteScope(route string) string {
	for _, s := range catalogue {
		if slices.Contains(s.Routes, route) {
			return s.Name
		}
	}
	return ""
}

// ParseScope splits a space-delimited scope parameter (RFC 6749 §3.3: tokens
// separated by %x20) into its distinct tokens, in first-seen order. Other
// whitespace stays inside a token, which then matches no scope.
func ParseScope(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, " ") {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// JoinScope is the inverse of ParseScope.
func JoinScope(scopes []string) string { return strings.Join(scopes, " ") }

// UnknownScopes returns the names in scopes that the catalogue lacks.
func UnknownScopes(scopes []string) []string {
	var bad []string
	for _, s := range scopes {
		if _, ok := LookupScope(s); !ok {
			bad = append(bad, s)
		}
	}
	return bad
}

// Subset reports whether every scope in want is in have.
func Subset(want, have []string) bool {
	for _, s := range want {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}
