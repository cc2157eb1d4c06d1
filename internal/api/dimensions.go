package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Tag group dimensions (/v0/tag-groups/{groupId}/dimensions), a tag
// group's usage (/v0/tag-groups/{groupId}/usage) and tag dimension values
// (/v0/tags/{tagId}/dimensions). A dimension is a column of a tag group
// beside the name and code every tag has (Pleo lists those two only when
// they are not standard; the emulator's are always standard, so it never
// lists them); a tag holds at most one value per dimension of its group.
// Pleo documents only a default response for these operations; the
// success statuses are emulator choices, noted on each.

// tagGroupDimensionCreateModel is Pleo's TagGroupDimensionCreateModel.
type tagGroupDimensionCreateModel struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Visible bool   `json:"visible"`
	// DisplayOrder is deprecated by Pleo and ignored: a new dimension goes
	// after the group's last.
	DisplayOrder *int32 `json:"displayOrder,omitempty"`
}

// tagGroupDimensionUpdateModel is Pleo's TagGroupDimensionUpdateModel: a
// full replacement.
type tagGroupDimensionUpdateModel struct {
	Name         string `json:"name"`
	Code         string `json:"code"`
	Visible      bool   `json:"visible"`
	DisplayOrder int32  `json:"displayOrder"`
}

// tagDimensionValueCreateModel is Pleo's TagDimensionValueCreateModel.
type tagDimensionValueCreateModel struct {
	Value string `json:"value"`
}

// tagDimensionValueUpdateModel is Pleo's TagDimensionValueUpdateModel, of
// the same shape.
type tagDimensionValueUpdateModel tagDimensionValueCreateModel

var (
	dimensionNotFound      = notFound("Tag group dimension not found.")
	dimensionValueNotFound = notFound("The tag has no value for this dimension.")
)

// dimensionError renders an error of the dimension store: which of the
// path's resources is missing (parent is the 404 of the group or tag), a
// value that exists already, a full group, a broken rule.
func dimensionError(err error, parent *apiError) error {
	switch {
	case errors.Is(err, store.ErrNoDimension):
		return dimensionNotFound
	case errors.Is(err, store.ErrNoDimensionValue):
		return dimensionValueNotFound
	case errors.Is(err, store.ErrTooManyDimensions):
		return conflictError("The tag group has the most dimensions it may have.")
	}
	return storeError(err, parent, "The tag has a value for this dimension already; update it with PUT.")
}

// dimensionTarget returns the parent path parameter (groupId or tagId),
// dimensionId (both UUIDs) and the companies the token may see: what every
// handler of one dimension or dimension value starts with.
func (a *API) dimensionTarget(r *http.Request, p oauth.Principal, parent string) (parentID, dimensionID string, companies []string, err error) {
	if parentID, err = pathUUID(r, parent); err != nil {
		return "", "", nil, err
	}
	if dimensionID, err = pathUUID(r, "dimensionId"); err != nil {
		return "", "", nil, err
	}
	companies, err = a.visibleCompanies(r.Context(), p)
	return parentID, dimensionID, companies, err
}

// answerDimension answers a route of one dimension or dimension value with
// 200 and {"data": ...}: what do returns for the parent path parameter
// (groupId or tagId) and dimensionId, or its error as dimensionError
// renders it (parentMissing is the group's or tag's 404).
func answerDimension[T any](a *API, w http.ResponseWriter, r *http.Request, p oauth.Principal, parent string, parentMissing *apiError,
	do func(ctx context.Context, companies []string, parentID, dimensionID string) (T, error)) error {
	parentID, dimensionID, companies, err := a.dimensionTarget(r, p, parent)
	if err != nil {
		return err
	}
	v, err := do(r.Context(), companies, parentID, dimensionID)
	if err != nil {
		return dimensionError(err, parentMissing)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[T]{Data: v})
	return nil
}

var listTagGroupDimensionsDoc = operation{
	id: "getTagGroupDimensions", tag: "Tag Groups", summary: "Retrieve a list of tag group dimensions",
	params: []param{pathParam("groupId", "The tag group ID.")},
	status: http.StatusOK, response: dataResponse[[]pleo.TagGroupDimension]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listTagGroupDimensions answers GET /v0/tag-groups/{groupId}/dimensions
// with the group's dimensions in display order (not paged, as Pleo
// documents).
func (a *API) listTagGroupDimensions(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "groupId", a.store.TagGroupDimensions, tagGroupNotFound, contentTypeJSON)
}

var createTagGroupDimensionDoc = operation{
	id: "createTagGroupDimension", tag: "Tag Groups", summary: "Create a new tag group dimension",
	params: []param{pathParam("groupId", "The tag group the dimension is added to.")},
	body:   tagGroupDimensionCreateModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.TagGroupDimension]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createTagGroupDimension answers POST /v0/tag-groups/{groupId}/dimensions
