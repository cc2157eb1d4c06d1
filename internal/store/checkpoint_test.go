package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The writer's commits never checkpoint, yet the WAL does not grow without
// bound: the checkpointer copies it into the database, and SQLite then
// writes the WAL from its start again.
func TestTheCheckpointerKeepsTheWALBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var autocheckpoint int
	if err := st.Write(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&autocheckpoint)
	}); err != nil {
		t.Fatal(err)
	}
	if autocheckpoint != 0 {
		t.Fatalf("the writer checkpoints every %d pages; want it never to", autocheckpoint)
	}

	const writes, size = 40, 128 << 10 // 5 MiB in all
	data := strings.Repeat("x", size)
	for i := range writes {
		if err := st.Write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, qInsertEvent, NewUUID(), "v1.vendor.created", "company", data, formatTime(time.Now()))
			return err
		}); err != nil {
			t.Fatal(i, err)
		}
		time.Sleep(2 * checkpointEvery / 3)
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() >= writes*size/2 {
		t.Fatalf("the WAL holds %d bytes after %d bytes written: it is not checkpointed", fi.Size(), writes*size)
	}
}
