package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// TestDatabaseFilesArePrivate checks the modes of a new database, its WAL
// and shared-memory files (0600) and the folder the store creates (0700),
// under the common umask 022, which alone would give 0644 and 0755.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data", "emulator")
	path := filepath.Join(dir, "e.db")
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "probe", "1") }); err != nil { // the WAL and SHM files exist now
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), got)
		}
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != fs.FileMode(0o700) {
			t.Errorf("%s: mode %o, want 700", d, got)
		}
	}
}
