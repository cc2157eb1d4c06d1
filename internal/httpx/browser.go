package httpx

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// ContentSecurityPolicy is the CSP sent by SetSecurityHeaders. The pages use
// no scripts and no inline styles. form-action allows http:/https: because
// the consent form's POST answers with a redirect to the client's redirect
// URI, and browsers apply form-action to that redirect too.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data: https: http:; " +
	"form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"

// SetSecurityHeaders sets the headers every HTML response and every
// redirect of a browser carries: no framing (clickjacking of the consent
// screen), a strict CSP, no caching, no sniffing.
func SetSecurityHeaders(h http.Header) {
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin") // same-origin posts then carry their Origin; other sites get none
	h.Set("X-Content-Type-Options", "nosniff")
}

// FromOtherSite reports whether a browser sent r from a page of another site
// or origin: Sec-Fetch-Site says cross-site or same-site (another port of
// localhost is "same-site"), or Origin names neither publicOrigin nor the
// request's own host. Non-browser clients send neither header. Forms and
// the control API refuse such requests, which closes cross-site request
// forgery even where SameSite=Lax cookies do not (other localhost ports).
func FromOtherSite(r *http.Request, publicOrigin string) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return true
	}
	origin := r.Header.Get("Origin")
	return origin != "" && origin != publicOrigin && origin != "http://"+r.Host && origin != "https://"+r.Host
}

// SameSiteOnly refuses, with refuse, requests FromOtherSite reports.
func SameSiteOnly(publicOrigin string, refuse http.HandlerFunc) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if FromOtherSite(r, publicOrigin) {
				refuse(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// csrfCookie holds the browser's CSRF token.
const csrfCookie = "pleo_emulator_csrf"

// CSRF is the double-submit CSRF token of the emulator's forms: a random
// token in a SameSite=Lax, HttpOnly cookie that every form echoes in its
// hidden csrf_token field. The cookie is not sent on cross-site POSTs, so a
// forged form cannot match it.
type CSRF struct {
	// SecureCookie sets Secure on the cookie (the public URL is https).
	SecureCookie bool
}

// Token returns the browser's CSRF token, setting the cookie if absent.
func (c CSRF) Token(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: c.SecureCookie,
		SameSite: http.SameSiteLaxMode})
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// Check reports whether a posted form carries the browser's CSRF token
// (compared in constant time).
func (CSRF) Check(r *http.Request) bool {
	ck, err := r.Cookie(csrfCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf_token"))) == 1
}
