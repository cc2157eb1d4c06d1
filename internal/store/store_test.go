package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestMigrationsApplyTwiceWithoutChange(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.TableHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Ready(ctx); err != nil {
		t.Fatalf("ready after first open: %v", err)
	}
	st.Close()
	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	defer st.Close()
	second, err := st.TableHashes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("tables changed: %d then %d", len(first), len(second))
	}
	for table, h := range first {
		if second[table] != h {
			t.Errorf("table %s changed when migrations ran again", table)
		}
	}
}

// TestMemoryDatabaseSharedAcrossConnections checks that ":memory:" is one
// database for the writer and every reader, not one per connection.
func TestMemoryDatabaseSharedAcrossConnections(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertOrganization(ctx, pleo.Organization{ID: "o1", Name: "Org"})
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := st.Organization(ctx, "o1"); err != nil {
				t.Errorf("reader does not see the write: %v", err)
			}
		})
	}
	wg.Wait()
	// Readers keep working while a write transaction is open.
	if err := st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertOrganization(ctx, pleo.Organization{ID: "o2", Name: "Org 2"}); err != nil {
			return err
		}
		_, err := st.Organization(ctx, "o1")
		return err
	}); err != nil {
		t.Fatalf("read during a write transaction: %v", err)
	}
	other, err := store.Open(ctx, store.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Organization(ctx, "o1"); err == nil {
		t.Error("two in-memory stores share data; each must be private")
	}
}

func TestPathWithQueryIsRefused(t *testing.T) {
	if _, err := store.Open(context.Background(), "x.db?mode=ro"); err == nil {
		t.Fatal("a path with '?' was accepted")
	}
}
