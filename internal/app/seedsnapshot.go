package app

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// seedSnapshot makes resets to the large demo seed fast: generating its
// 100,000 entries takes many seconds, so the database right after the seed
// is written is copied once per process to a private file, and later
// resets copy its pages back (store.RestoreSnapshot). The small seed is
// written again at every reset, as before.
type seedSnapshot struct {
	mu   sync.Mutex // one reset at a time
	dir  string     // private folder holding the snapshot, "" until one is saved
	path string
}

// wanted reports whether resets of cfg go through a snapshot.
func (s *seedSnapshot) wanted(cfg config.Config) bool {
	return cfg.Seed == "demo" && cfg.SeedSize == config.SeedLarge
}

// save copies the database, which must hold the seed state, to a new
// snapshot.
func (s *seedSnapshot) save(ctx context.Context, st *store.Store) error {
	dir, err := os.MkdirTemp("", "pleo-emulator-seed-")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "seed.db")
	if err := st.SaveSnapshot(ctx, path); err != nil {
		os.RemoveAll(dir)
		return err
	}
	s.remove()
	s.dir, s.path = dir, path
	return nil
}

// reset restores the seed state: from the snapshot when there is one, else
// with rewrite, after which the snapshot is saved for the next reset.
func (s *seedSnapshot) reset(ctx context.Context, st *store.Store, rewrite func(context.Context) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path != "" {
		return st.RestoreSnapshot(ctx, s.path)
	}
	if err := rewrite(ctx); err != nil {
		return err
	}
	return s.save(ctx, st)
}

// remove deletes the snapshot's folder.
func (s *seedSnapshot) remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir, s.path = "", ""
	}
}

// largeSeedEntries is how many entries the seed generates in Acme Denmark
// on top of the small seed's: none for the small seed.
func (a *App) largeSeedEntries() int {
	switch {
	case a.Config.SeedSize != config.SeedLarge:
		return 0
	case a.Config.LargeSeedEntries > 0:
		return a.Config.LargeSeedEntries
	}
	return seed.LargeSeedEntries
}
