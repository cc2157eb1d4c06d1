package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Tag search by body and the bulk tag writes of Pleo's tags document:
// POST /v0/tags:search, POST /v0/tags/archive and DELETE /v0/tags.

// compositeTagSearchRequest is Pleo's CompositeTagSearchRequest.
type compositeTagSearchRequest struct {
	Archived        *bool    `json:"archived,omitempty"`
	IncludeArchived *bool    `json:"includeArchived,omitempty"`
	TagGroupIDs     []string `json:"tagGroupIds,omitempty" format:"uuid"`
	TagIDs          []string `json:"tagIds,omitempty" format:"uuid"`
	TextSearch      *string  `json:"textSearch,omitempty"`
}

// bulkTagArchiveModel is Pleo's BulkTagArchiveModel.
type bulkTagArchiveModel struct {
	Archived  bool     `json:"archived"`
	CompanyID string   `json:"companyId" format:"uuid"`
	TagIDs    []string `json:"tagIds" format:"uuid"`
}

// bulkTagDeleteModel is Pleo's BulkTagDeleteModel.
type bulkTagDeleteModel struct {
	CompanyID string   `json:"companyId" format:"uuid"`
	TagIDs    []string `json:"tagIds" format:"uuid"`
}

// maxBulkTags is how many tagIds a bulk write takes, as Pleo declares (1 to 100).
const maxBulkTags = 100

var searchTagsPostDoc = operation{
	id: "searchTagsPost", tag: "Tags", summary: "Search tags",
	params: append([]param{
		queryUUID("company_id", "Only tags of this company."),
		queryUUID("organization_id", "Only tags of the companies of this organisation (the token's own)."),
	}, pagingParams(tagsList)...),
	body:   compositeTagSearchRequest{},
	status: http.StatusOK, response: pageResponse[pleo.Tag]{}, errors: []int{http.StatusBadRequest},
}

// searchTagsPost answers POST /v0/tags:search. Without archived or
// includeArchived only active tags are listed; archived, when given, wins
// over includeArchived, as Pleo documents. textSearch matches the name or
// the code, ignoring case. At most 100 tagIds and 100 tagGroupIds (an
// emulator choice; Pleo sets no limit).
func (a *API) searchTagsPost(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	page, pq, err := a.searchTagPage(w, r, p, companySelector{company: "company_id", organization: "organization_id"})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(r.URL.Query(), "company_id", "organization_id")))
	return nil
}

// bulkTagTarget checks what a bulk write names: tagIds, 1 to 100 UUIDs
// (returned in lower case), then companyId, a company the token may see.
func (a *API) bulkTagTarget(ctx context.Context, p oauth.Principal, companyID string, tagIDs []string) (company string, ids []string, err error) {
	if len(tagIDs) == 0 {
		return "", nil, badField("tagIds", "must hold at least one tag ID.")
	}
	if ids, err = uuidList("tagIds", tagIDs, maxBulkTags); err != nil {
		return "", nil, err
	}
	company, err = a.bodyCompany(ctx, p, "companyId", companyID)
	return company, ids, err
}

// bulkTagError renders an error of a bulk write: a tag that is not the
// company's is 404 naming it.
func bulkTagError(err error) error {
	var missing *store.MissingTagError
	if errors.As(err, &missing) {
		return notFound("Tag " + missing.ID + " not found in the company.")
	}
	return storeError(err, nil, "")
}

var bulkArchiveTagsDoc = operation{
	id: "bulkArchiveTags", tag: "Tags", summary: "Archive or unarchive tags",
	body: bulkTagArchiveModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[[]pleo.Tag]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// bulkArchiveTags answers POST /v0/tags/archive with the changed tags: each
// of tagIds gets archived. All or nothing: a tag that is not of companyId
// is 404 and changes nothing (an emulator choice; Pleo documents only the
// success).
func (a *API) bulkArchiveTags(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[bulkTagArchiveModel](w, r, true, "archived", "companyId", "tagIds")
	if err != nil {
		return err
	}
	company, ids, err := a.bulkTagTarget(r.Context(), p, b.CompanyID, b.TagIDs)
	if err != nil {
		return err
	}
	tags, err := a.store.ArchiveTags(r.Context(), company, ids, b.Archived, a.clock.Now())
	if err != nil {
		return bulkTagError(err)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[[]pleo.Tag]{Data: tags})
	return nil
}

var bulkDeleteTagsDoc = operation{
	id: "bulkDeleteTags", tag: "Tags", summary: "Delete tags",
	body: bulkTagDeleteModel{}, bodyRequired: true,
	status: http.StatusNoContent,
	errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// bulkDeleteTags answers DELETE /v0/tags with 204, as Pleo documents. All
// or nothing, as bulkArchiveTags.
func (a *API) bulkDeleteTags(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	b, err := readFields[bulkTagDeleteModel](w, r, true, "companyId", "tagIds")
	if err != nil {
		return err
	}
	company, ids, err := a.bulkTagTarget(r.Context(), p, b.CompanyID, b.TagIDs)
	if err != nil {
		return err
	}
	if err := a.store.DeleteTags(r.Context(), company, ids); err != nil {
		return bulkTagError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
