package web

import (
	"crypto/hmac"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
	"github.com/pleo-emulator/pleo-emulator/internal/webhooks/events"
)

// The playground's built-in webhook receiver: the playground subscribes an
// endpoint the emulator serves itself, with the flow's access token, reads
// the subscription's secret through the API like any integration, and
// verifies each delivery that arrives the Standard Webhooks way, showing
// each step. Arrivals live in memory (the last maxArrivals per receiver)
// and a restart forgets them, like the rest of the playground.
const (
	receiverPathPrefix = "/playground/webhook-receiver/"
	maxArrivals        = 20
	maxReceivers       = 500
	maxReceiverBody    = 1 << 20
)

// receivers holds every playground flow's receiver, by the random ID in its URL.
type receivers struct {
	mu sync.Mutex
	m  map[string]*inbox
}

// inbox is one receiver: the secret it verifies with and what arrived.
type inbox struct {
	secret   string
	arrivals []arrival // oldest first
}

// arrival is one request the receiver got, and how its verification went.
type arrival struct {
	At                time.Time // emulator time
	ID, Timestamp     string
	Signature         string
	Body              string
	Expected          string // the signature computed with the secret
	Verified          bool
	VerifyError       string
	Answer            int
	EventType, DataID string
}

// add registers receiver id, verifying with secret. Beyond maxReceivers
// an arbitrary one is forgotten: the playground is a demo, not storage.
func (rs *receivers) add(id, secret string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.m == nil {
		rs.m = map[string]*inbox{}
	}
	if len(rs.m) >= maxReceivers {
		for k := range rs.m {
			delete(rs.m, k)
			break
		}
	}
	rs.m[id] = &inbox{secret: secret}
}

// arrivals returns a copy of receiver id's arrivals, newest first.
func (rs *receivers) arrivals(id string) []arrival {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	in := rs.m[id]
	if in == nil {
		return nil
	}
	out := make([]arrival, 0, len(in.arrivals))
	for i := len(in.arrivals) - 1; i >= 0; i-- {
		out = append(out, in.arrivals[i])
	}
	return out
}

// PlaygroundWebhookReceiver serves POST /playground/webhook-receiver/{id}:
// it verifies the delivery with the subscription's secret and records it.
// It answers 200 to a verified delivery and 400 to one whose signature
// does not verify, so a wrong_secret fault makes the emulator retry.
func (h *Handlers) PlaygroundWebhookReceiver(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	h.receivers.mu.Lock()
	in := h.receivers.m[id]
	secret := ""
	if in != nil {
		secret = in.secret
	}
	h.receivers.mu.Unlock()
	if in == nil {
		http.Error(w, "no playground receiver at this address", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReceiverBody))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	a := arrival{At: h.clock.Now(), ID: r.Header.Get("webhook-id"), Timestamp: r.Header.Get("webhook-timestamp"),
		Signature: r.Header.Get("webhook-signature"), Body: string(body)}
	if unix, err := strconv.ParseInt(a.Timestamp, 10, 64); err == nil {
		a.Expected, _ = webhooks.Sign(secret, a.ID, time.Unix(unix, 0), body)
	}
	// The verdict is the reference library's. Its timestamp tolerance is
	// against real time, which the emulator's clock may have left behind,
	// so the receiver ignores the timestamp's age (and shows it instead).
	wh, err := standardwebhooks.NewWebhook(secret)
	if err == nil {
		err = wh.VerifyIgnoringTimestamp(body, r.Header)
	}
	a.Verified = err == nil
	if err != nil {
		a.VerifyError = err.Error()
	}
	var frame struct {
		Payload struct {
			EventType string `json:"eventType"`
			Data      struct {
				ID string `json:"id"`
			} `json:"data"`
		} `json:"payload"`
	}
	if json.Unmarshal(body, &frame) == nil {
		a.EventType, a.DataID = frame.Payload.EventType, frame.Payload.Data.ID
	}
	a.Answer = http.StatusOK
	if !a.Verified {
		a.Answer = http.StatusBadRequest
	}
	h.receivers.mu.Lock()
	in.arrivals = append(in.arrivals, a)
	if len(in.arrivals) > maxArrivals {
		in.arrivals = in.arrivals[len(in.arrivals)-maxArrivals:]
	}
	h.receivers.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(a.Answer)
	if a.Verified {
		_, _ = io.WriteString(w, "verified by the playground receiver\n")
	} else {
		_, _ = io.WriteString(w, "signature did not verify: "+a.VerifyError+"\n")
	}
}

