package api_test

import (
	"bytes"
	"encoding/base32"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/api"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// fuzzAPI is the API of a newEnv database, called in process, whose log
// goes to a buffer (a fuzz target may not write to the F's log).
type fuzzAPI struct {
	e       *env
	api     *api.API
	handler http.Handler
	log     *bytes.Buffer
}

func newFuzzAPI(f *testing.F) *fuzzAPI {
	f.Helper()
	e := newEnv(f)
	fa := &fuzzAPI{e: e, log: &bytes.Buffer{}}
	fa.api = api.New(api.Options{}, e.st, e.clock, e.verify, nil, slog.New(slog.NewTextHandler(fa.log, &slog.HandlerOptions{Level: slog.LevelWarn})))
	fa.handler = fa.api.Handler()
	return fa
}

// serve sends one request with a bearer token and an optional JSON body.
func (fa *fuzzAPI) serve(method, target, token string, body []byte) response {
	fa.log.Reset()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	fa.handler.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// checkAnswer asserts no 5xx, and that every 4xx is Pleo's JSON error
// (ExceptionInfo with a type) and every 2xx body is JSON.
func (fa *fuzzAPI) checkAnswer(t *testing.T, what string, r response) {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("%s: status %d; body %s; log %s", what, r.status, r.body, fa.log)
	}
	if r.status >= 400 {
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: status %d with content type %q, want JSON", what, r.status, ct)
		}
		var e apiErr
		if err := json.Unmarshal(r.body, &e); err != nil || e.Type == "" {
			t.Fatalf("%s: status %d with body %s, want a JSON error with a type (%v)", what, r.status, r.body, err)
		}
		return
	}
	if len(r.body) > 0 && !json.Valid(r.body) {
		t.Fatalf("%s: status %d with a body that is not JSON: %.300s", what, r.status, r.body)
	}
}

// cursorList is one list route the cursor fuzz target pages through.
type cursorList struct {
	method, path string
	body         []byte
}

// cursorLists are list routes of several sort orders, over nullable and
// non-null keys.
var cursorLists = []cursorList{
	{"GET", "/v2/employees?limit=3", nil},
	{"GET", "/v2/employees?limit=3&sorting_keys=lastName,firstName&sorting_order=DESC,ASC", nil},
	{"POST", "/v1/accounting-entries:search?limit=3&sorting_keys=settledAt&sorting_order=ASC_NULLS_FIRST", []byte(`{}`)},
	{"POST", "/v1/accounting-entries:search?limit=3&sorting_keys=bookkeepingDate,performedAt&sorting_order=DESC_NULLS_LAST,ASC", nil},
	{"GET", "/v1/companies?limit=1", nil},
	{"GET", "/v0/tags?company_id=" + seed.DenmarkID + "&limit=3", nil},
	{"POST", "/v1/vendors:search?company_id=" + seed.DenmarkID + "&limit=3", []byte(`{}`)},
	{"GET", "/v3/export-items?limit=3", nil},
}

// cursorJSON returns the JSON inside a cursor the API made.
func cursorJSON(t testing.TB, cursor string) string {
	b, err := base32.StdEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatalf("cursor %q: %v", cursor, err)
	}
	return string(b)
}

// FuzzListCursor proves that a list call with any after or before cursor
// never panics and answers either 200 or a JSON 400, for lists of several
// sort orders (the cursor reaches the store's keyset query when it decodes).
func FuzzListCursor(f *testing.F) {
	fa := newFuzzAPI(f)
	for i, l := range cursorLists {
		var first pageBody
		r := fa.serve(l.method, l.path, "dk", l.body)
		r.ok(f, http.StatusOK, &first)
		end := first.Pagination.EndCursor
		if end == "" {
			continue
		}
		f.Add(end, uint8(i), false)
		f.Add(end, uint8(i), true)
		f.Add(end, uint8(i+1), false) // another list's cursor
		f.Add(strings.ToLower(end), uint8(i), false)
		f.Add(strings.TrimRight(end, "="), uint8(i), false)
		inner := cursorJSON(f, end)
		sig := inner[:strings.Index(inner, ",")]
		for _, forged := range []string{sig + `]`, sig + `,null]`, sig + `,1]`, sig + `,"zzz"]`, sig + `,"\u0000",null,null]`, sig + `,null,null]`} {
			f.Add(base32.StdEncoding.EncodeToString([]byte(forged)), uint8(i), false)
		}
	}
	f.Add("", uint8(0), false)
	f.Add("~", uint8(0), true)
	f.Add("not a cursor", uint8(0), false)
	f.Fuzz(func(t *testing.T, cursor string, list uint8, before bool) {
		l := cursorLists[int(list)%len(cursorLists)]
		param := "&after="
		if before {
			param = "&before="
		}
		target := l.path + param + url.QueryEscape(cursor)
		r := fa.serve(l.method, target, "dk", l.body)
		fa.checkAnswer(t, l.method+" "+target, r)
		if r.status != http.StatusOK && r.status != http.StatusBadRequest {
			t.Fatalf("%s %s: status %d, want 200 or 400; body %s", l.method, target, r.status, r.body)
		}
	})
}

// writeRoutes returns the API's POST, PUT and PATCH routes in table order
// with their sample requests (routes_test.go).
func (fa *fuzzAPI) writeRoutes() []api.Route {
	var out []api.Route
	for _, rt := range fa.api.Routes() {
		switch rt.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			out = append(out, rt)
		}
	}
	return out
}

// FuzzWriteBody proves that every write route of the API (POST, PUT and
// PATCH, chosen by the route byte), called with a token holding every scope
// for a company or for the organisation and any bytes as its JSON body,
// never panics or answers 5xx, and answers every 4xx with Pleo's JSON error.
func FuzzWriteBody(f *testing.F) {
	fa := newFuzzAPI(f)
	routes := fa.writeRoutes()
	if len(routes) == 0 {
		f.Fatal("the API has no write routes")
	}
	for i, rt := range routes {
		body := []byte(samples[rt.Method+" "+rt.Pattern].body)
		f.Add(uint8(i), false, body)
		f.Add(uint8(i), true, body)
		f.Add(uint8(i), false, bytes.ReplaceAll(body, []byte(seed.DenmarkID), []byte(seed.SwedenID)))
		f.Add(uint8(i), false, bytes.ReplaceAll(body, []byte(`"`+seed.DenmarkID+`"`), []byte(`null`)))
	}
	for j, body := range []string{
		"", "null", "{}", "[]", `"text"`, "0", "-1e400", `{"companyId":1}`, `{"companyId":"not-a-uuid"}`,
		`{"name":"` + strings.Repeat("x", 300) + `"}`, `{"name":"\u0000\ud800"}`, "{\"name\":\"\xff\xfe\"}",
		`{"name":"a","name":"b"}`, `[{"accountingEntryId":null,"status":"successful"}]`, strings.Repeat("[", 12000),
		`{"metadata":{"a":{"b":{"c":[1,2,3]}}}}`, `{"companyId":"` + seed.DenmarkID + `"`,
	} {
		f.Add(uint8(j), j%2 == 1, []byte(body))
	}
	f.Fuzz(func(t *testing.T, route uint8, org bool, body []byte) {
		rt := routes[int(route)%len(routes)]
		token, path := "dk", samples[rt.Method+" "+rt.Pattern].path
		if org {
			token = "org"
			if !strings.Contains(path, "company_id=") {
				path = withQuery(path, "company_id="+seed.DenmarkID)
			}
		}
		r := fa.serve(rt.Method, path, token, body)
		fa.checkAnswer(t, rt.Method+" "+path, r)
	})
}
