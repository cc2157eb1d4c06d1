package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

func init() {
	// Cost centres only: the golden run adds a dimension with a generated ID to Projects.
	samples["GET /v0/aggregations/tag-groups"] = sample{"/v0/aggregations/tag-groups?company_id=" + seed.DenmarkID +
		"&tag_group_ids=" + dkCostCentres, ""}
	samples["POST /v0/aggregations/tags"] = sample{"/v0/aggregations/tags?company_id=" + seed.DenmarkID + "&limit=2",
		`{"tagGroupIds":["` + dkCostCentres + `"]}`}
}

func TestAggregatedTagGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	groups := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.DenmarkID, "dk", ""), http.StatusOK)
	if len(groups) != 2 || groups[0].ID != dkProjects || len(groups[0].Dimensions) != 2 || groups[0].Dimensions[0].ID != dkManagerDim ||
		len(groups[1].Dimensions) != 1 || groups[1].Dimensions[0].ID != dkDepartmentDim {
		t.Fatalf("groups %+v", groups)
	}
	// An archived group is listed only when named.
	e.do("PUT", "/v0/tag-groups/"+dkCostCentres, "dk", `{"name":"CC","code":"CC","archived":true,"metadata":{}}`).ok(t, http.StatusOK, nil)
	if active := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.DenmarkID, "dk", ""), http.StatusOK); len(active) != 1 {
		t.Errorf("%d groups without tag_group_ids, want the active one", len(active))
	}
	named := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.DenmarkID+"&tag_group_ids="+dkCostCentres, "dk", ""), http.StatusOK)
	if len(named) != 1 || !named[0].Archived {
		t.Errorf("named archived group: %+v", named)
	}
	// The organisation sees both companies' active groups; company_id wins over organization_id.
	if all := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?organization_id="+seed.OrganizationID, "org", ""), http.StatusOK); len(all) != 3 {
		t.Errorf("organisation: %d groups, want 3", len(all))
	}
	if se := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?organization_id="+seed.OrganizationID+"&company_id="+seed.SwedenID, "org", ""), http.StatusOK); len(se) != 2 || se[0].CompanyID != seed.SwedenID {
		t.Errorf("company_id with organization_id: %+v", se)
	}
	// Subject isolation and parameters.
	e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	if foreign := data[[]pleo.AggregatedTagGroup](t, e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.SwedenID+"&tag_group_ids="+dkProjects, "se", ""), http.StatusOK); len(foreign) != 0 {
		t.Errorf("Sweden sees Denmark's group: %+v", foreign)
	}
	e.do("GET", "/v0/aggregations/tag-groups", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	e.do("GET", "/v0/aggregations/tag-groups?company_id="+seed.DenmarkID+"&tag_group_ids=x", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

func TestAggregatedTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var page struct {
		Data       []pleo.AggregatedTag `json:"data"`
		Pagination struct {
			Total     int64  `json:"total"`
			EndCursor string `json:"endCursor"`
		} `json:"pagination"`
	}
	e.do("POST", "/v0/aggregations/tags?company_id="+seed.DenmarkID+"&limit=20", "dk",
		`{"tagGroupIds":["`+dkProjects+`"],"includeArchived":true}`).ok(t, http.StatusOK, &page)
	if page.Pagination.Total != 6 || len(page.Data) != 6 {
		t.Fatalf("%d of %d tags, want 6", len(page.Data), page.Pagination.Total)
	}
	byID := map[string]pleo.AggregatedTag{}
	for _, tag := range page.Data {
		byID[tag.ID] = tag
	}
	first := byID[dkTag]
	if first.CompanyID != seed.DenmarkID || first.Group.ID != dkProjects || first.Group.Code != "PROJ" || len(first.Dimensions) != 2 ||
		first.Dimensions[0].Value != "Mette Nielsen" || first.Dimensions[0].DisplayOrder != 1 || first.Dimensions[1].Value != "P-1001" {
		t.Errorf("PROJ-01 %+v", first)
	}
	if last := byID[dkTag6]; !last.Archived || len(last.Dimensions) != 2 || last.Dimensions[0].Value != "" {
		t.Errorf("PROJ-06 %+v", last)
	}
	// The same tags, in the same order, as POST /v0/tags:search finds.
	body := `{"textSearch":"e"}`
	agg := e.list("POST", "/v0/aggregations/tags?limit=3", "dk", body)
	plain := e.list("POST", "/v0/tags:search?limit=3", "dk", body)
	if a, p := agg.ids(t), plain.ids(t); len(a) != 3 || len(a) != len(p) || a[0] != p[0] || a[2] != p[2] || agg.Pagination.Total != plain.Pagination.Total {
		t.Errorf("aggregated %v (%d), search %v (%d)", a, agg.Pagination.Total, p, plain.Pagination.Total)
	}
	// Cursors walk the aggregated list as they walk the plain one.
	if n := len(e.walk("POST", "/v0/aggregations/tags?company_id="+seed.DenmarkID, "dk", `{"includeArchived":true}`, 4)); n != 11 {
		t.Errorf("walking 4 at a time finds %d tags, want 11", n)
	}
	// Subject isolation and validation.
	if se := e.list("POST", "/v0/aggregations/tags", "se", `{"tagIds":["`+dkTag+`"]}`); se.Pagination.Total != 0 {
		t.Errorf("Sweden finds Denmark's tag")
	}
	e.do("POST", "/v0/aggregations/tags?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	mentions(t, e.do("POST", "/v0/aggregations/tags", "dk", `{"tagGroupIds":["x"]}`), "VALIDATION_FAILED", "tagGroupIds[0]")
	e.do("POST", "/v0/aggregations/tags?limit=x", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	var raw json.RawMessage
	e.do("POST", "/v0/aggregations/tags", "dk", "").ok(t, http.StatusOK, &raw)
}
