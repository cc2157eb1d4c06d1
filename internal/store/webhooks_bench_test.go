package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// floodStore is outboxStore with 100 subscriptions to vendor events and a
// backlog of 5,000 due deliveries, as in pleo-bench's flood phase.
func floodStore(b *testing.B) (*store.Store, time.Time) {
	st, _, now := outboxStore(b)
	ctx := context.Background()
	denmark := oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}
	for range 99 {
		if _, err := st.CreateSubscription(ctx, store.Subscription{ClientID: seed.DemoClientID, Subject: denmark,
			EndpointURL: "http://127.0.0.1:1/hooks", EventTypes: []string{"v1.vendor.created"},
			AuthType: "NONE", Status: "ACTIVE"}, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", denmark.URN(), now); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 {
		createFloodVendor(b, st, now, i)
	}
	return st, now
}

func createFloodVendor(b testing.TB, st *store.Store, now time.Time, i int) {
	v := pleo.Vendor{CompanyID: seed.DenmarkID, Name: fmt.Sprintf("Flood vendor %d", i), DefaultCurrency: "DKK"}
	if _, _, err := st.CreateVendorByCustomer(context.Background(), v, now); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkClaimAndRecord is one claim of 8 deliveries (the dispatcher's
// claim while requests are in flight) from a backlog of thousands, and the
// record of their attempts: both hold the single writer.
func BenchmarkClaimAndRecord(b *testing.B) {
	st, now := floodStore(b)
	ctx := context.Background()
	var claim, record time.Duration
	vendors := 50
	for b.Loop() {
		t0 := time.Now()
		batch, err := st.ClaimDeliveries(ctx, now, 8)
		if err != nil {
			b.Fatal(err)
		}
		if len(batch) < 8 { // the backlog ran out: refill it
			b.StopTimer()
			for range 50 {
				createFloodVendor(b, st, now, vendors)
				vendors++
			}
			b.StartTimer()
			continue
		}
		t1 := time.Now()
		var outs []store.AttemptOutcome
		for _, o := range batch {
			outs = append(outs, store.AttemptOutcome{Attempt: store.Attempt{DeliveryID: o.DeliveryID, Number: 1, StartedAt: now,
				RequestHeaders: map[string][]string{"Content-Type": {"application/json"}, "Webhook-Id": {o.DeliveryID}},
				RequestBody:    string(o.Data), ResponseStatus: 200}, State: store.DeliverySucceeded})
		}
		if err := st.RecordAttempts(ctx, outs, now); err != nil {
			b.Fatal(err)
		}
		claim += t1.Sub(t0)
		record += time.Since(t1)
	}
	b.ReportMetric(float64(claim.Microseconds())/float64(b.N), "claim-µs/op")
	b.ReportMetric(float64(record.Microseconds())/float64(b.N), "record8-µs/op")
}

// BenchmarkFanOut is one customer-created vendor fanned out to 100 subscriptions.
func BenchmarkFanOut(b *testing.B) {
	st, now := floodStore(b)
	i := 1000
	for b.Loop() {
		createFloodVendor(b, st, now, i)
		i++
	}
}
