package view

// ConnectedAppsPage is the emulated Pleo web app's list of the apps
// connected to the companies and organisations the user administers. Each
// connected app has a "Revoke access" link to RevokeAction with query
// parameters client_id and subject, which asks for confirmation
// (RevokeAppPage).
type ConnectedAppsPage struct {
	CSRFToken    string // hidden csrf_token of the sign-out form
	RevokeAction string // e.g. "/settings/apps/revoke"
	UserName     string
	UserEmail    string
	// Notice is a confirmation shown in a role=status box, e.g. after a
	// revocation. It must come from the server's own record of what
	// happened, never from the request URL.
	Notice string
	Groups []AppGroupView
}

// AppGroupView is one company or organisation with its apps.
type AppGroupView struct {
	Label        string // company or organisation name
	Kind         string // "company" or "organisation"
	Role         string // the user's role there, e.g. "Admin"
	SubjectURN   string
	Apps         []ConnectedAppView // apps with access
	Disconnected []ConnectedAppView // installations without access any more
}

// ConnectedAppView is one app's access to one company or organisation.
type ConnectedAppView struct {
	ClientID       string
	ClientName     string
	LogoURL        string
	Status         string // installation status for display, e.g. "Authorized"
	Scopes         []ScopeView
	GrantedAt      TimeView
	LastUsed       TimeView // zero value: never used
	Authorisations int      // number of active grants
	ChangedAt      TimeView // for disconnected apps: when the installation changed
}

// TimeView is a timestamp for display: Text for people, ISO for <time datetime>.
type TimeView struct {
	Text string // e.g. "3 minutes ago"
	Full string // e.g. "2 Jan 2026, 15:04 UTC" (the tooltip)
	ISO  string // RFC 3339; "" when the time is unknown
}

// RevokeAppPage asks the user to confirm revoking one app's access to one
// company or organisation. Its form posts csrf_token, client_id and subject
// to Action; Cancel goes back to CancelURL.
type RevokeAppPage struct {
	Action       string // POST target, e.g. "/settings/apps/revoke"
	CSRFToken    string
	CancelURL    string // e.g. "/settings/apps"
	UserEmail    string
	App          ConnectedAppView
	SubjectURN   string // hidden subject
	SubjectLabel string // company or organisation name
	SubjectKind  string // "company" or "organisation"
}

func (RevokeAppPage) templateName() string { return "revoke.html" }
func (RevokeAppPage) title() string        { return "Revoke access" }
func (RevokeAppPage) section() string      { return "apps" }

func (ConnectedAppsPage) templateName() string { return "apps.html" }
func (ConnectedAppsPage) title() string        { return "Connected apps" }
func (ConnectedAppsPage) section() string      { return "apps" }
