// Package emulatortest runs a pleo-emulator inside Go tests: a real HTTP
// server on a random loopback port with a temporary database holding the
// demo seed, plus helpers that drive it through its control API.
//
//	func TestSync(t *testing.T) {
//		emu := emulatortest.New(t) // closed when the test ends
//
//		// A real token pair for the demo client and Acme Denmark, no browser.
//		tok := emu.Token(t, "users:read")
//		client := emu.OAuth2Config().Client(t.Context(), tok)
//		resp, err := client.Get(emu.APIBaseURL() + "/v1/introspect")
//		// ...
//
//		// Or the real flow: authorize, login, consent, code exchange.
//		tok = emu.AuthorizeAndExchange(t, t.Context(), emu.OAuth2Config("users:read"))
//
//		// The emulator now refuses the access token (401 invalid_token), but
//		// client, built on x/oauth2, still holds it valid by its own clock and
//		// does not refresh: see Testing expiry below.
//		emu.AdvanceClock(t, 16*time.Minute)
//		emu.InjectFault(t, emulatortest.Fault{Target: "token", Status: 503,
//			Error: "temporarily_unavailable", Count: 2}) // the next two token requests fail
//		emu.Reset(t) // back to the demo seed
//	}
//
// Every helper that takes a testing.TB marks itself as a helper and fails
// the test with t.Fatal when the emulator answers an error.
//
// # Testing expiry
//
// The emulator's clock (AdvanceClock, SetClock) moves every expiry the
// emulator checks and every timestamp it writes. It cannot move the
// client's clock. golang.org/x/oauth2 sets a token's Expiry to its own
// time.Now() plus expires_in when the token arrives, and refreshes only once
// that Expiry, less a 10-second margin, has passed by its own clock. So
// after AdvanceClock past the access token's lifetime, a client from
// oauth2.Config.Client keeps sending the token, and the API answers 401
// with WWW-Authenticate: Bearer error="invalid_token"; any client that
// counts down expires_in on its own clock behaves the same way. Three ways
// to test expiry, each shown by a test in expiry_test.go:
//
//  1. As production code meets it: on 401 invalid_token, refresh and send
//     the request once more. Refresher does that (see its example); use it,
//     or your own code, after AdvanceClock.
//  2. With a short access-token lifetime (WithAccessTokenTTL), so the
//     client's own clock sees the expiry in real time. Mind the library's
//     margin: x/oauth2 treats a token with expires_in of 10 seconds or less
//     as expired on arrival and refreshes before every request; to watch a
//     token being used and then expire, give it a smaller margin
//     (oauth2.ReuseTokenSourceWithExpiry).
//  3. With the emulator's clock, for what only the emulator checks: refresh
//     tokens, authorisation codes, login sessions (WithCookieJar) and
//     export jobs.
package emulatortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// IDs of the demo seed. They are the same on every machine.
const (
	OrganizationID   = "3fd941d3-18d5-552c-8cd2-a3dd0e02c987" // Acme Group
	DenmarkCompanyID = "92f464a4-4e7d-5f5b-bb8f-9a2dfa429ce2" // Acme Denmark ApS (DKK)
	SwedenCompanyID  = "639b49f2-c4c9-5835-83b0-33621d04af71" // Acme Sweden AB (SEK)
	AdminUserID      = "38fb5e9c-f15f-5f1f-91bc-a7f3df402c3a" // admin@acme.test

	// OrganizationURN and DenmarkCompanyURN are the subjects as tokens and
	// the authorisation request's urn_pleo_params_oauth_subject write them.
	OrganizationURN   = "urn:pleo:organization:" + OrganizationID
	DenmarkCompanyURN = "urn:pleo:company:" + DenmarkCompanyID
	SwedenCompanyURN  = "urn:pleo:company:" + SwedenCompanyID
)

