package emulatortest_test

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

const waitLong = 10 * time.Second

// apiCall calls the emulator's API with token and decodes the answer into out.
func apiCall(t testing.TB, e *emulatortest.Emulator, tok *oauth2.Token, method, path string, in, out any) int {
	t.Helper()
	var body *bytes.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, e.APIBaseURL()+path, body)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %d: %v", method, path, res.StatusCode, err)
		}
	}
	return res.StatusCode
}

// subscribe subscribes endpoint to eventTypes with tok and returns the
// subscription's ID and secret.
func subscribe(t testing.TB, e *emulatortest.Emulator, tok *oauth2.Token, endpoint string, eventTypes ...string) (id, secret string) {
	t.Helper()
	var sub struct {
		Data struct{ ID string } `json:"data"`
	}
	if s := apiCall(t, e, tok, "POST", "/v1/subscriptions", map[string]any{"endpointUrl": endpoint, "eventTypes": eventTypes}, &sub); s != 200 {
		t.Fatalf("subscribe: %d", s)
	}
	var sec struct {
		Data struct{ SecretKey string } `json:"data"`
	}
	apiCall(t, e, tok, "GET", "/v1/subscriptions/"+sub.Data.ID+"/secret", nil, &sec)
	return sub.Data.ID, sec.Data.SecretKey
}

// exportJobReceiver starts a receiver subscribed to v1.export-job.created
// (by a company token with export-jobs:read) that verifies signatures with
// the subscription's secret.
func exportJobReceiver(t testing.TB, e *emulatortest.Emulator) *emulatortest.Receiver {
	t.Helper()
	rcv := emulatortest.NewReceiver(t)
	_, secret := subscribe(t, e, e.Token(t, "export-jobs:read"), rcv.URL, "v1.export-job.created")
	rcv.SetSecret(secret)
	return rcv
}

// TestWebhookFullLoop: subscribe, a customer exports, the delivery arrives
// signed (verified by the reference library), and the integration reads
// the job and its items with its token.
func TestWebhookFullLoop(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	rcv := emulatortest.NewReceiver(t)
	tok := e.Token(t, "export-jobs:read", "export-items:read", "vendors:read")
	_, secret := subscribe(t, e, tok, rcv.URL, "v1.export-job.created", "v1.vendor.created")
	rcv.SetSecret(secret)

	ev := e.Export(t, emulatortest.DenmarkCompanyID)
	d := rcv.WaitFor(t, 1, emulatortest.OfEvent(ev.EventID), waitLong)
	if !d.Verified {
		t.Fatalf("signature not verified: %v", d.VerifyError)
	}
	// Verified again here, independently of the receiver, from headers and raw body.
	wh, _ := standardwebhooks.NewWebhook(secret)
	if err := wh.Verify(d.Body, d.Header); err != nil {
		t.Fatal(err)
	}
	// The signature inside the documented frame signs the payload bytes as they appear in the body.
	payload := d.Body[bytes.Index(d.Body, []byte(`"payload":`))+len(`"payload":`) : len(d.Body)-1]
	inner := http.Header{}
	inner.Set("webhook-id", d.Frame.WebhookID)
	inner.Set("webhook-timestamp", d.Timestamp)
	inner.Set("webhook-signature", d.Frame.WebhookSignature)
	if err := wh.Verify(payload, inner); err != nil {
		t.Errorf("frame signature: %v", err)
	}
	if !strings.HasPrefix(d.ID, "msg_") || d.Frame.WebhookID != d.ID || d.Header.Get("Content-Type") != "application/json" {
		t.Errorf("delivery headers %v", d.Header)
	}
	p := d.Frame.Payload
	if p.EventType != "v1.export-job.created" || p.EventID != ev.EventID {
		t.Fatalf("payload %+v", p)
	}
	var job struct {
		ID, Status, CompanyID string
		ExpiresIn             int `json:"expiresIn"`
		NumberOfItems         int `json:"numberOfItems"`
	}
	if err := json.Unmarshal(p.Data, &job); err != nil || job.Status != "pending" || job.CompanyID != emulatortest.DenmarkCompanyID ||
		job.ExpiresIn != 3600 || job.NumberOfItems == 0 {
		t.Fatalf("data %s (%v)", p.Data, err)
	}

	var got struct{ Data struct{ ID, Status string } }
	if s := apiCall(t, e, tok, "GET", "/v3/export-jobs/"+job.ID, nil, &got); s != 200 || got.Data.ID != job.ID {
		t.Fatalf("read job: %d %+v", s, got)
	}
	var items struct{ Data []json.RawMessage }
	if s := apiCall(t, e, tok, "GET", "/v3/export-jobs/"+job.ID+"/items?limit=100", nil, &items); s != 200 || len(items.Data) == 0 {
		t.Fatalf("read items: %d, %d items", s, len(items.Data))
	}

	// A vendor created by a customer arrives too.
	ev = e.CreateVendor(t, emulatortest.DenmarkCompanyID, "Kaffe & Kage ApS", "DKK")
	d = rcv.WaitFor(t, 1, emulatortest.OfEvent(ev.EventID), waitLong)
	var vendor struct{ Name, State string }
	if err := json.Unmarshal(d.Frame.Payload.Data, &vendor); err != nil || !d.Verified || vendor.State != "DRAFT" || vendor.Name != "Kaffe & Kage ApS" {
		t.Errorf("vendor delivery: verified %v, data %s", d.Verified, d.Frame.Payload.Data)
	}
	if n := len(rcv.Deliveries()); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}
}

