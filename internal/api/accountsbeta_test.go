package api_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func init() {
	samples["POST /v1-beta/accounts"] = sample{"/v1-beta/accounts", `{"companyId":"` + seed.DenmarkID +
		`","externalId":"erp-2002","name":"Office Supplies","code":"2002","archived":false,"taxCodeExternalId":"IVA 20"}`}
	samples["GET /v1-beta/accounts/{accountId}"] = sample{"/v1-beta/accounts/" + dkAccount, ""}
	samples["PUT /v1-beta/accounts/{accountId}"] = sample{"/v1-beta/accounts/" + dkUnusedAccount,
		`{"name":"Renamed account","code":"9998","archived":false}`}
	samples["DELETE /v1-beta/accounts/{accountId}"] = sample{"/v1-beta/accounts/" + dkAccount, ""}
	samples["POST /v1-beta/accounts:search"] = sample{"/v1-beta/accounts:search?limit=2", `{"companyId":"` + seed.DenmarkID + `","archived":false}`}
}

// TestV1BetaAccounts checks that the older /v1-beta/accounts routes serve
// the same accounts as /v1/chart-of-accounts, with the same rules.
func TestV1BetaAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const beta = "/v1-beta/accounts"
	body := `{"companyId":"` + seed.DenmarkID + `","externalId":"beta-1","name":"Beta","code":"7001","archived":false,"metadata":{"m":1}}`
	made := account(t, e.do("POST", beta, "dk", body), http.StatusCreated)
	if made.ExternalID != "beta-1" || made.CompanyID != seed.DenmarkID || made.Code == nil || *made.Code != "7001" {
		t.Fatalf("created %+v", made)
	}
	// Same accounts on both paths; creating the same again matches (200), other data conflicts.
	if got := account(t, e.do("GET", "/v1/chart-of-accounts/"+made.ID, "dk", ""), http.StatusOK); !reflect.DeepEqual(got, made) {
		t.Errorf("v1 read %+v, want %+v", got, made)
	}
	if got := account(t, e.do("POST", "/v1/chart-of-accounts", "dk", body), http.StatusOK); got.ID != made.ID {
		t.Errorf("v1 create of the same account %+v", got)
	}
	e.do("POST", beta, "dk", `{"companyId":"`+seed.DenmarkID+`","externalId":"beta-1","name":"Other","archived":false}`).
		fails(t, http.StatusConflict, "CONFLICT")
	e.do("POST", beta, "dk", `{"companyId":"`+seed.SwedenID+`","externalId":"beta-2","name":"x","archived":false}`).
		fails(t, http.StatusForbidden, "FORBIDDEN")
	for _, c := range []struct{ body, field string }{
		{`{"externalId":"beta-3","name":"x","archived":false}`, "companyId"},
		{`{"companyId":"` + seed.DenmarkID + `","name":"x","archived":false}`, "externalId"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"beta-3","archived":false}`, "name"},
		{`{"companyId":"` + seed.DenmarkID + `","externalId":"beta-3","name":"x"}`, "archived"},
	} {
		mentions(t, e.do("POST", beta, "dk", c.body), "VALIDATION_FAILED", c.field)
	}

	one := beta + "/" + made.ID
	if got := account(t, e.do("GET", one, "dk", ""), http.StatusOK); !reflect.DeepEqual(got, made) {
		t.Errorf("beta read %+v", got)
	}
	e.do("GET", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("GET", beta+"/x", "dk", ""), "PARAMETER_VALIDATION_FAILED", "accountId")

	up := account(t, e.do("PUT", one, "dk", `{"name":"Beta renamed","archived":true}`), http.StatusOK)
	if up.Name != "Beta renamed" || !up.Archived || up.Code != nil || up.ExternalID != "beta-1" {
		t.Errorf("updated %+v", up)
	}
	mentions(t, e.do("PUT", one, "dk", `{"archived":true}`), "VALIDATION_FAILED", "name")
	e.do("PUT", one, "se", `{"name":"x","archived":true}`).fails(t, http.StatusNotFound, "NOT_FOUND")

	var page struct{ Data []pleo.Account }
	e.do("POST", beta+":search", "dk", `{"companyId":"`+seed.DenmarkID+`","archived":true,"externalId":"beta-1"}`).ok(t, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].ID != made.ID {
		t.Errorf("search %+v", page.Data)
	}
	e.do("POST", beta+":search", "dk", `{"companyId":"`+seed.DenmarkID+`","code":"2700"}`).ok(t, http.StatusOK, &page)
	if len(page.Data) != 1 || page.Data[0].ExternalID != "acc-2700" {
		t.Errorf("search by code %+v", page.Data)
	}
	mentions(t, e.do("POST", beta+":search", "dk", `{}`), "VALIDATION_FAILED", "companyId")
	e.do("POST", beta+":search", "dk", `{"companyId":"`+seed.SwedenID+`"}`).fails(t, http.StatusForbidden, "FORBIDDEN")

	// A used account cannot be deleted; an unused one can, on either path.
	e.do("DELETE", beta+"/"+dkUsedAccount, "dk", "").fails(t, http.StatusConflict, "CONFLICT")
	e.do("DELETE", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", one, "dk", "").noContent(t, "delete")
	e.do("GET", "/v1/chart-of-accounts/"+made.ID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", one, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
}
