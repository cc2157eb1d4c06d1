package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestOpenAPIMatchesRouter checks that the document at /openapi.json, the
// route table (Routes) and the chi router list exactly the same operations,
// and that each operation's security names the route's scope.
func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	r := e.do("GET", "/openapi.json", "", "")
	r.ok(t, http.StatusOK, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}

	fromDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			key := strings.ToUpper(method) + " " + path
			fromDoc[key] = true
			var op struct {
				OperationID string                `json:"operationId"`
				Security    []map[string][]string `json:"security"`
				Responses   map[string]any        `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if op.OperationID == "" || len(op.Responses) == 0 || len(op.Security) != 1 {
				t.Errorf("%s: incomplete operation %s", key, raw)
			}
		}
	}
	fromTable := map[string]bool{}
	for _, rt := range e.api.Routes() {
		key := rt.Method + " " + rt.Pattern
		fromTable[key] = true
		var op struct {
			Security []map[string][]string `json:"security"`
		}
		if raw, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; ok {
			_ = json.Unmarshal(raw, &op)
			var want []string
			if rt.Scope != "" {
				want = []string{rt.Scope}
			}
			if len(op.Security) != 1 || !slices.Equal(op.Security[0]["oauth2"], want) {
				t.Errorf("%s: security %v, want oauth2 %v", key, op.Security, want)
			}
		}
	}
	fromRouter := map[string]bool{}
	if err := chi.Walk(e.api.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if route != "/openapi.json" {
			fromRouter[method+" "+route] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for name, set := range map[string]map[string]bool{"document": fromDoc, "router": fromRouter} {
		for k := range fromTable {
			if !set[k] {
				t.Errorf("route %s is missing from the %s", k, name)
			}
		}
		for k := range set {
			if !fromTable[k] {
				t.Errorf("the %s has %s, which the route table lacks", name, k)
			}
		}
	}

	// Every schema reference resolves.
	for _, ref := range refs(r.body) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := doc.Components.Schemas[name]; !ok || name == ref {
			t.Errorf("unresolved reference %s", ref)
		}
	}
	for _, name := range []string{"ExternalEmployeeResponseModel", "AccountingEntryV1", "InstallationResponse", "ExceptionInfo", "CursorPageInfo"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
}

// refs returns every "$ref" value in a JSON document.
func refs(b []byte) []string {
	var out []string
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					out = append(out, s)
				}
				visit(x)
			}
		case []any:
			for _, x := range v {
				visit(x)
			}
		}
	}
	var doc any
	_ = json.Unmarshal(b, &doc)
	visit(doc)
	return out
}