// Credentials of the demo seed.
const (
	// AdminEmail is the admin of the organisation and both companies.
	AdminEmail = "admin@acme.test"
	// BookkeeperEmail is a bookkeeper of the Denmark company (may connect apps).
	BookkeeperEmail = "bookkeeper@acme.test"
	// EmployeeEmail is an employee of the Denmark company (may not connect apps).
	EmployeeEmail = "employee@acme.test"
	// DemoPassword is every demo user's password.
	DemoPassword = "demo"
	// DemoClientID and DemoClientSecret are the confidential demo client,
	// allowed every scope, PKCE required.
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo-secret"
	// PublicClientID is the public demo client (no secret, PKCE required).
	PublicClientID = "demo-public-client"
	// DemoRedirectURL is a redirect URI registered for both demo clients.
	DemoRedirectURL = "http://localhost:3000/callback"
)

// controlTimeout bounds one control API call.
const controlTimeout = 30 * time.Second

// Emulator is a running in-process emulator. Its methods are safe for
// concurrent use, but tests sharing one emulator see each other's clock,
// faults and resets.
type Emulator struct {
	// URL is the base URL, such as http://127.0.0.1:41234, without a
	// trailing slash. It is the issuer, the public URL and the API base URL.
	URL string

	lb *app.Loopback

	closeOnce sync.Once
	closeErr  error
}

// New starts an emulator with Start and closes it when the test and its
// subtests finish. It fails the test if the emulator cannot start.
func New(tb testing.TB, opts ...Option) *Emulator {
	tb.Helper()
	e, err := Start(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("emulatortest: close: %v", err)
		}
	})
	return e
}

// Start starts an emulator on a random loopback port with a new temporary
// database holding the demo seed. The caller must call Close.
func Start(opts ...Option) (*Emulator, error) {
	s := settings{cfg: config.Default(), log: slog.New(slog.DiscardHandler)}
	s.cfg.DB = store.Memory // a private temporary database, removed on Close
	for _, opt := range opts {
		opt(&s)
	}
	if s.cfg.AccessTokenTTL <= 0 || s.cfg.RefreshTokenTTL <= 0 {
		return nil, errors.New("emulatortest: token lifetimes must be positive")
	}
	lb, err := app.StartLoopback(context.Background(), s.cfg, s.log)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: %w", err)
	}
	return &Emulator{URL: lb.URL, lb: lb}, nil
}

// Close stops the server, closes the database and removes it. It may be
// called more than once.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		e.closeErr = e.lb.Close()
	})
	return e.closeErr
}

// AuthURL is the authorisation endpoint, <URL>/oauth/authorize.
func (e *Emulator) AuthURL() string { return e.URL + "/oauth/authorize" }

// TokenURL is the token endpoint, <URL>/oauth/token.
func (e *Emulator) TokenURL() string { return e.URL + "/oauth/token" }

// IntrospectURL is the RFC 7662 introspection endpoint, <URL>/oauth/token/introspect.
func (e *Emulator) IntrospectURL() string { return e.URL + "/oauth/token/introspect" }

// APIBaseURL is the base URL of the emulated External API (and the access
// tokens' audience), such as <URL> in <URL>/v1/introspect.
func (e *Emulator) APIBaseURL() string { return e.lb.Config.APIBaseURL() }

// HTTPClient returns a new plain HTTP client for the emulator, without
// credentials; it follows redirects. Changing it affects nothing else.
func (e *Emulator) HTTPClient() *http.Client {
	return &http.Client{Transport: e.lb.Client().Transport}
}

// OAuth2Config returns the demo client's configuration for the emulator,
// with redirect URL DemoRedirectURL and client authentication by HTTP Basic.
// Authorisation requests need at least one scope.
func (e *Emulator) OAuth2Config(scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     DemoClientID,
		ClientSecret: DemoClientSecret,
		RedirectURL:  DemoRedirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  e.AuthURL(),
			TokenURL: e.TokenURL(),
			// Explicit, so a failing token request is not retried with the
			// credentials in the body (which would fire an injected fault twice).
			AuthStyle: oauth2.AuthStyleInHeader,
		},
	}
}

