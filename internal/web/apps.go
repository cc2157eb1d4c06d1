package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Paths of the connected-apps page.
const (
	appsPath   = "/settings/apps"
	revokePath = "/settings/apps/revoke"
)

// ConnectedApps serves GET /settings/apps: for each company and
// organisation the signed-in user administers (admin or bookkeeper), the
// apps with access there. Without a session it sends the user to sign in.
func (h *Handlers) ConnectedApps(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user, err := h.auth.SessionUser(r)
	if err != nil {
		seeOtherLogin(w, r)
		return
	}
	subjects, err := h.auth.ConnectableSubjects(ctx, user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	now := h.clock.Now()
	page := view.ConnectedAppsPage{CSRFToken: h.csrf.Token(w, r), RevokeAction: revokePath,
		UserName: user.Name, UserEmail: user.Email}
	for _, m := range subjects {
		apps, err := h.st.ConnectedApps(ctx, m.Subject)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		g := view.AppGroupView{Label: m.Name, Kind: kindName(m.Subject.Kind), Role: roleLabel(m.Role), SubjectURN: m.Subject.URN()}
		for _, a := range apps {
			v := view.ConnectedAppView{ClientID: a.ClientID, ClientName: a.ClientName, LogoURL: a.LogoURL,
				Status: statusLabel(a.Status), Authorisations: len(a.GrantIDs)}
			if !a.Connected() {
				v.ChangedAt = timeView(a.StatusAt, now)
				if v.Status == "" {
					v.Status = "No access"
				}
				g.Disconnected = append(g.Disconnected, v)
				continue
			}
			v.GrantedAt = timeView(a.GrantedAt, now)
			if !a.LastUsedAt.IsZero() {
				v.LastUsed = timeView(a.LastUsedAt, now)
			}
			for _, name := range a.Scopes {
				sc, _ := oauth.LookupScope(name)
				v.Scopes = append(v.Scopes, view.ScopeView{Name: name, Description: sc.Description})
			}
			g.Apps = append(g.Apps, v)
		}
		page.Groups = append(page.Groups, g)
	}
	page.Notice = h.notices.take(w, r, user.ID, h.clock.Now())
	h.pages.Render(w, http.StatusOK, page)
}

// ConfirmRevokeApp serves GET /settings/apps/revoke?client_id=&subject=:
// it asks the user to confirm revoking the app's access, with a form that
// posts to RevokeApp. Revoking takes that second, CSRF-protected step, so
// a link alone can never revoke anything.
func (h *Handlers) ConfirmRevokeApp(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user, err := h.auth.SessionUser(r)
	if err != nil {
		seeOther(w, r, "/login?"+url.Values{"continue": {r.URL.RequestURI()}}.Encode())
		return
	}
	q := r.URL.Query()
	clientID, member, ok := h.revokeTarget(w, r, user.ID, q.Get("client_id"), q.Get("subject"), "link")
	if !ok {
		return
	}
	subject := member.Subject
	apps, err := h.st.ConnectedApps(ctx, subject)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, a := range apps {
		if a.ClientID != clientID || !a.Connected() {
			continue
		}
		v := view.ConnectedAppView{ClientID: a.ClientID, ClientName: a.ClientName, LogoURL: a.LogoURL}
		for _, name := range a.Scopes {
			sc, _ := oauth.LookupScope(name)
			v.Scopes = append(v.Scopes, view.ScopeView{Name: name, Description: sc.Description})
		}
		h.pages.Render(w, http.StatusOK, view.RevokeAppPage{Action: revokePath, CSRFToken: h.csrf.Token(w, r),
			CancelURL: appsPath, UserEmail: user.Email, App: v, SubjectURN: subject.URN(),
			SubjectLabel: member.Name, SubjectKind: kindName(subject.Kind)})
		return
	}
	h.pages.Render(w, http.StatusNotFound, view.ErrorPage{Title: "Nothing to revoke",
		Message: "This app has no access to " + member.Name + " (any more).", Detail: "invalid_request",
		BackURL: appsPath, BackLabel: "Back to connected apps"})
}

// RevokeApp serves POST /settings/apps/revoke (fields csrf_token, client_id,
// subject), the form of ConfirmRevokeApp: it revokes every active grant of
// the client for the subject, and so every token descending from them, and
// sets the installation to INACTIVE. The user must administer the subject.
// It then sends the browser to the connected-apps page, which confirms the
// revocation once (see revokeNotices).
func (h *Handlers) RevokeApp(w http.ResponseWriter, r *http.Request) {
	if !h.parsePost(w, r) {
		return
	}
	ctx := r.Context()
	user, err := h.auth.SessionUser(r)
	if err != nil {
		h.pages.Render(w, http.StatusUnauthorized, view.ErrorPage{Title: "Signed out",
			Message: "Your session has ended. Sign in again to manage connected apps.", Detail: "login_required",
			BackURL: loginPath})
		return
	}
	clientID, member, ok := h.revokeTarget(w, r, user.ID, r.PostFormValue("client_id"), r.PostFormValue("subject"), "form")
	if !ok {
		return
	}
	subject := member.Subject
	if err := h.revokeApp(ctx, clientID, subject); err != nil {
		h.serverError(w, r, err)
		return
	}
	name := clientID
	if c, err := h.st.Client(ctx, clientID); err == nil {
		name = c.Name
	}
	h.notices.put(w, user.ID, fmt.Sprintf("%s no longer has access to %s. Its tokens stopped working at once; to reconnect, the app has to ask you again.",
		name, member.Name), h.clock.Now())
	seeOther(w, r, appsPath)
}

// revokeTarget checks the app and company a revoke link or form (source)
// names: both given, and the user administers the company. On failure it
// has written the error page and ok is false.
func (h *Handlers) revokeTarget(w http.ResponseWriter, r *http.Request, userID, clientID, rawSubject, source string) (string, store.Membership, bool) {
	subject, err := oauth.ParseSubject(rawSubject, "")
	if err != nil || clientID == "" {
		h.pages.Render(w, http.StatusBadRequest, view.ErrorPage{Title: "Nothing to revoke",
			Message: "The " + source + " did not name an app and a company.", Detail: "invalid_request",
			BackURL: appsPath, BackLabel: "Back to connected apps"})
		return "", store.Membership{}, false
	}
	subjects, err := h.auth.ConnectableSubjects(r.Context(), userID)
	if err != nil {
		h.serverError(w, r, err)
		return "", store.Membership{}, false
	}
	member, ok := membership(subjects, subject)
	if !ok {
		h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Not allowed",
			Message: "Only admins and bookkeepers of a company or organisation can revoke its apps' access.",
			Detail:  "access_denied", BackURL: appsPath, BackLabel: "Back to connected apps"})
		return "", store.Membership{}, false
	}
	return clientID, member, true
}

