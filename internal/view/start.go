package view

// StartPage is the emulator's home page: what it is, its endpoints, the
// users and clients in the database, and links to the other screens.
type StartPage struct {
	Endpoints []EndpointView
	Users     []UserView
	Clients   []ClientSummary
	// AutoApprove, when set, is the user every authorisation is approved
	// as (--auto-approve): the login and consent screens never show.
	AutoApprove string
}

// EndpointView is one URL an integration needs.
type EndpointView struct {
	Name string // e.g. "Token endpoint"
	URL  string
	Note string // optional, e.g. "RFC 7662; Pleo documents this path"
}

// UserView is one user who can sign in.
type UserView struct {
	Name     string
	Email    string
	Password string   // shown only for the demo seed's users; "" hides it
	Roles    []string // e.g. "Admin of Acme Denmark ApS (company)"
	CanAdmin bool     // admin or bookkeeper somewhere: may connect apps
}

// ClientSummary describes one registered OAuth client.
type ClientSummary struct {
	ID           string
	Name         string
	Type         string // "confidential" or "public"
	Secret       string // shown only for the demo seed's confidential client
	RedirectURIs []string
	Scopes       []string
	PKCERequired bool
}

func (StartPage) templateName() string { return "start.html" }
func (StartPage) title() string        { return "Start" }
func (StartPage) section() string      { return "start" }
