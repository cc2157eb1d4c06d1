package webhooks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/pleo-emulator/pleo-emulator/internal/webhooks"
)

// The Standard Webhooks test vector, which is also Pleo's documented example.
func TestSignMatchesTheDocumentedExample(t *testing.T) {
	got, err := webhooks.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil || got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("Sign = %q, %v", got, err)
	}
}

func TestBodyCarriesTheFrameAndBothSignaturesVerify(t *testing.T) {
	const secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	ts := time.Now()
	body, sig, err := webhooks.Body(secret, "msg_1", ts, webhooks.Payload{Data: json.RawMessage(`{"id":"x"}`), EventID: "e", EventType: "v1.vendor.created"})
	if err != nil {
		t.Fatal(err)
	}
	var frame struct {
		ID        string          `json:"webhook-id"`
		Timestamp int64           `json:"webhook-timestamp"`
		Signature string          `json:"webhook-signature"`
		Payload   json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(body, &frame); err != nil || frame.ID != "msg_1" || frame.Timestamp != ts.Unix() {
		t.Fatalf("frame %s: %v", body, err)
	}
	wh, _ := standardwebhooks.NewWebhook(secret)
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(frame.Timestamp, 10))
	h.Set("webhook-signature", sig)
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("header signature over the raw body: %v", err)
	}
	h.Set("webhook-signature", frame.Signature)
	if err := wh.Verify(frame.Payload, h); err != nil || !bytes.Contains(body, frame.Payload) {
		t.Errorf("frame signature over the payload bytes: %v", err)
	}
}
