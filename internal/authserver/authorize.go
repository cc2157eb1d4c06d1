package authserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// authRequest is a validated authorisation request.
type authRequest struct {
	client      oauthdomain.Client
	redirectURI string // where to send the browser back (resolved)
	requested   string // redirect_uri as given ("" when omitted), bound to the code
	state       string
	scopes      []string
	challenge   string
	subjectHint *oauthdomain.Subject
}

// validateAuthorize checks an authorisation request (RFC 6749 §4.1.1, RFC
// 7636 §4.3). It returns the client's trusted redirect URI as soon as the
// client and redirect URI are verified; trusted == "" means the error must
// be shown as a page, never redirected (§4.1.2.1).
func (s *Server) validateAuthorize(ctx context.Context, q url.Values) (req authRequest, trusted string, err *oauthdomain.Error) {
	for _, p := range []string{"client_id", "redirect_uri"} {
		if len(q[p]) > 1 {
			return req, "", oauthError(oautherrors.ErrInvalidRequest, p+" is given more than once")
		}
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		return req, "", oauthError(oautherrors.ErrInvalidRequest, "client_id is missing")
	}
	client, lookupErr := s.st.Client(ctx, clientID)
	if errors.Is(lookupErr, store.ErrNotFound) {
		return req, "", oauthError(oautherrors.ErrInvalidClient, "there is no client with this client_id")
	}
	if lookupErr != nil {
		return req, "", oauthError(oautherrors.ErrServerError, "the client could not be loaded")
	}
	redirectURI, ok := oauthdomain.MatchRedirectURI(client.RedirectURIs, q.Get("redirect_uri"))
	if !ok {
		if q.Get("redirect_uri") == "" {
			return req, "", oauthError(oautherrors.ErrInvalidRequest, "redirect_uri is missing and the client has more than one registered")
		}
		return req, "", oauthError(oautherrors.ErrInvalidRequest, "redirect_uri is not registered for this client (it must match exactly)")
	}
	req = authRequest{client: client, redirectURI: redirectURI, requested: q.Get("redirect_uri"), state: q.Get("state")}

	// From here on the redirect URI is trusted: errors go back to the client.
	for name, vs := range q {
		if len(vs) > 1 {
			return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, quoted(name)+" is given more than once")
		}
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "response_type is missing")
	case oauth2.ResponseType(rt) != oauth2.Code:
		return req, redirectURI, oauthError(oautherrors.ErrUnsupportedResponseType, "only response_type=code is supported")
	}
	req.scopes = oauthdomain.ParseScope(q.Get("scope"))
	if len(req.scopes) == 0 {
		return req, redirectURI, oauthError(oautherrors.ErrInvalidScope, "scope is missing")
	}
	if bad := oauthdomain.UnknownScopes(req.scopes); len(bad) > 0 {
		return req, redirectURI, oauthError(oautherrors.ErrInvalidScope, "unknown scope: "+quoted(strings.Join(bad, " ")))
	}
	if notAllowed := oauthdomain.MissingScopes(req.scopes, client.Scopes); len(notAllowed) > 0 {
		return req, redirectURI, oauthError(oautherrors.ErrInvalidScope, "scope not allowed for this client: "+strings.Join(notAllowed, " "))
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "code_challenge_method given without code_challenge")
	case challenge == "" && client.PKCERequired:
		return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "PKCE is required: send code_challenge and code_challenge_method=S256")
	case challenge != "" && method != oauthdomain.MethodS256:
		return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "code_challenge_method must be S256 (plain is not supported)")
	case challenge != "" && !oauthdomain.ValidChallenge(challenge):
		return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
	}
	req.challenge = challenge
	if hint := q.Get("urn_pleo_params_oauth_subject"); hint != "" {
		sub, err := oauthdomain.ParseSubject(hint, "")
		if err != nil {
			return req, redirectURI, oauthError(oautherrors.ErrInvalidRequest, "urn_pleo_params_oauth_subject must be urn:pleo:company:<uuid> or urn:pleo:organization:<uuid>")
		}
		req.subjectHint = &sub
	}
	return req, redirectURI, nil
}

// Authorize serves GET /oauth/authorize. A valid request from a signed-in
// user shows the consent screen; without a session the user is sent to the
// login page and back. With auto-approve the code is issued at once.
func (s *Server) Authorize(w http.ResponseWriter, r *http.Request) {
	req, trusted, verr := s.validateAuthorize(r.Context(), r.URL.Query())
	f, fire, err := s.faults.Fire(r.Context(), w, faults.Endpoint{Target: faults.Authorize})
	switch {
	case err != nil:
		return // the client went away during the fault's delay
	case fire:
		s.authorizeFault(w, r, f, trusted)
		return
	}
	if verr != nil {
		if trusted == "" {
			s.untrustedRequestPage(w, r, verr)
			return
		}
		s.redirectError(w, r, trusted, req.state, verr)
		return
	}
	if email := s.autoApproveUser(req.client); email != "" {
		s.autoApprove(w, r, req, email)
		return
	}
	user, err := s.SessionUser(r)
	if err != nil {
		ui := url.Values{"continue": {r.URL.RequestURI()}}
		http.Redirect(w, r, "/login?"+ui.Encode(), http.StatusFound)
		return
	}
	s.showConsent(w, r, req, user)
}

