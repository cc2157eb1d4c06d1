package webhooks

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Sign returns the Standard Webhooks signature of a message: "v1," and the
// base64 HMAC-SHA256, keyed with the base64-decoded secret (after its
// "whsec_" prefix), of "<msgID>.<unix timestamp>.<body>". It uses the
// reference library, so what it signs any Standard Webhooks verifier
// accepts.
func Sign(secret, msgID string, timestamp time.Time, body []byte) (string, error) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return "", err
	}
	return wh.Sign(msgID, timestamp, body)
}

// Payload is the "payload" object of Pleo's documented notification frame.
type Payload struct {
	Data      json.RawMessage `json:"data"`
	EventID   string          `json:"eventId"`
	EventType string          `json:"eventType"`
}

// Body builds a delivery's request body and returns it with the header
// signature. The body is Pleo's documented frame:
//
//	{"webhook-id": ..., "webhook-timestamp": ..., "webhook-signature": ..., "payload": {...}}
//
// A signature cannot cover the bytes that contain it, so the two
// signatures sign different bytes, both the Standard Webhooks way (an
// emulator choice; Pleo does not say):
//   - the webhook-signature header signs the whole raw body, so a Standard
//     Webhooks library verifies a delivery from its headers and raw body;
//   - the webhook-signature field in the body signs the payload object's
//     bytes exactly as they appear in the body, so a client that decodes
//     the frame can verify payload with the id and timestamp beside it.
func Body(secret, msgID string, timestamp time.Time, p Payload) (body []byte, headerSignature string, err error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, "", err
	}
	inner, err := Sign(secret, msgID, timestamp, payload)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	b.Grow(len(payload) + 200)
	b.WriteString(`{"webhook-id":`)
	writeJSONString(&b, msgID)
	b.WriteString(`,"webhook-timestamp":`)
	b.WriteString(strconv.FormatInt(timestamp.Unix(), 10))
	b.WriteString(`,"webhook-signature":`)
	writeJSONString(&b, inner)
	b.WriteString(`,"payload":`)
	b.Write(payload)
	b.WriteByte('}')
	body = b.Bytes()
	headerSignature, err = Sign(secret, msgID, timestamp, body)
	return body, headerSignature, err
}

func writeJSONString(b *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	b.Write(q)
}
