package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite's automatic checkpoint runs inside the commit that takes the WAL
// past 1,000 pages: that commit copies the WAL into the database file and
// syncs it while every queued write waits behind it. A busy token endpoint
// filled 1,000 pages several times a second, so a few of its requests in
// every second waited tens of milliseconds for a checkpoint. The writer's
// connection therefore never checkpoints (wal_autocheckpoint(0) in its DSN);
// a checkpointer on a connection of its own does, in PASSIVE mode, which
// takes no lock a writer or reader waits for
// (https://sqlite.org/c3ref/wal_checkpoint_v2.html). Closing the last
// connection still checkpoints the rest and removes the WAL.

// checkpointEvery is how often the checkpointer copies the WAL into the
// database, when anything was written since the last time.
const checkpointEvery = 100 * time.Millisecond

// checkpointer copies committed WAL pages into the database file.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
}

// startCheckpointer opens the checkpointer's connection with dsn and starts it.
func (s *Store) startCheckpointer(ctx context.Context, dsn string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return err
	}
	s.ckpt = &checkpointer{db: db, stop: make(chan struct{})}
	s.ckpt.done.Go(func() {
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		var last uint64
		for {
			select {
			case <-s.ckpt.stop:
				return
			case <-tick.C:
			}
			if gen := s.generation.Load(); gen != last {
				last = gen
				// A failure (such as SQLITE_BUSY while a reset copies the
				// database) leaves the pages for the next turn.
				_, _ = db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	})
	return nil
}

// stopCheckpointer stops the checkpointer and closes its connection.
func (s *Store) stopCheckpointer() error {
	if s.ckpt == nil {
		return nil
	}
	close(s.ckpt.stop)
	s.ckpt.done.Wait()
	return s.ckpt.db.Close()
}
