package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// This file is the webhook outbox. An event is written by EnqueueEvent in
// the transaction of the change that caused it, together with one delivery
// (a Standard Webhooks message) per subscription that wants it, so an event
// is never lost once the change is committed and never sent for a change
// that was rolled back. The dispatcher (internal/webhooks) claims due
// deliveries, sends them and records each attempt.

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"    // every attempt failed
	DeliveryCancelled = "cancelled" // the subscription went away first
)

// SettingAPIExportJobsEmit is the emulator_settings key that says whether
// an export job created through the API (by the integration itself) emits
// v1.export-job.created: "true" or anything else for false.
const SettingAPIExportJobsEmit = "webhooks.api_export_jobs_emit"

// EnqueueEvent records an event of canonical type typ about companyID whose
// data is the resource as the API shows it, and queues a delivery, due at
// now, for every subscription that wants it: not deleted, ACTIVE, listing
// one of the event's names, owned by the company or its organisation, whose
// client still holds an unrevoked grant for that subject with the event's
// scope. A delivery carries the name its subscription used. It returns the
// event's ID.
func (t *Tx) EnqueueEvent(ctx context.Context, typ, companyID string, data any, now time.Time) (string, error) {
	et, ok := events.Lookup(typ)
	if !ok || et.Deprecated() {
		return "", errors.New("webhooks: unknown event type " + typ)
	}
	body, err := json.Marshal(data)
	if err != nil {
		return "", err
	}
	id := NewUUID()
	if _, err := t.exec(ctx, qInsertEvent,
		id, typ, companyID, string(body), formatTime(now)); err != nil {
		return "", err
	}
	names := events.NamesOf(typ)
	// A fan-out holds the single writer (a flood of events is one fan-out
	// after another): it reads only what the deliveries need.
	type target struct{ sub, name string }
	targets, err := queryList(ctx, t.tx, func(row interface{ Scan(...any) error }) (target, error) {
		var sub, types string
		var subscribed []string
		if err := row.Scan(&sub, &types); err != nil {
			return target{}, err
		}
		err := json.Unmarshal([]byte(types), &subscribed)
		return target{sub, deliveryName(subscribed, names)}, err
	}, `SELECT s.id, s.event_types FROM webhook_subscriptions s
		WHERE s.deleted_at IS NULL AND s.status = 'ACTIVE'
		AND ((s.subject_kind = 'company' AND s.subject_id = ?1)
		  OR (s.subject_kind = 'organization' AND s.subject_id = (SELECT organization_id FROM companies WHERE id = ?1)))
		AND EXISTS (SELECT 1 FROM json_each(s.event_types) WHERE value IN (`+placeholders(len(names))+`))
		AND `+liveGrant("s", 2+len(names))+`
		ORDER BY s.created_at, s.id`, append(append([]any{companyID}, anySlice(names)...), et.Scope)...)
	if err != nil {
		return "", err
	}
	var seq int64
	if err := t.queryRow(ctx, qLastDeliverySeq).Scan(&seq); err != nil {
		return "", err
	}
	at := formatTime(now)
	for _, tg := range targets {
		seq++
		if _, err := t.exec(ctx, qInsertDelivery, NewMessageID(), seq, id, tg.sub, tg.name, at, at, at); err != nil {
			return "", err
		}
	}
	return id, nil
}

// liveGrant is the condition "the client of subscription alias sub holds an
// unrevoked grant for its subject carrying the scope given as parameter n".
func liveGrant(sub string, n int) string {
	p := "?" + strconv.Itoa(n)
	return `EXISTS (SELECT 1 FROM grants g WHERE g.client_id = ` + sub + `.client_id AND g.subject_kind = ` + sub + `.subject_kind
		AND g.subject_id = ` + sub + `.subject_id AND g.revoked_at IS NULL AND instr(' ' || g.scope || ' ', ' ' || ` + p + ` || ' ') > 0)`
}

// deliveryName is the name a delivery to a subscription listing subscribed
// carries: the first of names (current name first) it lists.
func deliveryName(subscribed, names []string) string {
	for _, n := range names {
		for _, s := range subscribed {
			if s == n {
				return n
			}
		}
	}
	return names[0]
}

// messageAlphabet is base62, the alphabet of Standard Webhooks message IDs.
const messageAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewMessageID returns a Standard Webhooks message ID: "msg_" and 24
// base62 characters, like Pleo's documented example. The first 8 encode the
// time in milliseconds (base62 digits sort in ASCII order), the other 16
// are random: IDs made later sort later, so a fan-out of many deliveries
// appends to the deliveries' primary-key index instead of touching a page
// of it per delivery.
func NewMessageID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b[8:])
	for i := 8; i < len(b); i++ {
		b[i] = messageAlphabet[int(b[i])%len(messageAlphabet)]
	}
	ms := time.Now().UnixMilli()
	for i := 7; i >= 0; i-- {
		b[i] = messageAlphabet[ms%int64(len(messageAlphabet))]
		ms /= int64(len(messageAlphabet))
	}
	return "msg_" + string(b)
}

