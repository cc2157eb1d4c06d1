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

// The scope names the emulator knows, for the API's route table.
const (
	UsersRead             = "users:read"
	CompaniesRead         = "companies:read"
	AccountingEntriesRead = "accounting-entries:read"
	ExportJobsRead        = "export-jobs:read"
	ExportJobsWrite       = "export-jobs:write"
	ExportItemsRead       = "export-items:read"
	TagGroupsRead         = "tag-groups:read"
	TagGroupsWrite        = "tag-groups:write"
	TaxCodesRead          = "tax-codes:read"
	TaxCodesWrite         = "tax-codes:write"
	VendorsRead           = "vendors:read"
	VendorsWrite          = "vendors:write"
	AccountsRead          = "accounts:read"
	AccountsWrite         = "accounts:write"
	TestTest              = "test:test"
)

// Scope is one entry of the scope catalogue. Which API routes a scope
// guards is said by the API's route table (internal/api/routes.go).
type Scope struct {
	Name        string
	Description string      // shown on the consent screen
	Source      ScopeSource // where the name comes from
}

// catalogue is the single list of scopes the emulator knows. Every other
// part of the emulator (client validation, consent screen, API guards,
// metadata, README) reads it through Scopes, ScopeNames or LookupScope.
var catalogue = []Scope{
	{Name: UsersRead, Description: "See the employees of the company: names, emails, codes and job titles.", Source: SourcePleoDocs},
	{Name: CompaniesRead, Description: "See the company's name, address and registration number.", Source: SourceThirdParty},
	{Name: AccountingEntriesRead, Description: "See expenses and other accounting entries, with amounts, notes, tags and receipts.", Source: SourceEmulatorGuess},
	{Name: ExportJobsRead, Description: "See export jobs and the entries they contain.", Source: SourcePleoDocs},
	{Name: ExportJobsWrite, Description: "Create export jobs and report their progress and results.", Source: SourcePleoDocs},
	{Name: ExportItemsRead, Description: "See the accounting data of the entries in an export.", Source: SourcePleoDocs},
	{Name: TagGroupsRead, Description: "See tag groups and tags (for example projects or cost centres).", Source: SourceThirdParty},
	{Name: TagGroupsWrite, Description: "Create, change and delete tag groups and tags.", Source: SourceThirdParty},
	{Name: TaxCodesRead, Description: "See the company's tax codes.", Source: SourceThirdParty},
	{Name: TaxCodesWrite, Description: "Create, change and delete tax codes.", Source: SourceThirdParty},
	{Name: VendorsRead, Description: "See the company's vendors.", Source: SourcePleoDocs},
	{Name: VendorsWrite, Description: "Create, change, archive and activate vendors.", Source: SourcePleoDocs},
	{Name: AccountsRead, Description: "See the chart of accounts.", Source: SourcePleoDocs},
	{Name: AccountsWrite, Description: "Create, change and delete accounts in the chart of accounts.", Source: SourcePleoDocs},
	{Name: TestTest, Description: "Test scope: grants no data access; any valid token can call the introspection and installation routes.", Source: SourcePleoDocs},
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

// MissingScopes returns the scopes in want that have lacks, in want's
// order: the one rule behind "may this client, grant or token have these
// scopes" everywhere (authorize, refresh narrowing, minting, consent).
func MissingScopes(want, have []string) []string {
	var out []string
	for _, s := range want {
		if !slices.Contains(have, s) {
			out = append(out, s)
		}
	}
	return out
}

// Subset reports whether every scope in want is in have.
func Subset(want, have []string) bool { return len(MissingScopes(want, have)) == 0 }