// revokeApp revokes every active grant of the client for subject and marks
// the installation INACTIVE, in one transaction.
func (h *Handlers) revokeApp(ctx context.Context, clientID string, subject oauth.Subject) error {
	now := h.clock.Now()
	return h.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeClientGrants(ctx, clientID, subject, oauth.RevokedByUser, now); err != nil {
			return err
		}
		return tx.DeactivateInstallation(ctx, clientID, subject, now)
	})
}

// membership returns the user's membership of subject, if any.
func membership(ms []store.Membership, subject oauth.Subject) (store.Membership, bool) {
	for _, m := range ms {
		if m.Subject == subject {
			return m, true
		}
	}
	return store.Membership{}, false
}

// loginPath is the login page, returning to the connected-apps page.
const loginPath = "/login?continue=" + appsPath

// seeOtherLogin sends the browser to the login page, coming back here afterwards.
func seeOtherLogin(w http.ResponseWriter, r *http.Request) { seeOther(w, r, loginPath) }

func kindName(k oauth.SubjectKind) string {
	if k == oauth.SubjectOrganization {
		return "organisation"
	}
	return "company"
}

// statusLabel turns an installation status (AUTHORIZED, ACTIVATED, ...) into words.
func statusLabel(status string) string {
	if status == "" {
		return ""
	}
	words := strings.ReplaceAll(strings.ToLower(status), "_", " ")
	return strings.ToUpper(words[:1]) + words[1:]
}
