package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func tagID(t pleo.Tag) string         { return t.ID }
func tagCreated(t pleo.Tag) time.Time { return t.CreatedAt }

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
	hiddenFromSweden(t, st.TagGroup, func() error {
		_, err := st.UpdateTagGroup(ctx, se, up, later)
		return err
	}, st.DeleteTagGroup, g.ID)
	if _, err := st.CreateTagGroup(ctx, pleo.TagGroup{CompanyID: "no-such-company", Name: "x", Code: "x"}, resNow); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("group of unknown company: %v", err)
	}

	// Deleting a group deletes its tags.
	tag, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: g.ID, Code: "D1", Name: "Finance"}, resNow)
	if err != nil {
		t.Fatal(err)
	}
	deleteAndGone(t, st.DeleteTagGroup, st.TagGroup, g.ID)
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
	hiddenFromSweden(t, st.Tag, func() error {
		_, err := st.UpdateTag(ctx, se, tag.ID, store.TagUpdate{Code: "X"}, later)
		return err
	}, st.DeleteTag, tag.ID)
	deleteAndGone(t, st.DeleteTag, st.Tag, tag.ID)
}

func TestListTagsFiltersAndPages(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	groups, _ := st.ListTagGroups(ctx, dk, true, false)
	list := firstPageOf(t, st.ListTags)
	yes, no := true, false
	if n := len(list(dk, store.TagFilter{})); n != 10 {
		t.Errorf("active tags: %d, want 10", n)
	}
	if n := len(list(dk, store.TagFilter{IncludeArchived: true})); n != 11 {
		t.Errorf("all tags: %d, want 11", n)
	}
	if n := len(list(dk, store.TagFilter{Archived: &yes, IncludeArchived: false})); n != 1 {
		t.Errorf("archived only: %d, want 1", n)
	}
	if n := len(list(dk, store.TagFilter{Archived: &no, IncludeArchived: true})); n != 10 {
		t.Errorf("archived=false overrides includeArchived: %d", n)
	}
	byGroup := list(dk, store.TagFilter{GroupIDs: []string{groups[1].ID}})
	for _, tg := range byGroup {
		if tg.GroupID != groups[1].ID {
			t.Errorf("tag of group %s in a list of %s", tg.GroupID, groups[1].ID)
		}
	}
	if text := list(dk, store.TagFilter{Text: "r&d"}); len(text) != 1 || text[0].Name != "R&D" {
		t.Errorf("text search: %+v", text)
	}
	if code := list(dk, store.TagFilter{Text: "cc-0"}); len(code) != 5 {
		t.Errorf("text search on code: %d", len(code))
	}
	if one := list(dk, store.TagFilter{TagIDs: []string{byGroup[0].ID}}); len(one) != 1 {
		t.Errorf("by tag ID: %d", len(one))
	}
	if page, _ := st.ListTags(ctx, se, store.TagFilter{GroupIDs: []string{groups[0].ID}}, firstPage(20)); len(page.Items) != 0 {
		t.Errorf("Sweden sees Danish tags: %d", len(page.Items))
	}

	tags := walkPages(t, byCreation, 3, tagID, func(req store.PageRequest) (store.Page[pleo.Tag], error) {
		return st.ListTags(ctx, dkse, store.TagFilter{IncludeArchived: true}, req)
	})
	if len(tags) != 22 || !inCreationOrder(tags, tagCreated, tagID, false) {
		t.Errorf("walk over both companies saw %d tags, want 22 in (createdAt, id) order", len(tags))
	}
}

