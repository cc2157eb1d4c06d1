package emulatortest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// BenchmarkWebhookDeliveries measures signed deliveries per second to a
// local endpoint that answers 200 at once: 100 subscriptions, so each
// customer-created vendor fans out to 100 messages.
//
//	go test ./emulatortest -run '^$' -bench WebhookDeliveries -benchtime 20000x
func BenchmarkWebhookDeliveries(b *testing.B) {
	e := emulatortest.New(b)
	var got atomic.Int64
	done := make(chan struct{})
	target := int64(b.N)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if got.Add(1) == target {
			close(done)
		}
	}))
	defer srv.Close()
	tok := e.Token(b, "export-jobs:read", "vendors:read")
	const fanOut = 100
	for range fanOut {
		subscribe(b, e, tok, srv.URL, "v1.vendor.created")
	}
	b.ResetTimer()
	for i := 0; i*fanOut < b.N; i++ {
		e.CreateVendor(b, emulatortest.DenmarkCompanyID, fmt.Sprintf("Vendor %d", i), "DKK")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("%d of %d deliveries arrived", got.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkWebhookLatency measures the time from a customer action (the
// control API call) to the delivery's arrival, one event at a time.
func BenchmarkWebhookLatency(b *testing.B) {
	e := emulatortest.New(b)
	arrived := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { arrived <- time.Now() }))
	defer srv.Close()
	tok := e.Token(b, "export-jobs:read", "vendors:read")
	subscribe(b, e, tok, srv.URL, "v1.vendor.created")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		e.CreateVendor(b, emulatortest.DenmarkCompanyID, fmt.Sprintf("Vendor %d", i), "DKK")
		lat = append(lat, (<-arrived).Sub(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
