package emulatortest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// While a request is being handled, webhook deliveries go one at a time
// (they yield the cores to requests), and every one still arrives.
func TestWebhookDeliveriesYieldToRequests(t *testing.T) {
	t.Parallel()
	e := emulatortest.New(t)
	var arrived, running, most atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(5 * time.Millisecond) // long enough for a second delivery to overlap, were it sent
		running.Add(-1)
		arrived.Add(1)
	}))
	defer srv.Close()
	tok := e.Token(t, "export-jobs:read", "vendors:read")
	const subscriptions = 8
	for range subscriptions {
		subscribe(t, e, tok, srv.URL, "v1.vendor.created")
	}

	// A request held in flight by a delayed fault keeps the emulator busy.
	e.InjectFault(t, emulatortest.Fault{Target: "introspect", Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held := make(chan struct{})
	go func() {
		defer close(held)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.IntrospectURL(), nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the held request reach its delay

	const vendors = 3
	for i := range vendors {
		e.CreateVendor(t, emulatortest.DenmarkCompanyID, fmt.Sprintf("Yielding vendor %d", i), "DKK")
	}
	deadline := time.Now().Add(waitLong)
	for arrived.Load() < vendors*subscriptions && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-held:
		t.Fatal("the held request ended before the deliveries did; the check below proves nothing")
	default:
	}
	if n := arrived.Load(); n != vendors*subscriptions {
		t.Fatalf("%d of %d deliveries arrived while a request was in flight", n, vendors*subscriptions)
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d deliveries were under way at once while a request was in flight, want 1", m)
	}
}