// TestListTagsOrders walks the tags in each order the list accepts, checks
// that descending is ascending reversed and that an offset skips rows.
func TestListTagsOrders(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	// Rows created at different times, so createdAt decides before id.
	groups, _ := st.ListTagGroups(ctx, dk, true, false)
	for i := range 4 {
		if _, err := st.CreateTag(ctx, dk, pleo.Tag{GroupID: groups[1].ID, Code: "LATE-" + string(rune('A'+i))},
			resNow.Add(-time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	list := func(req store.PageRequest) (store.Page[pleo.Tag], error) {
		return st.ListTags(ctx, dk, store.TagFilter{IncludeArchived: true}, req)
	}
	asc := walkPages(t, byCreation, 4, tagID, list)
	if len(asc) != 15 || !inCreationOrder(asc, tagCreated, tagID, false) {
		t.Fatalf("ascending walk: %d tags, in order %v", len(asc), inCreationOrder(asc, tagCreated, tagID, false))
	}
	desc := walkPages(t, []store.Sort{{Key: "createdAt", Desc: true}, {Key: "id", Desc: true}}, 4, tagID, list)
	if !inCreationOrder(desc, tagCreated, tagID, true) {
		t.Error("descending walk is not in descending order")
	}
	slices.Reverse(desc)
	if !slices.Equal(desc, asc) {
		t.Error("descending is not ascending reversed")
	}
	byID := walkPages(t, store.WithTiebreak([]store.Sort{{Key: "id"}}), 5, tagID, list)
	if !slices.IsSortedFunc(byID, func(a, b pleo.Tag) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("sorting by id is not in id order")
	}

	page, err := list(store.PageRequest{Order: byCreation, Offset: 13, Limit: 5})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != asc[13].ID || !page.HasPrevious || page.HasNext || page.Total != 15 {
		t.Errorf("offset 13: %d items, previous %v, next %v, total %d, %v", len(page.Items), page.HasPrevious, page.HasNext, page.Total, err)
	}
	if _, err := list(store.PageRequest{Order: byCreation, After: store.Position{"x"}, Limit: 5}); !errors.Is(err, store.ErrBadPosition) {
		t.Errorf("a position of another order: %v", err)
	}
	// No visible company sees nothing, not everything.
	if page, err := st.ListTags(ctx, nil, store.TagFilter{IncludeArchived: true}, firstPage(100)); err != nil || page.Total != 0 {
		t.Errorf("no companies: %d tags, %v", page.Total, err)
	}
	if groups, err := st.ListTagGroups(ctx, nil, true, false); err != nil || len(groups) != 0 {
		t.Errorf("no companies: %d tag groups, %v", len(groups), err)
	}
}

// Pagination helpers shared by the tag, tax-code, vendor and account tests.

// byCreation is the default order of the tag, tax-code, vendor and account
// lists: createdAt, then id.
var byCreation = store.WithTiebreak([]store.Sort{{Key: "createdAt"}})

// firstPage asks for the first page of limit items in the default order.
func firstPage(limit int) store.PageRequest {
	return store.PageRequest{Order: byCreation, Limit: limit}
}

// hiddenFromSweden checks that Sweden's companies neither find, update
// nor delete Denmark's row id: get, updateAmongSweden (an update of the row
// among se) and remove all answer ErrNotFound.
func hiddenFromSweden[T any](t *testing.T, get func(context.Context, []string, string) (T, error),
	updateAmongSweden func() error, remove func(context.Context, []string, string) error, id string) {
	t.Helper()
	if _, err := get(context.Background(), se, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get among se: %v", err)
	}
	if err := updateAmongSweden(); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update among se: %v", err)
	}
	if err := remove(context.Background(), se, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete among se: %v", err)
	}
}

// deleteAndGone deletes row id among Denmark's companies with remove,
// failing the test on an error, and checks that get no longer finds it.
func deleteAndGone[T any](t *testing.T, remove func(context.Context, []string, string) error,
	get func(context.Context, []string, string) (T, error), id string) {
	t.Helper()
	if err := remove(context.Background(), dk, id); err != nil {
		t.Fatal(err)
	}
	if _, err := get(context.Background(), dk, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

// firstPageOf returns a function that asks search for the first page of
// 100 items of companies matching a filter, failing the test on an error.
func firstPageOf[F, T any](t *testing.T, search func(context.Context, []string, F, store.PageRequest) (store.Page[T], error)) func([]string, F) []T {
	return func(companies []string, f F) []T {
		t.Helper()
		page, err := search(context.Background(), companies, f, firstPage(100))
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}
}

// walkPages pages through a whole list in order with page size limit,
// forwards from the top (After the last position of each page) and then
// backwards from the last page (Before the first position), and checks that
// both walks return every item exactly once, in the same order, with
// consistent HasNext, HasPrevious and Total. It returns the items in list order.
func walkPages[T any](t *testing.T, order []store.Sort, limit int, id func(T) string,
	list func(store.PageRequest) (store.Page[T], error)) []T {
	t.Helper()
	var forward []T
	var pages []store.Page[T]
	req := store.PageRequest{Order: order, Limit: limit}
	for {
		if len(pages) > 1000 {
			t.Fatal("forward walk does not end")
		}
		page, err := list(req)
		if err != nil {
			t.Fatal(err)
		}
		if page.HasPrevious != (len(pages) > 0) {
			t.Fatalf("forward page %d: HasPrevious = %v", len(pages)+1, page.HasPrevious)
		}
		if len(page.Items) > limit || page.HasNext && len(page.Items) != limit || len(page.Positions) != len(page.Items) {
			t.Fatalf("forward page %d: %d items, %d positions (limit %d, next %v)", len(pages)+1, len(page.Items),
				len(page.Positions), limit, page.HasNext)
		}
		if len(pages) > 0 && page.Total != pages[0].Total {
			t.Fatalf("forward page %d: total %d, first page said %d", len(pages)+1, page.Total, pages[0].Total)
		}
		pages = append(pages, page)
		forward = append(forward, page.Items...)
		if !page.HasNext {
			break
		}
		req = store.PageRequest{Order: order, Limit: limit, After: page.Positions[len(page.Positions)-1]}
	}
	if int64(len(forward)) != pages[0].Total {
		t.Fatalf("forward walk saw %d items, Total says %d", len(forward), pages[0].Total)
	}
	seen := map[string]bool{}
	for _, it := range forward {
		if seen[id(it)] {
			t.Fatalf("item %s returned twice", id(it))
		}
		seen[id(it)] = true
	}

	backward := slices.Clone(pages[len(pages)-1].Items)
	page := pages[len(pages)-1]
	for n := 0; page.HasPrevious && len(page.Items) > 0; n++ {
		if n > 1000 {
			t.Fatal("backward walk does not end")
		}
		var err error
		page, err = list(store.PageRequest{Order: order, Limit: limit, Before: page.Positions[0]})
		if err != nil {
			t.Fatal(err)
		}
		if !page.HasNext || len(page.Items) == 0 || page.HasPrevious && len(page.Items) != limit ||
			len(page.Items) > limit || len(page.Positions) != len(page.Items) {
			t.Fatalf("backward page %d: %d items, %d positions (limit %d), next %v, previous %v", n+1, len(page.Items),
				len(page.Positions), limit, page.HasNext, page.HasPrevious)
		}
		backward = append(slices.Clone(page.Items), backward...)
	}
	ids := func(items []T) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = id(it)
		}
		return out
	}
	if !slices.Equal(ids(forward), ids(backward)) {
		t.Fatalf("forward and backward walks differ:\n%v\n%v", ids(forward), ids(backward))
	}
	return forward
}

// inCreationOrder reports whether items are in (createdAt, id) order,
// descending when desc.
func inCreationOrder[T any](items []T, created func(T) time.Time, id func(T) string, desc bool) bool {
	return slices.IsSortedFunc(items, func(a, b T) int {
		c := created(a).Compare(created(b))
		if c == 0 {
			c = strings.Compare(id(a), id(b))
		}
		if desc {
			return -c
		}
		return c
	})
}
