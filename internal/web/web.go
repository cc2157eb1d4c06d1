// Package web serves the emulator's human side besides login and consent:
// the start page, the OAuth playground (a built-in client that walks the
// authorisation code flow step by step), the webhooks page, and the
// emulated Pleo web app's connected-apps page, where a user revokes an
// app's access, and spending page, where people record and review
// accounting entries.
package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
)

// Options configure the handlers.
type Options struct {
	PublicURL  string // the URL browsers use; no trailing slash
	APIBaseURL string // base URL of the mock External API
	// TokenIssuer and TokenAudience are the access tokens' iss and aud
	// (default: PublicURL and APIBaseURL).
	TokenIssuer, TokenAudience string
	SecureCookies              bool   // set Secure on the playground cookie
	Control                    bool   // the control API is served under /_emulator/
	AutoApprove                string // --auto-approve: every authorisation is approved as this user
	// APIRoutes is the mock API's route table; the playground suggests
	// paths from it.
	APIRoutes []api.Route
	// Webhooks fires the customer actions of the webhooks page.
	Webhooks *webhooks.Dispatcher
	// Spend records and reviews the spending page's entries.
	Spend *spend.Service
}

// Handlers serve the start page, the playground and the connected-apps page.
type Handlers struct {
	opt   Options
	st    *store.Store
	auth  *authserver.Server
	pages *view.Renderer
	clock *clock.Clock
	log   *slog.Logger
	root  func() http.Handler // the emulator's whole HTTP surface, for in-process calls
	play  *playSessions
	csrf  httpx.CSRF
	// notices are the connected-apps page's one-time confirmations.
	notices *noticeBox
	// spendNotices are the spending page's.
	spendNotices *noticeBox
	// receivers are the playground's built-in webhook receivers.
	receivers receivers
}

// New builds the handlers. root returns the emulator's root handler; the
// playground sends its OAuth and API requests through it in process, so it
// works where the public URL is not reachable from the server itself (a
// container behind a port mapping). It is called per request, so it may
// return a handler built after New.
func New(opt Options, st *store.Store, auth *authserver.Server, pages *view.Renderer, clk *clock.Clock,
	log *slog.Logger, root func() http.Handler) *Handlers {
	opt.PublicURL = strings.TrimSuffix(opt.PublicURL, "/")
	opt.APIBaseURL = strings.TrimSuffix(opt.APIBaseURL, "/")
	if opt.TokenIssuer == "" {
		opt.TokenIssuer = opt.PublicURL
	}
	if opt.TokenAudience == "" {
		opt.TokenAudience = opt.APIBaseURL
	}
	return &Handlers{opt: opt, st: st, auth: auth, pages: pages, clock: clk, log: log, root: root, play: newPlaySessions(),
		csrf: httpx.CSRF{SecureCookie: opt.SecureCookies}, notices: newNoticeBox(opt.SecureCookies, appsPath),
		spendNotices: newNoticeBox(opt.SecureCookies, spendingPath)}
}

// parsePost reads a posted form and checks its CSRF token; on failure it
// renders an error page and returns false.
func (h *Handlers) parsePost(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil || !h.csrf.Check(r) {
		h.refuseForm(w, r)
		return false
	}
	return true
}

// refuseForm renders the error page of a form that is unreadable or lacks
// the browser's CSRF token.
func (h *Handlers) refuseForm(w http.ResponseWriter, r *http.Request) {
	h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Request refused",
		Message: "The form was not valid: it may have been sent from another site, or your browser's cookies were reset. Go back, reload the page and try again.",
		Detail:  "invalid_request", BackURL: backURL(r)})
}

// backURL is where an error page's "Go back" link leads: the screen the form belongs to.
func backURL(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/settings/") {
		return "/settings/apps"
	}
	if strings.HasPrefix(r.URL.Path, webhooksPath+"/") {
		return webhooksPath
	}
	if strings.HasPrefix(r.URL.Path, spendingPath+"/") {
		return spendingPath
	}
	return "/playground"
}

// serverError logs err and renders the generic error page.
func (h *Handlers) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "web handler failed", "path", r.URL.Path, "error", err)
	h.pages.Render(w, http.StatusInternalServerError, view.ErrorPage{Message: "Please try again.", Detail: "server_error"})
}

// seeOther redirects after a successful POST (post/redirect/get).
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	httpx.SetSecurityHeaders(w.Header())
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// timeView formats t for display, relative to now.
func timeView(t, now time.Time) view.TimeView {
	if t.IsZero() {
		return view.TimeView{Text: "unknown"}
	}
	return view.TimeView{Text: relative(t, now), Full: t.UTC().Format("2 Jan 2006, 15:04:05 UTC"), ISO: t.UTC().Format(time.RFC3339)}
}

// relative says how far t is from now in words: "just now", "5 minutes
// ago", "in 15 minutes", or a date for anything over a week away.
func relative(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var amount string
	switch {
	case d < 45*time.Second:
		if future {
			return "in a few seconds"
		}
		return "just now"
	case d < 90*time.Second:
		amount = "1 minute"
	case d < time.Hour:
		amount = fmt.Sprintf("%d minutes", int(d.Round(time.Minute)/time.Minute))
	case d < 90*time.Minute:
		amount = "1 hour"
	case d < 24*time.Hour:
		amount = fmt.Sprintf("%d hours", int(d.Round(time.Hour)/time.Hour))
	case d < 48*time.Hour:
		amount = "1 day"
	case d < 7*24*time.Hour:
		amount = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	default:
		return "on " + t.UTC().Format("2 Jan 2006")
	}
	if future {
		return "in " + amount
	}
	return amount + " ago"
}
