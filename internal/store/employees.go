package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file reads employees for the mock API (GET /v2/employees).

const employeeColumns = `id, company_id, coalesce(user_id, ''), coalesce(team_id, ''), first_name, last_name, email,
	coalesce(code, ''), coalesce(phone, ''), coalesce(job_title, ''), created_at, updated_at`

// employeeSortColumns maps the sort keys Employees accepts to columns.
var employeeSortColumns = map[string]string{
	"id": "id", "email": "email", "firstName": "first_name", "lastName": "last_name", "code": "code"}

// EmployeeSortKeys are the sort keys Employees accepts, sorted.
var EmployeeSortKeys = sortKeys(employeeSortColumns)

func scanEmployee(row interface{ Scan(...any) error }) (pleo.Employee, error) {
	var e pleo.Employee
	var created, updated string
	err := row.Scan(&e.ID, &e.CompanyID, &e.UserID, &e.TeamID, &e.FirstName, &e.LastName, &e.Email,
		&e.Code, &e.Phone, &e.JobTitle, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	e.CreatedAt, e.UpdatedAt = parseTime(created), parseTime(updated)
	return e, err
}

// EmployeeFilter selects employees. CompanyIDs is required: the companies
// the caller may see (an empty list matches nothing).
type EmployeeFilter struct {
	CompanyIDs []string
	Email      string // exact match, ignoring case
	Code       string // exact match
}

// Employees returns one page of the employees matching f.
func (s *Store) Employees(ctx context.Context, f EmployeeFilter, req PageRequest) (Page[pleo.Employee], error) {
	q := listQuery{columns: employeeColumns, from: "FROM employees", sortable: employeeSortColumns}
	if len(f.CompanyIDs) == 0 {
		return Page[pleo.Employee]{}, nil
	}
	q.filterIn("company_id", f.CompanyIDs)
	if f.Email != "" {
		q.filter("email = ? COLLATE NOCASE", f.Email)
	}
	q.filterEqual("code", f.Code)
	return listPage(ctx, s, q, req, scanEmployee)
}

// Employee returns one employee; ErrNotFound if there is none.
func (s *Store) Employee(ctx context.Context, id string) (pleo.Employee, error) {
	return scanEmployee(s.queryRow(ctx, `SELECT `+employeeColumns+` FROM employees WHERE id = ?`, id))
}
