package control

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
)

// Test-fixture controls of webhook deliveries: every subscription, the
// deliveries and their attempts, redelivery, "deliver now" and faults.

// subscriptionView is a subscription as the control API shows it: with
// its owner, its secret and whether its endpoint is failing.
type subscriptionView struct {
	ID            string            `json:"id"`
	ClientID      string            `json:"client_id"`
	Subject       string            `json:"subject"`
	EndpointURL   string            `json:"endpoint_url"`
	EventTypes    []string          `json:"event_types"`
	Status        string            `json:"status"`
	CustomHeaders map[string]string `json:"custom_headers"`
	AuthType      string            `json:"auth_type"`
	Secret        string            `json:"secret"`
	FailingSince  *time.Time        `json:"failing_since"`
	CreatedAt     time.Time         `json:"created_at"`
	DeletedAt     *time.Time        `json:"deleted_at"`
}

func (c *Control) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	subs, err := c.Store.AllSubscriptions(r.Context())
	answerList(c, w, r, "subscriptions", subs, err, func(s store.Subscription) subscriptionView {
		return subscriptionView{ID: s.ID, ClientID: s.ClientID, Subject: s.Subject.URN(), EndpointURL: s.EndpointURL,
			EventTypes: s.EventTypes, Status: s.Status, CustomHeaders: s.CustomHeaders, AuthType: s.AuthType, Secret: s.Secret,
			FailingSince: s.FailingSince, CreatedAt: s.CreatedAt, DeletedAt: s.DeletedAt}
	})
}

// deliveryView is a delivery as the control API shows it.
type deliveryView struct {
	ID             string          `json:"id"`
	EventID        string          `json:"event_id"`
	EventType      string          `json:"event_type"`
	SubscriptionID string          `json:"subscription_id"`
	CompanyID      string          `json:"company_id"`
	State          string          `json:"state"`
	Attempts       int             `json:"attempts"`
	NextAttemptAt  *time.Time      `json:"next_attempt_at"`
	CreatedAt      time.Time       `json:"created_at"`
	Data           json.RawMessage `json:"data"`
	History        []attemptView   `json:"attempt_history,omitempty"`
}

// attemptView is one attempt: the request sent and the answer.
type attemptView struct {
	Number         int                 `json:"number"`
	StartedAt      time.Time           `json:"started_at"`
	RequestHeaders map[string][]string `json:"request_headers"`
	RequestBody    string              `json:"request_body"`
	ResponseStatus int                 `json:"response_status"`
	ResponseBody   string              `json:"response_body"`
	Error          string              `json:"error,omitempty"`
	DurationMS     float64             `json:"duration_ms"`
	Note           string              `json:"note,omitempty"`
}

func newDeliveryView(d store.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, EventID: d.EventID, EventType: d.EventType, SubscriptionID: d.SubscriptionID,
		CompanyID: d.CompanyID, State: d.State, Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, Data: d.Data}
	for _, a := range d.History {
		v.History = append(v.History, attemptView{Number: a.Number, StartedAt: a.StartedAt, RequestHeaders: a.RequestHeaders,
			RequestBody: a.RequestBody, ResponseStatus: a.ResponseStatus, ResponseBody: a.ResponseBody, Error: a.Error,
			DurationMS: float64(a.Duration.Microseconds()) / 1000, Note: a.Note})
	}
	return v
}

// listDeliveries serves GET /_emulator/webhooks/deliveries, newest first,
// filtered by subscription_id, event_id, event_type and state; limit
// (default 100, at most 1000).
func (c *Control) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.DeliveryFilter{SubscriptionID: q.Get("subscription_id"), EventID: q.Get("event_id"),
		EventType: q.Get("event_type"), State: q.Get("state")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(w, http.StatusBadRequest, "limit must be an integer from 1 to 1000")
			return
		}
		f.Limit = n
	}
	switch f.State {
	case "", store.DeliveryPending, store.DeliverySucceeded, store.DeliveryFailed, store.DeliveryCancelled:
	default:
		fail(w, http.StatusBadRequest, "state must be pending, succeeded, failed or cancelled")
		return
	}
	ds, err := c.Store.ListDeliveries(r.Context(), f)
	answerList(c, w, r, "deliveries", ds, err, newDeliveryView)
}

// getDelivery serves GET /_emulator/webhooks/deliveries/{id} with its attempts.
func (c *Control) getDelivery(w http.ResponseWriter, r *http.Request) {
	d, err := c.Store.Delivery(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		c.storeFail(w, r, "delivery", err)
		return
	}
	writeJSON(w, http.StatusOK, newDeliveryView(d))
}

// redeliver serves POST /_emulator/webhooks/deliveries/{id}/redeliver: one
// more attempt of the same message (same webhook-id), due now; 202.
func (c *Control) redeliver(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	err := c.Store.Redeliver(r.Context(), id, c.Clock.Now())
	switch {
	case errors.Is(err, store.ErrConflict):
		fail(w, http.StatusConflict, "the delivery's subscription is deleted")
		return
	case err != nil:
		c.storeFail(w, r, "delivery "+id, err)
		return
	}
	c.Webhooks.Wake()
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id, "state": store.DeliveryPending})
}

// deliverNow serves POST /_emulator/webhooks/deliver-now: every pending
// delivery, retries waiting for their backoff included, is due at once.
func (c *Control) deliverNow(w http.ResponseWriter, r *http.Request) {
	n, err := c.Store.DeliverNow(r.Context(), c.Clock.Now())
	if err != nil {
		c.storeFail(w, r, "deliver now", err)
		return
	}
	c.Webhooks.Wake()
	writeJSON(w, http.StatusOK, map[string]int{"moved": n})
}

// webhookFaultRequest is the body of POST /_emulator/webhooks/faults.
type webhookFaultRequest struct {
	Kind           string `json:"kind"`
	Count          int    `json:"count,omitempty"`
	Delay          string `json:"delay,omitempty"` // a Go duration, for kind delay
	SubscriptionID string `json:"subscription_id,omitempty"`
}

func (c *Control) listWebhookFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"faults": c.Webhooks.Faults().List(), "kinds": webhooks.FaultKinds})
}

// addWebhookFault serves POST /_emulator/webhooks/faults: the next count
// deliveries (of one subscription, when given) are duplicated, delayed,
// sent out of order or signed with a wrong secret.
func (c *Control) addWebhookFault(w http.ResponseWriter, r *http.Request) {
	var req webhookFaultRequest
	if !decode(w, r, &req) {
		return
	}
	f := webhooks.Fault{Kind: req.Kind, Count: req.Count, SubscriptionID: req.SubscriptionID}
	if req.Delay != "" {
		d, err := time.ParseDuration(req.Delay)
		if err != nil {
			fail(w, http.StatusBadRequest, "delay must be a duration such as 2s")
			return
		}
		f.Delay = d
	}
	added, err := c.Webhooks.Faults().Add(f)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, added)
}

func (c *Control) clearWebhookFaults(w http.ResponseWriter, _ *http.Request) {
	c.Webhooks.Faults().Clear()
	w.WriteHeader(http.StatusNoContent)
}