// CreateExportJobByCustomer creates an export job as a customer's click on
// Export in Pleo does (req should be interactive) and, in the same
// transaction, its v1.export-job.created event. It returns the job and the
// event's ID.
func (s *Store) CreateExportJobByCustomer(ctx context.Context, req pleo.CreateExportJob, now time.Time) (pleo.ExportJob, string, error) {
	return s.createExportJob(ctx, req, now, eventAlways)
}

// CreateVendorByCustomer creates a vendor as a customer does in Pleo and,
// in the same transaction, its v1.vendor.created event. It returns the
// vendor and the event's ID.
func (s *Store) CreateVendorByCustomer(ctx context.Context, v pleo.Vendor, now time.Time) (pleo.Vendor, string, error) {
	return s.createVendor(ctx, v, now, true)
}

// eventRule says whether a write emits its event.
type eventRule int

const (
	eventNever   eventRule = iota
	eventAlways            // a customer action
	eventSetting           // as SettingAPIExportJobsEmit says
)

// emits resolves r inside the transaction.
func (t *Tx) emits(ctx context.Context, r eventRule) (bool, error) {
	switch r {
	case eventAlways:
		return true, nil
	case eventSetting:
		v, err := t.Setting(ctx, SettingAPIExportJobsEmit)
		return v == "true", err
	}
	return false, nil
}

// Outgoing is a claimed delivery with what sending it needs.
type Outgoing struct {
	DeliveryID string // the message ID
	Seq        int64
	EventID    string
	EventType  string // as the subscription named it
	Data       json.RawMessage
	Attempt    int // the number of the attempt about to be made, from 1
	Sub        Subscription
}

// ClaimDeliveries takes up to limit pending deliveries due at now, oldest
// due first, and marks them in flight until their attempt is recorded
// (RecordAttempts) or the dispatcher restarts (ReleaseInFlight). Deliveries
// of a subscription that is deleted or inactive, or whose client lost its
// grant (an uninstall or a revocation), are cancelled instead.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, limit int) ([]Outgoing, error) {
	var out []Outgoing
	err := s.WriteBackground(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.query(ctx, qClaimDeliveries, formatTime(now), limit)
		if err != nil {
			return err
		}
		var canonical []string
		for rows.Next() {
			var o Outgoing
			var data, typ string
			sub, err := scanSubscription(prefixScanner{rows, []any{&o.DeliveryID, &o.Seq, &o.EventID, &o.EventType, &o.Attempt, &data, &typ}})
			if err != nil {
				rows.Close()
				return err
			}
			o.Sub, o.Data, o.Attempt = sub, json.RawMessage(data), o.Attempt+1
			out, canonical = append(out, o), append(canonical, typ)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		kept := out[:0]
		for i, o := range out {
			live, err := tx.deliverable(ctx, o.Sub, canonical[i])
			if err != nil {
				return err
			}
			if live {
				_, err = tx.exec(ctx, qMarkInFlight, o.DeliveryID)
				kept = append(kept, o)
			} else {
				_, err = tx.exec(ctx, qCancelDelivery, formatTime(now), o.DeliveryID)
			}
			if err != nil {
				return err
			}
		}
		out = kept
		return nil
	})
	return out, err
}

// The dispatcher's statements, prepared once (see writeQuery): a flood of
// deliveries runs them thousands of times a second on the writer, which the
// token endpoint shares.
var (
	qInsertEvent     = writeQuery(`INSERT INTO webhook_events (id, type, company_id, data, created_at) VALUES (?, ?, ?, ?, ?)`)
	qLastDeliverySeq = writeQuery(`SELECT coalesce(max(seq), 0) FROM webhook_deliveries`)
	qInsertDelivery  = writeQuery(`INSERT INTO webhook_deliveries (id, seq, event_id, subscription_id, event_type,
		state, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`)
	qMarkInFlight   = writeQuery(`UPDATE webhook_deliveries SET in_flight = 1 WHERE id = ?`)
	qCancelDelivery = writeQuery(`UPDATE webhook_deliveries SET state = 'cancelled', next_attempt_at = NULL,
		updated_at = ? WHERE id = ?`)
	qDeliverable   = writeQuery(`SELECT ` + liveGrant("s", 2) + ` FROM webhook_subscriptions s WHERE s.id = ?1`)
	qInsertAttempt = writeQuery(`INSERT INTO webhook_attempts (delivery_id, number, started_at, request_headers,
		request_body, response_status, response_body, error, duration_us, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (delivery_id, number) DO NOTHING`)
	qAttemptRecorded = writeQuery(`UPDATE webhook_deliveries SET attempts = max(attempts, ?), in_flight = 0 WHERE id = ?`)
	qAttemptOutcome  = writeQuery(`UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND state = 'pending'`)
	qSubscriptionRecovered = writeQuery(`UPDATE webhook_subscriptions SET failing_since = NULL
		WHERE id = (SELECT subscription_id FROM webhook_deliveries WHERE id = ?) AND failing_since IS NOT NULL`)
	qSubscriptionFailing = writeQuery(`UPDATE webhook_subscriptions SET failing_since = ?
		WHERE id = (SELECT subscription_id FROM webhook_deliveries WHERE id = ?) AND failing_since IS NULL`)
)

