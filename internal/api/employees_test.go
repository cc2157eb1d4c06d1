package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func decodeItems[T any](t testing.TB, raws []json.RawMessage) []T {
	t.Helper()
	out := make([]T, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestEmployeesAreBoundToTheSubject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var one struct{ Data pleo.Employee }
	e.do("GET", "/v2/employees/"+dkEmployee, "dk", "").ok(t, http.StatusOK, &one)
	if one.Data.ID != dkEmployee || one.Data.CompanyID != seed.DenmarkID || one.Data.Email != seed.AdminEmail {
		t.Errorf("employee %+v", one.Data)
	}
	// Foreign and unknown IDs answer the same 404.
	foreign := e.do("GET", "/v2/employees/"+seEmployee, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	unknown := e.do("GET", "/v2/employees/"+unknownUUID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	if foreign != unknown {
		t.Errorf("foreign ID message %q differs from unknown ID message %q", foreign, unknown)
	}
	e.do("GET", "/v2/employees/not-a-uuid", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v2/employees/"+strings.ToUpper(dkEmployee), "dk", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v2/employees/"+seEmployee, "se", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v2/employees/"+seEmployee, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v2/employees/"+dkEmployee, "org", "").ok(t, http.StatusOK, nil)

	companies := func(token, query string) map[string]int {
		t.Helper()
		count := map[string]int{}
		for _, emp := range decodeItems[pleo.Employee](t, e.walk("GET", "/v2/employees"+query, token, "", 100)) {
			count[emp.CompanyID]++
		}
		return count
	}
	if got := companies("dk", ""); len(got) != 1 || got[seed.DenmarkID] != 30 {
		t.Errorf("Denmark token sees %v", got)
	}
	if got := companies("org", ""); len(got) != 2 || got[seed.DenmarkID] != 30 || got[seed.SwedenID] != 30 {
		t.Errorf("organisation token sees %v", got)
	}
	if got := companies("org", "?companyId="+seed.SwedenID); len(got) != 1 || got[seed.SwedenID] != 30 {
		t.Errorf("organisation token with companyId=Sweden sees %v", got)
	}
	e.do("GET", "/v2/employees?companyId="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("GET", "/v2/employees?companyId="+unknownUUID, "org", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("GET", "/v2/employees?companyId=nope", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

func TestEmployeeFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.list("GET", "/v2/employees?email=ADMIN@acme.test", "org", "")
	if p.Pagination.Total != 2 {
		t.Errorf("email filter across the organisation: %d employees, want 2 (the admin in both companies)", p.Pagination.Total)
	}
	if got := p.Pagination.CurrentRequestPagination.Parameters["email"]; len(got) != 1 || got[0] != "ADMIN@acme.test" {
		t.Errorf("parameters echo %v", p.Pagination.CurrentRequestPagination.Parameters)
	}
	p = e.list("GET", "/v2/employees?email=admin@acme.test", "dk", "")
	if ids := p.ids(t); len(ids) != 1 || ids[0] != dkEmployee {
		t.Errorf("email filter for Denmark: %v", ids)
	}
	p = e.list("GET", "/v2/employees?code=DK-002", "org", "")
	if ids := p.ids(t); len(ids) != 1 || ids[0] != seed.ID("acme-denmark/employee/1") {
		t.Errorf("code filter: %v", ids)
	}
	if p := e.list("GET", "/v2/employees?code=DK-002", "se", ""); len(p.Data) != 0 || p.Pagination.Total != 0 ||
		p.Pagination.StartCursor != "" || p.Data == nil {
		t.Errorf("code of another company: %+v", p)
	}
}

func TestCompaniesAreBoundToTheSubject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var one struct{ Data pleo.Company }
	e.do("GET", "/v1/companies/"+seed.DenmarkID, "dk", "").ok(t, http.StatusOK, &one)
	if one.Data.Name != "Acme Denmark ApS" || one.Data.OrganizationID != seed.OrganizationID || one.Data.Address.Country != "DK" {
		t.Errorf("company %+v", one.Data)
	}
	e.do("GET", "/v1/companies/"+seed.SwedenID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/companies/"+unknownUUID, "org", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/companies/"+seed.SwedenID, "org", "").ok(t, http.StatusOK, nil)

	ids := func(token, query string) []string {
		return e.list("GET", "/v1/companies"+query, token, "").ids(t)
	}
	if got := ids("dk", ""); len(got) != 1 || got[0] != seed.DenmarkID {
		t.Errorf("Denmark token lists %v", got)
	}
	if got := ids("dk", "?organization_id="+seed.OrganizationID); len(got) != 1 || got[0] != seed.DenmarkID {
		t.Errorf("Denmark token with its organisation lists %v", got)
	}
	if got := ids("org", "?organization_id="+seed.OrganizationID); len(got) != 2 {
		t.Errorf("organisation token lists %v", got)
	}
	e.do("GET", "/v1/companies?organization_id="+unknownUUID, "org", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("GET", "/v1/companies?organization_id="+unknownUUID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var got struct {
		Data map[string]string `json:"data"`
	}
	e.do("GET", "/v1/introspect", "org", "").ok(t, http.StatusOK, &got)
	want := map[string]string{"authMethod": "OAUTH2", "clientId": seed.DemoClientID, "applicationName": "Demo Accounting App",
		"subjectURN": "urn:pleo:organization:" + seed.OrganizationID}
	for k, v := range want {
		if got.Data[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Data[k], v)
		}
	}
	if !strings.Contains(got.Data["scope"], "users:read") {
		t.Errorf("scope %q", got.Data["scope"])
	}
}
