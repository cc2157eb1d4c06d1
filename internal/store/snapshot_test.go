package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func TestSnapshotRestoresRowsAndKeepsKeysAndSettings(t *testing.T) {
	ctx := context.Background()
	st, _ := openResourceStore(t)
	snapshot := filepath.Join(t.TempDir(), "snap.db")
	if err := st.SaveSnapshot(ctx, snapshot); err != nil {
		t.Fatal(err)
	}
	want, err := st.TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(ctx, func(tx *store.Tx) error {
		if err := seed.Generate(ctx, tx, seed.DenmarkID, seed.GenerateOptions{Count: 100, Seed: 3, Until: resAnchor}); err != nil {
			return err
		}
		if err := tx.DeleteCompany(ctx, seed.SwedenID, resNow); err != nil {
			return err
		}
		return tx.SetSetting(ctx, "kept", "yes")
	})
	if err != nil {
		t.Fatal(err)
	}
	before := st.WriteGeneration()
	if err := st.RestoreSnapshot(ctx, snapshot); err != nil {
		t.Fatal(err)
	}
	if st.WriteGeneration() == before {
		t.Error("a restore does not count as a write: read caches would serve the old rows")
	}
	got, err := st.TableHashes(ctx, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	for table, h := range want {
		if table != "emulator_settings" && got[table] != h {
			t.Errorf("table %s differs after the restore", table)
		}
	}
	if got["emulator_settings"] == want["emulator_settings"] {
		t.Error("the restore replaced the emulator settings; a reset keeps them")
	}
	// The store still writes after a restore (the snapshot is detached).
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "again", "yes") }); err != nil {
		t.Fatal(err)
	}
	if err := st.RestoreSnapshot(ctx, snapshot); err != nil {
		t.Fatalf("second restore: %v", err)
	}
}
