package store

import (
	"context"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file reads companies for the mock API (GET /v1/companies).

// companySortColumns maps the sort keys CompanyPage accepts to columns.
var companySortColumns = map[string]string{"id": "id", "name": "name"}

// CompanySortKeys are the sort keys CompanyPage accepts, sorted.
var CompanySortKeys = sortKeys(companySortColumns)

// CompanyPage returns one page of the companies whose IDs are in ids (an
// empty list matches nothing).
func (s *Store) CompanyPage(ctx context.Context, ids []string, req PageRequest) (Page[pleo.Company], error) {
	if len(ids) == 0 {
		return Page[pleo.Company]{}, nil
	}
	q := listQuery{columns: companyColumns, from: "FROM companies", sortable: companySortColumns}
	q.filterIn("id", ids)
	return listPage(ctx, s, q, req, scanCompany)
}

// CompanyIDsOfOrganization returns the IDs of an organisation's companies, ordered by ID.
func (s *Store) CompanyIDsOfOrganization(ctx context.Context, orgID string) ([]string, error) {
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	}, `SELECT id FROM companies WHERE organization_id = ? ORDER BY id`, orgID)
}
