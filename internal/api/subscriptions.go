package api

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// Webhook subscriptions (/v1/subscriptions), at Pleo's paths and in its
// shapes: POST answers 200 and DELETE 204, as Pleo documents. A
// subscription belongs to the token's client and subject; another client
// or subject gets 404. Scopes are an emulator choice: every route needs
// export-jobs:read (Pleo documents subscriptions next to the Export API and
// that export events need its scopes), and subscribing to an event needs
// that event's scope too (vendors:read for v1.vendor.created, an inference).

var (
	subscriptionStatuses = []string{"ACTIVE", "INACTIVE"}
	endpointAuthTypes    = []string{"NONE", "BASIC"}
	operationTypes       = []string{store.OperationCreate, store.OperationUpdate, store.OperationDelete}
	subscriptionsList    = listSpec{sortKeys: store.SubscriptionSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
		offset: true, defaultLimit: 20, maxLimit: 100}
	activitiesList = listSpec{sortKeys: store.SubscriptionActivitySortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
		offset: true, defaultLimit: 20, maxLimit: 100}
)

// subscriptionRequest is Pleo's SubscriptionRequest.
type subscriptionRequest struct {
	EndpointURL   string            `json:"endpointUrl"`
	EventTypes    []string          `json:"eventTypes"`
	CustomHeaders map[string]string `json:"customHeaders,omitempty"`
	EndpointAuth  *endpointAuth     `json:"endpointAuth,omitempty"`
	Status        string            `json:"status,omitempty"`
}

// endpointAuth is Pleo's EndpointAuth: how deliveries authenticate to the endpoint.
type endpointAuth struct {
	Type        string           `json:"type"`
	Credentials *authCredentials `json:"credentials,omitempty"`
}

// authCredentials is Pleo's credentials object. Answers show the username
// only: passwords and tokens are never sent back (an emulator choice).
type authCredentials struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Token    string `json:"token,omitempty"`
}

