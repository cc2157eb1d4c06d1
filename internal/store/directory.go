package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file holds the directory: organisations, companies, users and roles.

// InsertOrganization adds an organisation; ErrConflict if the ID exists.
func (t *Tx) InsertOrganization(ctx context.Context, o pleo.Organization) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		o.ID, o.Name, formatTime(o.CreatedAt), formatTime(o.UpdatedAt))
	return conflict(err)
}

// InsertCompany adds a company; ErrConflict if the ID exists.
func (t *Tx) InsertCompany(ctx context.Context, c pleo.Company) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO companies (id, organization_id, name, currency, registration_number,
		address_line1, address_line2, locality, postal_code, region, country, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, nullString(c.OrganizationID), c.Name, c.Currency, c.RegistrationNumber,
		c.Address.AddressLine1, c.Address.AddressLine2, c.Address.Locality, c.Address.PostalCode,
		c.Address.Region, c.Address.Country, formatTime(c.CreatedAt), formatTime(c.UpdatedAt))
	return conflict(err)
}

// InsertUser adds a user; ErrConflict if the ID or email exists.
func (t *Tx) InsertUser(ctx context.Context, u pleo.User) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.PasswordHash, formatTime(u.CreatedAt))
	return conflict(err)
}

// SetCompanyRole gives a user a role in a company, replacing any earlier one.
func (t *Tx) SetCompanyRole(ctx context.Context, userID, companyID string, role oauth.Role) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO company_roles (user_id, company_id, role) VALUES (?, ?, ?)
		ON CONFLICT (user_id, company_id) DO UPDATE SET role = excluded.role`, userID, companyID, string(role))
	return err
}

// SetOrganizationRole gives a user a role in an organisation, replacing any earlier one.
func (t *Tx) SetOrganizationRole(ctx context.Context, userID, orgID string, role oauth.Role) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO organization_roles (user_id, organization_id, role) VALUES (?, ?, ?)
		ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role`, userID, orgID, string(role))
	return err
}

const companyColumns = `id, coalesce(organization_id, ''), name, currency, registration_number,
	address_line1, address_line2, locality, postal_code, region, country, created_at, updated_at`

