package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Coverage of Pleo's documents. testdata/pleo-operations.txt lists every
// operation of Pleo's published OpenAPI documents (facts: method and path,
// not the documents). Every one must have a route with a scope (or be open
// to any token), an entry in the emulator's OpenAPI document and a golden
// file, except those listed in notYetServed.

// notYetServed are Pleo's operations the emulator does not serve yet. The
// list may only shrink: TestEveryPleoOperationIsServed fails for a gap
// missing here and for an entry here that is served.
var notYetServed = []string{} // every operation in Pleo's documents is served

// pleoOperations reads testdata/pleo-operations.txt.
func pleoOperations(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pleo-operations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ops []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			ops = append(ops, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ops
}

func TestEveryPleoOperationIsServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	routes := map[string]string{} // "METHOD /pattern" → scope
	for _, rt := range e.api.Routes() {
		routes[rt.Method+" "+rt.Pattern] = rt.Scope
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	e.do("GET", "/openapi.json", "", "").ok(t, http.StatusOK, &doc)
	ops := pleoOperations(t)
	if len(ops) < 80 {
		t.Fatalf("only %d operations in testdata/pleo-operations.txt", len(ops))
	}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		var gaps []string
		scope, served := routes[op]
		if !served {
			gaps = append(gaps, "no route")
		} else if scope == "" && path != "/v1/introspect" && !strings.HasPrefix(path, "/v1/installations/") {
			gaps = append(gaps, "no scope")
		}
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			gaps = append(gaps, "no OpenAPI entry")
		}
		if _, err := os.Stat(filepath.Join("testdata", "golden", goldenName(method, path))); err != nil {
			gaps = append(gaps, "no golden file")
		}
		listed := slices.Contains(notYetServed, op)
		switch {
		case len(gaps) > 0 && !listed:
			t.Errorf("%s: %s", op, strings.Join(gaps, ", "))
		case len(gaps) == 0 && listed:
			t.Errorf("%s is served now: remove it from notYetServed", op)
		case len(gaps) > 0 && listed && served:
			t.Errorf("%s is routed but incomplete (%s): finish it and remove it from notYetServed", op, strings.Join(gaps, ", "))
		}
	}
	for _, op := range notYetServed {
		if !slices.Contains(ops, op) {
			t.Errorf("notYetServed lists %s, which is not one of Pleo's operations", op)
		}
	}
}

// specsDir finds Pleo's OpenAPI documents next to the repository
// (../shared/pleo-openapi from its root). Without them the tests that need
// them skip, unless PLEO_EMULATOR_REQUIRE_SPECS is set (CI sets it).
func specsDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "pleo-openapi")
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if os.Getenv("PLEO_EMULATOR_REQUIRE_SPECS") != "" {
		t.Fatalf("Pleo's OpenAPI documents are not at %s and PLEO_EMULATOR_REQUIRE_SPECS is set", dir)
	}
	t.Skipf("Pleo's OpenAPI documents are not at %s (set PLEO_EMULATOR_REQUIRE_SPECS to make this a failure)", dir)
	return ""
}

// pleoDocuments parses every document of dir into JSON values, by file name.
func pleoDocuments(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no documents in %s: %v", dir, err)
	}
	docs := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		docs[filepath.Base(f)] = jsonValue(v).(map[string]any)
	}
	return docs
}

// jsonValue turns a decoded YAML value into the JSON data model (string
// keys; integers as json.Number).
func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonValue(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = jsonValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x)
		}
		return out
	case int:
		return json.Number(strconv.Itoa(v))
	case float64:
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return v
}

