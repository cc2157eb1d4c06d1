package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Start serves GET /: what the emulator is, its endpoints, and the users and
// clients in the database (passwords and secrets only for the demo seed's).
func (h *Handlers) Start(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page := view.StartPage{Endpoints: h.endpoints(), AutoApprove: h.opt.AutoApprove}
	users, err := h.userViews(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	page.Users = users
	clients, err := h.st.Clients(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, c := range clients {
		page.Clients = append(page.Clients, view.ClientSummary{ID: c.ID, Name: c.Name, Type: string(c.Type),
			RedirectURIs: c.RedirectURIs, Scopes: c.Scopes, PKCERequired: c.PKCERequired, Secret: demoSecret(c)})
	}
	h.pages.Render(w, http.StatusOK, page)
}

// demoSecret is the secret the pages show for client c: the demo seed's
// while c is the demo client and still has it, else none.
func demoSecret(c oauth.Client) string {
	if c.ID == seed.DemoClientID && c.CheckSecret(seed.DemoClientSecret) {
		return seed.DemoClientSecret
	}
	return ""
}

// endpoints lists the URLs from the authorisation server's metadata and the API base URL.
func (h *Handlers) endpoints() []view.EndpointView {
	m := h.auth.Metadata()
	out := []view.EndpointView{
		{Name: "Issuer", URL: m.Issuer, Note: h.issuerNote()},
		{Name: "Authorization endpoint", URL: m.AuthorizationEndpoint, Note: "as Pleo documents"},
		{Name: "Token endpoint", URL: m.TokenEndpoint, Note: "as Pleo documents"},
		{Name: "Introspection endpoint", URL: m.IntrospectionEndpoint, Note: "RFC 7662, as Pleo documents"},
		{Name: "Revocation endpoint", URL: m.RevocationEndpoint, Note: "RFC 7009, emulator addition"},
		{Name: "JWKS", URL: m.JWKSURI, Note: "the keys that sign access tokens"},
		{Name: "Metadata", URL: m.Issuer + "/.well-known/oauth-authorization-server", Note: "RFC 8414, emulator addition"},
		{Name: "API base URL", URL: h.opt.APIBaseURL, Note: h.apiBaseNote()},
		{Name: "OpenAPI document", URL: h.opt.APIBaseURL + "/openapi.json", Note: "the mock API's routes and shapes"},
	}
	if h.opt.Control {
		out = append(out, view.EndpointView{Name: "Control API", URL: h.opt.PublicURL + "/_emulator/", Note: "test fixtures: clients, users, tokens, clock, faults"})
	}
	return out
}

// demoUserIDs are the demo seed's users, whose password the page may show.
var demoUserIDs = []string{seed.AdminUserID, seed.BookkeeperID, seed.EmployeeUserID}

func (h *Handlers) userViews(ctx context.Context) ([]view.UserView, error) {
	users, err := h.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []view.UserView
	for _, u := range users {
		v := view.UserView{Name: u.Name, Email: u.Email}
		if slices.Contains(demoUserIDs, u.ID) {
			v.Password = seed.DemoPassword
		}
		ms, err := h.st.Memberships(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			role := fmt.Sprintf("%s of %s", roleLabel(m.Role), m.Name)
			if m.Subject.Kind == oauth.SubjectOrganization {
				role += " (organisation)"
			}
			v.Roles = append(v.Roles, role)
			v.CanAdmin = v.CanAdmin || oauth.CanConnectApps(m.Role)
		}
		out = append(out, v)
	}
	return out, nil
}

// roleLabel capitalises a role for display.
func roleLabel(r oauth.Role) string {
	switch r {
	case oauth.RoleAdmin:
		return "Admin"
	case oauth.RoleBookkeeper:
		return "Bookkeeper"
	case oauth.RoleEmployee:
		return "Employee"
	}
	return string(r)
}

// issuerNote says whether the access tokens' iss is the metadata's issuer.
func (h *Handlers) issuerNote() string {
	if h.opt.TokenIssuer != h.opt.PublicURL {
		return "the metadata's issuer; access tokens carry iss " + h.opt.TokenIssuer + " instead (--token-claims)"
	}
	return "the iss of every token"
}

// apiBaseNote says whether the access tokens' aud is the API base URL.
func (h *Handlers) apiBaseNote() string {
	if h.opt.TokenAudience != h.opt.APIBaseURL {
		return "the mock External API; access tokens carry aud " + h.opt.TokenAudience + " (--token-claims)"
	}
	return "the mock External API; also the tokens' aud"
}
