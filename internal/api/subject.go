package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Subject binding. A company token sees only its company; an organisation
// token sees every company of its organisation. Data of any other company
// is invisible: a foreign ID answers 404 exactly like an unknown ID, and a
// query parameter naming a company or organisation outside the token's
// subject answers 403 FORBIDDEN.

// visibleCompanies returns the IDs of the companies p may see.
func (a *API) visibleCompanies(ctx context.Context, p oauth.Principal) ([]string, error) {
	switch p.Subject.Kind {
	case oauth.SubjectCompany:
		return []string{p.Subject.ID}, nil
	case oauth.SubjectOrganization:
		return a.store.CompanyIDsOfOrganization(ctx, p.Subject.ID)
	}
	return nil, nil
}

// canSee reports whether p may see data of companyID.
func (a *API) canSee(ctx context.Context, p oauth.Principal, companyID string) (bool, error) {
	switch p.Subject.Kind {
	case oauth.SubjectCompany:
		return p.Subject.ID == companyID, nil
	case oauth.SubjectOrganization:
		c, err := a.store.Company(ctx, companyID)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil && c.OrganizationID == p.Subject.ID, err
	}
	return false, nil
}

// mustSee returns missing unless p may see data of companyID.
func (a *API) mustSee(ctx context.Context, p oauth.Principal, companyID string, missing error) error {
	ok, err := a.canSee(ctx, p, companyID)
	if err != nil {
		return err
	}
	if !ok {
		return missing
	}
	return nil
}

// companySelector names the query parameters by which a route narrows the
// companies it covers.
type companySelector struct {
	company      string // "company_id" or "companyId"; "" when the route has none
	organization string // "organization_id"; "" when the route has none
	// required: an organisation token must name a company (or its own
	// organisation, where the route takes organization_id), as Pleo requires.
	required bool
}

// companiesFor returns the companies a request covers: the token's visible
// companies, narrowed to the one named by the company parameter. A named
// company wins over a named organisation, as Pleo documents for tag groups.
func (a *API) companiesFor(ctx context.Context, p oauth.Principal, q url.Values, sel companySelector) ([]string, error) {
	visible, err := a.visibleCompanies(ctx, p)
	if err != nil {
		return nil, err
	}
	var orgID string
	if sel.organization != "" && q.Has(sel.organization) {
		if orgID, err = uuidValue(sel.organization, q.Get(sel.organization)); err != nil {
			return nil, err
		}
	}
	if sel.company != "" && q.Has(sel.company) {
		id, err := uuidValue(sel.company, q.Get(sel.company))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(visible, id) {
			return nil, forbidden("The access token does not grant access to company " + id + ".")
		}
		return []string{id}, nil
	}
	if orgID != "" {
		own, err := a.organizationOf(ctx, p)
		if err != nil {
			return nil, err
		}
		if orgID != own {
			return nil, forbidden("The access token does not grant access to organization " + orgID + ".")
		}
		return visible, nil
	}
	if sel.required && p.Subject.Kind == oauth.SubjectOrganization {
		name := sel.company
		if sel.organization != "" {
			name += " or " + sel.organization
		}
		return nil, &apiError{Status: http.StatusBadRequest, Type: typeParameterValidation,
			Message: "Parameter '" + name + "' is required with an organisation-level token."}
	}
	return visible, nil
}

// organizationOf returns the organisation of p's subject: the organisation
// itself, or the company's organisation ("" when it has none).
func (a *API) organizationOf(ctx context.Context, p oauth.Principal) (string, error) {
	if p.Subject.Kind == oauth.SubjectOrganization {
		return p.Subject.ID, nil
	}
	c, err := a.store.Company(ctx, p.Subject.ID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return c.OrganizationID, err
}

// uuidValue validates a UUID parameter and returns it in lower case.
func uuidValue(name, value string) (string, error) {
	if !oauth.IsUUID(value) {
		return "", badParam(name, "must be a UUID.")
	}
	return strings.ToLower(value), nil
}

// pathUUID returns the UUID path parameter name, in lower case.
func pathUUID(r *http.Request, name string) (string, error) {
	return uuidValue(name, r.PathValue(name))
}

// resourceID returns the UUID path parameter name and the companies the
// token may see: what every handler of a single resource starts with.
func (a *API) resourceID(r *http.Request, p oauth.Principal, name string) (id string, companies []string, err error) {
	if id, err = pathUUID(r, name); err != nil {
		return "", nil, err
	}
	companies, err = a.visibleCompanies(r.Context(), p)
	return id, companies, err
}
