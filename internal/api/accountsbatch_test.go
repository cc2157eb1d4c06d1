package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func init() {
	samples["POST /v1/chart-of-accounts/batch"] = sample{"/v1/chart-of-accounts/batch", `{"companyId":"` + seed.DenmarkID + `","items":[` +
		`{"externalId":"ext-001","name":"Bank Charges","code":"2001","archived":false,"taxCodeExternalId":"IVA 20"},` +
		`{"externalId":"ext-002","name":"Office Supplies","code":"2002","archived":false,"metadata":{"ledger":{"id":7}}},` +
		`{"externalId":"acc-2700","name":"","code":"2003","archived":false,"taxCodeExternalId":"IVA 20"}]}`}
}

// batchOut is the data of a batch answer.
type batchOut struct {
	Created []pleo.Account `json:"created"`
	Failed  []struct {
		Reasons []string       `json:"reasons"`
		Request map[string]any `json:"request"`
	} `json:"failed"`
}

func TestAccountsBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const batch = "/v1/chart-of-accounts/batch"
	long := strings.Repeat("x", 256)
	item := func(ext, name, extra string) string {
		return `{"externalId":"` + ext + `","name":"` + name + `","archived":false` + extra + `}`
	}
	body := func(company string, items ...string) string {
		return `{"companyId":"` + company + `","items":[` + strings.Join(items, ",") + `]}`
	}
	r := e.do("POST", batch, "dk", body(seed.DenmarkID,
		item("b-1", "First", `,"code":"5001","taxCodeExternalId":"IVA 20","metadata":{"k":"v"}`),
		item("acc-2700", "Bank fees", `,"code":"2700"`), // the seeded account, same data: still exists
		item("b-2", "", ""),
		item("b-1", "Again", ""), // duplicate within the batch
		item(long, long, `,"code":"`+long+`"`),
		item(" ", "Blank", ""),
		item("b-3", "Third", `,"archived":true`),
	))
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	out := data[batchOut](t, r, http.StatusCreated)
	if len(out.Created) != 2 || out.Created[0].ExternalID != "b-1" || out.Created[1].ExternalID != "b-3" {
		t.Fatalf("created %+v", out.Created)
	}
	first := out.Created[0]
	if first.CompanyID != seed.DenmarkID || first.Name != "First" || first.Code == nil || *first.Code != "5001" ||
		first.TaxCodeExternalID == nil || *first.TaxCodeExternalID != "IVA 20" || first.Metadata["k"] != "v" || first.Archived {
		t.Errorf("first created %+v", first)
	}
	if !out.Created[1].Archived {
		t.Errorf("archived flag lost: %+v", out.Created[1])
	}
	// Created accounts are stored like any other.
	if got := account(t, e.do("GET", "/v1/chart-of-accounts/"+first.ID, "dk", ""), http.StatusOK); !reflect.DeepEqual(got, first) {
		t.Errorf("GET %+v, batch answered %+v", got, first)
	}
	want := []struct {
		ext     string
		reasons []string
	}{
		{"acc-2700", []string{"EXTERNAL_ID_ALREADY_EXISTS"}},
		{"b-2", []string{"NAME_EMPTY"}},
		{"b-1", []string{"EXTERNAL_ID_ALREADY_EXISTS"}},
		{long, []string{"EXTERNAL_ID_TOO_LONG", "NAME_TOO_LONG", "CODE_TOO_LONG"}},
		{" ", []string{"EXTERNAL_ID_EMPTY"}},
	}
	if len(out.Failed) != len(want) {
		t.Fatalf("failed %+v", out.Failed)
	}
	for i, w := range want {
		f := out.Failed[i]
		if f.Request["externalId"] != w.ext || !reflect.DeepEqual(f.Reasons, w.reasons) {
			t.Errorf("failed[%d] = %v %v, want %q %v", i, f.Request["externalId"], f.Reasons, w.ext, w.reasons)
		}
	}
	if req := out.Failed[0].Request; req["code"] != "2700" || req["archived"] != false || req["name"] != "Bank fees" {
		t.Errorf("failed request not echoed as sent: %v", req)
	}
	// The seeded account is untouched; the second b-1 did not overwrite the first.
	var page struct{ Data []pleo.Account }
	e.do("POST", "/v1/chart-of-accounts:search", "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"b-1"}`).ok(t, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "First" {
		t.Errorf("b-1 after the batch: %+v", page.Data)
	}

	// All failing still answers 201 with an empty created list.
	r = e.do("POST", batch, "dk", body(seed.DenmarkID, item("b-1", "x", "")))
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"created":[]`) {
		t.Errorf("all failing: %d %s", r.status, r.body)
	}
	// The organisation token may write to Sweden, Denmark's may not.
	if got := data[batchOut](t, e.do("POST", batch, "org", body(seed.SwedenID, item("b-1", "Swedish", ""))), http.StatusCreated); len(got.Created) != 1 ||
		got.Created[0].CompanyID != seed.SwedenID {
		t.Errorf("organisation batch %+v", got)
	}
	e.do("POST", batch, "dk", body(seed.SwedenID, item("b-9", "x", ""))).fails(t, http.StatusForbidden, "FORBIDDEN")

	// Bad requests create nothing.
	many := make([]string, 1001)
	for i := range many {
		many[i] = item(fmt.Sprintf("m-%d", i), "x", "")
	}
	for _, c := range []struct{ body, typ, field string }{
		{``, "JSON_MAPPING_EXCEPTION", "missing"},
		{`{"items":[` + item("z-1", "x", "") + `]}`, "VALIDATION_FAILED", "companyId"},
		{`{"companyId":"` + seed.DenmarkID + `"}`, "VALIDATION_FAILED", "items"},
		{body(seed.DenmarkID), "VALIDATION_FAILED", "items"},
		{body(seed.DenmarkID, many...), "VALIDATION_FAILED", "1001"},
		{body("nope", item("z-1", "x", "")), "VALIDATION_FAILED", "companyId"},
		{body(seed.DenmarkID, item("z-1", "x", ""), `{"externalId":"z-2","name":"x"}`), "VALIDATION_FAILED", "items[1].archived"},
		{body(seed.DenmarkID, `{"name":"x","archived":false}`), "VALIDATION_FAILED", "items[0].externalId"},
		{body(seed.DenmarkID, `{"externalId":"z-3","archived":false,"name":null}`), "VALIDATION_FAILED", "items[0].name"},
		{body(seed.DenmarkID, `{"externalId":"z-3","archived":"no","name":"x"}`), "JSON_MAPPING_EXCEPTION", "archived"},
	} {
		mentions(t, e.do("POST", batch, "dk", c.body), c.typ, c.field)
	}
	e.do("POST", "/v1/chart-of-accounts:search", "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"z-1"}`).ok(t, http.StatusOK, &page)
	if len(page.Data) != 0 {
		t.Errorf("a refused batch created %+v", page.Data)
	}
	e.do("POST", batch, "se", body(seed.DenmarkID, item("z-1", "x", ""))).fails(t, http.StatusForbidden, "FORBIDDEN")
}
