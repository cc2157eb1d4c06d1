package api

import (
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// introspection is Pleo's ExternalClientModel: what the calling token is.
type introspection struct {
	AuthMethod      string `json:"authMethod"` // OAUTH2, API_KEY or NONE; always OAUTH2 here
	ClientID        string `json:"clientId"`
	Scope           string `json:"scope"` // space-separated
	ApplicationName string `json:"applicationName,omitempty"`
	SubjectURN      string `json:"subjectURN,omitempty"`
}

var introspectDoc = operation{
	id: "introspect", tag: "External Clients", summary: "Introspect the details of the current authentication.",
	status: http.StatusOK, response: dataResponse[introspection]{},
}

// introspect answers GET /v1/introspect for any valid token.
func (a *API) introspect(w http.ResponseWriter, _ *http.Request, p oauth.Principal) error {
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[introspection]{Data: introspection{
		AuthMethod: "OAUTH2", ClientID: p.ClientID, Scope: oauth.JoinScope(p.Scopes),
		ApplicationName: p.ClientName, SubjectURN: p.Subject.URN(),
	}})
	return nil
}
