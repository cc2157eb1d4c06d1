package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func tagID(t pleo.Tag) string { return t.ID }

func TestTagGroupsCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()

	groups, err := st.ListTagGroups(ctx, dk, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("Denmark has %d tag groups, want 2", len(groups))
	}
	for _, g := range groups {
		if g.CompanyID != dk[0] || g.TotalTagsCount == nil || *g.TotalTagsCount < 5 || g.Metadata["source"] != "demo" {
			t.Errorf("group %+v", g)
		}
	}
	if all, _ := st.ListTagGroups(ctx, dkse, false, false); len(all) != 4 || all[0].TotalTagsCount != nil {
		t.Errorf("both companies: %d groups, count %v", len(all), all[0].TotalTagsCount)
	}

	g, err := st.CreateTagGroup(ctx, pleo.TagGroup{CompanyID: dk[0], Name: "Departments", Code: "DEP"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID == "" || !g.CreatedAt.Equal(resNow) || g.Metadata == nil {
		t.Errorf("created %+v", g)
	}
	later := resNow.Add(time.Hour)
	up, err := st.UpdateTagGroup(ctx, dk, pleo.TagGroup{ID: g.ID, Name: "Depts", Code: "DEPT", Archived: true,
		Metadata: map[string]string{"erp": "x"}}, later)
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Depts" || up.Code != "DEPT" || !up.Archived || up.Metadata["erp"] != "x" ||
		!up.UpdatedAt.Equal(later) || !up.CreatedAt.Equal(resNow) || up.CompanyID != dk[0] {
		t.Errorf("updated %+v", up)
	}
	if active, _ := st.ListTagGroups(ctx, dk, false, false); len(active) != 2 {
		t.Errorf("archived group listed without include_archived: %d", len(active))
	}
	if withArchived, _ := st.ListTagGroups(ctx, dk, true, false); len(withArchived) != 3 {
		t.Errorf("include_archived lists %d", len(withArchived))
	}

	// Isolation: a Danish group is not found for Sweden.
	if _, err := st.TagGroup(ctx, se, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TagGroup(se) = %v", err)
	}
	if _, err := st.UpdateTagGroup(ctx, se, up, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateTagGroup(se) = %v", err)
	}
	if err := st.DeleteTagGroup(ctx, se, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteTagGroup(se) = %v", err)
	}
	if _, err := st.CreateTagGroup(ctx, pleo.TagGroup{CompanyID: "no-such-company", Name: "x", Code: "x"}, resNow); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("group of unknown company: %v", err)
	}

	// Deleting a group deletes its tags.
	tag, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: g.ID, Code: "D1", Name: "Finance"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteTagGroup(ctx, dk, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TagGroup(ctx, dk, g.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted group: %v", err)
	}
	if _, err := st.Tag(ctx, dk, tag.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("tag of deleted group: %v", err)
	}
}

func TestTagsCRUD(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	groups, _ := st.ListTagGroups(ctx, dk, true, false)
	gid := groups[0].ID

	tag, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: gid, Code: "NEW-1", Name: "New project"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Tag(ctx, dk, tag.ID)
	if err != nil || got.Code != "NEW-1" || got.Name != "New project" || got.GroupID != gid || !got.UpdatedAt.Equal(resNow) {
		t.Fatalf("Tag = %+v, %v", got, err)
	}
	if _, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: gid, Code: "NEW-1"}, resNow); !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate code: %v", err)
	}
	if _, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: groups[1].ID, Code: "NEW-1"}, resNow); err != nil {
		t.Errorf("same code in another group: %v", err)
	}
	if _, err := st.CreateTag(ctx, se, pleo.Tag{GroupID: gid, Code: "SE-1"}, resNow); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("tag in a foreign group: %v", err)
	}

	// Update: nil name keeps it; a code taken in the group conflicts.
	later := resNow.Add(time.Minute)
	up, err := st.UpdateTag(ctx, dk, tag.ID, store.TagUpdate{Code: "NEW-2", Archived: true}, later)
	if err != nil || up.Name != "New project" || up.Code != "NEW-2" || !up.Archived || !up.UpdatedAt.Equal(later) {
		t.Fatalf("UpdateTag = %+v, %v", up, err)
	}
	name := "Renamed"
	up, err = st.UpdateTag(ctx, dk, tag.ID, store.TagUpdate{Code: "NEW-2", Name: &name}, later)
	if err != nil || up.Name != "Renamed" || up.Archived {
		t.Fatalf("UpdateTag with name = %+v, %v", up, err)
	}
	taken := groups[0].Code + "-01" // a seeded tag of the same group
	if _, err := st.UpdateTag(ctx, dk, tag.ID, store.TagUpdate{Code: taken}, later); !errors.Is(err, store.ErrConflict) {
		t.Errorf("code %s taken: %v", taken, err)
	}
	if _, err := st.UpdateTag(ctx, se, tag.ID, store.TagUpdate{Code: "X"}, later); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateTag(se) = %v", err)
	}
	if _, err := st.Tag(ctx, se, tag.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Tag(se) = %v", err)
	}
	if err := st.DeleteTag(ctx, se, tag.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteTag(se) = %v", err)
	}
	if err := st.DeleteTag(ctx, dk, tag.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Tag(ctx, dk, tag.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted tag: %v", err)
	}
}

func TestListTagsFiltersAndPages(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	groups, _ := st.ListTagGroups(ctx, dk, true, false)
	list := func(f store.TagFilter) []pleo.Tag {
		t.Helper()
		page, err := st.ListTags(ctx, dk, f, store.KeysetQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
	yes, no := true, false
	if n := len(list(store.TagFilter{})); n != 10 {
		t.Errorf("active tags: %d, want 10", n)
	}
	if n := len(list(store.TagFilter{IncludeArchived: true})); n != 11 {
		t.Errorf("all tags: %d, want 11", n)
	}
	if n := len(list(store.TagFilter{Archived: &yes, IncludeArchived: false})); n != 1 {
		t.Errorf("archived only: %d, want 1", n)
	}
	if n := len(list(store.TagFilter{Archived: &no, IncludeArchived: true})); n != 10 {
		t.Errorf("archived=false overrides includeArchived: %d", n)
	}
	byGroup := list(store.TagFilter{GroupIDs: []string{groups[1].ID}})
	for _, tg := range byGroup {
		if tg.GroupID != groups[1].ID {
			t.Errorf("tag of group %s in a list of %s", tg.GroupID, groups[1].ID)
		}
	}
	if text := list(store.TagFilter{Text: "r&d"}); len(text) != 1 || text[0].Name != "R&D" {
		t.Errorf("text search: %+v", text)
	}
	if code := list(store.TagFilter{Text: "cc-0"}); len(code) != 5 {
		t.Errorf("text search on code: %d", len(code))
	}
	if one := list(store.TagFilter{TagIDs: []string{byGroup[0].ID}}); len(one) != 1 {
		t.Errorf("by tag ID: %d", len(one))
	}
	if page, _ := st.ListTags(ctx, se, store.TagFilter{GroupIDs: []string{groups[0].ID}}, store.KeysetQuery{}); len(page.Items) != 0 {
		t.Errorf("Sweden sees Danish tags: %d", len(page.Items))
	}

	ids := walkKeyset(t, 3, false, tagID, func(q store.KeysetQuery) (store.KeysetPage[pleo.Tag], error) {
		return st.ListTags(ctx, dkse, store.TagFilter{IncludeArchived: true}, q)
	})
	if len(ids) != 22 {
		t.Errorf("walk over both companies saw %d tags, want 22", len(ids))
	}
}
