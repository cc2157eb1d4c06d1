package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// This file serves Pleo's Subscriptions API (/v1/subscriptions). A
// subscription belongs to one client and one subject (the company or
// organisation of the token that created it): every read and write here is
// bound to that owner, so another client or subject finds nothing. Deleting
// keeps the row (Pleo's model has deletedAt and deletedBy) and cancels its
// pending deliveries. Every create, update and delete writes an activity in
// the same transaction.

// Subscription is one webhook subscription.
type Subscription struct {
	ID            string
	ClientID      string
	Subject       oauth.Subject
	EndpointURL   string
	EventTypes    []string
	CustomHeaders map[string]string // never nil once read
	AuthType      string            // NONE or BASIC
	AuthUsername  string
	AuthPassword  string
	AuthToken     string
	Status        string // ACTIVE or INACTIVE
	Secret        string // whsec_..., the signing key
	FailingSince  *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
	DeletedBy     string
}

// SubscriptionOwner is the client and subject a subscription belongs to.
type SubscriptionOwner struct {
	ClientID string
	Subject  oauth.Subject
}

// SubscriptionActivity is one create, update or delete of a subscription.
type SubscriptionActivity struct {
	ID             string
	SubscriptionID string
	OperationType  string // CREATE, UPDATE or DELETE
	Description    string
	ActorURN       string
	CreatedAt      time.Time
}

// The operation types of activities, as Pleo names them.
const (
	OperationCreate = "CREATE"
	OperationUpdate = "UPDATE"
	OperationDelete = "DELETE"
)

// subscriptionColumnsOf lists the columns scanSubscription reads, each
// prefixed by alias (such as "s." or "").
func subscriptionColumnsOf(alias string) string {
	a := alias
	return a + "id, " + a + "client_id, " + a + "subject_kind, " + a + "subject_id, " + a + "endpoint_url, " +
		a + "event_types, " + a + "custom_headers, " + a + "auth_type, coalesce(" + a + "auth_username, ''), coalesce(" +
		a + "auth_password, ''), coalesce(" + a + "auth_token, ''), " + a + "status, " + a + "secret, " + a + "failing_since, " +
		a + "created_at, " + a + "updated_at, " + a + "deleted_at, coalesce(" + a + "deleted_by, '')"
}

var subscriptionColumns = subscriptionColumnsOf("")

func scanSubscription(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	var kind, types, headers, created, updated string
	var failing, deleted sql.NullString
	err := row.Scan(&s.ID, &s.ClientID, &kind, &s.Subject.ID, &s.EndpointURL, &types, &headers,
		&s.AuthType, &s.AuthUsername, &s.AuthPassword, &s.AuthToken, &s.Status, &s.Secret,
		&failing, &created, &updated, &deleted, &s.DeletedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, err
	}
	s.Subject.Kind = oauth.SubjectKind(kind)
	s.CreatedAt, s.UpdatedAt = parseTime(created), parseTime(updated)
	s.FailingSince, s.DeletedAt = nullableTime(failing), nullableTime(deleted)
	s.CustomHeaders = map[string]string{}
	if err := json.Unmarshal([]byte(types), &s.EventTypes); err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(headers), &s.CustomHeaders)
}

// subscriptionSortColumns maps the sort keys ListSubscriptions accepts to
// columns; the default order is createdAt, then id.
var subscriptionSortColumns = map[string]string{"createdAt": "created_at", "updatedAt": "updated_at", "id": "id"}

// SubscriptionSortKeys are the sort keys ListSubscriptions accepts, sorted.
var SubscriptionSortKeys = sortKeys(subscriptionSortColumns)

// SubscriptionFilter selects subscriptions; empty fields do not filter.
type SubscriptionFilter struct {
	Status     string
	EventTypes []string // subscriptions listing any of these
}

