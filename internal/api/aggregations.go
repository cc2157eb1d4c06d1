package api

import (
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Pleo's aggregated reads of tags and tag groups (/v0/aggregations/...):
// the tag group or tag together with its dimensions (and, for a tag, its
// group and its values), so an integration syncs a whole group in one
// call. The dimensions are the ones the dimension routes serve (never the
// name and code every tag has; an emulator choice, as Pleo does not say).

// maxAggregatedGroupIDs is how many tag_group_ids GET
// /v0/aggregations/tag-groups takes (an emulator choice; Pleo sets no limit).
const maxAggregatedGroupIDs = 100

var aggregatedTagGroupsDoc = operation{
	id: "getAggregatedTagGroups", tag: "Tag Groups", summary: "Retrieve the tag groups for a company or an organisation in aggregated format",
	params: tagGroupListParams(
		queryUUIDs("tag_group_ids", "Only these tag groups, archived ones included (repeatable)."),
	),
	status: http.StatusOK, response: dataResponse[[]pleo.AggregatedTagGroup]{}, errors: []int{http.StatusBadRequest},
}

// aggregatedTagGroups answers GET /v0/aggregations/tag-groups, a tag group
// list (tags.go), with each tag group and its dimensions, oldest first (not
// paged, as Pleo documents). Without tag_group_ids only active groups are
// listed, with it the groups named, archived ones included, as Pleo
// documents.
func (a *API) aggregatedTagGroups(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	q := r.URL.Query()
	if err := requireTagGroupOwner(q); err != nil {
		return err
	}
	var ids []string
	for _, v := range multiValues(q, "tag_group_ids") {
		id, err := uuidValue("tag_group_ids", v)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) > maxAggregatedGroupIDs {
		return badParam("tag_group_ids", "has %d values; at most %d are allowed.", len(ids), maxAggregatedGroupIDs)
	}
	companies, err := a.companiesFor(r.Context(), p, q, companySelector{company: "company_id", organization: "organization_id"})
	if err != nil {
		return err
	}
	groups, err := a.store.AggregatedTagGroups(r.Context(), companies, ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[[]pleo.AggregatedTagGroup]{Data: groups})
	return nil
}

var aggregatedTagsDoc = operation{
	id: "searchAggregatedTags", tag: "Tags", summary: "Retrieve tags in aggregated format",
	params: append([]param{
		queryUUID("company_id", "Only tags of this company. Without it, the tags of every company the token can see."),
	}, pagingParams(tagsList)...),
	body:   compositeTagSearchRequest{},
	status: http.StatusOK, response: pageResponse[pleo.AggregatedTag]{}, errors: []int{http.StatusBadRequest},
}

// aggregatedTags answers POST /v0/aggregations/tags: the tags POST
// /v0/tags:search finds for the same body and query, each with its group
// and every dimension of its group with the tag's value ("" when it has
// none), in display order.
func (a *API) aggregatedTags(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	page, pq, err := a.searchTagPage(w, r, p, companySelector{company: "company_id"})
	if err != nil {
		return err
	}
	tags, err := a.store.AggregateTags(r.Context(), page.Items)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(store.Page[pleo.AggregatedTag]{Items: tags, Positions: page.Positions,
		HasNext: page.HasNext, HasPrevious: page.HasPrevious, Total: page.Total}, pq, echoParams(r.URL.Query(), "company_id")))
	return nil
}

// searchTagPage runs a tag search: the CompositeTagSearchRequest body, the
// paging parameters and the companies sel selects, for POST /v0/tags:search
// and POST /v0/aggregations/tags.
func (a *API) searchTagPage(w http.ResponseWriter, r *http.Request, p oauth.Principal, sel companySelector) (store.Page[pleo.Tag], pageQuery, error) {
	var body compositeTagSearchRequest
	if err := decodeBody(w, r, &body, false); err != nil {
		return store.Page[pleo.Tag]{}, pageQuery{}, err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, tagsList)
	if err != nil {
		return store.Page[pleo.Tag]{}, pageQuery{}, err
	}
	f, err := body.filter()
	if err != nil {
		return store.Page[pleo.Tag]{}, pageQuery{}, err
	}
	companies, err := a.companiesFor(r.Context(), p, q, sel)
	if err != nil {
		return store.Page[pleo.Tag]{}, pageQuery{}, err
	}
	page, err := a.store.ListTags(r.Context(), companies, f, pq.req)
	return page, pq, err
}

// filter turns a CompositeTagSearchRequest into a store filter. Without
// archived or includeArchived only active tags are listed; archived, when
// given, wins over includeArchived, as Pleo documents. textSearch matches
// the name or the code, ignoring case. At most 100 tagIds and 100
// tagGroupIds (an emulator choice; Pleo sets no limit).
func (b compositeTagSearchRequest) filter() (store.TagFilter, error) {
	f := store.TagFilter{Archived: b.Archived}
	if b.IncludeArchived != nil {
		f.IncludeArchived = *b.IncludeArchived
	}
	if b.TextSearch != nil {
		f.Text = *b.TextSearch
	}
	var err error
	if f.GroupIDs, err = uuidList("tagGroupIds", b.TagGroupIDs, 100); err != nil {
		return f, err
	}
	f.TagIDs, err = uuidList("tagIds", b.TagIDs, 100)
	return f, err
}
