package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

var (
	dkProjectsGroup = seed.ID("acme-denmark/tag-group/0")
	dkProjectTag    = seed.ID("acme-denmark/tag/0/0")
	dkProjectTag6   = seed.ID("acme-denmark/tag/0/5") // no dimension values
	dkManagerDim    = seed.ID("acme-denmark/tag-dimension/0/0")
	dkERPDim        = seed.ID("acme-denmark/tag-dimension/0/1")
	dkDepartmentDim = seed.ID("acme-denmark/tag-dimension/1/0")
)

func TestTagGroupDimensionsCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()

	dims, err := st.TagGroupDimensions(ctx, dk, dkProjectsGroup)
	if err != nil {
		t.Fatal(err)
	}
	if len(dims) != 2 || dims[0].ID != dkManagerDim || dims[0].DisplayOrder != 1 || dims[1].ID != dkERPDim || dims[1].Visible {
		t.Fatalf("seeded dimensions %+v", dims)
	}
	// Another company's token sees neither the group nor its dimensions.
	if _, err := st.TagGroupDimensions(ctx, se, dkProjectsGroup); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign group: %v", err)
	}
	if _, err := st.TagGroupDimension(ctx, se, dkProjectsGroup, dkManagerDim); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign dimension: %v", err)
	}
	// A dimension of another group of the same company is not found in this one.
	if _, err := st.TagGroupDimension(ctx, dk, dkProjectsGroup, dkDepartmentDim); !errors.Is(err, store.ErrNoDimension) {
		t.Errorf("dimension of another group: %v", err)
	}

	// The display order of a new dimension follows the highest; the one asked for is ignored.
	d, err := st.CreateTagGroupDimension(ctx, dk, pleo.TagGroupDimension{GroupID: dkProjectsGroup, Name: "Region", Code: "REG",
		DisplayOrder: 1, Visible: true}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.DisplayOrder != 3 || !d.CreatedAt.Equal(resNow) || d.ID == "" {
		t.Errorf("created %+v", d)
	}
	later := resNow.Add(time.Hour)
	up, err := st.UpdateTagGroupDimension(ctx, dk, pleo.TagGroupDimension{ID: d.ID, GroupID: dkProjectsGroup, Name: "Area",
		Code: "AREA", DisplayOrder: 7}, later)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Area" || up.Code != "AREA" || up.DisplayOrder != 7 || up.Visible || !up.CreatedAt.Equal(resNow) || !up.UpdatedAt.Equal(later) {
		t.Errorf("updated %+v", up)
	}
	if got, _ := st.TagGroupDimension(ctx, dk, dkProjectsGroup, d.ID); got != up {
		t.Errorf("read back %+v, want %+v", got, up)
	}
	if _, err := st.UpdateTagGroupDimension(ctx, se, up, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign update: %v", err)
	}

	// Deleting a dimension removes the tags' values for it.
	if err := st.DeleteTagGroupDimension(ctx, se, dkProjectsGroup, dkManagerDim); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign delete: %v", err)
	}
	if err := st.DeleteTagGroupDimension(ctx, dk, dkProjectsGroup, dkManagerDim); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteTagGroupDimension(ctx, dk, dkProjectsGroup, dkManagerDim); !errors.Is(err, store.ErrNoDimension) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := st.TagDimensionValue(ctx, dk, dkProjectTag, dkManagerDim); !errors.Is(err, store.ErrNoDimension) {
		t.Errorf("value of a deleted dimension: %v", err)
	}
	values, err := st.TagDimensionValues(ctx, dk, dkProjectTag)
	if err != nil || len(values) != 1 || values[0].DimensionID != dkERPDim {
		t.Errorf("values after the delete: %+v, %v", values, err)
	}
}

func TestTagGroupDimensionLimit(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	for i := range pleo.MaxDimensionsPerGroup - 2 {
		if _, err := st.CreateTagGroupDimension(ctx, dk, pleo.TagGroupDimension{GroupID: dkProjectsGroup, Name: "n", Code: "c"}, resNow); err != nil {
			t.Fatalf("dimension %d: %v", i+3, err)
		}
	}
	if _, err := st.CreateTagGroupDimension(ctx, dk, pleo.TagGroupDimension{GroupID: dkProjectsGroup, Name: "n", Code: "c"}, resNow); !errors.Is(err, store.ErrTooManyDimensions) {
		t.Errorf("one dimension too many: %v", err)
	}
}

func TestTagDimensionValuesCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()

	v, err := st.TagDimensionValue(ctx, dk, dkProjectTag, dkManagerDim)
	if err != nil || v.Value != "Mette Nielsen" {
		t.Fatalf("seeded value %+v, %v", v, err)
	}
	if _, err := st.TagDimensionValue(ctx, se, dkProjectTag, dkManagerDim); !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNoDimension) {
		t.Errorf("foreign tag: %v", err)
	}
	if _, err := st.TagDimensionValue(ctx, dk, dkProjectTag6, dkManagerDim); !errors.Is(err, store.ErrNoDimensionValue) {
		t.Errorf("no value: %v", err)
	}
	if _, err := st.CreateTagDimensionValue(ctx, dk, pleo.TagDimensionValue{TagID: dkProjectTag, DimensionID: dkDepartmentDim, Value: "x"}, resNow); !errors.Is(err, store.ErrNoDimension) {
		t.Errorf("value for another group's dimension: %v", err)
	}
	if _, err := st.CreateTagDimensionValue(ctx, dk, pleo.TagDimensionValue{TagID: dkProjectTag, DimensionID: dkManagerDim, Value: "x"}, resNow); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second value: %v", err)
	}
	if _, err := st.UpdateTagDimensionValue(ctx, dk, pleo.TagDimensionValue{TagID: dkProjectTag6, DimensionID: dkManagerDim, Value: "x"}, resNow); !errors.Is(err, store.ErrNoDimensionValue) {
		t.Errorf("update without a value: %v", err)
	}

	created, err := st.CreateTagDimensionValue(ctx, dk, pleo.TagDimensionValue{TagID: dkProjectTag6, DimensionID: dkManagerDim, Value: "Ida"}, resNow)
	if err != nil || created.Value != "Ida" || !created.CreatedAt.Equal(resNow) {
		t.Fatalf("created %+v, %v", created, err)
	}
	later := resNow.Add(time.Minute)
	up, err := st.UpdateTagDimensionValue(ctx, dk, pleo.TagDimensionValue{TagID: dkProjectTag6, DimensionID: dkManagerDim, Value: "Jonas"}, later)
	if err != nil || up.Value != "Jonas" || !up.CreatedAt.Equal(resNow) || !up.UpdatedAt.Equal(later) {
		t.Errorf("updated %+v, %v", up, err)
	}
	if _, err := st.DeleteTagDimensionValue(ctx, se, dkProjectTag6, dkManagerDim); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign delete: %v", err)
	}
	gone, err := st.DeleteTagDimensionValue(ctx, dk, dkProjectTag6, dkManagerDim)
	if err != nil || gone != up {
		t.Errorf("deleted %+v, %v; want %+v", gone, err, up)
	}
	if values, _ := st.TagDimensionValues(ctx, dk, dkProjectTag6); len(values) != 0 {
		t.Errorf("values after delete: %+v", values)
	}
}

func TestAggregatedTagsAndGroups(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()

	groups, err := st.AggregatedTagGroups(ctx, dk, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || len(groups[0].Dimensions) != 2 || len(groups[1].Dimensions) != 1 || groups[0].Dimensions[0].ID != dkManagerDim {
		t.Fatalf("aggregated groups %+v", groups)
	}
	if _, err := st.UpdateTagGroup(ctx, dk, pleo.TagGroup{ID: dkProjectsGroup, Name: "P", Code: "P", Archived: true}, resNow); err != nil {
		t.Fatal(err)
	}
	if active, _ := st.AggregatedTagGroups(ctx, dk, nil); len(active) != 1 {
		t.Errorf("an archived group is listed without ids: %d groups", len(active))
	}
	if named, _ := st.AggregatedTagGroups(ctx, dk, []string{dkProjectsGroup}); len(named) != 1 || !named[0].Archived {
		t.Errorf("a named archived group: %+v", named)
	}
	if foreign, _ := st.AggregatedTagGroups(ctx, se, []string{dkProjectsGroup}); len(foreign) != 0 {
		t.Errorf("another company's group: %+v", foreign)
	}

	page, err := st.ListTags(ctx, dk, store.TagFilter{GroupIDs: []string{dkProjectsGroup}, IncludeArchived: true}, store.PageRequest{Order: byCreation, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := st.AggregateTags(ctx, page.Items)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]pleo.AggregatedTag{}
	for _, tag := range tags {
		byID[tag.ID] = tag
	}
	if len(tags) != 6 || byID[dkProjectTag].CompanyID != dk[0] || byID[dkProjectTag].Group.Code != "P" || tags[0].ID != page.Items[0].ID {
		t.Fatalf("aggregated tags %+v", tags)
	}
	first, last := byID[dkProjectTag].Dimensions, byID[dkProjectTag6].Dimensions
	if len(first) != 2 || first[0].Value != "Mette Nielsen" || first[1].Value != "P-1001" || first[1].Visible {
		t.Errorf("first tag's dimensions %+v", first)
	}
	if len(last) != 2 || last[0].Value != "" || last[1].Value != "" {
		t.Errorf("a tag without values: %+v", last)
	}
}

func TestTagGroupUsage(t *testing.T) {
	st, db := openResourceStore(t)
	ctx := context.Background()
	usage, err := st.TagGroupUsage(ctx, dk, dkProjectsGroup)
	if err != nil {
		t.Fatal(err)
	}
	if len(usage.Usages) != 6 {
		t.Fatalf("%d usages, want one per tag", len(usage.Usages))
	}
	for _, u := range usage.Usages {
		var want int32
		if err := db.QueryRow(`SELECT count(*) FROM accounting_entries WHERE deleted_at IS NULL AND instr(tags, ?) > 0`, u.ID).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if u.Count != want {
			t.Errorf("tag %s: count %d, want %d", u.ID, u.Count, want)
		}
	}
	counts := map[string]int32{}
	for _, u := range usage.Usages {
		counts[u.ID] = u.Count
	}
	if counts[dkProjectTag] == 0 || counts[dkProjectTag6] != 0 {
		t.Errorf("the seed tags the first project and never the archived one: %+v", usage.Usages)
	}
	if _, err := st.TagGroupUsage(ctx, se, dkProjectsGroup); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("foreign group: %v", err)
	}
}