var qClaimDeliveries = writeQuery(`SELECT d.id, d.seq, d.event_id, d.event_type, d.attempts, e.data, e.type, ` + subscriptionColumnsOf("s.") + `
	FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
	JOIN webhook_subscriptions s ON s.id = d.subscription_id
	WHERE d.state = 'pending' AND d.in_flight = 0 AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.seq LIMIT ?`)

// ReleaseInFlight makes deliveries left in flight by a dispatcher that
// stopped without recording their attempt (the process was killed) due
// again at their scheduled time. The dispatcher calls it when it starts.
func (s *Store) ReleaseInFlight(ctx context.Context) (int, error) {
	var n int64
	err := s.Write(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET in_flight = 0 WHERE in_flight = 1`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// deliverable reports whether sub may still receive an event of type typ.
func (t *Tx) deliverable(ctx context.Context, sub Subscription, typ string) (bool, error) {
	if sub.DeletedAt != nil || sub.Status != "ACTIVE" {
		return false, nil
	}
	et, _ := events.Lookup(typ)
	var ok bool
	err := t.queryRow(ctx, qDeliverable, sub.ID, et.Scope).Scan(&ok)
	return ok, err
}

// prefixScanner scans leading columns into first, the rest into dest.
type prefixScanner struct {
	row   interface{ Scan(...any) error }
	first []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.row.Scan(append(p.first, dest...)...) }

// Attempt is one recorded try at a delivery.
type Attempt struct {
	DeliveryID     string
	Number         int
	StartedAt      time.Time
	RequestHeaders http.Header
	RequestBody    string
	ResponseStatus int    // 0 when no answer arrived
	ResponseBody   string // capped by the dispatcher
	Error          string // why no answer arrived, or ""
	Duration       time.Duration
	Note           string // a fault that shaped the attempt, or ""
}

// AttemptOutcome is an attempt and what follows it.
type AttemptOutcome struct {
	Attempt
	// State is the delivery's state after the attempt: DeliverySucceeded,
	// DeliveryPending (NextAttemptAt is the retry) or DeliveryFailed (the
	// last attempt failed: the subscription is marked failing).
	State         string
	NextAttemptAt time.Time
}

// RecordAttempts stores attempts and their deliveries' new states in one
// transaction. A success clears the subscription's failing mark; a final
// failure sets it. An outcome for a delivery no longer pending (cancelled
// meanwhile) records the attempt but keeps the state.
func (s *Store) RecordAttempts(ctx context.Context, outcomes []AttemptOutcome, now time.Time) error {
	return s.WriteBackground(ctx, func(tx *Tx) error {
		for _, o := range outcomes {
			headers, err := jsonText(o.RequestHeaders, "{}")
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, qInsertAttempt,
				o.DeliveryID, o.Number, formatTime(o.StartedAt), headers, o.RequestBody, o.ResponseStatus, o.ResponseBody,
				o.Error, o.Duration.Microseconds(), o.Note); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, qAttemptRecorded, o.Number, o.DeliveryID); err != nil {
				return err
			}
			res, err := tx.exec(ctx, qAttemptOutcome, o.State, nullTime(o.NextAttemptAt), formatTime(now), o.DeliveryID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			switch o.State {
			case DeliverySucceeded:
				_, err = tx.exec(ctx, qSubscriptionRecovered, o.DeliveryID)
			case DeliveryFailed:
				_, err = tx.exec(ctx, qSubscriptionFailing, formatTime(now), o.DeliveryID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// NextDue returns when the earliest pending delivery not in flight is due;
// ok is false when none is.
func (s *Store) NextDue(ctx context.Context) (due time.Time, ok bool, err error) {
	var v sql.NullString
	if err := s.queryRow(ctx, qNextDue).Scan(&v); err != nil {
		return time.Time{}, false, err
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return parseTime(v.String), true, nil
}

var qNextDue = readQuery(`SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending' AND in_flight = 0`)

// Delivery is a message to one subscription and its attempts.
type Delivery struct {
	ID             string
	Seq            int64
	EventID        string
	EventType      string
	SubscriptionID string
	CompanyID      string
	State          string
	Attempts       int
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Data           json.RawMessage
	History        []Attempt // filled by Delivery, not by ListDeliveries
}

// DeliveryFilter selects deliveries; empty fields do not filter.
type DeliveryFilter struct {
	SubscriptionID string
	EventID        string
	EventType      string
	State          string
	Limit          int // newest first; 0 means 100
}

const deliveryColumns = `d.id, d.seq, d.event_id, d.event_type, d.subscription_id, e.company_id, d.state, d.attempts,
	d.next_attempt_at, d.created_at, d.updated_at, e.data`

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var next sql.NullString
	var created, updated, data string
	err := row.Scan(&d.ID, &d.Seq, &d.EventID, &d.EventType, &d.SubscriptionID, &d.CompanyID, &d.State, &d.Attempts,
		&next, &created, &updated, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt, d.Data = nullableTime(next), parseTime(created), parseTime(updated), json.RawMessage(data)
	return d, err
}

// ListDeliveries returns deliveries matching f, newest first.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	q := listQuery{}
	if f.SubscriptionID != "" {
		q.filter("d.subscription_id = ?", f.SubscriptionID)
	}
	if f.EventID != "" {
		q.filter("d.event_id = ?", f.EventID)
	}
	if f.EventType != "" {
		q.filter("d.event_type = ?", f.EventType)
	}
	if f.State != "" {
		q.filter("d.state = ?", f.State)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return queryList(ctx, s.r, scanDelivery, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event_id`+whereClause(q.where)+` ORDER BY d.seq DESC LIMIT ?`, append(q.args, limit)...)
}

// Delivery returns one delivery with its attempts, oldest first.
func (s *Store) Delivery(ctx context.Context, id string) (Delivery, error) {
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		JOIN webhook_events e ON e.id = d.event_id WHERE d.id = ?`, id))
	if err != nil {
		return d, err
	}
	d.History, err = s.attempts(ctx, id)
	return d, err
}

func (s *Store) attempts(ctx context.Context, deliveryID string) ([]Attempt, error) {
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (Attempt, error) {
		var a Attempt
		var started, headers string
		var us int64
		err := row.Scan(&a.DeliveryID, &a.Number, &started, &headers, &a.RequestBody, &a.ResponseStatus, &a.ResponseBody,
			&a.Error, &us, &a.Note)
		if err != nil {
			return a, err
		}
		a.StartedAt, a.Duration = parseTime(started), time.Duration(us)*time.Microsecond
		return a, json.Unmarshal([]byte(headers), &a.RequestHeaders)
	}, `SELECT delivery_id, number, started_at, request_headers, request_body, response_status, response_body, error,
		duration_us, note FROM webhook_attempts WHERE delivery_id = ? ORDER BY number`, deliveryID)
}

