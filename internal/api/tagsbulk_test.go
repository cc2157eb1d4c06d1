package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

var (
	dkTag3 = seed.ID("acme-denmark/tag/0/2") // PROJ-03 "ERP migration"
	dkTag4 = seed.ID("acme-denmark/tag/0/3") // PROJ-04
	dkTag5 = seed.ID("acme-denmark/tag/0/4") // PROJ-05
)

func init() {
	samples["POST /v0/tags:search"] = sample{"/v0/tags:search?company_id=" + seed.DenmarkID + "&limit=2",
		`{"tagGroupIds":["` + dkProjects + `"],"includeArchived":true,"textSearch":"proj"}`}
	samples["POST /v0/tags/archive"] = sample{"/v0/tags/archive", `{"archived":true,"companyId":"` + seed.DenmarkID + `","tagIds":["` + dkTag5 + `"]}`}
	samples["DELETE /v0/tags"] = sample{"/v0/tags", `{"companyId":"` + seed.DenmarkID + `","tagIds":["` + dkTag3 + `","` + dkTag4 + `"]}`}
}

func TestTagsSearchByBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	count := func(token, query, body string) int64 {
		t.Helper()
		return e.list("POST", "/v0/tags:search"+query, token, body).Pagination.Total
	}
	dk := "?company_id=" + seed.DenmarkID
	for _, c := range []struct {
		token, query, body string
		want               int64
	}{
		{"dk", "", `{}`, 10},                                        // active tags of both groups
		{"dk", "", ``, 10},                                          // the body is optional
		{"dk", dk, `{"includeArchived":true}`, 11},                  // and the archived PROJ-06
		{"dk", dk, `{"archived":true}`, 1},                          // only archived
		{"dk", dk, `{"archived":false,"includeArchived":true}`, 10}, // archived wins
		{"dk", dk, `{"tagGroupIds":["` + dkCostCentres + `"]}`, 5},
		{"dk", dk, `{"tagIds":["` + dkTag + `","` + seTag + `"]}`, 1},
		{"dk", dk, `{"textSearch":"website"}`, 1},
		{"org", "", `{}`, 20},
		{"org", "?organization_id=" + seed.OrganizationID, `{}`, 20},
		{"org", "?company_id=" + seed.SwedenID, `{"tagIds":["` + dkTag + `"]}`, 0},
	} {
		if got := count(c.token, c.query, c.body); got != c.want {
			t.Errorf("%s %s %s: %d tags, want %d", c.token, c.query, c.body, got, c.want)
		}
	}
	e.do("POST", "/v0/tags:search?company_id="+seed.SwedenID, "dk", `{}`).fails(t, http.StatusForbidden, "FORBIDDEN")
	mentions(t, e.do("POST", "/v0/tags:search", "dk", `{"tagIds":["x"]}`), "VALIDATION_FAILED", "tagIds[0]")
	mentions(t, e.do("POST", "/v0/tags:search", "dk", `{"archived":"yes"}`), "JSON_MAPPING_EXCEPTION", "archived")
}

func TestBulkArchiveAndDeleteTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := func(company string, ids ...string) string {
		return `{"companyId":"` + company + `","tagIds":["` + strings.Join(ids, `","`) + `"]`
	}
	archived := data[[]pleo.Tag](t, e.do("POST", "/v0/tags/archive", "dk", body(seed.DenmarkID, dkTag, dkTag2, dkTag)+`,"archived":true}`), http.StatusOK)
	if len(archived) != 2 || !archived[0].Archived || !archived[1].Archived || archived[0].ID != dkTag || !archived[0].UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("archived %+v", archived)
	}
	back := data[[]pleo.Tag](t, e.do("POST", "/v0/tags/archive", "dk", body(seed.DenmarkID, dkTag)+`,"archived":false}`), http.StatusOK)
	if len(back) != 1 || back[0].Archived {
		t.Errorf("unarchived %+v", back)
	}

	// All or nothing: a tag of another company is 404 and nothing changes.
	msg := e.do("POST", "/v0/tags/archive", "dk", body(seed.DenmarkID, dkTag3, seTag)+`,"archived":true}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	if !strings.Contains(msg, seTag) {
		t.Errorf("404 message %q does not name the tag", msg)
	}
	if data[pleo.Tag](t, e.do("GET", "/v0/tags/"+dkTag3, "dk", ""), http.StatusOK).Archived {
		t.Error("a refused bulk archive changed a tag")
	}
	e.do("DELETE", "/v0/tags", "dk", body(seed.DenmarkID, dkTag3, unknownUUID)+`}`).fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tags/"+dkTag3, "dk", "").ok(t, http.StatusOK, nil)
	e.do("DELETE", "/v0/tags", "dk", body(seed.SwedenID, seTag)+`}`).fails(t, http.StatusForbidden, "FORBIDDEN")

	e.do("DELETE", "/v0/tags", "dk", body(seed.DenmarkID, dkTag3, dkTag4)+`}`).noContent(t, "bulk delete")
	e.do("GET", "/v0/tags/"+dkTag3, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v0/tags/"+dkTag4, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	for _, c := range []struct{ method, path, body, typ, field string }{
		{"POST", "/v0/tags/archive", body(seed.DenmarkID, dkTag) + `}`, "VALIDATION_FAILED", "archived"},
		{"POST", "/v0/tags/archive", `{"archived":true,"tagIds":["` + dkTag + `"]}`, "VALIDATION_FAILED", "companyId"},
		{"POST", "/v0/tags/archive", `{"archived":true,"companyId":"` + seed.DenmarkID + `","tagIds":[]}`, "VALIDATION_FAILED", "tagIds"},
		{"DELETE", "/v0/tags", `{"companyId":"` + seed.DenmarkID + `"}`, "VALIDATION_FAILED", "tagIds"},
		{"DELETE", "/v0/tags", body(seed.DenmarkID, "nope") + `}`, "VALIDATION_FAILED", "tagIds[0]"},
		{"DELETE", "/v0/tags", ``, "JSON_MAPPING_EXCEPTION", "missing"},
	} {
		mentions(t, e.do(c.method, c.path, "dk", c.body), c.typ, c.field)
	}
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = unknownUUID
	}
	mentions(t, e.do("DELETE", "/v0/tags", "dk", body(seed.DenmarkID, ids...)+`}`), "VALIDATION_FAILED", "tagIds")
}