// TokenRequest describes a token pair minted through the control API.
type TokenRequest struct {
	ClientID string   // default DemoClientID
	Subject  string   // company ID or URN, or organisation URN; default the Denmark company
	Scopes   []string // default every scope the client may request
	// AccessTokenTTL and RefreshTokenTTL override the emulator's lifetimes
	// when positive, for this pair only: the pairs its refreshes return
	// have the emulator's lifetimes (see WithAccessTokenTTL).
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
}

// MintToken issues a token pair exactly as the full flow would (the
// installation is created too), usable on the API and refreshable. The
// token's Extra holds "scope", "subject_urn" and "grant_id". Its Expiry is
// the real time plus expires_in, as golang.org/x/oauth2 computes it; the
// emulator judges expiry by its own clock, so after AdvanceClock the two
// disagree (see Testing expiry in the package documentation).
func (e *Emulator) MintToken(tb testing.TB, r TokenRequest) *oauth2.Token {
	tb.Helper()
	if r.ClientID == "" {
		r.ClientID = DemoClientID
	}
	if r.Subject == "" {
		r.Subject = DenmarkCompanyID
	}
	body := map[string]string{"client_id": r.ClientID, "subject": r.Subject, "scope": strings.Join(r.Scopes, " ")}
	if r.AccessTokenTTL > 0 {
		body["access_token_ttl"] = r.AccessTokenTTL.String()
	}
	if r.RefreshTokenTTL > 0 {
		body["refresh_token_ttl"] = r.RefreshTokenTTL.String()
	}
	var raw map[string]any
	e.control(tb, http.MethodPost, "/tokens", body, &raw)
	var t struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &t); err != nil {
		tb.Fatalf("emulatortest: minted token: %v", err)
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType, RefreshToken: t.RefreshToken,
		ExpiresIn: t.ExpiresIn, Expiry: time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)}
	return tok.WithExtra(raw)
}

// Token mints a token pair for the demo client and the Denmark company with
// these scopes (none: every scope). See MintToken.
func (e *Emulator) Token(tb testing.TB, scopes ...string) *oauth2.Token {
	tb.Helper()
	return e.MintToken(tb, TokenRequest{Scopes: scopes})
}

// TokenFor mints a token pair for the demo client and subject: a company ID
// or URN, or an organisation URN. See MintToken.
func (e *Emulator) TokenFor(tb testing.TB, subject string, scopes ...string) *oauth2.Token {
	tb.Helper()
	return e.MintToken(tb, TokenRequest{Subject: subject, Scopes: scopes})
}

// Now returns the emulator's clock: the real time unless AdvanceClock or
// SetClock moved it.
func (e *Emulator) Now(tb testing.TB) time.Time {
	tb.Helper()
	var c struct {
		Now time.Time `json:"now"`
	}
	e.control(tb, http.MethodGet, "/clock", nil, &c)
	return c.Now
}

// AdvanceClock moves the emulator's clock forward by d (not negative).
// Everything the emulator checks or writes follows it: the expiry of
// authorisation codes, access and refresh tokens, login sessions, pending
// consent screens and export jobs (and their expiresIn), the login lockout,
// and timestamps such as iat, createdAt and updatedAt. The client's clock
// does not: a token held by golang.org/x/oauth2 keeps the Expiry it got
// from the real time, so its TokenSource does not refresh, and the API
// answers 401 invalid_token to the access token it keeps sending. Handle
// that answer (Refresher), or use WithAccessTokenTTL to test the client's
// own expiry; see Testing expiry in the package documentation. A fault's
// Delay and Retry-After are real seconds; the clock does not shorten them.
func (e *Emulator) AdvanceClock(tb testing.TB, d time.Duration) {
	tb.Helper()
	e.control(tb, http.MethodPost, "/clock", map[string]string{"advance": d.String()}, nil)
}

