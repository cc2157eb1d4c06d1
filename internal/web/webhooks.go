package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// Paths of the webhooks page.
const (
	webhooksPath      = "/webhooks"
	webhookExportPath = "/webhooks/export"
	webhookVendorPath = "/webhooks/vendor"
	webhooksLoginPath = "/login?continue=" + webhooksPath
)

// webhookDeliveryLimit is how many deliveries the page shows. Each one is
// shown with all its attempts, so the page stays readable and cheap.
const webhookDeliveryLimit = 25

// Webhooks serves GET /webhooks: every subscription, the latest deliveries
// (of one subscription with ?subscription=<id>) with every attempt, and,
// for a signed-in admin or bookkeeper, the customer actions that fire
// events. Secrets and endpoint credentials are not shown; the control API
// has them.
func (h *Handlers) Webhooks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.clock.Now()
	q := r.URL.Query()
	page := view.WebhooksPage{CSRFToken: h.csrf.Token(w, r), ExportAction: webhookExportPath, VendorAction: webhookVendorPath,
		LoginURL: webhooksLoginPath, DeliveryLimit: webhookDeliveryLimit}
	page.Notice, page.Error = webhookNotice(q)
	if user, err := h.auth.SessionUser(r); err == nil {
		page.SignedIn, page.UserEmail = true, user.Email
		companies, err := h.actionCompanies(ctx, user.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		page.Companies = companies
	}
	subs, err := h.st.AllSubscriptions(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	clientNames, err := h.clientNames(ctx)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	filter := q.Get("subscription")
	for _, s := range subs {
		v := view.WebhookSubscriptionView{ID: s.ID, ClientID: s.ClientID, ClientName: clientNames[s.ClientID],
			Subject: s.Subject.URN(), EndpointURL: s.EndpointURL, EventTypes: s.EventTypes, Status: s.Status,
			Deleted: s.DeletedAt != nil, CreatedAt: timeView(s.CreatedAt, now),
			DeliveriesURL: webhooksPath + "?" + url.Values{"subscription": {s.ID}}.Encode() + "#deliveries"}
		if s.FailingSince != nil {
			v.FailingSince = timeView(*s.FailingSince, now)
		}
		page.Subscriptions = append(page.Subscriptions, v)
		page.FilterOptions = append(page.FilterOptions, view.OptionView{Value: s.ID,
			Label: s.ID + " (" + v.ClientName + ", " + s.EndpointURL + ")", Selected: s.ID == filter})
	}
	if !slices.ContainsFunc(subs, func(s store.Subscription) bool { return s.ID == filter }) {
		filter = "" // an unknown subscription filters nothing rather than showing an empty list
	}
	page.Filter = filter
	deliveries, err := h.st.ListDeliveries(ctx, store.DeliveryFilter{SubscriptionID: filter, Limit: webhookDeliveryLimit})
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	for _, d := range deliveries {
		full, err := h.st.Delivery(ctx, d.ID)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		page.Deliveries = append(page.Deliveries, deliveryView(full, now))
	}
	h.pages.Render(w, http.StatusOK, page)
}

// deliveryView turns a delivery and its attempts into the page's model.
func deliveryView(d store.Delivery, now time.Time) view.WebhookDeliveryView {
	v := view.WebhookDeliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, SubscriptionID: d.SubscriptionID,
		State: d.State, CreatedAt: timeView(d.CreatedAt, now)}
	if d.NextAttemptAt != nil && d.State == store.DeliveryPending {
		v.NextAttempt = timeView(*d.NextAttemptAt, now)
	}
	for _, a := range d.History {
		av := view.WebhookAttemptView{Number: a.Number, At: timeView(a.StartedAt, now), RequestBody: a.RequestBody,
			Status: a.ResponseStatus, Success: a.ResponseStatus >= 200 && a.ResponseStatus <= 299,
			ResponseBody: a.ResponseBody, Error: a.Error, Note: a.Note,
			Duration: fmt.Sprintf("%.1f ms", float64(a.Duration.Microseconds())/1000)}
		av.StatusText = "no answer"
		if a.ResponseStatus != 0 {
			av.StatusText = fmt.Sprintf("%d %s", a.ResponseStatus, http.StatusText(a.ResponseStatus))
		}
		names := make([]string, 0, len(a.RequestHeaders))
		for name := range a.RequestHeaders {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			for _, value := range a.RequestHeaders[name] {
				av.RequestHeaders = append(av.RequestHeaders, view.HeaderView{Name: name, Value: value})
			}
		}
		v.Attempts = append(v.Attempts, av)
	}
	return v
}

