package api

import (
	"net/http"
	"net/url"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Tag groups and tags (/v0/tag-groups, /v0/tags): a company's tag groups
// (dimensions such as projects or cost centres) and the tags (values) of
// each group. A tag belongs to its group's company. GET /v0/tag-groups is
// not paged, as Pleo documents it; the tag lists are.

// tagsList pages the tag lists: oldest first (createdAt, then id). Pleo
// documents no sorting keys for tags; createdAt and id are accepted.
var tagsList = listSpec{sortKeys: store.TagSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	offset: true, defaultLimit: 20, maxLimit: 100}

// tagGroupCreateModel is Pleo's TagGroupCreateModel.
type tagGroupCreateModel struct {
	Name     string            `json:"name"`
	Code     string            `json:"code"`
	Archived bool              `json:"archived"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// tagGroupUpdateModel is Pleo's TagGroupUpdateModel: a full replacement,
// metadata included.
type tagGroupUpdateModel struct {
	Name     string            `json:"name"`
	Code     string            `json:"code"`
	Archived bool              `json:"archived"`
	Metadata map[string]string `json:"metadata"`
}

// tagCreateModel is Pleo's TagCreateModel. otherDimensionValues is accepted
// but not applied yet (an emulator gap): a tag's values for its group's
// dimensions are set through /v0/tags/{tagId}/dimensions/{dimensionId}.
type tagCreateModel struct {
	Code                 string   `json:"code"`
	Archived             bool     `json:"archived"`
	Name                 *string  `json:"name,omitempty"`
	OtherDimensionValues []string `json:"otherDimensionValues,omitempty"`
}

// tagUpdateModel is Pleo's TagUpdateModel: a name left out is kept.
type tagUpdateModel tagCreateModel

// checkTagGroupNames returns a 400 when a tag group's name or code is blank.
func checkTagGroupNames(name, code string) error {
	if err := notBlank("name", name); err != nil {
		return err
	}
	return notBlank("code", code)
}

// readTag reads a tag's create or update body (tagCreateModel and
// tagUpdateModel carry the same fields): code and archived are required
// and the code must not be blank. An empty body is an error only when
// bodyRequired.
func readTag(w http.ResponseWriter, r *http.Request, bodyRequired bool) (tagCreateModel, error) {
	b, err := readFields[tagCreateModel](w, r, bodyRequired, "code", "archived")
	if err != nil {
		return b, err
	}
	return b, notBlank("code", b.Code)
}

// The tag group lists, GET /v0/tag-groups and GET
// /v0/aggregations/tag-groups, list the groups of the company company_id
// names, or of every company of the organisation organization_id names.
// Pleo requires one of the two from every caller; company_id wins when
// both are given.

// tagGroupListParams documents company_id and organization_id of a tag
// group list, followed by the route's own parameters.
func tagGroupListParams(own ...param) []param {
	return append([]param{
		queryUUID("company_id", "The company whose tag groups to list. Either company_id or organization_id is required; company_id wins when both are given."),
		queryUUID("organization_id", "List the tag groups of every company of this organisation (which must be the token's)."),
	}, own...)
}

// requireTagGroupOwner returns a 400 unless the query of a tag group list
// names a company or an organisation.
func requireTagGroupOwner(q url.Values) error {
	if !q.Has("company_id") && !q.Has("organization_id") {
		return badParam("company_id", "or 'organization_id' is required.")
	}
	return nil
}

var listTagGroupsDoc = operation{
	id: "getTagGroups", tag: "Tag Groups", summary: "Retrieve tag groups for a company or an organisation",
	params: tagGroupListParams(
		queryBool("include_archived", "Also list archived tag groups."),
		queryBool("include_tags_count", "Set totalTagsCount: the number of tags of each group, archived ones included."),
	),
	status: http.StatusOK, response: dataResponse[[]pleo.TagGroup]{}, errors: []int{http.StatusBadRequest},
}

// listTagGroups answers GET /v0/tag-groups, a tag group list (not paged,
// as Pleo documents).
func (a *API) listTagGroups(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	if err := requireTagGroupOwner(q); err != nil {
		return err
	}
	includeArchived, err := boolParam(q, "include_archived")
	if err != nil {
		return err
	}
	withCounts, err := boolParam(q, "include_tags_count")
	if err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id", organization: "organization_id"})
	if err != nil {
		return err
	}
	groups, err := a.store.ListTagGroups(r.Context(), companies, includeArchived, withCounts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[[]pleo.TagGroup]{Data: groups})
	return nil
}

var createTagGroupDoc = operation{
	id: "createTagGroup", tag: "Tag Groups", summary: "Create a new tag group",
	params: []param{queryUUID("company_id", "The company of the new tag group. Required with an organisation token.")},
	body:   tagGroupCreateModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.TagGroup]{}, errors: []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge},
}

// createTagGroup answers POST /v0/tag-groups. The body has no company: it
// is the token's company, or the company_id an organisation token names.
// Pleo documents no success status; the emulator answers 200.
func (a *API) createTagGroup(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body requestFields[tagGroupCreateModel]
	if err := decodeBody(w, r, &body, true); err != nil {
		return err
	}
	companies, err := a.companiesFor(r.Context(), p, r.URL.Query(), companySelector{company: "company_id", required: true})
	if err != nil {
		return err
	}
	if err := body.require("name", "code", "archived"); err != nil {
		return err
	}
	b := body.v
	if err := checkTagGroupNames(b.Name, b.Code); err != nil {
		return err
	}
	g, err := a.store.CreateTagGroup(r.Context(), pleo.TagGroup{CompanyID: companies[0], Name: b.Name, Code: b.Code,
		Archived: b.Archived, Metadata: b.Metadata}, a.clock.Now())
	if err != nil {
		return storeError(err, notFound("Company not found."), "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TagGroup]{Data: g})
	return nil
}

var getTagGroupDoc = operation{
	id: "getTagGroup", tag: "Tag Groups", summary: "Retrieve a tag group by its id",
	params: []param{pathParam("groupId", "The tag group ID.")},
	status: http.StatusOK, response: dataResponse[pleo.TagGroup]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

var tagGroupNotFound = notFound("Tag group not found.")

// getTagGroup answers GET /v0/tag-groups/{groupId}.
func (a *API) getTagGroup(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "groupId", a.store.TagGroup, tagGroupNotFound, contentTypeJSON)
}

var updateTagGroupDoc = operation{
	id: "updateTagGroup", tag: "Tag Groups", summary: "Update a tag group",
	params: []param{pathParam("groupId", "The tag group ID.")},
	body:   tagGroupUpdateModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.TagGroup]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateTagGroup answers PUT /v0/tag-groups/{groupId}: every field is
// replaced, metadata included.
func (a *API) updateTagGroup(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "groupId")
	if err != nil {
		return err
	}
	b, err := readFields[tagGroupUpdateModel](w, r, true, "name", "code", "archived", "metadata")
	if err != nil {
		return err
	}
	if err := checkTagGroupNames(b.Name, b.Code); err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	g, err := a.store.UpdateTagGroup(r.Context(), companies, pleo.TagGroup{ID: id, Name: b.Name, Code: b.Code,
		Archived: b.Archived, Metadata: b.Metadata}, a.clock.Now())
	if err != nil {
		return storeError(err, tagGroupNotFound, "")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TagGroup]{Data: g})
	return nil
}

var deleteTagGroupDoc = operation{
	id: "deleteTagGroup", tag: "Tag Groups", summary: "Delete a tag group and its tags",
	params: []param{pathParam("groupId", "The tag group ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteTagGroup answers DELETE /v0/tag-groups/{groupId} with 204; the
// group's tags go with it.
func (a *API) deleteTagGroup(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return deleteByID(a, w, r, p, "groupId", a.store.DeleteTagGroup, tagGroupNotFound)
}

var listGroupTagsDoc = operation{
	id: "getTags", tag: "Tags", summary: "Retrieve tags for a tag group",
	params: append([]param{
		pathParam("groupId", "The tag group ID."),
		queryBool("include_archived", "Also list archived tags."),
	}, pagingParams(tagsList)...),
	status: http.StatusOK, response: pageResponse[pleo.Tag]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listGroupTags answers GET /v0/tag-groups/{groupId}/tags.
func (a *API) listGroupTags(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "groupId")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, tagsList)
	if err != nil {
		return err
	}
	includeArchived, err := boolParam(q, "include_archived")
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if _, err := a.store.TagGroup(r.Context(), companies, id); err != nil {
		return storeError(err, tagGroupNotFound, "")
	}
	page, err := a.store.ListTags(r.Context(), companies, store.TagFilter{GroupIDs: []string{id}, IncludeArchived: includeArchived}, pq.req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "include_archived")))
	return nil
}

var createTagDoc = operation{
	id: "createTag", tag: "Tags", summary: "Create a new tag for a tag group",
	params: []param{pathParam("groupId", "The tag group ID.")},
	body:   tagCreateModel{}, bodyRequired: true,
	status: http.StatusCreated, response: dataResponse[pleo.Tag]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createTag answers POST /v0/tag-groups/{groupId}/tags with 201; a code the
// group already has is 409.
func (a *API) createTag(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "groupId")
	if err != nil {
		return err
	}
	b, err := readTag(w, r, true)
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	tag := pleo.Tag{GroupID: id, Code: b.Code, Archived: b.Archived}
	if b.Name != nil {
		tag.Name = *b.Name
	}
	tag, err = a.store.CreateTag(r.Context(), companies, tag, a.clock.Now())
	if err != nil {
		return storeError(err, tagGroupNotFound, "A tag with the code "+b.Code+" already exists in the tag group.")
	}
	writeJSON(w, http.StatusCreated, contentTypeJSON, dataResponse[pleo.Tag]{Data: tag})
	return nil
}

var searchTagsDoc = operation{
	id: "searchTags", tag: "Tags", summary: "Search tags (deprecated by Pleo in favour of POST /v0/tags:search)",
	params: append([]param{
		queryUUID("company_id", "Only tags of this company. Without it, the tags of every company the token can see."),
		queryString("text_search", "Only tags whose name or code contains this text, ignoring case."),
		queryUUIDs("tag_group_id", "Only tags of these tag groups (repeatable)."),
		queryBool("include_archived", "Also list archived tags."),
	}, pagingParams(tagsList)...),
	status: http.StatusOK, response: pageResponse[pleo.Tag]{}, errors: []int{http.StatusBadRequest},
}

// searchTags answers GET /v0/tags.
func (a *API) searchTags(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	pq, err := parsePageQuery(q, tagsList)
	if err != nil {
		return err
	}
	f := store.TagFilter{Text: q.Get("text_search")}
	if f.IncludeArchived, err = boolParam(q, "include_archived"); err != nil {
		return err
	}
	for _, v := range multiValues(q, "tag_group_id") {
		id, err := uuidValue("tag_group_id", v)
		if err != nil {
			return err
		}
		f.GroupIDs = append(f.GroupIDs, id)
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	page, err := a.store.ListTags(r.Context(), companies, f, pq.req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON,
		newPage(page, pq, echoParams(q, "company_id", "text_search", "tag_group_id", "include_archived")))
	return nil
}

var getTagDoc = operation{
	id: "getTag", tag: "Tags", summary: "Retrieve a tag by its id",
	params: []param{pathParam("tagId", "The tag ID.")},
	status: http.StatusOK, response: dataResponse[pleo.Tag]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

var tagNotFound = notFound("Tag not found.")

// getTag answers GET /v0/tags/{tagId}.
func (a *API) getTag(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "tagId", a.store.Tag, tagNotFound, contentTypeJSON)
}

var updateTagDoc = operation{
	id: "updateTag", tag: "Tags", summary: "Update a tag",
	params: []param{pathParam("tagId", "The tag ID.")},
	body:   tagUpdateModel{},
	status: http.StatusOK, response: dataResponse[pleo.Tag]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// updateTag answers PUT /v0/tags/{tagId}: code and archived are replaced,
// the name only when given; a code another tag of the group has is 409.
func (a *API) updateTag(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "tagId")
	if err != nil {
		return err
	}
	b, err := readTag(w, r, false)
	if err != nil {
		return err
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	tag, err := a.store.UpdateTag(r.Context(), companies, id, store.TagUpdate{Code: b.Code, Archived: b.Archived, Name: b.Name},
		a.clock.Now())
	if err != nil {
		return storeError(err, tagNotFound, "Another tag of the tag group has the code "+b.Code+".")
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.Tag]{Data: tag})
	return nil
}

var deleteTagDoc = operation{
	id: "deleteTag", tag: "Tags", summary: "Delete a tag",
	params: []param{pathParam("tagId", "The tag ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteTag answers DELETE /v0/tags/{tagId} with 204 (Pleo documents only
// a default response).
func (a *API) deleteTag(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return deleteByID(a, w, r, p, "tagId", a.store.DeleteTag, tagNotFound)
}
