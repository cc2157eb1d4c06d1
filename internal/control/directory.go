package control

import (
	"context"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func (c *Control) listOrganizations(w http.ResponseWriter, r *http.Request) {
	orgs, err := c.Store.Organizations(r.Context())
	answerList(c, w, r, "organizations", orgs, err, func(o pleo.Organization) pleo.Organization { return o })
}

func (c *Control) createOrganization(w http.ResponseWriter, r *http.Request) {
	var spec config.OrganizationSpec
	if !decodeSpec(w, r, &spec, &spec.ID) {
		return
	}
	if !oauth.IsUUID(spec.ID) || spec.Name == "" {
		fail(w, http.StatusBadRequest, "an organization needs a name and, if given, a UUID id")
		return
	}
	now := c.Clock.Now()
	o := pleo.Organization{ID: strings.ToLower(spec.ID), Name: spec.Name, CreatedAt: now, UpdatedAt: now}
	c.insert(w, r, "organization "+o.ID, func(ctx context.Context, tx *store.Tx) error { return tx.InsertOrganization(ctx, o) }, o)
}

func (c *Control) deleteOrganization(w http.ResponseWriter, r *http.Request) {
	c.deleteByID(w, r, "organization", func(ctx context.Context, tx *store.Tx, id string) error {
		return tx.DeleteOrganization(ctx, id, c.Clock.Now())
	})
}

// companyView adds the fields the API shape hides.
type companyView struct {
	pleo.Company
	Currency string `json:"currency"`
}

func (c *Control) listCompanies(w http.ResponseWriter, r *http.Request) {
	companies, err := c.Store.Companies(r.Context())
	answerList(c, w, r, "companies", companies, err, func(co pleo.Company) companyView { return companyView{co, co.Currency} })
}

func (c *Control) createCompany(w http.ResponseWriter, r *http.Request) {
	var spec config.CompanySpec
	if !decodeSpec(w, r, &spec, &spec.ID) {
		return
	}
	co, err := spec.Company(c.Clock.Now())
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if co.OrganizationID != "" {
		if _, err := c.Store.Organization(r.Context(), co.OrganizationID); err != nil {
			fail(w, http.StatusBadRequest, "organization_id "+co.OrganizationID+" does not exist")
			return
		}
	}
	c.insert(w, r, "company "+co.ID, func(ctx context.Context, tx *store.Tx) error { return tx.InsertCompany(ctx, co) },
		companyView{co, co.Currency})
}

func (c *Control) deleteCompany(w http.ResponseWriter, r *http.Request) {
	c.deleteByID(w, r, "company", func(ctx context.Context, tx *store.Tx, id string) error {
		return tx.DeleteCompany(ctx, id, c.Clock.Now())
	})
}

// userView is a user with their roles; never the password hash.
type userView struct {
	ID    string            `json:"id"`
	Email string            `json:"email"`
	Name  string            `json:"name"`
	Roles []config.RoleSpec `json:"roles"`
}

func (c *Control) viewUser(r *http.Request, u pleo.User) (userView, error) {
	ms, err := c.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		return userView{}, err
	}
	v := userView{ID: u.ID, Email: u.Email, Name: u.Name, Roles: []config.RoleSpec{}}
	for _, m := range ms {
		rs := config.RoleSpec{Role: string(m.Role)}
		if m.Subject.Kind == oauth.SubjectCompany {
			rs.CompanyID = m.Subject.ID
		} else {
			rs.OrganizationID = m.Subject.ID
		}
		v.Roles = append(v.Roles, rs)
	}
	return v, nil
}

func (c *Control) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := c.Store.Users(r.Context())
	if err != nil {
		c.storeFail(w, r, "users", err)
		return
	}
	out := []userView{}
	for _, u := range users {
		v, err := c.viewUser(r, u)
		if err != nil {
			c.storeFail(w, r, "users", err)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (c *Control) createUser(w http.ResponseWriter, r *http.Request) {
	var spec config.UserSpec
	if !decodeSpec(w, r, &spec, &spec.ID) {
		return
	}
	spec.ID = strings.ToLower(spec.ID)
	if err := spec.Validate(); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	for i, role := range spec.Roles {
		spec.Roles[i].CompanyID, spec.Roles[i].OrganizationID = strings.ToLower(role.CompanyID), strings.ToLower(role.OrganizationID)
		var err error
		if role.CompanyID != "" {
			_, err = c.Store.Company(ctx, spec.Roles[i].CompanyID)
		} else {
			_, err = c.Store.Organization(ctx, spec.Roles[i].OrganizationID)
		}
		if err != nil {
			fail(w, http.StatusBadRequest, "role "+role.Role+": no such company or organization "+role.CompanyID+role.OrganizationID)
			return
		}
	}
	u := pleo.User{ID: spec.ID, Email: spec.Email, Name: spec.Name, PasswordHash: oauth.HashPassword(spec.ID, spec.Password), CreatedAt: c.Clock.Now()}
	err := c.Store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		for _, role := range spec.Roles {
			var err error
			if role.CompanyID != "" {
				err = tx.SetCompanyRole(ctx, u.ID, role.CompanyID, oauth.Role(role.Role))
			} else {
				err = tx.SetOrganizationRole(ctx, u.ID, role.OrganizationID, oauth.Role(role.Role))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		c.storeFail(w, r, "user "+spec.Email, err)
		return
	}
	v, err := c.viewUser(r, u)
	if err != nil {
		c.storeFail(w, r, "user", err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (c *Control) deleteUser(w http.ResponseWriter, r *http.Request) {
	c.deleteByID(w, r, "user", func(ctx context.Context, tx *store.Tx, id string) error { return tx.DeleteUser(ctx, id) })
}

// decodeSpec decodes the body of a create into spec and, when the body
// names no id, gives it a new UUID. False: the body was refused, and the
// refusal answered.
func decodeSpec(w http.ResponseWriter, r *http.Request, spec any, id *string) bool {
	if !decode(w, r, spec) {
		return false
	}
	if *id == "" {
		*id = store.NewUUID()
	}
	return true
}

// insert runs the write that adds what and answers 201 with view, or the
// store's error about what.
func (c *Control) insert(w http.ResponseWriter, r *http.Request, what string, write func(ctx context.Context, tx *store.Tx) error, view any) {
	if err := c.Store.Write(r.Context(), func(tx *store.Tx) error { return write(r.Context(), tx) }); err != nil {
		c.storeFail(w, r, what, err)
		return
	}
	writeJSON(w, http.StatusCreated, view)
}

// answerList answers GET of a collection: {key: [...]} with each of items
// as view shows it (an empty list, not null, when there are none), or,
// when err is not nil, the store's error about key.
func answerList[T, V any](c *Control, w http.ResponseWriter, r *http.Request, key string, items []T, err error, view func(T) V) {
	if err != nil {
		c.storeFail(w, r, key, err)
		return
	}
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out})
}
