package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenName is the golden file of a route, e.g. get_v2_employees_employeeId.json.
func goldenName(method, pattern string) string {
	name := strings.NewReplacer("/", "_", "{", "", "}", "", ":", "_").Replace(pattern)
	return strings.ToLower(method) + name + ".json"
}

// TestGolden records one representative response of every route (status,
// content type and body) in testdata/golden. Run with -update to rewrite.
func TestGolden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.do("POST", installation, "dk", `{"metadata":{"externalConfigurationId":"123456789"}}`).ok(t, http.StatusOK, nil)
	routes := e.api.Routes()
	// Deletes run after the others; the installation's, which revokes the
	// token itself, runs last of all.
	var last, final []int
	for i, rt := range routes {
		switch {
		case rt.Method == http.MethodDelete && rt.Pattern == installation:
			final = append(final, i)
		case rt.Method == http.MethodDelete:
			last = append(last, i)
		default:
			checkGolden(t, e, rt.Method, rt.Pattern)
		}
	}
	for _, i := range append(last, final...) {
		checkGolden(t, e, routes[i].Method, routes[i].Pattern)
	}
}

func checkGolden(t *testing.T, e *env, method, pattern string) {
	t.Helper()
	s := samples[method+" "+pattern]
	r := e.do(method, s.path, "dk", s.body)
	body := json.RawMessage("null")
	if len(r.body) > 0 {
		body = normaliseIDs(t, method, pattern, r.body)
	}
	compareGolden(t, method, pattern, r, body, filepath.Join("testdata", "golden", goldenName(method, pattern)), "TestGolden")
}

// compareGolden compares a response (status, content type and the
// normalised body) with the golden file at path, or writes it with -update.
// rerun names the test to run with -update when the file is missing.
func compareGolden(t *testing.T, method, pattern string, r response, body json.RawMessage, path, rerun string) {
	t.Helper()
	got := pretty(t, mustMarshal(t, struct {
		Status      int             `json:"status"`
		ContentType string          `json:"contentType,omitempty"`
		Body        json.RawMessage `json:"body"`
	}{r.status, r.header.Get("Content-Type"), body}))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s %s: %v (run go test ./internal/api -run %s -update)", method, pattern, err, rerun)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s %s: response differs from %s\n got: %s\nwant: %s", method, pattern, path, got, want)
	}
}

// normaliseIDs replaces random IDs with placeholders: the installation's,
// and the id of the resource a POST to a collection (a pattern without
// ':') creates.
func normaliseIDs(t *testing.T, method, pattern string, body []byte) []byte {
	body = receiptSignatures.ReplaceAll(body, []byte("signature=SIGNATURE"))
	var m map[string]any
	switch {
	case strings.HasPrefix(pattern, "/v1/installations/"):
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["id"]; ok {
			m["id"] = "RANDOM-INSTALLATION-ID"
		}
	case method == http.MethodPost && !strings.Contains(pattern, ":"):
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if data, ok := m["data"].(map[string]any); ok && data["id"] != nil {
			data["id"] = "GENERATED-ID"
		}
		if data, ok := m["data"].(map[string]any); ok { // a batch's created items
			created, _ := data["created"].([]any)
			for _, c := range created {
				c.(map[string]any)["id"] = "GENERATED-ID"
			}
		}
	default:
		return body
	}
	return mustMarshal(t, m)
}
