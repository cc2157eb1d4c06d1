package authserver_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// signInFrom posts the login form for email from the IP address source,
// with a fresh CSRF cookie and token, and returns the status.
func signInFrom(t *testing.T, s *authserver.Server, source, email, password string) int {
	t.Helper()
	pageRec := httptest.NewRecorder()
	s.LoginPage(pageRec, httptest.NewRequest(http.MethodGet, "/login", nil))
	m := csrfField.FindStringSubmatch(pageRec.Body.String())
	if m == nil {
		t.Fatal("login page has no CSRF token")
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {m[1]}, "continue": {"/"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = source + ":40000"
	for _, c := range pageRec.Result().Cookies() {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.Login(w, req)
	return w.Code
}

// TestLoginThrottleIsPerSourceWithoutLockingAccounts checks ASVS V2.2.1:
// guesses from one source slow that source down, for one account and over
// many, while the account's owner elsewhere still signs in.
func TestLoginThrottleIsPerSourceWithoutLockingAccounts(t *testing.T) {
	s, _, clk := newServer(t)
	const attacker, owner = "192.0.2.66", "198.51.100.7"
	for i := range 5 {
		if got := signInFrom(t, s, attacker, seed.AdminEmail, "wrong"); got != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401", i+1, got)
		}
	}
	if got := signInFrom(t, s, attacker, seed.AdminEmail, seed.DemoPassword); got != http.StatusTooManyRequests {
		t.Errorf("6th try from the guessing source: status %d, want 429", got)
	}
	if got := signInFrom(t, s, owner, seed.AdminEmail, seed.DemoPassword); got != http.StatusSeeOther {
		t.Errorf("the owner from another source during the guessing: status %d, want 303", got)
	}

	// Spraying: one guess each at many emails from one source is slowed.
	const sprayer = "203.0.113.9"
	refused := 0
	for i := range 25 {
		if signInFrom(t, s, sprayer, "user"+string(rune('a'+i))+"@acme.test", "guess") == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Error("25 guesses at different emails from one source were never slowed")
	}
	if got := signInFrom(t, s, owner, seed.BookkeeperEmail, seed.DemoPassword); got != http.StatusSeeOther {
		t.Errorf("another source during the spraying: status %d, want 303", got)
	}

	// Successful sign-ins do not use up a source's allowance.
	const ci = "10.9.8.7"
	for i := range 30 {
		if got := signInFrom(t, s, ci, seed.BookkeeperEmail, seed.DemoPassword); got != http.StatusSeeOther {
			t.Fatalf("successful sign-in %d from one source: status %d, want 303", i+1, got)
		}
	}

	// Reset clears every count; so does the window passing.
	s.ClearLoginThrottle()
	if got := signInFrom(t, s, attacker, seed.AdminEmail, seed.DemoPassword); got != http.StatusSeeOther {
		t.Errorf("after ClearLoginThrottle: status %d, want 303", got)
	}
	clk.Advance(6 * time.Minute)
	if got := signInFrom(t, s, sprayer, seed.AdminEmail, seed.DemoPassword); got != http.StatusSeeOther {
		t.Errorf("after the window: status %d, want 303", got)
	}
}
