package api_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Demo tax codes: Denmark has DK25, DK00 and the reverse-charge DKRC.
var (
	dkTaxCode  = seed.ID("acme-denmark/tax-code/0") // DK25, "Moms 25%"
	dkTaxCode2 = seed.ID("acme-denmark/tax-code/1") // DK00, "No VAT"
	seTaxCode  = seed.ID("acme-sweden/tax-code/0")
)

func init() {
	samples["POST /v0/tax-codes"] = sample{"/v0/tax-codes", `{"companyId":"` + seed.DenmarkID +
		`","name":"Hotel VAT (12 %)","code":"DK12","rate":0.12,"type":"inclusive","archived":false,"ingoingTaxAccount":"6811"}`}
	samples["GET /v0/tax-codes/{taxCodeId}"] = sample{"/v0/tax-codes/" + dkTaxCode, ""}
	samples["PUT /v0/tax-codes/{taxCodeId}"] = sample{"/v0/tax-codes/" + dkTaxCode, `{"companyId":"` + seed.DenmarkID +
		`","name":"Standardmoms (25 %)","code":"DK25","rate":0.25,"type":"inclusive","archived":false,"ingoingTaxAccount":"6810","outgoingTaxAccount":"6800"}`}
	samples["DELETE /v0/tax-codes/{taxCodeId}"] = sample{"/v0/tax-codes/" + dkTaxCode2, ""}
	samples["POST /v0/tax-codes:search"] = sample{"/v0/tax-codes:search?company_id=" + seed.DenmarkID + "&limit=2", `{"archived":false}`}
}

func taxCodeKey(c pleo.TaxCode) (time.Time, string) { return c.CreatedAt, c.ID }

// taxCodeBody is a create or update body for company.
func taxCodeBody(company, extra string) string {
	return `{"companyId":"` + company + `","name":"Hotel VAT","rate":0.12,"type":"inclusive","archived":false` + extra + `}`
}

func TestTaxCodesCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.advance(1500 * time.Millisecond) // timestamps are whole seconds
	created := e.clock.Now().Truncate(time.Second)

	c := data[pleo.TaxCode](t, e.do("POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"code":"DK12","ingoingTaxAccount":"6811"`)),
		http.StatusOK)
	if c.ID == "" || c.CompanyID != seed.DenmarkID || c.Name != "Hotel VAT" || c.Rate != 0.12 || c.Type != "inclusive" || c.Archived ||
		c.Code == nil || *c.Code != "DK12" || c.IngoingTaxAccount == nil || *c.IngoingTaxAccount != "6811" || c.OutgoingTaxAccount != nil ||
		!c.CreatedAt.Equal(created) || !c.UpdatedAt.Equal(created) {
		t.Fatalf("created %+v", c)
	}
	r := e.do("GET", "/v0/tax-codes/"+c.ID, "dk", "")
	if !strings.Contains(string(r.body), `"createdAt":"`+created.Format("2006-01-02T15:04:05Z")+`"`) || !strings.Contains(string(r.body), `"outgoingTaxAccount":null`) {
		t.Errorf("tax code JSON %s", r.body)
	}
	if got := data[pleo.TaxCode](t, r, http.StatusOK); !reflect.DeepEqual(got, c) {
		t.Errorf("get %+v, want %+v", got, c)
	}
	e.do("GET", "/v0/tax-codes/"+c.ID, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tax-codes/"+c.ID, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v0/tax-codes/"+unknownUUID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("GET", "/v0/tax-codes/x", "dk", ""), "PARAMETER_VALIDATION_FAILED", "taxCodeId")

	// The company comes from the body and must be one the token sees.
	e.do("POST", "/v0/tax-codes", "dk", taxCodeBody(seed.SwedenID, "")).fails(t, http.StatusForbidden, "FORBIDDEN")
	if sc := data[pleo.TaxCode](t, e.do("POST", "/v0/tax-codes", "org", taxCodeBody(seed.SwedenID, "")), http.StatusOK); sc.CompanyID != seed.SwedenID {
		t.Errorf("organisation token created a tax code of %s", sc.CompanyID)
	}
	for _, c := range []struct{ body, typ, field string }{
		{`{"name":"X","rate":0.1,"type":"inclusive","archived":false}`, "VALIDATION_FAILED", "companyId"},
		{`{"companyId":"nope","name":"X","rate":0.1,"type":"inclusive","archived":false}`, "VALIDATION_FAILED", "companyId"},
		{`{"companyId":"` + seed.DenmarkID + `","rate":0.1,"type":"inclusive","archived":false}`, "VALIDATION_FAILED", "name"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"X","type":"inclusive","archived":false}`, "VALIDATION_FAILED", "rate"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"X","rate":0.1,"archived":false}`, "VALIDATION_FAILED", "type"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"X","rate":0.1,"type":"inclusive"}`, "VALIDATION_FAILED", "archived"},
		{taxCodeBody(seed.DenmarkID, `,"rate":25`), "VALIDATION_FAILED", "rate"},
		{taxCodeBody(seed.DenmarkID, `,"rate":-0.1`), "VALIDATION_FAILED", "rate"},
		{taxCodeBody(seed.DenmarkID, `,"type":"flat"`), "VALIDATION_FAILED", "type"},
		{taxCodeBody(seed.DenmarkID, `,"type":"INCLUSIVE"`), "VALIDATION_FAILED", "type"},
		{taxCodeBody(seed.DenmarkID, `,"rate":"0.1"`), "JSON_MAPPING_EXCEPTION", "rate"},
		{``, "JSON_MAPPING_EXCEPTION", "missing"},
	} {
		mentions(t, e.do("POST", "/v0/tax-codes", "dk", c.body), c.typ, c.field)
	}

	// Update replaces every field: the code and accounts left out become null.
	e.clock.advance(time.Hour)
	one := "/v0/tax-codes/" + c.ID
	up := data[pleo.TaxCode](t, e.do("PUT", one, "dk", `{"companyId":"`+seed.DenmarkID+`","name":"Hotel","rate":0.1,"type":"reverse","archived":true}`),
		http.StatusOK)
	if up.Name != "Hotel" || up.Rate != 0.1 || up.Type != "reverse" || !up.Archived || up.Code != nil || up.IngoingTaxAccount != nil ||
		!up.CreatedAt.Equal(created) || !up.UpdatedAt.Equal(e.clock.Now().Truncate(time.Second)) {
		t.Errorf("updated %+v", up)
	}
	if got := data[pleo.TaxCode](t, e.do("GET", one, "dk", ""), http.StatusOK); !reflect.DeepEqual(got, up) {
		t.Errorf("after update %+v, returned %+v", got, up)
	}
	mentions(t, e.do("PUT", one, "org", taxCodeBody(seed.SwedenID, "")), "VALIDATION_FAILED", "companyId") // not the tax code's company
	mentions(t, e.do("PUT", one, "dk", `{"companyId":"`+seed.DenmarkID+`","name":"Hotel","rate":0.1,"type":"reverse"}`), "VALIDATION_FAILED", "archived")
	e.do("PUT", one, "dk", taxCodeBody(seed.SwedenID, "")).fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("PUT", one, "se", taxCodeBody(seed.SwedenID, "")).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("PUT", "/v0/tax-codes/"+seTaxCode, "dk", taxCodeBody(seed.DenmarkID, "")).fails(t, http.StatusNotFound, "NOT_FOUND")

	e.checkDelete(t, one)
}

func TestTaxCodeSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const search = "/v0/tax-codes:search"
	var made []pleo.TaxCode
	for i := range 6 {
		e.clock.advance(time.Second)
		extra := `,"archived":` + map[bool]string{true: "true", false: "false"}[i%2 == 0]
		made = append(made, data[pleo.TaxCode](t, e.do("POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, extra)), http.StatusOK))
	}
	walk := func(path, token, body string, limit int) []pleo.TaxCode {
		t.Helper()
		return decodeItems[pleo.TaxCode](t, e.walk("POST", path, token, body, limit))
	}
	for _, limit := range []int{1, 2, 4, 100} {
		all := walk(search, "dk", "", limit)
		if len(all) != 9 || !createdOrder(all, taxCodeKey) || all[8].ID != made[5].ID {
			t.Errorf("limit %d: %d tax codes", limit, len(all))
		}
	}
	count := func(body string) int {
		t.Helper()
		return len(walk(search, "dk", body, 2))
	}
	for body, want := range map[string]int{
		`{}`:                   9,
		`{"archived":true}`:    3,
		`{"archived":false}`:   6,
		`{"type":"reverse"}`:   1,
		`{"type":"exclusive"}`: 0,
		`{"code":"DKRC"}`:      1,
		`{"taxCodeIds":["` + made[0].ID + `","` + strings.ToUpper(made[1].ID) + `","` + seTaxCode + `"]}`: 2,
		`{"archived":false,"type":"inclusive","unknown":1}`:                                               5,
	} {
		if got := count(body); got != want {
			t.Errorf("%s: %d tax codes, want %d", body, got, want)
		}
	}
	desc := walk(search+"?sorting_keys=createdAt&sorting_order=DESC_NULLS_LAST", "dk", "", 2)
	if desc[0].ID != made[5].ID {
		t.Errorf("descending by createdAt starts with %s", desc[0].Name)
	}
	mentions(t, e.do("POST", search, "dk", `{"type":"flat"}`), "VALIDATION_FAILED", "type")
	mentions(t, e.do("POST", search, "dk", `{"taxCodeIds":["x"]}`), "VALIDATION_FAILED", "taxCodeIds[0]")
	mentions(t, e.do("POST", search, "dk", `{"archived":"yes"}`), "JSON_MAPPING_EXCEPTION", "archived")
	mentions(t, e.do("POST", search+"?offset=1&after=AAAA", "dk", ""), "PARAMETER_VALIDATION_FAILED", "offset")
	var page pageBody
	e.do("POST", search+"?offset=8&limit=5", "dk", "").ok(t, http.StatusOK, &page)
	if len(page.Data) != 1 || !page.Pagination.HasPreviousPage || page.Pagination.HasNextPage || page.Pagination.Total != 9 {
		t.Errorf("offset 8: %d items, %+v", len(page.Data), page.Pagination)
	}

	// Subject binding.
	companyOf := func(codes []pleo.TaxCode) map[string]int {
		n := map[string]int{}
		for _, c := range codes {
			n[c.CompanyID]++
		}
		return n
	}
	if got := companyOf(walk(search, "org", "", 3)); got[seed.DenmarkID] != 9 || got[seed.SwedenID] != 5 {
		t.Errorf("organisation token sees %v", got)
	}
	if got := companyOf(walk(search+"?company_id="+seed.SwedenID, "org", "", 3)); len(got) != 1 || got[seed.SwedenID] != 5 {
		t.Errorf("organisation token with company_id=Sweden sees %v", got)
	}
	if got := companyOf(walk(search, "se", "", 3)); len(got) != 1 || got[seed.SwedenID] != 5 {
		t.Errorf("Sweden token sees %v", got)
	}
	e.do("POST", search+"?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	if codes := walk(search, "se", `{"taxCodeIds":["`+made[0].ID+`"]}`, 2); len(codes) != 0 {
		t.Error("Sweden finds a Danish tax code by ID")
	}
	if !slices.ContainsFunc(walk(search, "dk", "", 100), func(c pleo.TaxCode) bool { return c.Code != nil && *c.Code == "DKRC" }) {
		t.Error("the seeded reverse-charge code is missing")
	}
}

// TestTaxCodeRefusals pins the messages of the tax-code rules and the order
// in which they are checked: the body's fields before its company.
func TestTaxCodeRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const v = "VALIDATION_FAILED"
	one := "/v0/tax-codes/" + dkTaxCode
	refuses(t, e, []refusal{
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"name":" "`), v, "Field 'name' must not be blank."},
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"rate":-0.5`), v,
			"Field 'rate' must be a decimal from 0 to 1 (0.25 is 25 %), not -0.5."},
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"rate":1e300`), v,
			"Field 'rate' must be a decimal from 0 to 1 (0.25 is 25 %), not 1e+300."},
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"type":"flat"`), v,
			`Field 'type' must be one of inclusive, exclusive, reverse, not "flat".`},
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.DenmarkID, `,"name":"","rate":2`), v, "Field 'name' must not be blank."},
		{"POST", "/v0/tax-codes", "dk", taxCodeBody(seed.SwedenID, `,"rate":25,"type":"x"`), v,
			"Field 'rate' must be a decimal from 0 to 1 (0.25 is 25 %), not 25."},
		{"PUT", one, "dk", taxCodeBody(seed.DenmarkID, `,"type":"INCLUSIVE"`), v,
			`Field 'type' must be one of inclusive, exclusive, reverse, not "INCLUSIVE".`},
		{"POST", "/v0/tax-codes:search", "dk", `{"taxCodeIds":["x"],"type":"flat"}`, v, `Field 'taxCodeIds[0]' must be a UUID, not "x".`},
		{"POST", "/v0/tax-codes:search", "dk", `{"type":"flat"}`, v, `Field 'type' must be one of inclusive, exclusive, reverse, not "flat".`},
	})
}