// with 200 (an emulator choice, as for tag groups). The new dimension's
// display order is one more than the group's highest, as Pleo documents;
// displayOrder in the body is ignored. A group has at most
// pleo.MaxDimensionsPerGroup dimensions (an emulator choice; 409 beyond).
func (a *API) createTagGroupDimension(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	id, err := pathUUID(r, "groupId")
	if err != nil {
		return err
	}
	b, err := readFields[tagGroupDimensionCreateModel](w, r, true, "code", "name", "visible")
	if err != nil {
		return err
	}
	d := pleo.TagGroupDimension{GroupID: id, Name: b.Name, Code: b.Code, Visible: b.Visible}
	if err := d.Validate(); err != nil {
		return storeError(err, nil, "")
	}
	companies, err := a.visibleCompanies(r.Context(), p)
	if err != nil {
		return err
	}
	if d, err = a.store.CreateTagGroupDimension(r.Context(), companies, d, a.clock.Now()); err != nil {
		return dimensionError(err, tagGroupNotFound)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TagGroupDimension]{Data: d})
	return nil
}

var getTagGroupDimensionDoc = operation{
	id: "getTagGroupDimension", tag: "Tag Groups", summary: "Retrieve a tag group dimension",
	params: []param{pathParam("groupId", "The tag group ID."), pathParam("dimensionId", "The dimension ID.")},
	status: http.StatusOK, response: dataResponse[pleo.TagGroupDimension]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getTagGroupDimension answers GET /v0/tag-groups/{groupId}/dimensions/{dimensionId}.
func (a *API) getTagGroupDimension(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return answerDimension(a, w, r, p, "groupId", tagGroupNotFound, a.store.TagGroupDimension)
}

var updateTagGroupDimensionDoc = operation{
	id: "updateTagGroupDimension", tag: "Tag Groups", summary: "Update a tag group dimension",
	params: []param{pathParam("groupId", "The tag group ID."), pathParam("dimensionId", "The dimension ID.")},
	body:   tagGroupDimensionUpdateModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.TagGroupDimension]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateTagGroupDimension answers PUT
// /v0/tag-groups/{groupId}/dimensions/{dimensionId}: name, code,
// displayOrder and visible are all replaced (all required, as Pleo
// documents). The other dimensions keep their display order.
func (a *API) updateTagGroupDimension(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	groupID, id, companies, err := a.dimensionTarget(r, p, "groupId")
	if err != nil {
		return err
	}
	b, err := readFields[tagGroupDimensionUpdateModel](w, r, true, "code", "displayOrder", "name", "visible")
	if err != nil {
		return err
	}
	d := pleo.TagGroupDimension{ID: id, GroupID: groupID, Name: b.Name, Code: b.Code, DisplayOrder: b.DisplayOrder, Visible: b.Visible}
	if err := d.Validate(); err != nil {
		return storeError(err, nil, "")
	}
	if err := pleo.ValidateDisplayOrder(d.DisplayOrder); err != nil {
		return storeError(err, nil, "")
	}
	if d, err = a.store.UpdateTagGroupDimension(r.Context(), companies, d, a.clock.Now()); err != nil {
		return dimensionError(err, tagGroupNotFound)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TagGroupDimension]{Data: d})
	return nil
}