// SetClock freezes the emulator's clock at t until it is advanced, set or
// reset. As with AdvanceClock, the client's clock goes on. Setting the clock
// before the time a token was issued makes the API refuse that token (its
// iat lies in the emulator's future) until the clock passes it again.
func (e *Emulator) SetClock(tb testing.TB, t time.Time) {
	tb.Helper()
	e.control(tb, http.MethodPost, "/clock", map[string]string{"set": t.Format(time.RFC3339Nano)}, nil)
}

// ResetClock makes the emulator's clock follow the real time again.
func (e *Emulator) ResetClock(tb testing.TB) {
	tb.Helper()
	e.control(tb, http.MethodPost, "/clock", map[string]bool{"reset": true}, nil)
}

// Fault is a failure that fires on the next Count matching requests, before
// the emulator handles them.
type Fault struct {
	// Target is authorize, token, introspect, revoke, api (every API call),
	// or an API route such as "GET /v2/employees" or "/v3/export-jobs/*".
	Target string
	// Status is the HTTP status; it defaults from Error (e.g. 503 for
	// temporarily_unavailable) or to 500 with Type.
	Status int
	// Error and ErrorDescription are the OAuth error of the authorisation
	// server targets.
	Error            string
	ErrorDescription string
	// Type and Message are the Pleo error body of API targets.
	Type    string
	Message string
	// RetryAfter is sent as the Retry-After header, in seconds, when
	// positive. It is only a header: the fault fires on the next Count
	// matching requests however soon they come, and a client that honours
	// it waits in real time (the emulator's clock plays no part).
	RetryAfter int
	// Delay waits, in real time, before answering; a fault with only a
	// delay slows the request down and then lets it through. At most one
	// minute.
	Delay time.Duration
	// Count is how many requests the fault fires on; zero means one.
	Count int
}

// InjectFault queues f. Faults fire in the order they were queued.
func (e *Emulator) InjectFault(tb testing.TB, f Fault) {
	tb.Helper()
	body := map[string]any{"target": f.Target, "count": f.Count}
	for k, v := range map[string]string{"error": f.Error, "error_description": f.ErrorDescription, "type": f.Type, "message": f.Message} {
		if v != "" {
			body[k] = v
		}
	}
	if f.Status != 0 {
		body["status"] = f.Status
	}
	if f.RetryAfter != 0 {
		body["retry_after"] = f.RetryAfter
	}
	if f.Delay != 0 {
		body["delay"] = f.Delay.String()
	}
	e.control(tb, http.MethodPost, "/faults", body, nil)
}

// ClearFaults removes every queued fault.
func (e *Emulator) ClearFaults(tb testing.TB) {
	tb.Helper()
	e.control(tb, http.MethodDelete, "/faults", nil, nil)
}

// Reset restores the state of a fresh start: the demo seed and the clients
// of WithClient, no tokens, grants or sessions beyond them, no queued
// faults, and the clock following real time. Signing keys stay.
func (e *Emulator) Reset(tb testing.TB) {
	tb.Helper()
	e.control(tb, http.MethodPost, "/reset", nil, nil)
}

// control calls the control API and fails the test on any error.
func (e *Emulator) control(tb testing.TB, method, path string, in, out any) {
	tb.Helper()
	if err := e.call(method, path, in, out); err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
}

// call sends in as JSON (when not nil) to the control API path and decodes
// a 2xx answer into out (when not nil). It does not use the test's context,
// so it also works in t.Cleanup functions.
func (e *Emulator) call(method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), controlTimeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.URL+"/_emulator"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.lb.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var answer struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &answer) != nil || answer.Error == "" {
			answer.Error = strings.TrimSpace(string(raw))
		}
		return fmt.Errorf("%s /_emulator%s: %s (HTTP %d)", method, path, answer.Error, resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s /_emulator%s: %v", method, path, err)
		}
	}
	return nil
}
