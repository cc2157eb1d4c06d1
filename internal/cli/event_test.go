package cli_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func TestEventVerbFiresCustomerActions(t *testing.T) {
	t.Parallel()
	base := startEmulator(t)
	env := map[string]string{"PLEO_EMULATOR_URL": base}
	out := mustRun(t, env, "event", "export", seed.DenmarkID)
	if !strings.Contains(out, "export job ") || !strings.Contains(out, "v1.export-job.created") {
		t.Errorf("export: %q", out)
	}
	out = mustRun(t, env, "event", "vendor", seed.DenmarkID, "--name", "Kaffe ApS", "--currency", "DKK")
	if !strings.Contains(out, "vendor ") || !strings.Contains(out, "v1.vendor.created") {
		t.Errorf("vendor: %q", out)
	}
	mustFail(t, env, "nothing-here", "event", "nothing-here", seed.DenmarkID)
	mustFail(t, env, "company_id", "event", "export", "not-a-uuid")
	mustFail(t, env, "vendor.name", "event", "vendor", seed.DenmarkID)
}

// controlJSON sends a JSON request and decodes a 2xx answer into out.
func controlJSON(t *testing.T, method, u, bearer string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d", method, u, resp.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSIGKILLBeforeADeliveryLosesNoEvent kills the emulator after the
// control API answered a customer action, while the delivery's first
// attempt is in flight, and restarts it on the same database: the delivery
// is sent again (same webhook-id) and succeeds as attempt 1, once.
func TestSIGKILLBeforeADeliveryLosesNoEvent(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	answered := map[string]int{} // webhook-id -> 200 answers
	hold := make(chan struct{})  // blocks the first process's attempt
	arrived := make(chan struct{}, 10)
	var holding sync.Once
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		holding.Do(func() { first = true })
		arrived <- struct{}{}
		if first {
			// Until the first process is dead: its attempt never completes.
			select {
			case <-hold:
			case <-r.Context().Done():
			}
			return
		}
		mu.Lock()
		answered[r.Header.Get("webhook-id")]++
		mu.Unlock()
	}))
	defer rcv.Close()
	defer close(hold)

	db := filepath.Join(t.TempDir(), "emulator.db")
	p := startProcess(t, db)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	controlJSON(t, "POST", p.url+"/_emulator/tokens", "", map[string]string{"client_id": seed.DemoClientID, "subject": seed.DenmarkID,
		"scope": "export-jobs:read"}, &tok)
	controlJSON(t, "POST", p.url+"/v1/subscriptions", tok.AccessToken, map[string]any{"endpointUrl": rcv.URL,
		"eventTypes": []string{"v1.export-job.created"}}, nil)
	var ev struct {
		EventID string `json:"event_id"`
	}
	controlJSON(t, "POST", p.url+"/_emulator/events", "", map[string]string{"type": "v1.export-job.created", "company_id": seed.DenmarkID}, &ev)
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the first attempt did not start")
	}
	p.kill()

	p = startProcess(t, db)
	defer p.stop(t)
	var list struct {
		Deliveries []struct {
			ID, State string
			Attempts  int
		} `json:"deliveries"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		controlJSON(t, "GET", p.url+"/_emulator/webhooks/deliveries?event_id="+ev.EventID, "", nil, &list)
		if len(list.Deliveries) == 1 && list.Deliveries[0].State == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery after restart: %+v", list.Deliveries)
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := list.Deliveries[0]
	mu.Lock()
	defer mu.Unlock()
	if d.Attempts != 1 || answered[d.ID] != 1 || len(answered) != 1 {
		t.Errorf("attempts %d, answered %v", d.Attempts, answered)
	}
}
