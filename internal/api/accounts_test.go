package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Demo accounts: fourteen per company with externalIds acc-<code>. Accounts
// 1 to 11 are used by accounting entries; 0, 12 and 13 are not.
var (
	dkAccount       = seed.ID("acme-denmark/account/0")
	dkUsedAccount   = seed.ID("acme-denmark/account/1")
	dkUnusedAccount = seed.ID("acme-denmark/account/12")
	dkSpareAccount  = seed.ID("acme-denmark/account/13")
	seAccount       = seed.ID("acme-sweden/account/0")
)

func init() {
	samples["POST /v1/chart-of-accounts"] = sample{"/v1/chart-of-accounts", `{"companyId":"` + seed.DenmarkID +
		`","externalId":"erp-2001","name":"Bank Charges","code":"2001","archived":false,"taxCodeExternalId":"IVA 20"}`}
	samples["GET /v1/chart-of-accounts/{accountId}"] = sample{"/v1/chart-of-accounts/" + dkAccount, ""}
	samples["PUT /v1/chart-of-accounts/{accountId}"] = sample{"/v1/chart-of-accounts/" + dkUnusedAccount,
		`{"name":"Renamed account","code":"9999","archived":true,"metadata":{"erp":{"ledger":"main"}}}`}
	samples["DELETE /v1/chart-of-accounts/{accountId}"] = sample{"/v1/chart-of-accounts/" + dkSpareAccount, ""}
	samples["POST /v1/chart-of-accounts:search"] = sample{"/v1/chart-of-accounts:search?limit=2", `{"companyId":"` + seed.DenmarkID + `"}`}
}

// account decodes a chart-of-accounts response, checking its content type.
func account(t testing.TB, r response, status int) pleo.Account {
	t.Helper()
	if ct := r.header.Get("Content-Type"); r.status == status && ct != "application/json" {
		t.Errorf("content type %q, want application/json", ct)
	}
	return data[pleo.Account](t, r, status)
}

func TestAccountsCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const coa = "/v1/chart-of-accounts"
	body := `{"companyId":"` + seed.DenmarkID + `","externalId":"erp-2800","name":"Bank charges","code":"2800","archived":false,` +
		`"taxCodeExternalId":"IVA 20","metadata":{"erp":{"ledger":"main"},"none":null}}`

	a := account(t, e.do("POST", coa, "dk", body), http.StatusCreated)
	if a.ID == "" || a.CompanyID != seed.DenmarkID || a.ExternalID != "erp-2800" || a.Name != "Bank charges" || a.Code == nil ||
		*a.Code != "2800" || a.TaxCodeExternalID == nil || *a.TaxCodeExternalID != "IVA 20" || a.Archived || a.Metadata["erp"] == nil {
		t.Fatalf("created %+v", a)
	}
	// The same payload again matches the account (200); other data is 409.
	e.clock.advance(time.Hour)
	if again := account(t, e.do("POST", coa, "dk", body), http.StatusOK); again.ID != a.ID {
		t.Errorf("same payload again: %+v", again)
	}
	e.do("POST", coa, "dk", strings.Replace(body, "Bank charges", "Fees", 1)).fails(t, http.StatusConflict, "CONFLICT")
	e.do("POST", coa, "dk", strings.Replace(body, seed.DenmarkID, seed.SwedenID, 1)).fails(t, http.StatusForbidden, "FORBIDDEN")
	if se := account(t, e.do("POST", coa, "org", strings.Replace(body, seed.DenmarkID, seed.SwedenID, 1)), http.StatusCreated); se.CompanyID != seed.SwedenID {
		t.Errorf("organisation token created an account of %s", se.CompanyID)
	}
	// name may be empty (minLength 0); externalId may not.
	if empty := account(t, e.do("POST", coa, "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"erp-x","name":"","archived":false}`),
		http.StatusCreated); empty.Name != "" || empty.Code != nil {
		t.Errorf("account with an empty name %+v", empty)
	}
	long := strings.Repeat("æ", 256)
	for _, c := range []struct{ body, typ, field string }{
		{`{"externalId":"x","name":"x","archived":false}`, "VALIDATION_FAILED", "companyId"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"x","archived":false}`, "VALIDATION_FAILED", "externalId"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"","name":"x","archived":false}`, "VALIDATION_FAILED", "externalId"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"x","archived":false}`, "VALIDATION_FAILED", "name"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"x","name":"x"}`, "VALIDATION_FAILED", "archived"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"x","name":"` + long + `","archived":false}`, "VALIDATION_FAILED", "name"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"` + long + `","name":"x","archived":false}`, "VALIDATION_FAILED", "externalId"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"x","name":"x","code":"` + long + `","archived":false}`, "VALIDATION_FAILED", "code"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"x","name":"x","archived":false,"metadata":[]}`, "JSON_MAPPING_EXCEPTION", "metadata"},
		{``, "JSON_MAPPING_EXCEPTION", "missing"},
	} {
		mentions(t, e.do("POST", coa, "dk", c.body), c.typ, c.field)
	}
	// 255 characters (not bytes) are fine.
	e.do("POST", coa, "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"erp-long","name":"`+long[2:]+`","archived":false}`).ok(t, http.StatusCreated, nil)

	one := coa + "/" + a.ID
	if got := account(t, e.do("GET", one, "dk", ""), http.StatusOK); got.ID != a.ID || got.Name != "Bank charges" {
		t.Errorf("get %+v", got)
	}
	e.do("GET", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", coa+"/"+seAccount, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", coa+"/"+seAccount, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", coa+"/"+unknownUUID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("GET", coa+"/x", "dk", ""), "PARAMETER_VALIDATION_FAILED", "accountId")

	// Update replaces all but externalId and the company; updatedAt moves.
	e.clock.advance(time.Hour)
	up := account(t, e.do("PUT", one, "dk", `{"name":"Bank fees","archived":true}`), http.StatusOK)
	if up.Name != "Bank fees" || !up.Archived || up.Code != nil || up.TaxCodeExternalID != nil || len(up.Metadata) != 0 ||
		up.ExternalID != "erp-2800" || up.CompanyID != seed.DenmarkID {
		t.Errorf("updated %+v", up)
	}
	if stored, err := e.st.Account(ctx, []string{seed.DenmarkID}, a.ID); err != nil || !stored.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updatedAt %v, want %v (%v)", stored.UpdatedAt, e.clock.Now(), err)
	}
	mentions(t, e.do("PUT", one, "dk", `{"name":"x"}`), "VALIDATION_FAILED", "archived")
	mentions(t, e.do("PUT", one, "dk", `{"archived":false}`), "VALIDATION_FAILED", "name")
	mentions(t, e.do("PUT", one, "dk", `{"name":"`+long+`","archived":false}`), "VALIDATION_FAILED", "name")
	e.do("PUT", one, "se", `{"name":"x","archived":false}`).fails(t, http.StatusNotFound, "NOT_FOUND")

	// Delete: 409 while an accounting entry uses the account.
	e.do("DELETE", coa+"/"+dkUsedAccount, "dk", "").fails(t, http.StatusConflict, "CONFLICT")
	e.checkDelete(t, one)
}

func TestAccountSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const search = "/v1/chart-of-accounts:search"
	for _, ext := range []string{"erp-a", "erp-b"} {
		e.clock.advance(time.Second)
		e.do("POST", "/v1/chart-of-accounts", "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"`+ext+`","name":"New `+ext+`","archived":true}`).
			ok(t, http.StatusCreated, nil)
	}
	dk := `{"companyId":"` + seed.DenmarkID + `"`
	walk := func(token, body string, limit int) []pleo.Account {
		t.Helper()
		return decodeItems[pleo.Account](t, e.walk("POST", search, token, body, limit))
	}
	// The order is createdAt, then id, as the store lists them.
	want, err := e.st.SearchAccounts(ctx, []string{seed.DenmarkID}, store.AccountFilter{},
		store.PageRequest{Order: store.WithTiebreak([]store.Sort{{Key: "createdAt"}}), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 3, 4, 100} {
		all := walk("dk", dk+`}`, limit)
		if len(all) != 16 || !slices.Equal(accountIDs(all), accountIDs(want.Items)) ||
			all[15].ExternalID != "erp-b" {
			t.Errorf("limit %d: %d accounts, not in (createdAt, id) order", limit, len(all))
		}
	}
	r := e.do("POST", search, "dk", dk+`}`)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	count := func(body string) int {
		t.Helper()
		return len(walk("dk", dk+body, 3))
	}
	for body, want := range map[string]int{
		`}`:                                  16,
		`,"archived":true}`:                  2,
		`,"archived":false}`:                 14,
		`,"archived":null}`:                  16,
		`,"codes":["2200","2210",null]}`:     2,
		`,"code":"2200"}`:                    1,
		`,"codes":["2200"],"code":"2210"}`:   2,
		`,"externalId":"acc-2700"}`:          1,
		`,"name":"vat"}`:                     2,
		`,"ids":["` + dkAccount + `",null]}`: 1,
		`,"ids":["` + seAccount + `"]}`:      0,
		`,"excludeIfAssignedToCategory":true,"excludeIfAssignedToContraAccount":true}`: 16,
	} {
		if got := count(body); got != want {
			t.Errorf("%s: %d accounts, want %d", body, got, want)
		}
	}
	mentions(t, e.do("POST", search, "dk", ""), "JSON_MAPPING_EXCEPTION", "missing")
	mentions(t, e.do("POST", search, "dk", `{}`), "VALIDATION_FAILED", "companyId")
	mentions(t, e.do("POST", search, "dk", `{"companyId":"x"}`), "VALIDATION_FAILED", "companyId")
	mentions(t, e.do("POST", search, "dk", dk+`,"ids":["x"]}`), "VALIDATION_FAILED", "ids[0]")
	mentions(t, e.do("POST", search+"?limit=0", "dk", dk+`}`), "PARAMETER_VALIDATION_FAILED", "limit")

	// Subject binding: the body names the company.
	e.do("POST", search, "dk", `{"companyId":"`+seed.SwedenID+`"}`).fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", search, "org", `{}`).fails(t, http.StatusBadRequest, "VALIDATION_FAILED")
	for _, token := range []string{"org", "se"} {
		se := walk(token, `{"companyId":"`+seed.SwedenID+`"}`, 5)
		if len(se) != 14 || slices.ContainsFunc(se, func(a pleo.Account) bool { return a.CompanyID != seed.SwedenID }) {
			t.Errorf("%s token: %d Swedish accounts", token, len(se))
		}
	}
}

// accountIDs returns the IDs of accounts, in order.
func accountIDs(accounts []pleo.Account) []string {
	out := make([]string, len(accounts))
	for i, a := range accounts {
		out[i] = a.ID
	}
	return out
}

// TestAccountRefusals pins the messages of the account rules and the order
// in which they are checked: the body's fields before its company.
func TestAccountRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const v = "VALIDATION_FAILED"
	const coa = "/v1/chart-of-accounts"
	long := strings.Repeat("æ", 256)
	create := func(company, externalID, extra string) string {
		return `{"companyId":"` + company + `","externalId":"` + externalID + `","name":"x","archived":false` + extra + `}`
	}
	refuses(t, e, []refusal{
		{"POST", coa, "dk", create(seed.DenmarkID, " ", ""), v, "Field 'externalId' must not be blank."},
		{"POST", coa, "dk", create(seed.DenmarkID, long, `,"name":"`+long+`"`), v, "Field 'externalId' must be at most 255 characters long."},
		{"POST", coa, "dk", create(seed.DenmarkID, "x", `,"name":"`+long+`","code":"`+long+`"`), v,
			"Field 'name' must be at most 255 characters long."},
		{"POST", coa, "dk", create(seed.DenmarkID, "x", `,"code":"`+long+`"`), v, "Field 'code' must be at most 255 characters long."},
		{"POST", coa, "dk", create(seed.SwedenID, "x", `,"code":"`+long+`"`), v, "Field 'code' must be at most 255 characters long."},
		{"PUT", coa + "/" + dkAccount, "dk", `{"name":"` + long + `","archived":false}`, v, "Field 'name' must be at most 255 characters long."},
		{"PUT", coa + "/" + dkAccount, "dk", `{"name":"x","code":"` + long + `","archived":false}`, v,
			"Field 'code' must be at most 255 characters long."},
	})
}
