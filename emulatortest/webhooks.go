package emulatortest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Receiver is a webhook endpoint for tests: an httptest server that
// collects every delivery and verifies its signature with the reference
// Standard Webhooks library, from the headers and the raw body, once
// SetSecret has given it the subscription's secret. It answers 200 unless
// told otherwise (RespondWith).
type Receiver struct {
	// URL is the endpoint to subscribe, such as http://127.0.0.1:41235/hooks.
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	secret  string
	status  []int // answers for the next deliveries; then 200
	got     []Delivery
	arrived chan struct{} // closed and replaced on every delivery
}

// Delivery is one request the receiver got.
type Delivery struct {
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Header    http.Header
	Body      []byte // raw
	// Verified is whether the reference library accepted the signature
	// (timestamp tolerance included); VerifyError says why not. Without a
	// secret nothing is verified.
	Verified    bool
	VerifyError error
	// SignatureOnly is whether the signature holds when the timestamp is
	// ignored: after the emulator's clock was moved, webhook-timestamp is the
	// emulator's time, outside the library's five-minute tolerance.
	SignatureOnly bool
	// Frame is the body decoded as Pleo's documented notification frame.
	Frame Frame
	// Answered is the status the receiver answered.
	Answered int
}

// Frame is Pleo's documented notification frame.
type Frame struct {
	WebhookID        string `json:"webhook-id"`
	WebhookTimestamp int64  `json:"webhook-timestamp"`
	WebhookSignature string `json:"webhook-signature"`
	Payload          struct {
		Data      json.RawMessage `json:"data"`
		EventID   string          `json:"eventId"`
		EventType string          `json:"eventType"`
	} `json:"payload"`
}

// NewReceiver starts a receiver, closed when the test ends.
func NewReceiver(tb testing.TB) *Receiver {
	tb.Helper()
	r := &Receiver{arrived: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.srv.Close)
	r.URL = r.srv.URL + "/hooks"
	return r
}

// SetSecret sets the whsec_ secret deliveries are verified with.
func (r *Receiver) SetSecret(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = secret
}

// RespondWith makes the receiver answer the next deliveries with these
// statuses, one each, then 200 again.
func (r *Receiver) RespondWith(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = append(r.status, statuses...)
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	d := Delivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"), Header: req.Header.Clone(), Body: body}
	_ = json.Unmarshal(body, &d.Frame)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secret != "" {
		wh, err := standardwebhooks.NewWebhook(r.secret)
		if err == nil {
			err = wh.Verify(body, req.Header)
			d.Verified, d.VerifyError = err == nil, err
			d.SignatureOnly = wh.VerifyIgnoringTimestamp(body, req.Header) == nil
		} else {
			d.VerifyError = err
		}
	}
	d.Answered = http.StatusOK
	if len(r.status) > 0 {
		d.Answered, r.status = r.status[0], r.status[1:]
	}
	r.got = append(r.got, d)
	close(r.arrived)
	r.arrived = make(chan struct{})
	w.WriteHeader(d.Answered)
}

// Deliveries returns every delivery so far, in arrival order.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

// WaitFor waits up to timeout for the n-th delivery (from 1) matching
// match (nil matches every delivery) and returns it; it fails the test
// when none arrives in time.
func (r *Receiver) WaitFor(tb testing.TB, n int, match func(Delivery) bool, timeout time.Duration) Delivery {
	tb.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		seen := 0
		for _, d := range r.got {
			if match == nil || match(d) {
				if seen++; seen == n {
					r.mu.Unlock()
					return d
				}
			}
		}
		arrived := r.arrived
		r.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline:
			tb.Fatalf("emulatortest: receiver: delivery %d did not arrive within %s (%d deliveries so far)", n, timeout, len(r.Deliveries()))
			return Delivery{}
		}
	}
}

// OfEvent matches the deliveries of one event.
func OfEvent(eventID string) func(Delivery) bool {
	return func(d Delivery) bool { return d.Frame.Payload.EventID == eventID }
}

// Event is the answer of FireEvent: the event's ID and the resource the
// customer action created (one of them).
type Event struct {
	EventID   string          `json:"event_id"`
	Type      string          `json:"type"`
	ExportJob json.RawMessage `json:"export_job,omitempty"`
	Vendor    json.RawMessage `json:"vendor,omitempty"`
}

// Export performs a customer's click on Export for companyID (POST
// /_emulator/events): a pending export job and its v1.export-job.created
// event.
func (e *Emulator) Export(tb testing.TB, companyID string) Event {
	tb.Helper()
	var ev Event
	e.control(tb, http.MethodPost, "/events", map[string]string{"type": "v1.export-job.created", "company_id": companyID}, &ev)
	return ev
}

// CreateVendor creates a DRAFT vendor named name in companyID as a
// customer does, firing v1.vendor.created.
func (e *Emulator) CreateVendor(tb testing.TB, companyID, name, currency string) Event {
	tb.Helper()
	var ev Event
	e.control(tb, http.MethodPost, "/events", map[string]any{"type": "v1.vendor.created", "company_id": companyID,
		"vendor": map[string]string{"name": name, "defaultCurrency": currency}}, &ev)
	return ev
}

// WebhookDelivery is a delivery as the control API shows it.
type WebhookDelivery struct {
	ID             string     `json:"id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	SubscriptionID string     `json:"subscription_id"`
	State          string     `json:"state"` // pending, succeeded, failed or cancelled
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	History        []struct {
		Number         int    `json:"number"`
		ResponseStatus int    `json:"response_status"`
		Error          string `json:"error"`
		Note           string `json:"note"`
	} `json:"attempt_history"`
}

// Deliveries lists the emulator's deliveries of eventID (all when empty), newest first.
func (e *Emulator) Deliveries(tb testing.TB, eventID string) []WebhookDelivery {
	tb.Helper()
	var out struct {
		Deliveries []WebhookDelivery `json:"deliveries"`
	}
	e.control(tb, http.MethodGet, "/webhooks/deliveries?event_id="+url.QueryEscape(eventID), nil, &out)
	return out.Deliveries
}

// WaitForDelivery waits up to timeout until the emulator's delivery id
// satisfies done (nil: it is no longer pending) and returns it with its
// attempts.
func (e *Emulator) WaitForDelivery(tb testing.TB, id string, done func(WebhookDelivery) bool, timeout time.Duration) WebhookDelivery {
	tb.Helper()
	if done == nil {
		done = func(d WebhookDelivery) bool { return d.State != "pending" }
	}
	deadline := time.Now().Add(timeout)
	for {
		var d WebhookDelivery
		err := e.call(http.MethodGet, "/webhooks/deliveries/"+url.PathEscape(id), nil, &d)
		if err == nil && done(d) {
			return d
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("state " + d.State)
			}
			tb.Fatalf("emulatortest: delivery %s not done within %s: %v", id, timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Redeliver asks for one more attempt of delivery id.
func (e *Emulator) Redeliver(tb testing.TB, id string) {
	tb.Helper()
	e.control(tb, http.MethodPost, "/webhooks/deliveries/"+url.PathEscape(id)+"/redeliver", nil, nil)
}

// WebhookFault queues a webhook fault (kind duplicate, delay, out_of_order
// or wrong_secret) for the next count deliveries.
func (e *Emulator) WebhookFault(tb testing.TB, kind string, count int, delay time.Duration) {
	tb.Helper()
	body := map[string]any{"kind": kind, "count": count}
	if delay > 0 {
		body["delay"] = delay.String()
	}
	e.control(tb, http.MethodPost, "/webhooks/faults", body, nil)
}
