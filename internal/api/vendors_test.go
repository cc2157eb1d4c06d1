package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Demo vendors: twelve per company, all ACTIVE with externalIds
// ext-vendor-1001... except the twelfth, which is ARCHIVED.
var (
	dkVendor         = seed.ID("acme-denmark/vendor/0")
	dkVendor2        = seed.ID("acme-denmark/vendor/1")
	dkVendor3        = seed.ID("acme-denmark/vendor/2")
	dkArchivedVendor = seed.ID("acme-denmark/vendor/11")
	seVendor         = seed.ID("acme-sweden/vendor/0")
)

func init() {
	samples["POST /v1/vendors"] = sample{"/v1/vendors", `{"companyId":"` + seed.DenmarkID +
		`","name":"Kontorland ApS","defaultCurrency":"DKK","country":"DK","registrationNumber":"DK12345678"}`}
	samples["POST /v1/vendors:search"] = sample{"/v1/vendors:search?company_id=" + seed.DenmarkID + "&limit=2", `{"states":["ACTIVE"]}`}
	samples["GET /v1/vendors/{id}"] = sample{"/v1/vendors/" + dkVendor, ""}
	samples["PUT /v1/vendors/{id}"] = sample{"/v1/vendors/" + dkVendor2, `{"companyId":"` + seed.DenmarkID +
		`","name":"Renamed vendor","defaultCurrency":"EUR","externalId":"ext-vendor-1002","state":"ACTIVE","code":"V1002","country":"DE","taxRegistrationNumber":"DE123456789"}`}
	samples["POST /v1/vendors/{id}:archive"] = sample{"/v1/vendors/" + dkVendor3 + ":archive", ""}
	samples["POST /v1/vendors/{id}:activate"] = sample{"/v1/vendors/" + dkArchivedVendor + ":activate", `{"externalId":"ext-vendor-2012","code":"V2012"}`}
}

func vendorKey(v pleo.Vendor) (time.Time, string) { return v.CreatedAt, v.ID }

func vendorBody(company, name, extra string) string {
	return `{"companyId":"` + company + `","name":"` + name + `","defaultCurrency":"DKK"` + extra + `}`
}

func TestVendorsCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created := e.clock.Now()

	draft := data[pleo.Vendor](t, e.do("POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, "Kontorland", `,"country":"DK"`)), http.StatusCreated)
	if draft.ID == "" || draft.CompanyID != seed.DenmarkID || draft.Name != "Kontorland" || draft.DefaultCurrency != "DKK" ||
		draft.Country != "DK" || draft.State != "DRAFT" || draft.ExternalID != "" || !draft.CreatedAt.Equal(created) || !draft.UpdatedAt.Equal(created) {
		t.Fatalf("created %+v", draft)
	}
	synced := data[pleo.Vendor](t, e.do("POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, "Papirhuset", `,"externalId":"erp-77","code":"V77"`)),
		http.StatusCreated)
	if synced.State != "ACTIVE" || synced.ExternalID != "erp-77" || synced.Code != "V77" {
		t.Errorf("vendor with an externalId %+v", synced)
	}

	// 409 when the vendor exists: same name without externalId, same externalId.
	for _, body := range []string{
		vendorBody(seed.DenmarkID, "KONTORLAND", ""),
		vendorBody(seed.DenmarkID, "Another name", `,"externalId":"erp-77"`),
		vendorBody(seed.DenmarkID, "Something", `,"externalId":"ext-vendor-1001"`),
	} {
		if msg := e.do("POST", "/v1/vendors", "dk", body).fails(t, http.StatusConflict, "CONFLICT"); msg != "Vendor already exists." {
			t.Errorf("409 message %q", msg)
		}
	}
	e.do("POST", "/v1/vendors", "org", vendorBody(seed.SwedenID, "Kontorland", "")).ok(t, http.StatusCreated, nil) // another company
	e.do("POST", "/v1/vendors", "dk", vendorBody(seed.SwedenID, "Kontorland 2", "")).fails(t, http.StatusForbidden, "FORBIDDEN")
	for _, c := range []struct{ body, typ, field string }{
		{`{"name":"X","defaultCurrency":"DKK"}`, "VALIDATION_FAILED", "companyId"},
		{`{"companyId":"` + seed.DenmarkID + `","defaultCurrency":"DKK"}`, "VALIDATION_FAILED", "name"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"X"}`, "VALIDATION_FAILED", "defaultCurrency"},
		{vendorBody(seed.DenmarkID, "", ""), "VALIDATION_FAILED", "name"},
		{vendorBody(seed.DenmarkID, "X", `,"defaultCurrency":"dkk"`), "VALIDATION_FAILED", "defaultCurrency"},
		{vendorBody(seed.DenmarkID, "X", `,"country":"XX"`), "VALIDATION_FAILED", "country"},
		{vendorBody("not-a-uuid", "X", ""), "VALIDATION_FAILED", "companyId"},
		{vendorBody(seed.DenmarkID, "X", `,"code":1`), "JSON_MAPPING_EXCEPTION", "code"},
	} {
		mentions(t, e.do("POST", "/v1/vendors", "dk", c.body), c.typ, c.field)
	}

	one := "/v1/vendors/" + draft.ID
	if got := data[pleo.Vendor](t, e.do("GET", one, "dk", ""), http.StatusOK); got != draft {
		t.Errorf("get %+v, want %+v", got, draft)
	}
	e.do("GET", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/vendors/"+seVendor, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/vendors/"+seVendor, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v1/vendors/"+unknownUUID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("GET", "/v1/vendors/nope", "dk", ""), "PARAMETER_VALIDATION_FAILED", "id")

	// Update: externalId and state are required; fields left out are cleared.
	e.clock.advance(time.Hour)
	update := vendorBody(seed.DenmarkID, "Kontorland ApS", `,"defaultCurrency":"EUR","externalId":"erp-78","state":"ACTIVE","taxRegistrationNumber":"DE1"`)
	up := data[pleo.Vendor](t, e.do("PUT", one, "dk", update), http.StatusOK)
	if up.Name != "Kontorland ApS" || up.DefaultCurrency != "EUR" || up.ExternalID != "erp-78" || up.State != "ACTIVE" || up.Country != "" ||
		up.TaxRegistrationNumber != "DE1" || !up.CreatedAt.Equal(created) || !up.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updated %+v", up)
	}
	e.do("PUT", one, "dk", vendorBody(seed.DenmarkID, "X", `,"externalId":"erp-77","state":"ACTIVE"`)).fails(t, http.StatusConflict, "CONFLICT")
	for _, c := range []struct{ body, field string }{
		{vendorBody(seed.DenmarkID, "X", `,"state":"ACTIVE"`), "externalId"},
		{vendorBody(seed.DenmarkID, "X", `,"externalId":"e"`), "state"},
		{vendorBody(seed.DenmarkID, "X", `,"externalId":"e","state":"active"`), "state"},
		{vendorBody(seed.DenmarkID, "X", `,"externalId":" ","state":"ACTIVE"`), "externalId"},
	} {
		mentions(t, e.do("PUT", one, "dk", c.body), "VALIDATION_FAILED", c.field)
	}
	mentions(t, e.do("PUT", one, "org", vendorBody(seed.SwedenID, "X", `,"externalId":"e","state":"ACTIVE"`)), "VALIDATION_FAILED", "companyId")
	e.do("PUT", one, "se", vendorBody(seed.SwedenID, "X", `,"externalId":"e","state":"ACTIVE"`)).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("PUT", one, "dk", vendorBody(seed.SwedenID, "X", `,"externalId":"e","state":"ACTIVE"`)).fails(t, http.StatusForbidden, "FORBIDDEN")

	// Archive and activate answer 204 without a body.
	e.clock.advance(time.Minute)
	e.do("POST", one+":archive", "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", one+":archive", "dk", "").noContent(t, "archive")
	if got := data[pleo.Vendor](t, e.do("GET", one, "dk", ""), http.StatusOK); got.State != "ARCHIVED" || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("archived %+v", got)
	}
	e.clock.advance(time.Minute)
	e.do("POST", one+":activate", "dk", "").fails(t, http.StatusBadRequest, "JSON_MAPPING_EXCEPTION")
	mentions(t, e.do("POST", one+":activate", "dk", `{"code":"K1"}`), "VALIDATION_FAILED", "externalId")
	e.do("POST", one+":activate", "dk", `{"externalId":"erp-77"}`).fails(t, http.StatusConflict, "CONFLICT")
	e.do("POST", one+":activate", "se", `{"externalId":"erp-99"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", one+":activate", "dk", `{"externalId":"erp-99","code":"K99"}`).noContent(t, "activate")
	got := data[pleo.Vendor](t, e.do("GET", one, "dk", ""), http.StatusOK)
	if got.State != "ACTIVE" || got.ExternalID != "erp-99" || got.Code != "K99" || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("activated %+v", got)
	}
	e.do("POST", "/v1/vendors/"+unknownUUID+":archive", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("POST", "/v1/vendors/nope:archive", "dk", ""), "PARAMETER_VALIDATION_FAILED", "id")
	e.do("POST", "/v1/vendors/"+draft.ID+":delete", "dk", "").fails(t, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
}

func TestVendorSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	search := "/v1/vendors:search?company_id=" + seed.DenmarkID
	for i := range 3 {
		e.clock.advance(time.Second)
		e.do("POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, fmt.Sprintf("New vendor %d", i), "")).ok(t, http.StatusCreated, nil)
	}
	walk := func(path, token, body string, limit int) []pleo.Vendor {
		t.Helper()
		return decodeItems[pleo.Vendor](t, e.walk("POST", path, token, body, limit))
	}
	for _, limit := range []int{1, 4, 5, 100} {
		all := walk(search, "dk", "", limit)
		// Twelve merchants, two vendors from the seeded CSV import, three new.
		if len(all) != 17 || !createdOrder(all, vendorKey) || all[16].Name != "New vendor 2" {
			t.Errorf("limit %d: %d vendors", limit, len(all))
		}
	}
	count := func(body string) int {
		t.Helper()
		return len(walk(search, "dk", body, 4))
	}
	for body, want := range map[string]int{
		`{}`:                               17,
		`{"states":["DRAFT"]}`:             3,
		`{"states":["ACTIVE","ARCHIVED"]}`: 14,
		`{"name":"new VENDOR"}`:            3,
		`{"countries":["DK"]}`:             14,
		`{"countries":["SE"]}`:             0,
		`{"externalIds":["ext-vendor-1001","ext-vendor-1002"]}`: 2,
		`{"codes":["V1003"]}`: 1,
		`{"ids":["` + strings.ToUpper(dkVendor) + `","` + seVendor + `"]}`: 1,
		`{"taxRegistrationNumbers":["x"]}`:                                 0,
		`{"accountingSystems":["xero"]}`:                                   0,
	} {
		if got := count(body); got != want {
			t.Errorf("%s: %d vendors, want %d", body, got, want)
		}
	}
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = `"` + unknownUUID + `"`
	}
	for _, c := range []struct{ body, field string }{
		{`{"states":["active"]}`, "states[0]"},
		{`{"states":["DRAFT","ACTIVE","ARCHIVED","DRAFT","ACTIVE"]}`, "states"},
		{`{"countries":["DK","XX"]}`, "countries[1]"},
		{`{"ids":["nope"]}`, "ids[0]"},
		{`{"ids":[` + strings.Join(ids, ",") + `]}`, "ids"},
	} {
		mentions(t, e.do("POST", search, "dk", c.body), "VALIDATION_FAILED", c.field)
	}

	// company_id is required from every caller, and must be visible.
	mentions(t, e.do("POST", "/v1/vendors:search", "dk", ""), "PARAMETER_VALIDATION_FAILED", "company_id")
	mentions(t, e.do("POST", "/v1/vendors:search", "org", ""), "PARAMETER_VALIDATION_FAILED", "company_id")
	e.do("POST", "/v1/vendors:search?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	for token, company := range map[string]string{"org": seed.SwedenID, "se": seed.SwedenID} {
		se := walk("/v1/vendors:search?company_id="+company, token, "", 5)
		if len(se) != 12 {
			t.Errorf("%s token sees %d Swedish vendors", token, len(se))
		}
		for _, v := range se {
			if v.CompanyID != seed.SwedenID {
				t.Errorf("%s token: vendor of %s in a Swedish search", token, v.CompanyID)
			}
		}
	}
}

// TestVendorRefusals pins the messages of the vendor rules and the order in
// which they are checked: the body's fields before its company.
func TestVendorRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const v = "VALIDATION_FAILED"
	one := "/v1/vendors/" + dkVendor
	search := "/v1/vendors:search?company_id=" + seed.DenmarkID
	update := func(company, extra string) string {
		return vendorBody(company, "X", `,"externalId":"e","state":"ACTIVE"`+extra)
	}
	refuses(t, e, []refusal{
		{"POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, " ", ""), v, "Field 'name' must not be blank."},
		{"POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, "X", `,"defaultCurrency":"dkk"`), v,
			`Field 'defaultCurrency' must be an ISO 4217 currency code such as DKK, not "dkk".`},
		{"POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, "X", `,"country":"XX"`), v,
			`Field 'country' must be one of Pleo's CountryCode values such as DK, not "XX".`},
		{"POST", "/v1/vendors", "dk", vendorBody(seed.DenmarkID, "", `,"defaultCurrency":"dkk"`), v, "Field 'name' must not be blank."},
		{"POST", "/v1/vendors", "dk", vendorBody(seed.SwedenID, "X", `,"country":"dk"`), v,
			`Field 'country' must be one of Pleo's CountryCode values such as DK, not "dk".`},
		{"PUT", one, "dk", update(seed.DenmarkID, `,"externalId":" "`), v, "Field 'externalId' must not be blank."},
		{"PUT", one, "dk", update(seed.DenmarkID, `,"state":"active"`), v, `Field 'state' must be one of DRAFT, ACTIVE, ARCHIVED, not "active".`},
		{"PUT", one, "dk", update(seed.DenmarkID, `,"externalId":"","state":"x"`), v, "Field 'externalId' must not be blank."},
		{"PUT", one, "dk", update(seed.DenmarkID, `,"defaultCurrency":"EURO","externalId":""`), v,
			`Field 'defaultCurrency' must be an ISO 4217 currency code such as DKK, not "EURO".`},
		{"PUT", one, "dk", update(seed.SwedenID, `,"state":"GONE"`), v, `Field 'state' must be one of DRAFT, ACTIVE, ARCHIVED, not "GONE".`},
		{"POST", one + ":activate", "dk", `{"externalId":"  "}`, v, "Field 'externalId' must not be blank."},
		{"POST", search, "dk", `{"states":["ACTIVE","active"]}`, v, `Field 'states[1]' must be one of DRAFT, ACTIVE, ARCHIVED, not "active".`},
		{"POST", search, "dk", `{"states":["A","B","C","D","E"]}`, v, "Field 'states' has 5 items; at most 4 are allowed."},
		{"POST", search, "dk", `{"countries":["XX"],"states":["x"]}`, v, `Field 'countries[0]' must be one of Pleo's CountryCode values, not "XX".`},
	})
}