// ListSubscriptions returns one page of owner's subscriptions that are not
// deleted and match f.
func (s *Store) ListSubscriptions(ctx context.Context, owner SubscriptionOwner, f SubscriptionFilter, req PageRequest) (Page[Subscription], error) {
	q := listQuery{columns: subscriptionColumns, from: "FROM webhook_subscriptions", sortable: subscriptionSortColumns}
	q.filter("client_id = ? AND subject_kind = ? AND subject_id = ? AND deleted_at IS NULL",
		owner.ClientID, string(owner.Subject.Kind), owner.Subject.ID)
	q.filterEqual("status", f.Status)
	if len(f.EventTypes) > 0 {
		q.filter("EXISTS (SELECT 1 FROM json_each(event_types) WHERE value IN ("+placeholders(len(f.EventTypes))+"))",
			anySlice(f.EventTypes)...)
	}
	return listPage(ctx, s, q, withDefaultOrder(req, Sort{Key: "createdAt"}), scanSubscription)
}

// Subscription returns one of owner's subscriptions, deleted ones included
// (their DeletedAt is set).
func (s *Store) Subscription(ctx context.Context, owner SubscriptionOwner, id string) (Subscription, error) {
	return subscriptionOf(ctx, s.r, owner, id)
}

func subscriptionOf(ctx context.Context, db rowQuerier, owner SubscriptionOwner, id string) (Subscription, error) {
	return scanSubscription(db.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE id = ? AND client_id = ? AND subject_kind = ? AND subject_id = ?`,
		id, owner.ClientID, string(owner.Subject.Kind), owner.Subject.ID))
}

// CreateSubscription stores sub (its ID, times and secret are set here)
// and its CREATE activity by actorURN.
func (s *Store) CreateSubscription(ctx context.Context, sub Subscription, secret, actorURN string, now time.Time) (Subscription, error) {
	sub.ID, sub.Secret, sub.CreatedAt, sub.UpdatedAt = NewUUID(), secret, now, now
	sub.FailingSince, sub.DeletedAt, sub.DeletedBy = nil, nil, ""
	if sub.CustomHeaders == nil {
		sub.CustomHeaders = map[string]string{}
	}
	types, err := jsonText(sub.EventTypes, "[]")
	if err != nil {
		return sub, err
	}
	headers, err := jsonText(sub.CustomHeaders, "{}")
	if err != nil {
		return sub, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (id, client_id, subject_kind, subject_id,
			endpoint_url, event_types, custom_headers, auth_type, auth_username, auth_password, auth_token, status, secret,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.ClientID, string(sub.Subject.Kind), sub.Subject.ID, sub.EndpointURL, types, headers, sub.AuthType,
			nullString(sub.AuthUsername), nullString(sub.AuthPassword), nullString(sub.AuthToken), sub.Status, sub.Secret,
			formatTime(now), formatTime(now)); err != nil {
			return err
		}
		return tx.addSubscriptionActivity(ctx, sub.ID, OperationCreate, "Subscription created", actorURN, now)
	})
	return sub, err
}

// UpdateSubscription replaces the endpoint, event types, headers, auth and
// status of owner's subscription id with those of change, and writes its
// UPDATE activity. A deleted subscription is ErrNotFound. Pending
// deliveries keep the address they were made for until they are sent: the
// dispatcher reads the subscription at send time.
func (s *Store) UpdateSubscription(ctx context.Context, owner SubscriptionOwner, id string, change Subscription, actorURN string, now time.Time) (Subscription, error) {
	var sub Subscription
	types, err := jsonText(change.EventTypes, "[]")
	if err != nil {
		return sub, err
	}
	if change.CustomHeaders == nil {
		change.CustomHeaders = map[string]string{}
	}
	headers, err := jsonText(change.CustomHeaders, "{}")
	if err != nil {
		return sub, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		if err := mustAffect(tx.tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET endpoint_url = ?, event_types = ?,
			custom_headers = ?, auth_type = ?, auth_username = ?, auth_password = ?, auth_token = ?, status = ?, updated_at = ?
			WHERE id = ? AND client_id = ? AND subject_kind = ? AND subject_id = ? AND deleted_at IS NULL`,
			change.EndpointURL, types, headers, change.AuthType, nullString(change.AuthUsername), nullString(change.AuthPassword),
			nullString(change.AuthToken), change.Status, formatTime(now),
			id, owner.ClientID, string(owner.Subject.Kind), owner.Subject.ID)); err != nil {
			return err
		}
		if err := tx.addSubscriptionActivity(ctx, id, OperationUpdate, "Subscription updated", actorURN, now); err != nil {
			return err
		}
		sub, err = subscriptionOf(ctx, tx.tx, owner, id)
		return err
	})
	return sub, err
}

