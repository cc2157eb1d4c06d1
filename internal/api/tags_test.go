package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// Demo tag groups and tags: Denmark's "Projects" (PROJ, six tags, the last
// archived) and "Cost centres" (CC, five tags), and the same for Sweden.
var (
	dkProjects    = seed.ID("acme-denmark/tag-group/0")
	dkCostCentres = seed.ID("acme-denmark/tag-group/1")
	seProjects    = seed.ID("acme-sweden/tag-group/0")
	dkTag         = seed.ID("acme-denmark/tag/0/0") // PROJ-01 "Website relaunch"
	dkTag2        = seed.ID("acme-denmark/tag/0/1") // PROJ-02
	seTag         = seed.ID("acme-sweden/tag/0/0")
)

func init() {
	samples["GET /v0/tag-groups"] = sample{"/v0/tag-groups?company_id=" + seed.DenmarkID + "&include_tags_count=true", ""}
	samples["POST /v0/tag-groups"] = sample{"/v0/tag-groups",
		`{"name":"Departments","code":"DEPT","archived":false,"metadata":{"externalId":"erp-dept"}}`}
	samples["GET /v0/tag-groups/{groupId}"] = sample{"/v0/tag-groups/" + dkProjects, ""}
	samples["PUT /v0/tag-groups/{groupId}"] = sample{"/v0/tag-groups/" + dkCostCentres,
		`{"name":"Cost centers","code":"CC","archived":false,"metadata":{"externalId":"erp-cc"}}`}
	samples["DELETE /v0/tag-groups/{groupId}"] = sample{"/v0/tag-groups/" + dkCostCentres, ""}
	samples["GET /v0/tag-groups/{groupId}/tags"] = sample{"/v0/tag-groups/" + dkProjects + "/tags?limit=2", ""}
	samples["POST /v0/tag-groups/{groupId}/tags"] = sample{"/v0/tag-groups/" + dkProjects + "/tags",
		`{"code":"PROJ-99","name":"Office move","archived":false}`}
	samples["GET /v0/tags"] = sample{"/v0/tags?company_id=" + seed.DenmarkID + "&tag_group_id=" + dkProjects + "&limit=2", ""}
	samples["GET /v0/tags/{tagId}"] = sample{"/v0/tags/" + dkTag, ""}
	samples["PUT /v0/tags/{tagId}"] = sample{"/v0/tags/" + dkTag, `{"code":"PROJ-01","name":"Website relaunch 2026","archived":false}`}
	samples["DELETE /v0/tags/{tagId}"] = sample{"/v0/tags/" + dkTag2, ""}
}

// data decodes a {"data": ...} response of status into a T.
func data[T any](t testing.TB, r response, status int) T {
	t.Helper()
	var out struct{ Data T }
	r.ok(t, status, &out)
	return out.Data
}

// mentions asserts a 400 of type typ whose message names field.
func mentions(t testing.TB, r response, typ, field string) {
	t.Helper()
	if msg := r.fails(t, http.StatusBadRequest, typ); !strings.Contains(msg, field) {
		t.Errorf("message %q does not name %q", msg, field)
	}
}

// refusal is a request the API refuses with 400: its error type and the
// exact message of its ExceptionInfo, which clients may show or match.
type refusal struct {
	method, path, token, body string
	typ, message              string
}

// refuses asserts each refusal's status, type and exact message.
func refuses(t *testing.T, e *env, cases []refusal) {
	t.Helper()
	for _, c := range cases {
		if msg := e.do(c.method, c.path, c.token, c.body).fails(t, http.StatusBadRequest, c.typ); msg != c.message {
			t.Errorf("%s %s %s: message %q, want %q", c.method, c.path, c.body, msg, c.message)
		}
	}
}

// createdOrder reports whether items are in the lists' default order:
// createdAt, then id.
func createdOrder[T any](items []T, key func(T) (time.Time, string)) bool {
	return slices.IsSortedFunc(items, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return strings.Compare(ia, ib)
	})
}