func scanCompany(row interface{ Scan(...any) error }) (pleo.Company, error) {
	var c pleo.Company
	var created, updated string
	err := row.Scan(&c.ID, &c.OrganizationID, &c.Name, &c.Currency, &c.RegistrationNumber,
		&c.Address.AddressLine1, &c.Address.AddressLine2, &c.Address.Locality, &c.Address.PostalCode,
		&c.Address.Region, &c.Address.Country, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	return c, err
}

// Company returns one company.
func (s *Store) Company(ctx context.Context, id string) (pleo.Company, error) {
	return scanCompany(s.r.QueryRowContext(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = ?`, id))
}

// Companies returns every company, ordered by ID.
func (s *Store) Companies(ctx context.Context) ([]pleo.Company, error) {
	return queryList(ctx, s.r, scanCompany, `SELECT `+companyColumns+` FROM companies ORDER BY id`)
}

// CompaniesOfOrganization returns the companies of an organisation, ordered by ID.
func (s *Store) CompaniesOfOrganization(ctx context.Context, orgID string) ([]pleo.Company, error) {
	return queryList(ctx, s.r, scanCompany, `SELECT `+companyColumns+` FROM companies WHERE organization_id = ? ORDER BY id`, orgID)
}

// Organization returns one organisation.
func (s *Store) Organization(ctx context.Context, id string) (pleo.Organization, error) {
	var o pleo.Organization
	var created, updated string
	err := s.r.QueryRowContext(ctx, `SELECT id, name, created_at, updated_at FROM organizations WHERE id = ?`, id).
		Scan(&o.ID, &o.Name, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	o.CreatedAt, o.UpdatedAt = parseTime(created), parseTime(updated)
	return o, err
}

// Organizations returns every organisation, ordered by ID.
func (s *Store) Organizations(ctx context.Context) ([]pleo.Organization, error) {
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (pleo.Organization, error) {
		var o pleo.Organization
		var created, updated string
		err := row.Scan(&o.ID, &o.Name, &created, &updated)
		o.CreatedAt, o.UpdatedAt = parseTime(created), parseTime(updated)
		return o, err
	}, `SELECT id, name, created_at, updated_at FROM organizations ORDER BY id`)
}

func scanUser(row interface{ Scan(...any) error }) (pleo.User, error) {
	var u pleo.User
	var created string
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.CreatedAt = parseTime(created)
	return u, err
}

// UserByEmail finds a user by email, ignoring case.
func (s *Store) UserByEmail(ctx context.Context, email string) (pleo.User, error) {
	return scanUser(s.r.QueryRowContext(ctx, `SELECT id, email, name, password_hash, created_at FROM users WHERE email = ?`, email))
}

// User returns one user.
func (s *Store) User(ctx context.Context, id string) (pleo.User, error) {
	return scanUser(s.r.QueryRowContext(ctx, `SELECT id, email, name, password_hash, created_at FROM users WHERE id = ?`, id))
}

// Users returns every user, ordered by email.
func (s *Store) Users(ctx context.Context) ([]pleo.User, error) {
	return queryList(ctx, s.r, scanUser, `SELECT id, email, name, password_hash, created_at FROM users ORDER BY email`)
}

// Membership is one of a user's roles: in a company or in an organisation.
type Membership struct {
	Subject oauth.Subject
	Name    string // the company's or organisation's name
	Role    oauth.Role
	// Currency and RegistrationNumber are set for companies.
	Currency           string
	RegistrationNumber string
}

// Memberships lists a user's roles, organisations first, then companies, by name.
func (s *Store) Memberships(ctx context.Context, userID string) ([]Membership, error) {
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (Membership, error) {
		var m Membership
		var kind string
		err := row.Scan(&kind, &m.Subject.ID, &m.Name, &m.Role, &m.Currency, &m.RegistrationNumber)
		m.Subject.Kind = oauth.SubjectKind(kind)
		return m, err
	}, `SELECT 'organization', o.id, o.name, r.role, '', '' FROM organization_roles r JOIN organizations o ON o.id = r.organization_id WHERE r.user_id = ?1
		UNION ALL
		SELECT 'company', c.id, c.name, r.role, c.currency, c.registration_number FROM company_roles r JOIN companies c ON c.id = r.company_id WHERE r.user_id = ?1
		ORDER BY 1 DESC, 3`, userID)
}

// queryList runs a query on db and scans every row with scan.
func queryList[T any](ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// conflict maps a uniqueness violation to ErrConflict.
func conflict(err error) error {
	if isUniqueViolation(err) {
		return ErrConflict
	}
	return err
}

// DeleteOrganization removes an organisation (its companies stay, detached)
// and revokes every grant bound to it, so its tokens stop working.
func (t *Tx) DeleteOrganization(ctx context.Context, id string, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = ?`, id)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return t.revokeSubjectGrants(ctx, oauth.Subject{Kind: oauth.SubjectOrganization, ID: id}, now)
}

// DeleteCompany removes a company and, by cascade, its data and roles, and
// revokes every grant bound to it, so its tokens stop working.
func (t *Tx) DeleteCompany(ctx context.Context, id string, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM companies WHERE id = ?`, id)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return t.revokeSubjectGrants(ctx, oauth.Subject{Kind: oauth.SubjectCompany, ID: id}, now)
}

// revokeSubjectGrants revokes every active grant bound to subject, of any client.
func (t *Tx) revokeSubjectGrants(ctx context.Context, subject oauth.Subject, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE grants SET revoked_at = ?, revoked_reason = ?
		WHERE subject_kind = ? AND subject_id = ? AND revoked_at IS NULL`,
		formatTime(now), oauth.RevokedSubjectDeleted, string(subject.Kind), subject.ID)
	return err
}

// DeleteUser removes a user, their roles and sessions.
func (t *Tx) DeleteUser(ctx context.Context, id string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return mustAffect(res, err)
}

// DeleteAllData empties every table except the migration record, the
// signing keys and the emulator settings (the reset between tests).
func (t *Tx) DeleteAllData(ctx context.Context) error {
	if _, err := t.tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND name NOT IN ('schema_migrations', 'signing_keys', 'emulator_settings') ORDER BY name`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM "`+table+`"`); err != nil {
			return err
		}
	}
	return nil
}
