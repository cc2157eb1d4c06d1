package control_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// entryTotal returns the total of an accounting-entry search of Acme Denmark with body.
func entryTotal(t *testing.T, e *apptest.Emulator, token, body string) int {
	t.Helper()
	resp, text := apptest.Send(t, "POST", e.URL+"/v1/accounting-entries:search?company_id="+seed.DenmarkID+"&limit=1",
		"application/json", http.Header{"Authorization": {"Bearer " + token}}, strings.NewReader(body))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d %s", resp.StatusCode, text)
	}
	var page struct {
		Pagination struct{ Total int } `json:"pagination"`
	}
	if err := json.Unmarshal([]byte(text), &page); err != nil {
		t.Fatal(err)
	}
	return page.Pagination.Total
}

func TestControlGenerateEntries(t *testing.T) {
	e := apptest.Start(t, "")
	token := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "accounting-entries:read"}`).AccessToken
	before := entryTotal(t, e, token, `{}`)

	var got map[string]any
	st := e.Control(t, "POST", "/companies/"+strings.ToUpper(seed.DenmarkID)+"/generate", `{"count": 300, "seed": 9, "until": "2026-03-01"}`, &got)
	if st != http.StatusCreated || got["created"] != 300.0 || got["seed"] != 9.0 || got["company_id"] != seed.DenmarkID ||
		got["until"] != "2026-03-01" || got["from"] != "2025-12-01" {
		t.Fatalf("generate: %d %v", st, got)
	}
	if d, ok := got["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms = %v", got["duration_ms"])
	}
	if r, ok := got["entries_per_second"].(float64); !ok || r <= 0 {
		t.Errorf("entries_per_second = %v", got["entries_per_second"])
	}
	// Every 73rd entry is deleted (as in the demo seed), so the default search shows the others.
	after := entryTotal(t, e, token, `{}`)
	if after-before != 300-5 { // entries 5, 78, 151, 224 and 297
		t.Errorf("the search shows %d more entries, want 295 (300 less 5 deleted)", after-before)
	}
	if n := entryTotal(t, e, token, `{"performedAtStart": "2025-12-01T00:00:00Z", "performedAtEnd": "2026-03-01T00:00:00Z", "includeDeleted": true}`); n != 300 {
		t.Errorf("%d entries in the generation's window, want 300", n)
	}

	// The default seed, then the same seed again.
	if st := e.Control(t, "POST", "/companies/"+seed.DenmarkID+"/generate", `{"count": 5}`, &got); st != http.StatusCreated || got["seed"] != 1.0 {
		t.Fatalf("default seed: %d %v", st, got)
	}
	if st := e.Control(t, "POST", "/companies/"+seed.DenmarkID+"/generate", `{"count": 5, "seed": 9}`, &got); st != http.StatusConflict ||
		!strings.Contains(got["error"].(string), "seed 9") {
		t.Errorf("seed used twice: %d %v", st, got)
	}
	if n := entryTotal(t, e, token, `{}`); n != after+5 {
		t.Errorf("after a refused generation the search shows %d entries, want %d", n, after+5)
	}
}

func TestControlGenerateRefusesBadInput(t *testing.T) {
	e := apptest.Start(t, "")
	path := "/companies/" + seed.DenmarkID + "/generate"
	cases := []struct {
		path, body string
		status     int
		want       string
	}{
		{path, `{}`, http.StatusBadRequest, "count must be"},
		{path, `{"count": 0}`, http.StatusBadRequest, "count must be"},
		{path, `{"count": -3}`, http.StatusBadRequest, "count must be"},
		{path, `{"count": 200001}`, http.StatusBadRequest, "from 1 to 200000"},
		{path, `{"count": 1.5}`, http.StatusBadRequest, "count"},
		{path, `{"count": 10, "seed": -1}`, http.StatusBadRequest, "seed"},
		{path, `{"count": 10, "until": "yesterday"}`, http.StatusBadRequest, "until must be a day"},
		{path, `{"count": 10, "colour": "red"}`, http.StatusBadRequest, "unknown field"},
		{path, `{"count": 10`, http.StatusBadRequest, ""},
		{"/companies/00000000-0000-4000-8000-000000000000/generate", `{"count": 10}`, http.StatusNotFound, "not found"},
		{"/companies/not-a-company/generate", `{"count": 10}`, http.StatusNotFound, "not found"},
	}
	for _, tc := range cases {
		var got map[string]any
		st := e.Control(t, "POST", tc.path, tc.body, &got)
		msg, _ := got["error"].(string)
		if st != tc.status || msg == "" || !strings.Contains(msg, tc.want) {
			t.Errorf("POST %s %s: %d %q, want %d with %q", tc.path, tc.body, st, msg, tc.status, tc.want)
		}
	}
}
