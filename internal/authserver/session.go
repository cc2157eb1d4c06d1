package authserver

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// sessionCookie names the login session's cookie. It is HttpOnly and
// SameSite=Lax, and Secure when the public URL is https, so it works on
// plain http://localhost (the CSRF cookie, httpx.CSRF, is set alike).
const sessionCookie = "pleo_emulator_session"

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int(maxAge / time.Second)})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// SessionUser returns the logged-in user, or ErrNotFound.
func (s *Server) SessionUser(r *http.Request) (pleo.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return pleo.User{}, store.ErrNotFound
	}
	return s.st.SessionUser(r.Context(), hashSecret(c.Value), s.clock.Now())
}

// startSession logs user in: a new random session ID in a cookie, stored hashed.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, userID string) error {
	id := randomToken(32)
	now := s.clock.Now()
	if err := s.st.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, hashSecret(id), userID, now, now.Add(s.opt.SessionTTL))
	}); err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, id, s.opt.SessionTTL)
	return nil
}

// safeContinue accepts only a local path ("/..."), so login and logout
// cannot be turned into open redirects.
func safeContinue(raw string) string {
	if raw == "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.HasPrefix(raw, `/\`) {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(raw, "\r\n\\") {
		return "/"
	}
	return raw
}

// loginThrottle slows down password guessing without letting anyone lock
// an account for others (OWASP ASVS 4.0 V2.2.1; emulator choice, Pleo's
// own limits are not documented). It counts by two keys:
//   - an account from one source (sourceAccountKey): after
//     maxAccountFailures, that source may not try that email again until
//     throttleWindow has passed since its last try; the same email from
//     another source is unaffected;
//   - a source alone (sourceKey): after maxSourceFailures, whatever the
//     emails, so one client cannot spray guesses over many accounts.
//
// Every attempt counts as a failure until it succeeds, so parallel
// guesses count too; a success forgets the account's failures from that
// source and its own attempt on the source's count. A source is the TCP
// peer's IP address: forwarded-for headers are not trusted, so behind a
// proxy or Docker's port mapping every client shares one source.
type loginThrottle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

const (
	maxAccountFailures = 5
	maxSourceFailures  = 20
	throttleWindow     = 5 * time.Minute
	maxThrottled       = 10_000 // keys tracked before stale ones are swept
)

func newLoginThrottle() *loginThrottle { return &loginThrottle{failures: map[string][]time.Time{}} }

// loginThrottleKeys are the throttle's keys for a sign-in to email from r's
// source: the source's key first, then the account-and-source key.
func loginThrottleKeys(r *http.Request, email string) []string {
	source := r.RemoteAddr
	if host, _, err := net.SplitHostPort(source); err == nil {
		source = host
	}
	return []string{"source " + source, "account " + strings.ToLower(email) + " from " + source}
}

// limit is the number of failures a key allows within the window.
func limit(key string) int {
	if strings.HasPrefix(key, "source ") {
		return maxSourceFailures
	}
	return maxAccountFailures
}

// attempt records an attempt for keys and returns 0, or, when a key has
// used up its attempts, records nothing and returns how long to wait.
// A successful login calls succeeded with the same keys and time.
func (t *loginThrottle) attempt(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		recent := t.recent(k, now)
		if len(recent) >= limit(k) {
			wait = max(wait, recent[len(recent)-1].Add(throttleWindow).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	if len(t.failures) > maxThrottled {
		for k := range t.failures {
			t.recent(k, now) // drops keys whose attempts are all outside the window
		}
	}
	for _, k := range keys {
		t.failures[k] = append(t.recent(k, now), now)
	}
	return 0
}

// succeeded records that the attempt made at time at succeeded: the
// account's failures from that source are forgotten, and the source's
// count loses that one attempt (its other failures still count).
func (t *loginThrottle) succeeded(at time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if limit(k) == maxAccountFailures {
			delete(t.failures, k)
			continue
		}
		fs := t.failures[k]
		if i := slices.Index(fs, at); i >= 0 {
			t.failures[k] = slices.Delete(fs, i, i+1)
		}
	}
}

// clear forgets every failure.
func (t *loginThrottle) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.failures)
}

// ClearLoginThrottle forgets every failed sign-in, as a fresh start does;
// the control API's reset calls it, so a test suite is never locked out.
func (s *Server) ClearLoginThrottle() { s.throttle.clear() }

// recent drops failures older than the window; the caller holds mu.
func (t *loginThrottle) recent(k string, now time.Time) []time.Time {
	fs := t.failures[k]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) > throttleWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, k)
	} else {
		t.failures[k] = fs
	}
	return fs
}