// PlaygroundWebhookSubscribe serves POST /playground/webhook-subscribe: with
// the flow's access token it subscribes a new built-in receiver to the
// events the token's scopes allow (POST /v1/subscriptions), then reads the
// subscription's secret (GET /v1/subscriptions/{id}/secret), both shown as
// exchanges.
func (h *Handlers) PlaygroundWebhookSubscribe(w http.ResponseWriter, r *http.Request) {
	h.withFlow(w, r, func(s *playState) string {
		if s.Tokens == nil {
			s.err = "There is no access token yet."
			return playPath
		}
		granted := oauth.ParseScope(s.Tokens.Scope)
		var types []string
		for _, name := range events.Names() {
			et, ok := events.Lookup(name)
			if ok && !et.Deprecated() && containsScope(granted, et.Scope) {
				types = append(types, name)
			}
		}
		if !containsScope(granted, "export-jobs:read") || len(types) == 0 {
			s.err = "Subscriptions need the export-jobs:read scope: start again in step 1 with it."
			return playPath + "#webhook"
		}
		hdr := http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"},
			"Authorization": {"Bearer " + s.Tokens.AccessToken}}
		// The receiver's ID is chosen before its secret is known; it is
		// registered with the secret once the API has answered.
		id := randomString(18)
		receiverURL := h.opt.PublicURL + receiverPathPrefix + id
		body, _ := json.Marshal(map[string]any{"endpointUrl": receiverURL, "eventTypes": types})
		ex, raw := h.send(r.Context(), request{title: "Subscribe the built-in receiver", method: http.MethodPost,
			path: "/v1/subscriptions", header: hdr, body: string(body),
			note: "Pleo's Subscriptions API: the events are those the token's scopes allow. Deliveries go to the playground's own receiver."})
		s.addExchange(ex)
		var created struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if ex.Status != http.StatusOK || json.Unmarshal(raw, &created) != nil || created.Data.ID == "" {
			s.err = "The API refused the subscription; see the exchange below."
			return lastExchange(s)
		}
		hdr.Del("Content-Type")
		ex, raw = h.send(r.Context(), request{title: "Read the subscription's signing secret", method: http.MethodGet,
			path: "/v1/subscriptions/" + url.PathEscape(created.Data.ID) + "/secret", header: hdr,
			note: "The whsec_ secret signs every delivery; the receiver verifies with it."})
		s.addExchange(ex)
		var secret struct {
			Data struct {
				SecretKey string `json:"secretKey"`
			} `json:"data"`
		}
		if ex.Status != http.StatusOK || json.Unmarshal(raw, &secret) != nil || !strings.HasPrefix(secret.Data.SecretKey, "whsec_") {
			s.err = "The API did not give the subscription's secret; see the exchange below."
			return lastExchange(s)
		}
		h.receivers.add(id, secret.Data.SecretKey)
		s.Receiver = &playReceiver{ID: id, URL: receiverURL, SubscriptionID: created.Data.ID, Secret: secret.Data.SecretKey, EventTypes: types}
		s.notice = "The built-in receiver is subscribed. Fire an event on the webhooks page and reload this page to watch it arrive."
		return playPath + "#webhook"
	})
}

// playReceiver is the flow's subscribed built-in receiver.
type playReceiver struct {
	ID, URL, SubscriptionID, Secret string
	EventTypes                      []string
}

func containsScope(granted []string, want string) bool {
	for _, g := range granted {
		if g == want {
			return true
		}
	}
	return false
}

// webhookView is the playground's receiver section for flow s.
func (h *Handlers) webhookView(s *playState) *view.PlaygroundWebhook {
	if s == nil || s.Tokens == nil {
		return nil
	}
	v := &view.PlaygroundWebhook{CanSubscribe: containsScope(oauth.ParseScope(s.Tokens.Scope), "export-jobs:read")}
	if s.Receiver == nil {
		return v
	}
	rc := s.Receiver
	v.ReceiverURL, v.SubscriptionID, v.Secret, v.EventTypes = rc.URL, rc.SubscriptionID, rc.Secret, rc.EventTypes
	v.DeliveriesURL = webhooksPath + "?" + url.Values{"subscription": {rc.SubscriptionID}}.Encode() + "#deliveries"
	now := h.clock.Now()
	for _, a := range h.receivers.arrivals(rc.ID) {
		av := view.WebhookArrivalView{At: timeView(a.At, now), WebhookID: a.ID, Timestamp: a.Timestamp,
			Signature: a.Signature, Expected: a.Expected, Verified: a.Verified, VerifyError: a.VerifyError,
			Answer: a.Answer, Body: a.Body, EventType: a.EventType, DataID: a.DataID,
			SignedContent: a.ID + "." + a.Timestamp + "." + a.Body}
		av.SignatureMatches = a.Expected != "" && signatureListed(a.Signature, a.Expected)
		if unix, err := strconv.ParseInt(a.Timestamp, 10, 64); err == nil {
			av.TimestampAge = now.Sub(time.Unix(unix, 0)).Round(time.Second).String()
		}
		v.Arrivals = append(v.Arrivals, av)
	}
	return v
}

// signatureListed reports whether the space-separated header lists expected.
func signatureListed(header, expected string) bool {
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(expected)) {
			return true
		}
	}
	return false
}