var deleteTagGroupDimensionDoc = operation{
	id: "deleteTagGroupDimension", tag: "Tag Groups", summary: "Delete a tag group dimension and every tag's value for it",
	params: []param{pathParam("groupId", "The tag group ID."), pathParam("dimensionId", "The dimension ID.")},
	status: http.StatusNoContent, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteTagGroupDimension answers DELETE
// /v0/tag-groups/{groupId}/dimensions/{dimensionId} with 204 (Pleo
// documents an empty default response); the tags' values for the
// dimension go with it.
func (a *API) deleteTagGroupDimension(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	groupID, id, companies, err := a.dimensionTarget(r, p, "groupId")
	if err != nil {
		return err
	}
	if err := a.store.DeleteTagGroupDimension(r.Context(), companies, groupID, id); err != nil {
		return dimensionError(err, tagGroupNotFound)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var tagGroupUsageDoc = operation{
	id: "getTagGroupUsage", tag: "Tag Groups", summary: "Get usage for a tag group",
	params: []param{pathParam("groupId", "The tag group ID.")},
	status: http.StatusOK, response: dataResponse[pleo.TagGroupUsage]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// tagGroupUsage answers GET /v0/tag-groups/{groupId}/usage with 200, as
// Pleo documents: for every tag of the group (archived ones included,
// oldest first; an emulator choice), the number of accounting entries that
// carry it and are not deleted.
func (a *API) tagGroupUsage(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "groupId", a.store.TagGroupUsage, tagGroupNotFound, contentTypeJSON)
}

var listTagDimensionValuesDoc = operation{
	id: "getTagDimensionValues", tag: "Tags", summary: "Retrieve dimension values",
	params: []param{pathParam("tagId", "The tag ID.")},
	status: http.StatusOK, response: dataResponse[[]pleo.TagDimensionValue]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// listTagDimensionValues answers GET /v0/tags/{tagId}/dimensions with the
// values the tag has, in its group's display order (not paged, as Pleo
// documents). A dimension the tag has no value for is not listed.
func (a *API) listTagDimensionValues(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return getByID(a, w, r, p, "tagId", a.store.TagDimensionValues, tagNotFound, contentTypeJSON)
}

var getTagDimensionValueDoc = operation{
	id: "getDimensionValue", tag: "Tags", summary: "Retrieve a dimension value",
	params: []param{pathParam("tagId", "The tag ID."), pathParam("dimensionId", "A dimension of the tag's group.")},
	status: http.StatusOK, response: dataResponse[pleo.TagDimensionValue]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getTagDimensionValue answers GET /v0/tags/{tagId}/dimensions/{dimensionId};
// 404 when the tag has no value for the dimension.
func (a *API) getTagDimensionValue(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return answerDimension(a, w, r, p, "tagId", tagNotFound, a.store.TagDimensionValue)
}

// writeDimensionValue answers a write of a tag's value for a dimension
// with 200 and the value save stored: the tag and dimension come from the
// path, the value from the body, which must carry it (an empty body is an
// error only when bodyRequired).
func (a *API) writeDimensionValue(w http.ResponseWriter, r *http.Request, p oauth.Principal, bodyRequired bool,
	save func(ctx context.Context, companies []string, v pleo.TagDimensionValue, now time.Time) (pleo.TagDimensionValue, error)) error {
	tagID, dimID, companies, err := a.dimensionTarget(r, p, "tagId")
	if err != nil {
		return err
	}
	b, err := readFields[tagDimensionValueCreateModel](w, r, bodyRequired, "value")
	if err != nil {
		return err
	}
	if err := pleo.ValidateDimensionValue(b.Value); err != nil {
		return storeError(err, nil, "")
	}
	v, err := save(r.Context(), companies, pleo.TagDimensionValue{TagID: tagID, DimensionID: dimID, Value: b.Value}, a.clock.Now())
	if err != nil {
		return dimensionError(err, tagNotFound)
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.TagDimensionValue]{Data: v})
	return nil
}

var createTagDimensionValueDoc = operation{
	id: "createDimensionValue", tag: "Tags", summary: "Create a new dimension value",
	params: []param{pathParam("tagId", "The tag ID."), pathParam("dimensionId", "A dimension of the tag's group.")},
	body:   tagDimensionValueCreateModel{}, bodyRequired: true,
	status: http.StatusOK, response: dataResponse[pleo.TagDimensionValue]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge},
}

// createTagDimensionValue answers POST /v0/tags/{tagId}/dimensions/{dimensionId}
// with 200 (an emulator choice). The dimension must be one of the tag's
// group; a tag that has a value for it already is 409 (an emulator
// choice: PUT changes a value).
func (a *API) createTagDimensionValue(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return a.writeDimensionValue(w, r, p, true, a.store.CreateTagDimensionValue)
}

var updateTagDimensionValueDoc = operation{
	id: "updateDimensionValue", tag: "Tags", summary: "Update a dimension value",
	params: []param{pathParam("tagId", "The tag ID."), pathParam("dimensionId", "A dimension of the tag's group.")},
	body:   tagDimensionValueUpdateModel{},
	status: http.StatusOK, response: dataResponse[pleo.TagDimensionValue]{},
	errors: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge},
}

// updateTagDimensionValue answers PUT /v0/tags/{tagId}/dimensions/{dimensionId}:
// the value is replaced; 404 when the tag has none yet (an emulator
// choice: POST creates one). Pleo marks this body optional, but its
// schema requires value, so a missing body is a 400 naming value.
func (a *API) updateTagDimensionValue(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return a.writeDimensionValue(w, r, p, false, a.store.UpdateTagDimensionValue)
}

var deleteTagDimensionValueDoc = operation{
	id: "deleteDimensionValue", tag: "Tags", summary: "Delete a dimension value",
	params: []param{pathParam("tagId", "The tag ID."), pathParam("dimensionId", "A dimension of the tag's group.")},
	status: http.StatusOK, response: dataResponse[pleo.TagDimensionValue]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// deleteTagDimensionValue answers DELETE /v0/tags/{tagId}/dimensions/{dimensionId}
// with 200 and the removed value, as Pleo's response schema documents.
func (a *API) deleteTagDimensionValue(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	return answerDimension(a, w, r, p, "tagId", tagNotFound, a.store.DeleteTagDimensionValue)
}