func TestPleoOperationsTableMatchesTheDocuments(t *testing.T) {
	t.Parallel()
	docs := pleoDocuments(t, specsDir(t))
	seen := map[string]bool{}
	for _, doc := range docs {
		for path, item := range doc["paths"].(map[string]any) {
			for method := range item.(map[string]any) {
				switch method {
				case "get", "post", "put", "delete", "patch":
					seen[strings.ToUpper(method)+" "+path] = true
				}
			}
		}
	}
	want := slices.Sorted(maps.Keys(seen))
	got := slices.Clone(pleoOperations(t))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("testdata/pleo-operations.txt lists %d operations, the documents %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
}

// TestGoldenResponsesMatchPleoSchemas validates every golden response of
// a route in Pleo's documents against the response schema they declare for
// its status (or, for a success, their default response). OpenAPI 3.0's
// nullable is read as JSON Schema's type null; patterns that are date
// formats written as patterns (YYYY-MM-DDTHH:mi:ssZ) are dropped. The
// placeholders golden files hold for random IDs stand for a UUID.
func TestGoldenResponsesMatchPleoSchemas(t *testing.T) {
	t.Parallel()
	docs := pleoDocuments(t, specsDir(t))
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	type declared struct{ doc, ref string }
	schemas := map[string]declared{} // "METHOD /path status" → its schema in a document
	for name, doc := range docs {
		adaptOpenAPI30(doc)
		components, _ := doc["components"].(map[string]any)
		if components == nil {
			components = map[string]any{}
			doc["components"] = components
		}
		defs, _ := components["schemas"].(map[string]any)
		if defs == nil {
			defs = map[string]any{}
			components["schemas"] = defs
		}
		for path, item := range doc["paths"].(map[string]any) {
			for method, op := range item.(map[string]any) {
				responses, _ := op.(map[string]any)["responses"].(map[string]any)
				for status, resp := range responses {
					content, _ := resp.(map[string]any)["content"].(map[string]any)
					for _, media := range content {
						schema, ok := media.(map[string]any)["schema"]
						if !ok {
							continue
						}
						key := fmt.Sprintf("%s %s %s", strings.ToUpper(method), path, status)
						defs["golden "+key] = schema
						schemas[key] = declared{name, "golden " + key}
					}
				}
			}
		}
		if err := c.AddResource("file:///"+name+".json", doc); err != nil {
			t.Fatal(err)
		}
	}
	e := newEnv(t)
	checked := 0
	for _, rt := range e.api.Routes() {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", goldenName(rt.Method, rt.Pattern)))
		if err != nil {
			continue // TestGolden reports missing golden files
		}
		var g struct {
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		d, ok := schemas[fmt.Sprintf("%s %s %d", rt.Method, rt.Pattern, g.Status)]
		if !ok && g.Status < 300 {
			d, ok = schemas[rt.Method+" "+rt.Pattern+" default"]
		}
		if !ok || string(g.Body) == "null" {
			continue
		}
		sch, err := c.Compile("file:///" + d.doc + ".json#/components/schemas/" + strings.ReplaceAll(d.ref, "/", "~1"))
		if err != nil {
			t.Fatalf("%s %s: %v", rt.Method, rt.Pattern, err)
		}
		placeholders := strings.NewReplacer(`"RANDOM-INSTALLATION-ID"`, `"`+unknownUUID+`"`, `"GENERATED-ID"`, `"`+unknownUUID+`"`)
		body, err := jsonschema.UnmarshalJSON(strings.NewReader(placeholders.Replace(string(g.Body))))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(body); err != nil {
			t.Errorf("%s %s (golden %d) does not match %s: %v", rt.Method, rt.Pattern, g.Status, d.doc, err)
		}
		checked++
	}
	if checked < 40 {
		t.Errorf("only %d golden responses had a schema to check", checked)
	}
}

// adaptOpenAPI30 rewrites an OpenAPI 3.0 document's schemas in place for a
// JSON Schema validator: nullable: true adds null to the type, and pattern
// strings that are date formats written as patterns are dropped, and an
// untyped Java Object (additionalProperties {type: object}) is any value.
func adaptOpenAPI30(v any) {
	switch v := v.(type) {
	case map[string]any:
		if p, ok := v["pattern"].(string); ok && strings.Contains(p, "YYYY") {
			delete(v, "pattern")
		}
		// Java's Map<String, Object> comes out of Pleo's generator as
		// additionalProperties {type: object}, though its values may be any
		// JSON value (the documents' own examples show strings): read an
		// untyped Object as any value.
		if ap, ok := v["additionalProperties"].(map[string]any); ok && ap["type"] == "object" && ap["properties"] == nil &&
			ap["additionalProperties"] == nil && ap["$ref"] == nil {
			delete(ap, "type")
		}
		if v["nullable"] == true {
			if typ, ok := v["type"].(string); ok {
				v["type"] = []any{typ, "null"}
			} else if _, isSchema := v["$ref"]; isSchema {
				ref := v["$ref"]
				delete(v, "$ref")
				v["anyOf"] = []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}
			}
		}
		for _, x := range v {
			adaptOpenAPI30(x)
		}
	case []any:
		for _, x := range v {
			adaptOpenAPI30(x)
		}
	}
}
