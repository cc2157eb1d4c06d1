package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Demo dimensions: Denmark's Projects group has "Project manager" (PM,
// visible) and "ERP project number" (ERP_NO, hidden); Cost centres has
// "Department". The first projects have values for them; PROJ-06 has none.
var (
	dkManagerDim    = seed.ID("acme-denmark/tag-dimension/0/0")
	dkERPDim        = seed.ID("acme-denmark/tag-dimension/0/1")
	dkDepartmentDim = seed.ID("acme-denmark/tag-dimension/1/0")
	dkTag6          = seed.ID("acme-denmark/tag/0/5") // PROJ-06, archived, no values
)

func init() {
	groupDims := "/v0/tag-groups/" + dkProjects + "/dimensions"
	samples["GET /v0/tag-groups/{groupId}/dimensions"] = sample{groupDims, ""}
	samples["POST /v0/tag-groups/{groupId}/dimensions"] = sample{groupDims, `{"name":"Region","code":"REG","visible":true}`}
	samples["GET /v0/tag-groups/{groupId}/dimensions/{dimensionId}"] = sample{groupDims + "/" + dkManagerDim, ""}
	samples["PUT /v0/tag-groups/{groupId}/dimensions/{dimensionId}"] = sample{groupDims + "/" + dkERPDim,
		`{"name":"ERP number","code":"ERP_NO","displayOrder":2,"visible":true}`}
	samples["DELETE /v0/tag-groups/{groupId}/dimensions/{dimensionId}"] = sample{groupDims + "/" + dkERPDim, ""}
	samples["GET /v0/tag-groups/{groupId}/usage"] = sample{"/v0/tag-groups/" + dkCostCentres + "/usage", ""}
	samples["GET /v0/tags/{tagId}/dimensions"] = sample{"/v0/tags/" + dkTag + "/dimensions", ""}
	samples["GET /v0/tags/{tagId}/dimensions/{dimensionId}"] = sample{"/v0/tags/" + dkTag + "/dimensions/" + dkManagerDim, ""}
	samples["POST /v0/tags/{tagId}/dimensions/{dimensionId}"] = sample{"/v0/tags/" + dkTag6 + "/dimensions/" + dkManagerDim, `{"value":"Ida Larsen"}`}
	samples["PUT /v0/tags/{tagId}/dimensions/{dimensionId}"] = sample{"/v0/tags/" + dkTag + "/dimensions/" + dkManagerDim, `{"value":"Mette Nielsen-Berg"}`}
	samples["DELETE /v0/tags/{tagId}/dimensions/{dimensionId}"] = sample{"/v0/tags/" + dkTag + "/dimensions/" + dkManagerDim, ""}
}

