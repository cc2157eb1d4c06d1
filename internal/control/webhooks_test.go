package control_test

import (
	"net/http"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
)

// TestResetClearsWebhookFaults: a reset forgets queued webhook faults, as
// it forgets the other faults, so a test suite's next test starts clean.
func TestResetClearsWebhookFaults(t *testing.T) {
	e := apptest.Start(t, "")
	var list struct {
		Faults []struct {
			Kind string `json:"kind"`
		} `json:"faults"`
	}
	if st := e.Control(t, "POST", "/webhooks/faults", `{"kind": "duplicate", "count": 3}`, nil); st != http.StatusCreated {
		t.Fatalf("add webhook fault: %d", st)
	}
	e.Control(t, "POST", "/webhooks/faults", `{"kind": "delay", "delay": "2s"}`, nil)
	e.Control(t, "POST", "/faults", `{"target": "token", "status": 500}`, nil)
	e.Control(t, "GET", "/webhooks/faults", "", &list)
	if len(list.Faults) != 2 {
		t.Fatalf("%d webhook faults queued, want 2", len(list.Faults))
	}
	if st := e.Control(t, "POST", "/reset", "", nil); st != http.StatusOK {
		t.Fatalf("reset: %d", st)
	}
	e.Control(t, "GET", "/webhooks/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Errorf("after reset %d webhook faults are queued: %+v", len(list.Faults), list.Faults)
	}
	e.Control(t, "GET", "/faults", "", &list)
	if len(list.Faults) != 0 {
		t.Errorf("after reset %d faults are queued", len(list.Faults))
	}
}