func tagKey(tg pleo.Tag) (time.Time, string) { return tg.CreatedAt, tg.ID }

func TestTagGroupsCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const groups = "/v0/tag-groups"
	body := `{"name":"Departments","code":"DEPT","archived":false,"metadata":{"externalId":"42"}}`

	created := e.clock.Now()
	g := data[pleo.TagGroup](t, e.do("POST", groups, "dk", body), http.StatusOK)
	if g.ID == "" || g.CompanyID != seed.DenmarkID || g.Name != "Departments" || g.Code != "DEPT" || g.Archived ||
		g.Metadata["externalId"] != "42" || !g.CreatedAt.Equal(created) || !g.UpdatedAt.Equal(created) || g.TotalTagsCount != nil {
		t.Fatalf("created %+v", g)
	}
	if r := e.do("POST", groups, "dk", body); r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("content type %q", r.header.Get("Content-Type"))
	}
	// An organisation token names the company; a company token may name only its own.
	mentions(t, e.do("POST", groups, "org", body), "PARAMETER_VALIDATION_FAILED", "company_id")
	if sg := data[pleo.TagGroup](t, e.do("POST", groups+"?company_id="+seed.SwedenID, "org", body), http.StatusOK); sg.CompanyID != seed.SwedenID {
		t.Errorf("organisation token created a group of %s", sg.CompanyID)
	}
	e.do("POST", groups+"?company_id="+seed.SwedenID, "dk", body).fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", groups+"?company_id="+seed.DenmarkID, "dk", body).ok(t, http.StatusOK, nil)

	for _, c := range []struct{ body, typ, field string }{
		{`{"code":"X","archived":false}`, "VALIDATION_FAILED", "name"},
		{`{"name":"X","archived":false}`, "VALIDATION_FAILED", "code"},
		{`{"name":"X","code":"X"}`, "VALIDATION_FAILED", "archived"},
		{`{"name":"X","code":"X","archived":null}`, "VALIDATION_FAILED", "archived"},
		{`{"name":" ","code":"X","archived":false}`, "VALIDATION_FAILED", "name"},
		{`{"name":"X","code":"X","archived":"no"}`, "JSON_MAPPING_EXCEPTION", "archived"},
		{`{"name":"X","code":"X","archived":false,"metadata":{"n":1}}`, "JSON_MAPPING_EXCEPTION", "metadata"},
		{`[]`, "JSON_MAPPING_EXCEPTION", "object"},
		{``, "JSON_MAPPING_EXCEPTION", "missing"},
	} {
		mentions(t, e.do("POST", groups, "dk", c.body), c.typ, c.field)
	}

	// Lists: company_id or organization_id is required from every token.
	mentions(t, e.do("GET", groups, "dk", ""), "PARAMETER_VALIDATION_FAILED", "company_id")
	list := func(token, query string) []pleo.TagGroup {
		t.Helper()
		return data[[]pleo.TagGroup](t, e.do("GET", groups+"?"+query, token, ""), http.StatusOK)
	}
	dk := list("dk", "company_id="+seed.DenmarkID)
	if len(dk) != 5 || dk[0].TotalTagsCount != nil || !slices.ContainsFunc(dk, func(x pleo.TagGroup) bool { return x.ID == g.ID }) {
		t.Errorf("Denmark lists %d groups: %+v", len(dk), dk)
	}
	for _, x := range list("dk", "company_id="+seed.DenmarkID+"&include_tags_count=true") {
		if x.TotalTagsCount == nil || x.ID == dkProjects && *x.TotalTagsCount != 6 {
			t.Errorf("group %s: totalTagsCount %v", x.Code, x.TotalTagsCount)
		}
	}
	if both := list("org", "organization_id="+seed.OrganizationID); len(both) != 8 {
		t.Errorf("organisation lists %d groups, want 8", len(both))
	}
	if own := list("dk", "organization_id="+seed.OrganizationID); len(own) != 5 || own[0].CompanyID != seed.DenmarkID {
		t.Errorf("company token with its organisation lists %d groups", len(own))
	}
	if se := list("org", "organization_id="+seed.OrganizationID+"&company_id="+seed.SwedenID); len(se) != 3 || se[0].CompanyID != seed.SwedenID {
		t.Errorf("company_id wins over organization_id: %d groups", len(se))
	}
	e.do("GET", groups+"?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("GET", groups+"?organization_id="+unknownUUID, "org", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	mentions(t, e.do("GET", groups+"?company_id=x", "dk", ""), "PARAMETER_VALIDATION_FAILED", "company_id")
	mentions(t, e.do("GET", groups+"?company_id="+seed.DenmarkID+"&include_archived=yes", "dk", ""), "PARAMETER_VALIDATION_FAILED", "include_archived")

	// Get, update and delete, bound to the subject.
	one := groups + "/" + g.ID
	if got := data[pleo.TagGroup](t, e.do("GET", one, "dk", ""), http.StatusOK); got.ID != g.ID || got.Metadata["externalId"] != "42" {
		t.Errorf("get %+v", got)
	}
	e.do("GET", one, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", groups+"/"+unknownUUID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	mentions(t, e.do("GET", groups+"/nope", "dk", ""), "PARAMETER_VALIDATION_FAILED", "groupId")

	e.clock.advance(time.Hour)
	update := `{"name":"Depts","code":"DEP","archived":true,"metadata":{"erp":"x"}}`
	up := data[pleo.TagGroup](t, e.do("PUT", one, "dk", update), http.StatusOK)
	if up.Name != "Depts" || up.Code != "DEP" || !up.Archived || len(up.Metadata) != 1 || up.Metadata["erp"] != "x" ||
		!up.CreatedAt.Equal(created) || !up.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updated %+v", up)
	}
	if n := len(list("dk", "company_id="+seed.DenmarkID)); n != 4 {
		t.Errorf("archived group listed without include_archived: %d", n)
	}
	if n := len(list("dk", "company_id="+seed.DenmarkID+"&include_archived=true")); n != 5 {
		t.Errorf("include_archived lists %d", n)
	}
	mentions(t, e.do("PUT", one, "dk", `{"name":"Depts","code":"DEP","archived":true}`), "VALIDATION_FAILED", "metadata")
	mentions(t, e.do("PUT", one, "dk", `{"name":"","code":"DEP","archived":true,"metadata":{}}`), "VALIDATION_FAILED", "name")
	e.do("PUT", one, "se", update).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("PUT", groups+"/"+unknownUUID, "dk", update).fails(t, http.StatusNotFound, "NOT_FOUND")

	e.checkDelete(t, one)

	// Deleting a group deletes its tags.
	tag := data[pleo.Tag](t, e.do("POST", groups+"/"+dkCostCentres+"/tags", "dk", `{"code":"CC-99","archived":false}`), http.StatusCreated)
	e.do("DELETE", groups+"/"+dkCostCentres, "org", "").ok(t, http.StatusNoContent, nil)
	e.do("GET", "/v0/tags/"+tag.ID, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
}

func TestTagsCRUD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	groupTags := "/v0/tag-groups/" + dkProjects + "/tags"

	created := e.clock.Now()
	tag := data[pleo.Tag](t, e.do("POST", groupTags, "dk", `{"code":"PROJ-99","name":"Office move","archived":false,"otherDimensionValues":["x"]}`),
		http.StatusCreated)
	if tag.ID == "" || tag.GroupID != dkProjects || tag.Code != "PROJ-99" || tag.Name != "Office move" || tag.Archived ||
		!tag.CreatedAt.Equal(created) || !tag.UpdatedAt.Equal(created) {
		t.Fatalf("created %+v", tag)
	}
	e.do("POST", groupTags, "dk", `{"code":"PROJ-99","archived":true}`).fails(t, http.StatusConflict, "CONFLICT")
	e.do("POST", "/v0/tag-groups/"+dkCostCentres+"/tags", "dk", `{"code":"PROJ-99","archived":false}`).ok(t, http.StatusCreated, nil)
	e.do("POST", groupTags, "se", `{"code":"SE-1","archived":false}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", "/v0/tag-groups/"+unknownUUID+"/tags", "dk", `{"code":"X","archived":false}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("POST", "/v0/tag-groups/"+seProjects+"/tags", "org", `{"code":"SE-1","archived":false}`).ok(t, http.StatusCreated, nil)
	for _, c := range []struct{ body, typ, field string }{
		{`{"archived":false}`, "VALIDATION_FAILED", "code"},
		{`{"code":"","archived":false}`, "VALIDATION_FAILED", "code"},
		{`{"code":"X"}`, "VALIDATION_FAILED", "archived"},
		{`{"code":7,"archived":false}`, "JSON_MAPPING_EXCEPTION", "code"},
		{`{"code":"X","archived":false,"otherDimensionValues":"x"}`, "JSON_MAPPING_EXCEPTION", "otherDimensionValues"},
	} {
		mentions(t, e.do("POST", groupTags, "dk", c.body), c.typ, c.field)
	}

	one := "/v0/tags/" + tag.ID
	if got := data[pleo.Tag](t, e.do("GET", one, "dk", ""), http.StatusOK); got != tag {
		t.Errorf("get %+v, want %+v", got, tag)
	}
	e.do("GET", one, "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tags/"+seTag, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tags/"+seTag, "org", "").ok(t, http.StatusOK, nil)
	mentions(t, e.do("GET", "/v0/tags/123", "dk", ""), "PARAMETER_VALIDATION_FAILED", "tagId")

	// Update: a name left out is kept; code and archived are required.
	e.clock.advance(time.Minute)
	up := data[pleo.Tag](t, e.do("PUT", one, "dk", `{"code":"PROJ-98","archived":true}`), http.StatusOK)
	if up.Code != "PROJ-98" || !up.Archived || up.Name != "Office move" || !up.UpdatedAt.Equal(e.clock.Now()) || !up.CreatedAt.Equal(created) {
		t.Errorf("updated %+v", up)
	}
	up = data[pleo.Tag](t, e.do("PUT", one, "dk", `{"code":"PROJ-98","archived":false,"name":"Move"}`), http.StatusOK)
	if up.Name != "Move" || up.Archived {
		t.Errorf("updated with a name %+v", up)
	}
	e.do("PUT", one, "dk", `{"code":"PROJ-01","archived":false}`).fails(t, http.StatusConflict, "CONFLICT")
	mentions(t, e.do("PUT", one, "dk", `{"code":"PROJ-97"}`), "VALIDATION_FAILED", "archived")
	mentions(t, e.do("PUT", one, "dk", ""), "VALIDATION_FAILED", "code")
	e.do("PUT", one, "se", `{"code":"X","archived":false}`).fails(t, http.StatusNotFound, "NOT_FOUND")

	e.checkDelete(t, one)
}

// TestTagListsPaginate walks both tag lists forwards and backwards and
// checks their filters and subject binding.
func TestTagListsPaginate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Tags created at different times, so the order is createdAt, then id.
	for _, code := range []string{"PROJ-A", "PROJ-B", "PROJ-C"} {
		e.clock.advance(time.Second)
		e.do("POST", "/v0/tag-groups/"+dkProjects+"/tags", "dk", `{"code":"`+code+`","archived":false}`).ok(t, http.StatusCreated, nil)
	}
	walk := func(path, token string, limit int) []pleo.Tag {
		t.Helper()
		return decodeItems[pleo.Tag](t, e.walk("GET", path, token, "", limit))
	}
	groupTags := "/v0/tag-groups/" + dkProjects + "/tags"
	for _, limit := range []int{1, 2, 4, 100} {
		tags := walk(groupTags+"?include_archived=true", "dk", limit)
		if len(tags) != 9 || !createdOrder(tags, tagKey) || tags[8].Code != "PROJ-C" {
			t.Errorf("limit %d: %d tags of the group, in order %v", limit, len(tags), createdOrder(tags, tagKey))
		}
	}
	if active := walk(groupTags, "dk", 3); len(active) != 8 || slices.ContainsFunc(active, func(x pleo.Tag) bool { return x.Archived }) {
		t.Errorf("without include_archived: %d tags", len(active))
	}
	desc := walk(groupTags+"?include_archived=true&sorting_keys=createdAt&sorting_keys=id&sorting_order=DESC&sorting_order=DESC", "dk", 2)
	slices.Reverse(desc)
	if asc := walk(groupTags+"?include_archived=true", "dk", 5); !slices.Equal(asc, desc) {
		t.Error("descending order is not ascending reversed")
	}
	e.do("GET", "/v0/tag-groups/"+seProjects+"/tags", "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tag-groups/"+seProjects+"/tags", "org", "").ok(t, http.StatusOK, nil)
	mentions(t, e.do("GET", groupTags+"?sorting_keys=name", "dk", ""), "PARAMETER_VALIDATION_FAILED", "sorting_keys")
	mentions(t, e.do("GET", groupTags+"?limit=101", "dk", ""), "PARAMETER_VALIDATION_FAILED", "limit")
	mentions(t, e.do("GET", groupTags+"?after=NOPE1", "dk", ""), "PARAMETER_VALIDATION_FAILED", "after")

	// GET /v0/tags: every visible company unless company_id narrows it.
	companies := func(tags []pleo.Tag) map[string]int {
		n := map[string]int{}
		for _, tg := range tags {
			if tg.GroupID == dkProjects || tg.GroupID == dkCostCentres {
				n["dk"]++
			} else {
				n["other"]++
			}
		}
		return n
	}
	dk := walk("/v0/tags", "dk", 3)
	if len(dk) != 13 || !createdOrder(dk, tagKey) || companies(dk)["other"] != 0 {
		t.Errorf("Denmark token lists %d active tags %v", len(dk), companies(dk))
	}
	if all := walk("/v0/tags?include_archived=true", "org", 4); len(all) != 25 || !createdOrder(all, tagKey) {
		t.Errorf("organisation token lists %d tags", len(all))
	}
	if se := walk("/v0/tags?company_id="+seed.SwedenID, "org", 4); len(se) != 10 || companies(se)["dk"] != 0 {
		t.Errorf("organisation token with company_id=Sweden lists %d tags %v", len(se), companies(se))
	}
	if cc := walk("/v0/tags?tag_group_id="+dkCostCentres+"&tag_group_id="+seProjects, "dk", 2); len(cc) != 5 {
		t.Errorf("by tag group (one of them foreign): %d tags", len(cc))
	}
	if text := walk("/v0/tags?text_search=r%26d", "org", 2); len(text) != 2 {
		t.Errorf("text search R&D in both companies: %d tags", len(text))
	}
	e.do("GET", "/v0/tags?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	mentions(t, e.do("GET", "/v0/tags?tag_group_id=nope", "dk", ""), "PARAMETER_VALIDATION_FAILED", "tag_group_id")

	// The page envelope echoes the filters.
	var p pageBody
	e.do("GET", "/v0/tags?company_id="+seed.DenmarkID+"&text_search=proj&limit=2", "dk", "").ok(t, http.StatusOK, &p)
	if p.Pagination.CurrentRequestPagination.Limit != 2 || p.Pagination.CurrentRequestPagination.Parameters["text_search"][0] != "proj" ||
		!p.Pagination.HasNextPage || p.Pagination.HasPreviousPage || p.Pagination.Total != 8 {
		t.Errorf("pagination %+v", p.Pagination)
	}
}