func TestTagGroupDimensions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	groupDims := "/v0/tag-groups/" + dkProjects + "/dimensions"

	dims := data[[]pleo.TagGroupDimension](t, e.do("GET", groupDims, "dk", ""), http.StatusOK)
	if len(dims) != 2 || dims[0].ID != dkManagerDim || dims[1].ID != dkERPDim || dims[0].GroupID != dkProjects {
		t.Fatalf("dimensions %+v", dims)
	}
	// Subject isolation: Sweden's token does not see Denmark's group or its dimensions.
	e.do("GET", groupDims, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", groupDims+"/"+dkManagerDim, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", groupDims, "se", `{"name":"x","code":"x","visible":true}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("DELETE", groupDims+"/"+dkManagerDim, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	if got := data[[]pleo.TagGroupDimension](t, e.do("GET", groupDims, "org", ""), http.StatusOK); len(got) != 2 {
		t.Errorf("the organisation token sees %d dimensions", len(got))
	}
	// A dimension of another group is not one of this group's.
	msg := e.do("GET", groupDims+"/"+dkDepartmentDim, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	if !strings.Contains(msg, "dimension") {
		t.Errorf("404 message %q does not say the dimension is missing", msg)
	}

	// Create: the deprecated displayOrder is ignored; the new dimension goes last.
	created := data[pleo.TagGroupDimension](t, e.do("POST", groupDims, "dk", `{"name":"Region","code":"REG","visible":false,"displayOrder":1}`), http.StatusOK)
	if created.DisplayOrder != 3 || created.Name != "Region" || created.Visible || !created.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("created %+v", created)
	}
	for body, field := range map[string]string{
		`{"code":"REG","visible":true}`:                                         "name",
		`{"name":"Region","visible":true}`:                                      "code",
		`{"name":"Region","code":"REG"}`:                                        "visible",
		`{"name":" ","code":"REG","visible":true}`:                              "name",
		`{"name":"R","code":"` + strings.Repeat("c", 256) + `","visible":true}`: "code",
	} {
		mentions(t, e.do("POST", groupDims, "dk", body), "VALIDATION_FAILED", field)
	}
	mentions(t, e.do("POST", groupDims, "dk", `{"name":"R","code":"R","visible":"yes"}`), "JSON_MAPPING_EXCEPTION", "visible")
	e.do("POST", groupDims, "dk", "").fails(t, http.StatusBadRequest, "JSON_MAPPING_EXCEPTION")
	e.do("POST", "/v0/tag-groups/not-a-uuid/dimensions", "dk", `{}`).fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")

	// Update replaces every field; displayOrder is required and at least 1.
	e.clock.advance(60e9)
	up := data[pleo.TagGroupDimension](t, e.do("PUT", groupDims+"/"+created.ID, "dk", `{"name":"Area","code":"AREA","displayOrder":1,"visible":true}`), http.StatusOK)
	if up.Name != "Area" || up.DisplayOrder != 1 || !up.Visible || !up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("updated %+v", up)
	}
	mentions(t, e.do("PUT", groupDims+"/"+created.ID, "dk", `{"name":"Area","code":"AREA","visible":true}`), "VALIDATION_FAILED", "displayOrder")
	mentions(t, e.do("PUT", groupDims+"/"+created.ID, "dk", `{"name":"Area","code":"AREA","displayOrder":0,"visible":true}`), "VALIDATION_FAILED", "displayOrder")
	if got := data[pleo.TagGroupDimension](t, e.do("GET", groupDims+"/"+created.ID, "dk", ""), http.StatusOK); got != up {
		t.Errorf("read back %+v, want %+v", got, up)
	}

	// Delete: 204, then 404; the tags' values for it go with it.
	if r := e.do("DELETE", groupDims+"/"+dkManagerDim, "dk", ""); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	e.do("DELETE", groupDims+"/"+dkManagerDim, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tags/"+dkTag+"/dimensions/"+dkManagerDim, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
}

func TestTagDimensionValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	values := data[[]pleo.TagDimensionValue](t, e.do("GET", "/v0/tags/"+dkTag+"/dimensions", "dk", ""), http.StatusOK)
	if len(values) != 2 || values[0].DimensionID != dkManagerDim || values[0].Value != "Mette Nielsen" || values[1].Value != "P-1001" {
		t.Fatalf("values %+v", values)
	}
	if none := data[[]pleo.TagDimensionValue](t, e.do("GET", "/v0/tags/"+dkTag6+"/dimensions", "dk", ""), http.StatusOK); len(none) != 0 {
		t.Errorf("PROJ-06 has values %+v", none)
	}
	e.do("GET", "/v0/tags/"+dkTag+"/dimensions", "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	value := "/v0/tags/" + dkTag6 + "/dimensions/" + dkManagerDim
	msg := e.do("GET", value, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	if !strings.Contains(msg, "no value") {
		t.Errorf("404 message %q", msg)
	}
	e.do("PUT", value, "dk", `{"value":"x"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", value, "se", `{"value":"x"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	// A dimension of another group cannot hold a value of this tag.
	e.do("POST", "/v0/tags/"+dkTag6+"/dimensions/"+dkDepartmentDim, "dk", `{"value":"x"}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("POST", value, "dk", `{}`), "VALIDATION_FAILED", "value")
	mentions(t, e.do("POST", value, "dk", `{"value":"`+strings.Repeat("v", 1001)+`"}`), "VALIDATION_FAILED", "value")
	mentions(t, e.do("PUT", value, "dk", ``), "VALIDATION_FAILED", "value")

	created := data[pleo.TagDimensionValue](t, e.do("POST", value, "dk", `{"value":"Ida Larsen"}`), http.StatusOK)
	if created.TagID != dkTag6 || created.DimensionID != dkManagerDim || created.Value != "Ida Larsen" {
		t.Errorf("created %+v", created)
	}
	e.do("POST", value, "dk", `{"value":"again"}`).fails(t, http.StatusConflict, "CONFLICT")
	e.clock.advance(60e9)
	up := data[pleo.TagDimensionValue](t, e.do("PUT", value, "dk", `{"value":""}`), http.StatusOK)
	if up.Value != "" || !up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("updated %+v", up)
	}
	if got := data[pleo.TagDimensionValue](t, e.do("GET", value, "dk", ""), http.StatusOK); got != up {
		t.Errorf("read back %+v, want %+v", got, up)
	}
	e.do("DELETE", value, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	if gone := data[pleo.TagDimensionValue](t, e.do("DELETE", value, "dk", ""), http.StatusOK); gone != up {
		t.Errorf("deleted %+v, want %+v", gone, up)
	}
	e.do("DELETE", value, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
}

func TestTagGroupUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	usage := data[pleo.TagGroupUsage](t, e.do("GET", "/v0/tag-groups/"+dkProjects+"/usage", "dk", ""), http.StatusOK)
	if len(usage.Usages) != 6 {
		t.Fatalf("%d usages, want one per tag of the group", len(usage.Usages))
	}
	counts := map[string]int32{}
	for _, u := range usage.Usages {
		counts[u.ID] = u.Count
	}
	if counts[dkTag] == 0 || counts[dkTag6] != 0 {
		t.Errorf("usages %+v", usage.Usages)
	}
	e.do("GET", "/v0/tag-groups/"+dkProjects+"/usage", "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tag-groups/"+seProjects+"/usage", "org", "").ok(t, http.StatusOK, nil)
}
