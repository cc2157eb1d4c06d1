package authserver

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// consentRequestTTL is how long a consent screen stays answerable.
const consentRequestTTL = 30 * time.Minute

// showConsent records the validated request and renders the consent screen.
func (s *Server) showConsent(w http.ResponseWriter, r *http.Request, req authRequest, user pleo.User) {
	ctx := r.Context()
	allowed, err := s.ConnectableSubjects(ctx, user.ID)
	if err != nil {
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	now := s.clock.Now()
	formID := randomToken(24)
	pending := store.AuthRequest{ID: consentKey(r, formID), ClientID: req.client.ID, RedirectURI: req.requested, Scopes: req.scopes,
		State: req.state, CodeChallenge: req.challenge, CreatedAt: now, ExpiresAt: now.Add(consentRequestTTL)}
	if req.subjectHint != nil {
		pending.SubjectHint = req.subjectHint.URN()
	}
	if err := s.st.Write(ctx, func(tx *store.Tx) error { return tx.InsertAuthRequest(ctx, pending) }); err != nil {
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	page := view.ConsentPage{Action: "/oauth/consent", CSRFToken: s.csrf.Token(w, r), RequestID: formID,
		UserEmail: user.Email, ContinueURL: r.URL.RequestURI(), Client: clientView(req.client, req.redirectURI)}
	for _, name := range req.scopes {
		sc, _ := oauthdomain.LookupScope(name)
		page.Scopes = append(page.Scopes, view.ScopeView{Name: sc.Name, Description: sc.Description})
	}
	// Nothing is preselected unless the choice is obvious: the subject the
	// app named (urn_pleo_params_oauth_subject) or the only one there is.
	var preselected oauthdomain.Subject
	switch {
	case req.subjectHint != nil:
		if hinted, ok := pickSubject(allowed, req.subjectHint); ok {
			preselected = hinted
		} else if len(allowed) > 0 {
			page.HintNotAllowed = fmt.Sprintf("%s asked to connect %s, which %s cannot connect apps for. Choose one you can, or sign out and sign in as another user.",
				req.client.Name, req.subjectHint.URN(), user.Email)
		}
	case len(allowed) == 1:
		preselected = allowed[0].Subject
	}
	for _, m := range allowed {
		page.Subjects = append(page.Subjects, subjectView(m, m.Subject == preselected))
	}
	if len(allowed) == 0 {
		page.CannotConnect = fmt.Sprintf("You are signed in as %s, who is not an admin or bookkeeper of any company. "+
			"Only admins and bookkeepers can connect apps. Go back to %s, or sign out and sign in as another user.", user.Email, req.client.Name)
	}
	s.pages.Render(w, http.StatusOK, page)
}

// consentKey is the stored ID of a pending request: a hash of the login
// session's cookie and the random ID in the consent form. A request can so
// be answered only by the session that was shown it. The CSRF token alone
// does not ensure this: SameSite=Lax does not separate the ports of one
// host, and a page on another localhost port can plant a CSRF cookie of its
// choosing, then have a signed-in victim approve a request the attacker
// started in their own session.
func consentKey(r *http.Request, formID string) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || formID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("pleo-emulator/consent/v1\x00" + c.Value + "\x00" + formID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func clientView(c oauthdomain.Client, redirectURI string) view.ClientView {
	host := ""
	if u, err := url.Parse(redirectURI); err == nil {
		host = u.Host
	}
	return view.ClientView{Name: c.Name, LogoURL: c.LogoURL, ClientURI: c.ClientURI, TermsURL: c.TermsURL,
		PrivacyURL: c.PrivacyURL, RedirectHost: host}
}

func subjectView(m store.Membership, selected bool) view.SubjectView {
	v := view.SubjectView{URN: m.Subject.URN(), Label: m.Name, Selected: selected}
	if m.Subject.Kind == oauthdomain.SubjectOrganization {
		v.Kind, v.Detail = "organisation", "Organisation · all its companies"
	} else {
		v.Kind, v.Detail = "company", fmt.Sprintf("Company · %s · %s", m.Currency, m.RegistrationNumber)
	}
	return v
}

// Consent serves POST /oauth/consent: the user's decision on a pending
// request. Deny, or a user with no right to connect apps, goes back to the
// client with error=access_denied; approval issues the code.
func (s *Server) Consent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil || !s.csrf.Check(r) {
		s.errorPage(w, http.StatusForbidden, "Request refused", "The consent form was not valid (it may have been sent from another site). Start again from the app.", "invalid_request")
		return
	}
	user, err := s.SessionUser(r)
	if err != nil {
		// The authorisation request can be shown again after signing in:
		// the form carries it (a local /oauth/authorize URL).
		page := view.ErrorPage{Title: "Signed out", Message: "Your session has ended, so this answer was not recorded. Sign in again to continue.",
			Detail: "login_required"}
		if again := safeContinue(r.PostFormValue("continue")); strings.HasPrefix(again, "/oauth/authorize?") {
			page.BackURL, page.BackLabel = "/login?"+url.Values{"continue": {again}}.Encode(), "Sign in again and continue"
		}
		s.pages.Render(w, http.StatusUnauthorized, page)
		return
	}
	var pending store.AuthRequest
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		pending, err = tx.TakeAuthRequest(ctx, consentKey(r, r.PostFormValue("request")), s.clock.Now())
		return err
	})
	if err != nil {
		if s.answered.seen(r.PostFormValue("request")) {
			s.errorPage(w, http.StatusBadRequest, "Already answered", "You already answered this request, and the app has your answer. Go back to the app.", "invalid_request")
			return
		}
		s.errorPage(w, http.StatusBadRequest, "This request has expired", "This authorisation request has expired. Start again from the app.", "invalid_request")
		return
	}
	s.answered.add(r.PostFormValue("request"), s.clock.Now())
	client, err := s.st.Client(ctx, pending.ClientID)
	redirectURI, ok := oauthdomain.MatchRedirectURI(client.RedirectURIs, pending.RedirectURI)
	if err != nil || !ok {
		s.errorPage(w, http.StatusBadRequest, "This app has changed", "The app's registration changed while you were deciding. Start again from the app.", "invalid_request")
		return
	}
	req := authRequest{client: client, redirectURI: redirectURI, requested: pending.RedirectURI, state: pending.State,
		scopes: pending.Scopes, challenge: pending.CodeChallenge}
	if !oauthdomain.Subset(req.scopes, client.Scopes) {
		s.redirectError(w, r, redirectURI, req.state, oauthError(oautherrors.ErrInvalidScope, "the client may no longer request some of these scopes"))
		return
	}
	allowed, err := s.ConnectableSubjects(ctx, user.ID)
	if err != nil {
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	if len(allowed) == 0 {
		// Whatever the button, the app learns why it got no access.
		s.redirectError(w, r, redirectURI, req.state, oauthError(oautherrors.ErrAccessDenied,
			"the user may not connect apps: only admins and bookkeepers of a company or organisation can"))
		return
	}
	if r.PostFormValue("decision") != "approve" {
		s.redirectError(w, r, redirectURI, req.state, oauthError(oautherrors.ErrAccessDenied, "the user denied the request"))
		return
	}
	chosen, err := oauthdomain.ParseSubject(r.PostFormValue("subject"), "")
	if err != nil {
		s.errorPage(w, http.StatusBadRequest, "No company chosen", "Choose the company or organisation to connect. Start again from the app.", "invalid_request")
		return
	}
	subject, ok := pickSubject(allowed, &chosen)
	if !ok {
		s.redirectError(w, r, redirectURI, req.state, oauthError(oautherrors.ErrAccessDenied, "the user may not connect apps for that company or organisation"))
		return
	}
	s.approve(w, r, req, user, subject)
}

// answeredRequests remembers the consent forms answered within
// consentRequestTTL (by their random form ID), so a second submit of the
// same form says it was answered rather than that it expired.
type answeredRequests struct {
	mu sync.Mutex
	at map[string]time.Time
}

// maxAnswered bounds the memory: beyond it, entries are forgotten in no
// particular order (the message falls back to "expired").
const maxAnswered = 10_000

func (a *answeredRequests) add(formID string, now time.Time) {
	if formID == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.at == nil {
		a.at = map[string]time.Time{}
	}
	for id, t := range a.at {
		if now.Sub(t) > consentRequestTTL || len(a.at) > maxAnswered {
			delete(a.at, id)
		}
	}
	a.at[formID] = now
}

func (a *answeredRequests) seen(formID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.at[formID]
	return ok
}
