package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

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