// subscriptionModel is Pleo's SubscriptionModel.
type subscriptionModel struct {
	ID            string            `json:"id" format:"uuid"`
	EndpointURL   string            `json:"endpointUrl"`
	EventTypes    []string          `json:"eventTypes"`
	Status        string            `json:"status"`
	CustomHeaders map[string]string `json:"customHeaders,omitempty"`
	EndpointAuth  *endpointAuth     `json:"endpointAuth,omitempty"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	DeletedAt     *time.Time        `json:"deletedAt,omitempty"`
	DeletedBy     string            `json:"deletedBy,omitempty"`
}

// subscriptionActivityModel is Pleo's SubscriptionActivityModel.
type subscriptionActivityModel struct {
	ID             string    `json:"id" format:"uuid"`
	SubscriptionID string    `json:"subscriptionId" format:"uuid"`
	OperationType  string    `json:"operationType"`
	Description    string    `json:"description"`
	ActorURN       string    `json:"actorUrn"`
	CreatedAt      time.Time `json:"createdAt"`
}

// subscriptionSecret is the answer of GET /v1/subscriptions/{id}/secret.
type subscriptionSecret struct {
	SecretKey string `json:"secretKey"`
}

var subscriptionNotFound = notFound("Subscription not found.")

var subscriptionBodyEnums = map[string][]string{"status": subscriptionStatuses}

var listSubscriptionsDoc = operation{
	id: "getSubscriptions", tag: "Subscriptions", summary: "List the subscriptions of the token's client and subject",
	params: append([]param{
		{name: "status", in: "query", description: "Only subscriptions in this status.",
			schema: map[string]any{"type": "string", "enum": subscriptionStatuses}},
		queryEnums("event_types", "Only subscriptions listing one of these event types.", events.Names()),
	}, pagingParams(subscriptionsList)...),
	status: http.StatusOK, response: pageResponse[subscriptionModel]{}, errors: []int{http.StatusBadRequest},
}

// listSubscriptions answers GET /v1/subscriptions.
func (a *API) listSubscriptions(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, subscriptionsList)
	if err != nil {
		return err
	}
	f := store.SubscriptionFilter{Status: q.Get("status"), EventTypes: multiValues(q, "event_types")}
	if f.Status != "" && !slices.Contains(subscriptionStatuses, f.Status) {
		return badParam("status", "must be one of %s, not %q.", strings.Join(subscriptionStatuses, ", "), f.Status)
	}
	for _, t := range f.EventTypes {
		if _, ok := events.Lookup(t); !ok {
			return badParam("event_types", "has unknown event type %q; allowed: %s.", t, strings.Join(events.Names(), ", "))
		}
	}
	page, err := a.store.ListSubscriptions(r.Context(), ownerOf(p), f, pq.req)
	if err != nil {
		return err
	}
	out := store.Page[subscriptionModel]{Positions: page.Positions, HasNext: page.HasNext, HasPrevious: page.HasPrevious, Total: page.Total}
	for _, s := range page.Items {
		out.Items = append(out.Items, subscriptionResponse(s))
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(out, pq, echoParams(q, "status", "event_types")))
	return nil
}

var createSubscriptionDoc = operation{
	id: "createSubscription", tag: "Subscriptions", summary: "Create a subscription",
	body: subscriptionRequest{}, bodyRequired: true, bodyEnums: subscriptionBodyEnums,
	status: http.StatusOK, response: dataResponse[subscriptionModel]{}, errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// createSubscription answers POST /v1/subscriptions with 200, as Pleo
// documents, and a new whsec_ signing secret.
func (a *API) createSubscription(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	sub, err := a.subscriptionFromBody(w, r, p)
	if err != nil {
		return err
	}
	sub.ClientID, sub.Subject = p.ClientID, p.Subject
	sub, err = a.store.CreateSubscription(r.Context(), sub, NewWebhookSecret(), p.Subject.URN(), a.clock.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[subscriptionModel]{Data: subscriptionResponse(sub)})
	return nil
}

var subscriptionIDParam = pathParam("id", "The subscription ID.")

var getSubscriptionDoc = operation{
	id: "getSubscription", tag: "Subscriptions", summary: "Get a subscription",
	params: []param{subscriptionIDParam},
	status: http.StatusOK, response: dataResponse[subscriptionModel]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getSubscription answers GET /v1/subscriptions/{id}. A deleted
// subscription is still shown, with deletedAt and deletedBy.
func (a *API) getSubscription(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	sub, err := a.ownSubscription(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[subscriptionModel]{Data: subscriptionResponse(sub)})
	return nil
}

var updateSubscriptionDoc = operation{
	id: "updateSubscription", tag: "Subscriptions", summary: "Replace a subscription",
	params: []param{subscriptionIDParam}, body: subscriptionRequest{}, bodyRequired: true, bodyEnums: subscriptionBodyEnums,
	status: http.StatusOK, response: dataResponse[subscriptionModel]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateSubscription answers PUT /v1/subscriptions/{id}: the body replaces
// every field (the secret stays). A deleted subscription is 404.
func (a *API) updateSubscription(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	change, err := a.subscriptionFromBody(w, r, p)
	if err != nil {
		return err
	}
	sub, err := a.store.UpdateSubscription(r.Context(), ownerOf(p), id, change, p.Subject.URN(), a.clock.Now())
	if err != nil {
		return storeError(err, subscriptionNotFound, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[subscriptionModel]{Data: subscriptionResponse(sub)})
	return nil
}

var deleteSubscriptionDoc = operation{
	id: "deleteSubscription", tag: "Subscriptions", summary: "Delete a subscription; its pending deliveries are cancelled",
	params: []param{subscriptionIDParam}, status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteSubscription answers DELETE /v1/subscriptions/{id} with 204.
func (a *API) deleteSubscription(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	if err := a.store.DeleteSubscription(r.Context(), ownerOf(p), id, p.Subject.URN(), a.clock.Now()); err != nil {
		return storeError(err, subscriptionNotFound, "")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var listSubscriptionActivitiesDoc = operation{
	id: "getSubscriptionActivities", tag: "Subscriptions", summary: "List the changes made to a subscription",
	params: append([]param{subscriptionIDParam,
		queryEnums("operation_types", "Only activities of these operation types.", operationTypes),
	}, pagingParams(activitiesList)...),
	status: http.StatusOK, response: pageResponse[subscriptionActivityModel]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listSubscriptionActivities answers GET /v1/subscriptions/{id}/activities.
func (a *API) listSubscriptionActivities(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, activitiesList)
	if err != nil {
		return err
	}
	ops := multiValues(q, "operation_types")
	for _, op := range ops {
		if !slices.Contains(operationTypes, op) {
			return badParam("operation_types", "has unknown value %q; allowed: %s.", op, strings.Join(operationTypes, ", "))
		}
	}
	page, err := a.store.ListSubscriptionActivities(r.Context(), ownerOf(p), id, ops, pq.req)
	if err != nil {
		return storeError(err, subscriptionNotFound, "")
	}
	out := store.Page[subscriptionActivityModel]{Positions: page.Positions, HasNext: page.HasNext, HasPrevious: page.HasPrevious, Total: page.Total}
	for _, act := range page.Items {
		out.Items = append(out.Items, subscriptionActivityModel{ID: act.ID, SubscriptionID: act.SubscriptionID,
			OperationType: act.OperationType, Description: act.Description, ActorURN: act.ActorURN, CreatedAt: act.CreatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(out, pq, echoParams(q, "operation_types")))
	return nil
}

var getSubscriptionSecretDoc = operation{
	id: "getSubscriptionSecret", tag: "Subscriptions", summary: "Get the secret that signs a subscription's deliveries",
	params: []param{subscriptionIDParam},
	status: http.StatusOK, response: dataResponse[subscriptionSecret]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getSubscriptionSecret answers GET /v1/subscriptions/{id}/secret. A
// deleted subscription's secret is 404.
func (a *API) getSubscriptionSecret(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	sub, err := a.ownSubscription(r, p)
	if err != nil {
		return err
	}
	if sub.DeletedAt != nil {
		return subscriptionNotFound
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[subscriptionSecret]{Data: subscriptionSecret{SecretKey: sub.Secret}})
	return nil
}

// ownSubscription reads the subscription of the path's id owned by the
// token's client and subject.
func (a *API) ownSubscription(r *http.Request, p oauth.Principal) (store.Subscription, error) {
	id, err := pathUUID(r, "id")
	if err != nil {
		return store.Subscription{}, err
	}
	sub, err := a.store.Subscription(r.Context(), ownerOf(p), id)
	return sub, storeError(err, subscriptionNotFound, "")
}

func ownerOf(p oauth.Principal) store.SubscriptionOwner {
	return store.SubscriptionOwner{ClientID: p.ClientID, Subject: p.Subject}
}

// reservedHeaders are headers a delivery sets itself; customHeaders may not
// name them.
var reservedHeaders = []string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature", "Content-Type", "Content-Length",
	"Host", "Authorization", "Transfer-Encoding", "Connection", "User-Agent"}

// subscriptionFromBody reads and validates a SubscriptionRequest.
func (a *API) subscriptionFromBody(w http.ResponseWriter, r *http.Request, p oauth.Principal) (store.Subscription, error) {
	var body subscriptionRequest
	if err := decodeBody(w, r, &body, true); err != nil {
		return store.Subscription{}, err
	}
	sub := store.Subscription{EndpointURL: strings.TrimSpace(body.EndpointURL), EventTypes: body.EventTypes,
		CustomHeaders: body.CustomHeaders, AuthType: "NONE", Status: "ACTIVE"}
	if err := checkEndpointURL(sub.EndpointURL); err != nil {
		return sub, err
	}
	if len(body.EventTypes) == 0 {
		return sub, badField("eventTypes", "must list at least one event type.")
	}
	for i, t := range body.EventTypes {
		et, ok := events.Lookup(t)
		if !ok {
			return sub, badField("eventTypes["+strconv.Itoa(i)+"]", "is not a known event type: %q; allowed: %s.", t, strings.Join(events.Names(), ", "))
		}
		if slices.Index(body.EventTypes, t) != i {
			return sub, badField("eventTypes", "lists %q twice; event types must be unique.", t)
		}
		if !p.HasScope(et.Scope) {
			return sub, &apiError{Status: http.StatusForbidden, Type: typeInsufficientScope,
				Message: "Subscribing to " + t + " requires the scope " + et.Scope + "."}
		}
	}
	for name, value := range body.CustomHeaders {
		if !validHeaderName(name) || strings.ContainsAny(value, "\r\n\x00") {
			return sub, badField("customHeaders", "has an invalid header %q.", name)
		}
		if slices.ContainsFunc(reservedHeaders, func(h string) bool { return strings.EqualFold(h, name) }) {
			return sub, badField("customHeaders", "cannot set %q: deliveries set it themselves.", name)
		}
	}
	if body.Status != "" {
		if err := checkEnum("status", &body.Status, subscriptionStatuses); err != nil {
			return sub, err
		}
		sub.Status = body.Status
	}
	if auth := body.EndpointAuth; auth != nil && auth.Type != "" {
		if err := checkEnum("endpointAuth.type", &auth.Type, endpointAuthTypes); err != nil {
			return sub, err
		}
		sub.AuthType = auth.Type
		if auth.Type == "BASIC" {
			c := auth.Credentials
			if c == nil || c.Username == "" || c.Password == "" {
				return sub, badField("endpointAuth.credentials", "must have a username and a password when the type is BASIC.")
			}
			if strings.Contains(c.Username, ":") {
				return sub, badField("endpointAuth.credentials.username", "must not contain ':' (RFC 7617).")
			}
			sub.AuthUsername, sub.AuthPassword, sub.AuthToken = c.Username, c.Password, c.Token
		}
	}
	return sub, nil
}

// checkEndpointURL accepts an absolute http or https URL with a host and
// no fragment or credentials.
func checkEndpointURL(raw string) error {
	if raw == "" {
		return badField("endpointUrl", "is required.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return badField("endpointUrl", "must be an absolute http or https URL, not %q.", raw)
	}
	if u.User != nil || u.Fragment != "" {
		return badField("endpointUrl", "must not contain credentials or a fragment; use endpointAuth for credentials.")
	}
	return nil
}

// subscriptionResponse renders a subscription as Pleo's SubscriptionModel.
func subscriptionResponse(s store.Subscription) subscriptionModel {
	m := subscriptionModel{ID: s.ID, EndpointURL: s.EndpointURL, EventTypes: s.EventTypes, Status: s.Status,
		CustomHeaders: s.CustomHeaders, EndpointAuth: &endpointAuth{Type: s.AuthType},
		CreatedAt: s.CreatedAt.UTC(), UpdatedAt: s.UpdatedAt.UTC(), DeletedAt: s.DeletedAt, DeletedBy: s.DeletedBy}
	if len(m.CustomHeaders) == 0 {
		m.CustomHeaders = nil
	}
	if s.AuthType == "BASIC" {
		m.EndpointAuth.Credentials = &authCredentials{Username: s.AuthUsername}
	}
	return m
}

// NewWebhookSecret returns a new signing secret: "whsec_" and the standard
// base64 of 24 random bytes, the length of Pleo's documented example.
func NewWebhookSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// validHeaderName reports whether name is an RFC 9110 §5.6.2 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}