// TestWebhookRetriesOnTheEmulatorClock: 500s are retried after the
// schedule's waits, which the clock control makes pass at once.
func TestWebhookRetriesOnTheEmulatorClock(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	rcv := exportJobReceiver(t, e)
	rcv.RespondWith(500, 503)

	ev := e.Export(t, emulatortest.DenmarkCompanyID)
	rcv.WaitFor(t, 1, nil, waitLong)
	ds := e.Deliveries(t, ev.EventID)
	if len(ds) != 1 {
		t.Fatalf("%d deliveries", len(ds))
	}
	d := e.WaitForDelivery(t, ds[0].ID, func(d emulatortest.WebhookDelivery) bool { return d.Attempts == 1 }, waitLong)
	if d.State != "pending" || d.History[0].ResponseStatus != 500 {
		t.Fatalf("after a 500: %+v", d)
	}
	// Not due before its backoff (5s on the emulator clock).
	time.Sleep(200 * time.Millisecond)
	if n := len(rcv.Deliveries()); n != 1 {
		t.Fatalf("retried before the backoff: %d deliveries", n)
	}
	e.AdvanceClock(t, 5*time.Second)
	rcv.WaitFor(t, 2, nil, waitLong)
	e.WaitForDelivery(t, ds[0].ID, func(d emulatortest.WebhookDelivery) bool { return d.Attempts == 2 }, waitLong)
	e.AdvanceClock(t, 5*time.Minute)
	third := rcv.WaitFor(t, 3, nil, waitLong)
	if !third.SignatureOnly || third.ID != ds[0].ID {
		t.Errorf("third attempt: id %s, signature %v", third.ID, third.VerifyError)
	}
	d = e.WaitForDelivery(t, ds[0].ID, nil, waitLong)
	if d.State != "succeeded" || d.Attempts != 3 {
		t.Errorf("final: %+v", d)
	}
}

// TestWebhookRetriesARefusedConnection: nothing listens at first; once the
// endpoint is up and the clock has moved, the retry arrives.
func TestWebhookRetriesARefusedConnection(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // refused from now on
	tok := e.Token(t, "export-jobs:read")
	_, secret := subscribe(t, e, tok, "http://"+addr+"/hooks", "v1.export-job.created")

	ev := e.Export(t, emulatortest.DenmarkCompanyID)
	ds := e.Deliveries(t, ev.EventID)
	d := e.WaitForDelivery(t, ds[0].ID, func(d emulatortest.WebhookDelivery) bool { return d.Attempts == 1 }, waitLong)
	if d.State != "pending" || d.History[0].ResponseStatus != 0 || d.History[0].Error == "" {
		t.Fatalf("after a refused connection: %+v", d)
	}

	got := make(chan http.Header, 1)
	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	e.AdvanceClock(t, 6*time.Second)
	select {
	case h := <-got:
		if h.Get("webhook-id") != ds[0].ID {
			t.Errorf("retry carries webhook-id %q, want %q", h.Get("webhook-id"), ds[0].ID)
		}
	case <-time.After(waitLong):
		t.Fatal("the retry did not arrive")
	}
	_ = secret
	if d := e.WaitForDelivery(t, ds[0].ID, nil, waitLong); d.State != "succeeded" || d.Attempts != 2 {
		t.Errorf("final: %+v", d)
	}
}

// TestWebhookRedeliveryAndDuplicateFault: a redelivery and a duplicated
// message reuse the webhook-id, so the integration can drop them.
func TestWebhookRedeliveryAndDuplicateFault(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	rcv := exportJobReceiver(t, e)

	e.WebhookFault(t, "duplicate", 1, 0)
	ev := e.Export(t, emulatortest.DenmarkCompanyID)
	first, second := rcv.WaitFor(t, 1, nil, waitLong), rcv.WaitFor(t, 2, nil, waitLong)
	if first.ID != second.ID || !first.Verified || !second.Verified {
		t.Fatalf("duplicate: ids %s %s, verified %v %v", first.ID, second.ID, first.Verified, second.Verified)
	}
	ds := e.Deliveries(t, ev.EventID)
	d := e.WaitForDelivery(t, ds[0].ID, func(d emulatortest.WebhookDelivery) bool { return d.Attempts == 2 }, waitLong)
	if d.History[1].Note == "" {
		t.Errorf("the duplicate attempt is not marked: %+v", d.History)
	}

	e.Redeliver(t, ds[0].ID)
	third := rcv.WaitFor(t, 3, nil, waitLong)
	if third.ID != first.ID || !third.Verified {
		t.Errorf("redelivery: id %s, verified %v", third.ID, third.Verified)
	}

	e.WebhookFault(t, "wrong_secret", 1, 0)
	e.Redeliver(t, ds[0].ID)
	if fourth := rcv.WaitFor(t, 4, nil, waitLong); fourth.Verified || fourth.SignatureOnly {
		t.Error("a wrong-secret delivery verified")
	}
}

// TestWebhookStopsWhenTheGrantIsRevoked: uninstalling the app (DELETE
// /v1/installations/me revokes its grants) cancels its deliveries.
func TestWebhookStopsWhenTheGrantIsRevoked(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	rcv := emulatortest.NewReceiver(t)
	tok := e.Token(t, "export-jobs:read")
	subscribe(t, e, tok, rcv.URL, "v1.export-job.created")
	if s := apiCall(t, e, tok, "DELETE", "/v1/installations/me", nil, nil); s != http.StatusNoContent {
		t.Fatalf("uninstall: %d", s)
	}
	ev := e.Export(t, emulatortest.DenmarkCompanyID)
	time.Sleep(300 * time.Millisecond)
	if n := len(rcv.Deliveries()); n != 0 || len(e.Deliveries(t, ev.EventID)) != 0 {
		t.Errorf("an uninstalled app got %d deliveries", n)
	}
}