// Redeliver makes delivery id pending and due at now again, whatever its
// state, for one more attempt of the same message (same webhook-id). A
// delivery of a deleted subscription is ErrConflict.
func (s *Store) Redeliver(ctx context.Context, id string, now time.Time) error {
	return s.Write(ctx, func(tx *Tx) error {
		var deleted bool
		err := tx.tx.QueryRowContext(ctx, `SELECT s.deleted_at IS NOT NULL FROM webhook_deliveries d
			JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = ?`, id).Scan(&deleted)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if deleted {
			return ErrConflict
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?, updated_at = ?
			WHERE id = ? AND in_flight = 0`, formatTime(now), formatTime(now), id)
		return err
	})
}

// DeliverNow makes every pending delivery due at now (retries waiting for
// their backoff included) and returns how many it moved.
func (s *Store) DeliverNow(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.Write(ctx, func(tx *Tx) error {
		res, err := tx.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?
			WHERE state = 'pending' AND in_flight = 0 AND next_attempt_at > ?`, formatTime(now), formatTime(now), formatTime(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// SetAPIExportJobsEmit stores whether export jobs created through the API
// emit v1.export-job.created (see SettingAPIExportJobsEmit).
func (s *Store) SetAPIExportJobsEmit(ctx context.Context, on bool) error {
	v := "false"
	if on {
		v = "true"
	}
	return s.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, SettingAPIExportJobsEmit, v) })
}
