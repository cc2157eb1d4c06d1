package emulatortest

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
)

// Option changes how Start and New set up the emulator.
type Option func(*settings)

// settings are what the options change before the emulator starts.
type settings struct {
	cfg config.Config
	log *slog.Logger
}

// Client is an OAuth client registered at start, in addition to the demo
// clients. It survives Reset.
type Client struct {
	ID   string
	Name string // shown on the consent screen; defaults to ID
	// Secret makes the client confidential; without one it is public.
	Secret       string
	RedirectURIs []string
	Scopes       []string
	// DisablePKCE lets a confidential client omit PKCE (public clients must use it).
	DisablePKCE bool
	// AutoApprove is the email of a user as whom this client's authorisations
	// are approved at once, with no login or consent page.
	AutoApprove string
}

// WithClient registers c when the emulator starts. An invalid client makes
// Start fail (and New fail the test).
func WithClient(c Client) Option {
	return func(s *settings) {
		spec := config.ClientSpec{ID: c.ID, Name: c.Name, Secret: c.Secret, RedirectURIs: c.RedirectURIs,
			Scopes: c.Scopes, AutoApprove: c.AutoApprove}
		if spec.Name == "" {
			spec.Name = spec.ID
		}
		if c.DisablePKCE {
			required := false
			spec.PKCERequired = &required
		}
		s.cfg.Additions.Clients = append(s.cfg.Additions.Clients, spec)
	}
}

// WithAccessTokenTTL sets the lifetime of access tokens (default 15m). A
// lifetime of a few seconds lets the client's own clock see the expiry in
// real time; golang.org/x/oauth2 counts a token as expired 10 seconds
// before its Expiry, so with 10 seconds or less it refreshes before every
// request (see Testing expiry in the package documentation).
func WithAccessTokenTTL(d time.Duration) Option {
	return func(s *settings) { s.cfg.AccessTokenTTL = d }
}

// WithRefreshTokenTTL sets the lifetime of refresh tokens (default 60 days).
func WithRefreshTokenTTL(d time.Duration) Option {
	return func(s *settings) { s.cfg.RefreshTokenTTL = d }
}

// WithAutoApprove approves every authorisation as the user with this email,
// without login or consent pages, like the server flag --auto-approve: the
// subject is the one hinted with urn_pleo_params_oauth_subject, else the
// user's first.
func WithAutoApprove(email string) Option {
	return func(s *settings) { s.cfg.AutoApprove = email }
}

// WithLogger sends the emulator's logs (one line per request) to log. The
// default discards them.
func WithLogger(log *slog.Logger) Option {
	return func(s *settings) { s.log = log }
}

// FlowOption changes how AuthorizeAndExchange walks the authorisation flow.
type FlowOption func(*flow)

// flow is what AuthorizeAndExchange does on the login and consent pages.
type flow struct {
	email, password string
	subject         string // URN chosen on the consent page
	deny            bool   // deny instead of approve
	params          []oauth2.AuthCodeOption
	jar             http.CookieJar // nil: a new, empty jar for each walk
}

// AsUser logs in as this user instead of the demo admin.
func AsUser(email, password string) FlowOption {
	return func(f *flow) { f.email, f.password = email, password }
}

// ForSubject chooses this company (ID or URN) or organisation (URN) on the
// consent page instead of the Denmark company, and hints it in the
// authorisation request (urn_pleo_params_oauth_subject), which is what
// auto-approve uses.
func ForSubject(subject string) FlowOption {
	return func(f *flow) { f.subject = subjectURN(subject) }
}

// WithAuthCodeOptions adds parameters to the authorisation request, such
// as oauth2.SetAuthURLParam("prompt", "consent"). PKCE and state are added
// by AuthorizeAndExchange.
func WithAuthCodeOptions(opts ...oauth2.AuthCodeOption) FlowOption {
	return func(f *flow) { f.params = append(f.params, opts...) }
}

// WithCookieJar walks the flow with the cookies in jar, and keeps the
// ones the emulator sets there, instead of starting from an empty jar: a
// login session carries over from one call to the next, as in one browser.
// The jar keeps the session cookie for the session lifetime by the real
// clock; whether the session is still valid is the emulator's decision, by
// its own clock, so after AdvanceClock past the session lifetime (12 hours)
// the next call logs in again. While the session lasts, no login page comes
// and AsUser has no effect.
func WithCookieJar(jar http.CookieJar) FlowOption {
	return func(f *flow) { f.jar = jar }
}

// Deny makes Authorize and AuthorizeAndExchange deny on the consent page, so
// the client gets error=access_denied (AuthorizeAndExchange then fails the
// test; use it with Authorize).
func Deny() FlowOption {
	return func(f *flow) { f.deny = true }
}
