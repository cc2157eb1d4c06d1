package authserver

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// loginFailed is the one message for a wrong email or a wrong password, so
// the form does not reveal which emails exist.
const loginFailed = "Wrong email or password."

// LoginPage serves GET /login.
func (s *Server) LoginPage(w http.ResponseWriter, r *http.Request) {
	s.pages.Render(w, http.StatusOK, s.loginPage(w, r, safeContinue(r.URL.Query().Get("continue"))))
}

// loginPage is the sign-in form continuing to cont. When cont is an
// authorisation request it names the app asking; it lists the demo users
// that exist (none with --seed none).
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, cont string) view.LoginPage {
	page := view.LoginPage{Action: "/login", CSRFToken: s.csrf.Token(w, r), Continue: cont}
	if u, err := url.Parse(cont); err == nil && u.Path == "/oauth/authorize" {
		if c, err := s.st.Client(r.Context(), u.Query().Get("client_id")); err == nil {
			page.ClientName = c.Name
		}
	}
	for _, email := range []string{seed.AdminEmail, seed.BookkeeperEmail, seed.EmployeeEmail} {
		if _, err := s.st.UserByEmail(r.Context(), email); err == nil {
			page.DemoUsers = append(page.DemoUsers, email)
		}
	}
	return page
}

// waitText says how long to wait as a person would: "5 minutes",
// "1 minute", "40 seconds" (rounded up).
func waitText(d time.Duration) string {
	if d > time.Minute {
		m := int((d + time.Minute - 1) / time.Minute)
		return fmt.Sprintf("%d minutes", m)
	}
	if d > 59*time.Second {
		return "1 minute"
	}
	sec := max(int((d+time.Second-1)/time.Second), 1)
	if sec == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", sec)
}

// Login serves POST /login: checks the CSRF token, the throttle and the
// credentials, starts a session and continues to the local URL it was given.
func (s *Server) Login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, http.StatusBadRequest, "Bad request", "The sign-in form could not be read.", "invalid_request")
		return
	}
	cont := safeContinue(r.PostFormValue("continue"))
	email := strings.TrimSpace(r.PostFormValue("email"))
	page := s.loginPage(w, r, cont)
	page.Email = email
	if !s.csrf.Check(r) {
		page.Error = "Your session expired. Please try again."
		s.pages.Render(w, http.StatusForbidden, page)
		return
	}
	now := s.clock.Now()
	keys := loginThrottleKeys(r, email)
	if wait := s.throttle.attempt(now, keys...); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		page.Error = "Too many failed attempts. Try again in " + waitText(wait) + "."
		s.pages.Render(w, http.StatusTooManyRequests, page)
		return
	}
	user, err := s.st.UserByEmail(r.Context(), email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		oauth.HashPassword("no-such-user", r.PostFormValue("password")) // same work as a real check
	case err != nil:
		s.log.ErrorContext(r.Context(), "login lookup failed", "error", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	if err != nil || !oauth.CheckPassword(user.ID, r.PostFormValue("password"), user.PasswordHash) {
		page.Error = loginFailed
		s.pages.Render(w, http.StatusUnauthorized, page)
		return
	}
	s.throttle.succeeded(now, keys...)
	if err := s.startSession(r.Context(), w, user.ID); err != nil {
		s.log.ErrorContext(r.Context(), "start session failed", "error", err)
		s.errorPage(w, http.StatusInternalServerError, "Something went wrong", "Please try again.", "server_error")
		return
	}
	httpx.SetSecurityHeaders(w.Header())
	http.Redirect(w, r, cont, http.StatusSeeOther)
}

// Logout serves POST /logout.
func (s *Server) Logout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.csrf.Check(r) {
		s.errorPage(w, http.StatusForbidden, "Sign-out refused", "The sign-out form was not valid. Go back and try again.", "invalid_request")
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.st.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteSession(r.Context(), hashSecret(c.Value)) })
	}
	s.clearCookie(w, sessionCookie)
	httpx.SetSecurityHeaders(w.Header())
	http.Redirect(w, r, safeContinue(r.PostFormValue("continue")), http.StatusSeeOther)
}
