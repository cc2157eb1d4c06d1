// Package authserver is the emulator's OAuth 2.0 authorisation server:
// /oauth/authorize with login and consent, /oauth/token (authorization_code
// with PKCE, refresh_token with rotation and reuse detection), introspection
// (RFC 7662), revocation (RFC 7009), metadata (RFC 8414) and JWKS, and the
// access-token verifier the mock API uses.
//
// It uses github.com/go-oauth2/oauth2/v4 for the RFC 6749 vocabulary (error
// codes, grant and response types) but not its grant engine, whose defaults
// (suffix redirect matching, non-atomic code use, no client check on refresh,
// scope widening, plain PKCE) are unsafe; see README "Security".
package authserver

import (
	"context"
	"log/slog"
	"runtime"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Options configure the server.
type Options struct {
	PublicURL  string // the issuer of the metadata (RFC 8414); no trailing slash
	APIBaseURL string // base URL of the mock API
	// TokenIssuer and TokenAudience are the access token's iss and aud
	// (RFC 9068 §2.2); empty means PublicURL and APIBaseURL. The verifier
	// and introspection use the same values.
	TokenIssuer, TokenAudience string
	CodeTTL                    time.Duration
	AccessTokenTTL             time.Duration
	RefreshTokenTTL            time.Duration
	SessionTTL                 time.Duration
	SecureCookies              bool   // set Secure on cookies (public URL is https)
	AutoApprove                string // email of the user to approve as without screens, if set
}

// Server serves the /oauth/* endpoints, the login and consent screens and
// metadata, and verifies access tokens for the API.
type Server struct {
	opt      Options
	st       *store.Store
	clock    *clock.Clock
	log      *slog.Logger
	pages    *view.Renderer
	keys     *KeySet
	throttle *loginThrottle
	verified verifiedTokens
	states   tokenStates
	signing  chan struct{} // one slot per core; see sign
	faults   *faults.Queue // injected failures of the authorisation server's endpoints
	csrf     httpx.CSRF
	answered answeredRequests // consent forms already answered, to say so on a second submit
}

// New builds the authorisation server; it loads (or starts generating) the
// signing key. Faults queued in fq fire on its endpoints (fq may be nil).
func New(ctx context.Context, opt Options, st *store.Store, clk *clock.Clock, pages *view.Renderer, fq *faults.Queue, log *slog.Logger) (*Server, error) {
	if opt.TokenIssuer == "" {
		opt.TokenIssuer = opt.PublicURL
	}
	if opt.TokenAudience == "" {
		opt.TokenAudience = opt.APIBaseURL
	}
	keys, err := NewKeySet(ctx, st, clk)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, st: st, clock: clk, log: log, pages: pages, keys: keys, throttle: newLoginThrottle(),
		signing: make(chan struct{}, runtime.GOMAXPROCS(0)), faults: fq, csrf: httpx.CSRF{SecureCookie: opt.SecureCookies}}
	st.StartHousekeeping(housekeepingInterval, clk.Now, retention, s.reportHousekeeping)
	return s, nil
}

// Housekeeping keeps the database bounded (see store.Housekeep): every
// ten seconds, what can no longer be used is deleted. Expired codes are kept a
// day, so a replayed code still revokes its grant for that long; revoked
// grants are kept a day for the connected-apps page.
const housekeepingInterval = 10 * time.Second

var retention = store.Retention{Codes: 24 * time.Hour, RevokedGrants: 24 * time.Hour}

func (s *Server) reportHousekeeping(swept store.Swept, err error) {
	if err != nil {
		s.log.Error("housekeeping failed", "error", err)
		return
	}
	var total int64
	for _, n := range swept {
		total += n
	}
	if total > 0 {
		s.log.Debug("housekeeping", "deleted", swept)
	}
}

// Keys exposes the signing keys (the control API rotates them).
func (s *Server) Keys() *KeySet { return s.keys }
