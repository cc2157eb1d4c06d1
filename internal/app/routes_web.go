package app

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
	"github.com/pleo-emulator/pleo-emulator/internal/web"
)

// webRoutes serves the human side: the start page, the playground and the
// emulated Pleo web app's connected-apps and spending pages.
// Form posts go through forms, which refuses posts from other sites;
// forms with a file go through uploads, which does the same with a larger body limit.
func (a *App) webRoutes(r, forms, uploads chi.Router, as *authserver.Server, pages *view.Renderer) {
	opt := web.Options{PublicURL: a.Config.PublicURL, APIBaseURL: a.Config.APIBaseURL(),
		TokenIssuer: a.Config.AccessTokenIssuer(), TokenAudience: a.Config.AccessTokenAudience(),
		SecureCookies: a.Config.Secure(), Control: a.Config.Control, APIRoutes: a.API.Routes(),
		AutoApprove: a.Config.AutoApprove, Webhooks: a.Webhooks, Spend: a.Spend}
	// The playground calls the emulator in process, through the root handler,
	// which exists only once routes returns: hence the func.
	h := web.New(opt, a.Store, as, pages, a.Clock, a.Log, func() http.Handler { return a.Handler() })

	r.Get("/", h.Start)

	// The playground: a built-in client whose requests go to this emulator in process.
	r.Get("/playground", h.Playground)
	r.Get("/playground/callback", h.PlaygroundCallback)
	forms.Post("/playground/authorize", h.PlaygroundAuthorize)
	forms.Post("/playground/exchange", h.PlaygroundExchange)
	forms.Post("/playground/refresh", h.PlaygroundRefresh)
	forms.Post("/playground/introspect", h.PlaygroundIntrospect)
	forms.Post("/playground/revoke", h.PlaygroundRevoke)
	forms.Post("/playground/call", h.PlaygroundCall)
	forms.Post("/playground/reset", h.PlaygroundReset)
	forms.Post("/playground/webhook-subscribe", h.PlaygroundWebhookSubscribe)
	// Deliveries come from the emulator's dispatcher, not from a page.
	r.Post("/playground/webhook-receiver/{id}", h.PlaygroundWebhookReceiver)

	// The emulated Pleo web app (needs a login).
	r.Get("/settings/apps", h.ConnectedApps)
	r.Get("/settings/apps/revoke", h.ConfirmRevokeApp)
	forms.Post("/settings/apps/revoke", h.RevokeApp)

	// Webhook subscriptions and deliveries, and the customer actions that
	// fire events (the actions need a login).
	r.Get("/webhooks", h.Webhooks)
	forms.Post("/webhooks/export", h.WebhookExport)
	forms.Post("/webhooks/vendor", h.WebhookVendor)

	// The spending page: employees record purchases with receipts,
	// reviewers review (needs a login).
	r.Get("/spending", h.Spending)
	uploads.Post("/spending/record", h.SpendingRecord)
	forms.Post("/spending/review", h.SpendingReview)
}
