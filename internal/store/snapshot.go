package store

import (
	"context"
	"errors"

	"modernc.org/sqlite"
)

// This file copies the database to a snapshot file and back, so a reset to
// a large seed copies pages instead of generating the rows again. Both
// hold the single writer connection outside a transaction (VACUUM INTO and
// the backup API refuse to run inside one); write transactions queued
// meanwhile wait for it.

// keptRows are the tables whose rows a reset keeps (see DeleteAllData;
// the third, schema_migrations, is the same in a snapshot this process made).
var keptRows = []string{"signing_keys", "emulator_settings"}

// SaveSnapshot writes a copy of the whole database to path, a file that
// must not exist yet (VACUUM INTO). The copy holds secrets: put it in a
// private folder.
func (s *Store) SaveSnapshot(ctx context.Context, path string) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(uncancelled(ctx), `VACUUM INTO ?`, path)
	return err
}

// RestoreSnapshot replaces the database with the snapshot at path (made
// by SaveSnapshot from this database) by copying its pages (SQLite's
// backup API), then writes back the rows of the tables a reset keeps, the
// signing keys and the emulator settings, as they were before. Copying
// pages takes a tenth of the time of copying rows, which updates every
// index row by row. Readers see the snapshot's keys and settings between
// the copy and their write-back, a moment in which only a key rotated
// since the snapshot is missing.
func (s *Store) RestoreSnapshot(ctx context.Context, path string) error {
	ctx = uncancelled(ctx)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	kept := map[string][][]any{}
	for _, table := range keptRows {
		rows, err := conn.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			kept[table] = append(kept[table], vals)
		}
		rows.Close()
	}
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the driver cannot restore")
		}
		b, err := r.NewRestore("file:" + path)
		if err != nil {
			return err
		}
		for {
			more, err := b.Step(-1)
			if err != nil {
				b.Finish()
				return err
			}
			if !more {
				break
			}
		}
		return b.Finish()
	})
	if err != nil {
		return err
	}
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = sqlTx.Rollback() }()
	for table, rows := range kept {
		if _, err := sqlTx.ExecContext(ctx, `DELETE FROM "`+table+`"`); err != nil {
			return err
		}
		for _, vals := range rows {
			if _, err := sqlTx.ExecContext(ctx, `INSERT INTO "`+table+`" VALUES (`+placeholders(len(vals))+`)`, vals...); err != nil {
				return err
			}
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	s.generation.Add(1)
	return nil
}