// untrustedRequestPage explains an authorisation request whose client or
// redirect URI cannot be trusted (RFC 6749 §4.1.2.1: never redirect). When
// the client exists, the redirect URI it sent is shown, as text, next to the
// registered ones; the start page lists every client.
func (s *Server) untrustedRequestPage(w http.ResponseWriter, r *http.Request, verr *oauthdomain.Error) {
	page := view.ErrorPage{Title: "This app sent an invalid request",
		Message: verr.Description + ". The app's redirect URI cannot be trusted, so you are not sent back to it.",
		Detail:  verr.Code.Error(), BackURL: "/", BackLabel: "Go to the start page"}
	q := r.URL.Query()
	if c, err := s.st.Client(r.Context(), q.Get("client_id")); err == nil && len(q["redirect_uri"]) <= 1 {
		page.ReceivedRedirectURI = q.Get("redirect_uri")
		page.RegisteredRedirectURIs = c.RedirectURIs
	}
	s.pages.Render(w, http.StatusBadRequest, page)
}

// authorizeFault answers an injected fault: an OAuth error goes back to the
// client when its redirect URI is trusted, as a real error would; anything
// else is an error page with the fault's status.
func (s *Server) authorizeFault(w http.ResponseWriter, r *http.Request, f faults.Fault, trusted string) {
	e := f.OAuthError()
	if f.Error != "" && trusted != "" {
		s.redirectError(w, r, trusted, r.URL.Query().Get("state"), e)
		return
	}
	s.errorPage(w, e.Status(), "The authorisation server failed", e.Description+".", e.Code.Error())
}

// autoApproveUser returns the email to approve as without screens: the
// client's own auto-approve user, else the server's --auto-approve user.
func (s *Server) autoApproveUser(c oauthdomain.Client) string {
	if c.AutoApproveUser != "" {
		return c.AutoApproveUser
	}
	return s.opt.AutoApprove
}

// autoApprove issues a code for the configured user and the preselected
// subject (or the user's first allowed one) with no login or consent page.
func (s *Server) autoApprove(w http.ResponseWriter, r *http.Request, req authRequest, email string) {
	user, err := s.st.UserByEmail(r.Context(), email)
	if err != nil {
		s.redirectError(w, r, req.redirectURI, req.state, oauthError(oautherrors.ErrAccessDenied, "the auto-approve user "+email+" does not exist"))
		return
	}
	allowed, err := s.ConnectableSubjects(r.Context(), user.ID)
	if err != nil {
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	subject, ok := pickSubject(allowed, req.subjectHint)
	if !ok {
		s.redirectError(w, r, req.redirectURI, req.state, oauthError(oautherrors.ErrAccessDenied, "the user may not connect apps for the requested company or organisation"))
		return
	}
	s.approve(w, r, req, user, subject)
}

// pickSubject chooses the hinted subject when the user may connect it, else
// the first allowed one; with a hint the user may not use, nothing.
func pickSubject(allowed []store.Membership, hint *oauthdomain.Subject) (oauthdomain.Subject, bool) {
	if hint != nil {
		for _, m := range allowed {
			if m.Subject == *hint {
				return m.Subject, true
			}
		}
		return oauthdomain.Subject{}, false
	}
	if len(allowed) == 0 {
		return oauthdomain.Subject{}, false
	}
	return allowed[0].Subject, true
}

// ConnectableSubjects lists the companies and organisations for which the
// user may connect (and disconnect) apps: admin or bookkeeper.
func (s *Server) ConnectableSubjects(ctx context.Context, userID string) ([]store.Membership, error) {
	ms, err := s.st.Memberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ms, func(m store.Membership) bool { return !oauthdomain.CanConnectApps(m.Role) }), nil
}

// approve issues the code: a new grant bound to client, user, subject and
// scopes, a single-use code (256 random bits, stored hashed) bound to the
// redirect URI and PKCE challenge, and the installation set to AUTHORIZED.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req authRequest, user pleo.User, subject oauthdomain.Subject) {
	ctx := r.Context()
	code := randomToken(32)
	now := s.clock.Now()
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		g := oauthdomain.Grant{ID: store.NewUUID(), ClientID: req.client.ID, UserID: user.ID, Subject: subject,
			Scopes: req.scopes, CreatedAt: now}
		if err := tx.InsertGrant(ctx, g); err != nil {
			return err
		}
		if err := tx.InsertCode(ctx, store.Code{Hash: hashSecret(code), GrantID: g.ID, RedirectURI: req.requested,
			CodeChallenge: req.challenge, CreatedAt: now, ExpiresAt: now.Add(s.opt.CodeTTL)}); err != nil {
			return err
		}
		return tx.AuthorizeInstallation(ctx, req.client.ID, subject, now)
	})
	if err != nil {
		s.log.ErrorContext(ctx, "issue authorization code failed", "error", err)
		s.redirectError(w, r, req.redirectURI, req.state, oauthError(oautherrors.ErrServerError, "the authorization code could not be issued"))
		return
	}
	q := url.Values{"code": {code}}
	if req.state != "" {
		q.Set("state", req.state)
	}
	s.redirectTo(w, r, req.redirectURI, q)
}