// actionCompanies lists the companies userID administers (admin or
// bookkeeper), with the export button's label naming the apps connected
// there, as Pleo's Export button names the accounting app.
func (h *Handlers) actionCompanies(ctx context.Context, userID string) ([]view.WebhookCompanyView, error) {
	ms, err := h.auth.ConnectableSubjects(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []view.WebhookCompanyView
	for _, m := range ms {
		if m.Subject.Kind != oauth.SubjectCompany {
			continue // exports and vendors belong to companies
		}
		apps, err := h.st.ConnectedApps(ctx, m.Subject)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, a := range apps {
			if a.Connected() {
				names = append(names, a.ClientName)
			}
		}
		label := "Export"
		if len(names) > 0 {
			label = "Export to " + strings.Join(names, " and ")
		}
		out = append(out, view.WebhookCompanyView{ID: m.Subject.ID, Name: m.Name, Role: roleLabel(m.Role),
			Currency: m.Currency, ExportLabel: label})
	}
	return out, nil
}

// clientNames maps client IDs to names.
func (h *Handlers) clientNames(ctx context.Context) (map[string]string, error) {
	clients, err := h.st.Clients(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(clients))
	for _, c := range clients {
		names[c.ID] = c.Name
	}
	return names, nil
}

// WebhookExport serves POST /webhooks/export (fields csrf_token,
// company_id): a click on Export in Pleo. It creates the pending,
// interactive export job and its v1.export-job.created event through the
// same code as POST /_emulator/events, then shows the page again.
func (h *Handlers) WebhookExport(w http.ResponseWriter, r *http.Request) {
	user, company, ok := h.webhookAction(w, r)
	if !ok {
		return
	}
	// The job's createdBy is the person who clicked, when they are an
	// employee of the company (an admin of several companies may not be).
	employee, err := h.employeeOf(r.Context(), user, company.Subject.ID)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var createdBy *string
	if employee != nil {
		createdBy = &employee.ID
	}
	job, eventID, err := h.opt.Webhooks.Export(r.Context(), company.Subject.ID, createdBy)
	switch {
	case errors.Is(err, pleo.ErrNothingToExport):
		seeOther(w, r, webhooksPath+"?error=nothing_to_export#actions")
	case errors.Is(err, pleo.ErrExportInProgress):
		seeOther(w, r, webhooksPath+"?error=export_in_progress#actions")
	case err != nil:
		h.serverError(w, r, err)
	default:
		q := url.Values{"done": {"export"}, "job": {job.ID}, "event": {eventID}}
		seeOther(w, r, webhooksPath+"?"+q.Encode()+"#deliveries")
	}
}

// WebhookVendor serves POST /webhooks/vendor (fields csrf_token,
// company_id, name, currency): a person creating a vendor in Pleo. The
// vendor is a DRAFT; v1.vendor.created is fired in the same transaction.
func (h *Handlers) WebhookVendor(w http.ResponseWriter, r *http.Request) {
	_, company, ok := h.webhookAction(w, r)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		h.webhookFormError(w, "Enter the vendor's name.")
		return
	}
	currency := strings.ToUpper(strings.TrimSpace(r.PostFormValue("currency")))
	v, eventID, err := h.opt.Webhooks.CreateVendor(r.Context(), pleo.Vendor{CompanyID: company.Subject.ID, Name: name,
		DefaultCurrency: currency})
	switch {
	case errors.Is(err, pleo.ErrInvalid):
		h.webhookFormError(w, "The vendor was not created: "+strings.TrimPrefix(err.Error(), pleo.ErrInvalid.Error()+": ")+".")
	case err != nil:
		h.serverError(w, r, err)
	default:
		q := url.Values{"done": {"vendor"}, "vendor": {v.ID}, "event": {eventID}}
		seeOther(w, r, webhooksPath+"?"+q.Encode()+"#deliveries")
	}
}

// webhookAction checks a customer action's form: a valid CSRF token, a
// signed-in user, and a company_id the user administers. On failure it
// answers with an error page and returns false.
func (h *Handlers) webhookAction(w http.ResponseWriter, r *http.Request) (pleo.User, store.Membership, bool) {
	if !h.parsePost(w, r) {
		return pleo.User{}, store.Membership{}, false
	}
	user, err := h.auth.SessionUser(r)
	if err != nil {
		h.pages.Render(w, http.StatusUnauthorized, view.ErrorPage{Title: "Signed out",
			Message: "Your session has ended. Sign in again as an admin or bookkeeper to act for a company.",
			Detail:  "login_required", BackURL: webhooksLoginPath})
		return pleo.User{}, store.Membership{}, false
	}
	ms, err := h.auth.ConnectableSubjects(r.Context(), user.ID)
	if err != nil {
		h.serverError(w, r, err)
		return pleo.User{}, store.Membership{}, false
	}
	id := strings.ToLower(r.PostFormValue("company_id"))
	for _, m := range ms {
		if m.Subject.Kind == oauth.SubjectCompany && m.Subject.ID == id {
			return user, m, true
		}
	}
	h.pages.Render(w, http.StatusForbidden, view.ErrorPage{Title: "Not allowed",
		Message: "Only an admin or bookkeeper of a company can export its entries or create its vendors.",
		Detail:  "access_denied", BackURL: webhooksPath})
	return pleo.User{}, store.Membership{}, false
}

// webhookFormError answers a customer action's invalid input.
func (h *Handlers) webhookFormError(w http.ResponseWriter, message string) {
	h.pages.Render(w, http.StatusBadRequest, view.ErrorPage{Title: "Not created", Message: message,
		Detail: "invalid_request", BackURL: webhooksPath + "#actions"})
}

// webhookNotice builds the page's notice or error from the query a
// customer action redirected to. Only UUIDs and known codes are shown, so
// a crafted link cannot put its own words on the page.
func webhookNotice(q url.Values) (notice, problem string) {
	switch q.Get("error") {
	case "nothing_to_export":
		problem = "Nothing to export: the company has no accounting entries ready for export."
	case "export_in_progress":
		problem = "The company has an export job in progress: Pleo starts one export at a time."
	}
	event := q.Get("event")
	if !oauth.IsUUID(event) {
		return notice, problem
	}
	switch q.Get("done") {
	case "export":
		if job := q.Get("job"); oauth.IsUUID(job) {
			notice = "Export job " + job + " created (pending, interactive); event " + event +
				" (v1.export-job.created) is queued for every matching subscription."
		}
	case "vendor":
		if v := q.Get("vendor"); oauth.IsUUID(v) {
			notice = "Vendor " + v + " created as a DRAFT; event " + event +
				" (v1.vendor.created) is queued for every matching subscription."
		}
	}
	return notice, problem
}
