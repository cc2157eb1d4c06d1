package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Helpers shared by the tests of the tag, tax-code, vendor, account and
// export-job stores.

// resAnchor is the seed day of these tests; resNow is "now" in them.
var (
	resAnchor = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	resNow    = resAnchor.Add(9 * time.Hour)
	dk        = []string{seed.DenmarkID}
	se        = []string{seed.SwedenID}
	dkse      = []string{seed.DenmarkID, seed.SwedenID}
)

// openResourceStore opens a fresh database with the demo data, and a
// second, plain connection to it for checks the store API does not offer.
func openResourceStore(t *testing.T) (*store.Store, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://localhost:8080", Anchor: resAnchor})
	}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return st, db
}

// walkKeyset pages through a whole list with page size limit, forwards
// from the top and then backwards from the last page, and checks that both
// walks return every item exactly once, in the same order, with consistent
// HasNext, HasPrevious and Total. It returns the IDs in list order.
func walkKeyset[T any](t *testing.T, limit int, desc bool, id func(T) string,
	list func(store.KeysetQuery) (store.KeysetPage[T], error)) []string {
	t.Helper()
	var forward []string
	q := store.KeysetQuery{Limit: limit, Desc: desc}
	var last store.KeysetPage[T]
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("forward walk does not end")
		}
		page, err := list(q)
		if err != nil {
			t.Fatal(err)
		}
		if page.HasPrevious != (pages > 0) {
			t.Fatalf("forward page %d: HasPrevious = %v", pages, page.HasPrevious)
		}
		if len(page.Items) > limit || (page.More && len(page.Items) != limit) {
			t.Fatalf("forward page %d has %d items (limit %d, more %v)", pages, len(page.Items), limit, page.More)
		}
		for _, it := range page.Items {
			forward = append(forward, id(it))
		}
		last = page
		if !page.More {
			if page.HasNext {
				t.Fatal("last forward page says HasNext")
			}
			break
		}
		end := page.End
		q = store.KeysetQuery{Limit: limit, Desc: desc, After: &end}
	}
	if len(forward) != last.Total {
		t.Fatalf("forward walk saw %d items, Total says %d", len(forward), last.Total)
	}
	seen := map[string]bool{}
	for _, x := range forward {
		if seen[x] {
			t.Fatalf("item %s returned twice", x)
		}
		seen[x] = true
	}

	// Backwards from the last page: before its first item, and so on.
	var backward []string
	for i := len(last.Items) - 1; i >= 0; i-- {
		backward = append(backward, id(last.Items[i]))
	}
	page := last
	for pages := 0; page.HasPrevious && len(page.Items) > 0; pages++ {
		if pages > 1000 {
			t.Fatal("backward walk does not end")
		}
		start := page.Start
		var err error
		page, err = list(store.KeysetQuery{Limit: limit, Desc: desc, Before: &start})
		if err != nil {
			t.Fatal(err)
		}
		if !page.HasNext {
			t.Fatal("backward page says !HasNext")
		}
		if page.More != page.HasPrevious {
			t.Fatal("backward page: More != HasPrevious")
		}
		for i := len(page.Items) - 1; i >= 0; i-- {
			backward = append(backward, id(page.Items[i]))
		}
	}
	slices.Reverse(backward)
	if !slices.Equal(forward, backward) {
		t.Fatalf("forward and backward walks differ:\n%v\n%v", forward, backward)
	}
	return forward
}

// TestKeysetLimits checks the clamping of the page size.
func TestKeysetLimits(t *testing.T) {
	st, _ := openResourceStore(t)
	ctx := context.Background()
	for _, c := range []struct{ limit, want int }{{0, 11}, {-5, 11}, {3, 3}, {1000, 11}} {
		page, err := st.ListTags(ctx, dk, store.TagFilter{IncludeArchived: true}, store.KeysetQuery{Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != c.want || page.Total != 11 {
			t.Errorf("limit %d: %d items of %d", c.limit, len(page.Items), page.Total)
		}
	}
	// Desc reverses the order.
	asc := walkKeyset(t, 4, false, tagID, func(q store.KeysetQuery) (store.KeysetPage[pleo.Tag], error) {
		return st.ListTags(ctx, dk, store.TagFilter{IncludeArchived: true}, q)
	})
	desc := walkKeyset(t, 4, true, tagID, func(q store.KeysetQuery) (store.KeysetPage[pleo.Tag], error) {
		return st.ListTags(ctx, dk, store.TagFilter{IncludeArchived: true}, q)
	})
	slices.Reverse(desc)
	if !slices.Equal(asc, desc) {
		t.Errorf("descending is not the reverse of ascending:\n%v\n%v", asc, desc)
	}
}