// DeleteSubscription marks owner's subscription id deleted by actorURN,
// cancels its pending deliveries and writes its DELETE activity. A
// subscription already deleted is ErrNotFound.
func (s *Store) DeleteSubscription(ctx context.Context, owner SubscriptionOwner, id, actorURN string, now time.Time) error {
	return s.Write(ctx, func(tx *Tx) error {
		if err := mustAffect(tx.tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET deleted_at = ?, deleted_by = ?, updated_at = ?
			WHERE id = ? AND client_id = ? AND subject_kind = ? AND subject_id = ? AND deleted_at IS NULL`,
			formatTime(now), actorURN, formatTime(now), id, owner.ClientID, string(owner.Subject.Kind), owner.Subject.ID)); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'cancelled', next_attempt_at = NULL, updated_at = ?
			WHERE subscription_id = ? AND state = 'pending'`, formatTime(now), id); err != nil {
			return err
		}
		return tx.addSubscriptionActivity(ctx, id, OperationDelete, "Subscription deleted", actorURN, now)
	})
}

func (t *Tx) addSubscriptionActivity(ctx context.Context, subscriptionID, op, description, actorURN string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO webhook_subscription_activities (id, subscription_id, operation_type,
		description, actor_urn, created_at) VALUES (?, ?, ?, ?, ?, ?)`, NewUUID(), subscriptionID, op, description, actorURN, formatTime(now))
	return err
}

// activitySortColumns maps the sort keys ListSubscriptionActivities
// accepts to columns; the default order is createdAt, then id.
var activitySortColumns = map[string]string{"createdAt": "created_at", "id": "id"}

// SubscriptionActivitySortKeys are the sort keys ListSubscriptionActivities accepts, sorted.
var SubscriptionActivitySortKeys = sortKeys(activitySortColumns)

// ListSubscriptionActivities returns one page of the activities of owner's
// subscription id (deleted or not) whose operation type is one of ops (all
// when empty). ErrNotFound when owner has no such subscription.
func (s *Store) ListSubscriptionActivities(ctx context.Context, owner SubscriptionOwner, id string, ops []string, req PageRequest) (Page[SubscriptionActivity], error) {
	if _, err := s.Subscription(ctx, owner, id); err != nil {
		return Page[SubscriptionActivity]{}, err
	}
	q := listQuery{columns: `id, subscription_id, operation_type, description, actor_urn, created_at`,
		from: "FROM webhook_subscription_activities", sortable: activitySortColumns}
	q.filter("subscription_id = ?", id)
	q.filterIn("operation_type", ops)
	return listPage(ctx, s, q, withDefaultOrder(req, Sort{Key: "createdAt"}), func(row interface{ Scan(...any) error }) (SubscriptionActivity, error) {
		var a SubscriptionActivity
		var created string
		err := row.Scan(&a.ID, &a.SubscriptionID, &a.OperationType, &a.Description, &a.ActorURN, &created)
		a.CreatedAt = parseTime(created)
		return a, err
	})
}

// AllSubscriptions lists every subscription, deleted ones included, newest
// first, for the control API and the webhooks page.
func (s *Store) AllSubscriptions(ctx context.Context) ([]Subscription, error) {
	return queryList(ctx, s.r, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		ORDER BY created_at DESC, id`)
}
