package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// This file copies the database's rows to a snapshot file and back, so a
// reset to a large seed restores rows inside SQLite instead of generating
// them again. Both hold the single writer connection outside a transaction
// (ATTACH and VACUUM INTO refuse to run inside one); write transactions
// queued meanwhile wait for it.

// keptTables are the tables a reset leaves alone (see DeleteAllData).
const keptTables = `'schema_migrations', 'signing_keys', 'emulator_settings'`

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

// RestoreSnapshot replaces the rows of every table but the migration
// record, the signing keys and the emulator settings with the rows of the
// snapshot at path (made by SaveSnapshot from this database), in one
// transaction.
func (s *Store) RestoreSnapshot(ctx context.Context, path string) (err error) {
	ctx = uncancelled(ctx)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS snapshot`, path); err != nil {
		return fmt.Errorf("attach snapshot: %w", err)
	}
	defer func() {
		_, detach := conn.ExecContext(ctx, `DETACH DATABASE snapshot`)
		err = errors.Join(err, detach)
	}()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = sqlTx.Rollback() }()
	tx := &Tx{tx: writeTx{sqlTx}}
	if err := tx.DeleteAllData(ctx); err != nil {
		return err
	}
	tables, err := parentsFirst(ctx, sqlTx)
	if err != nil {
		return err
	}
	for _, table := range tables {
		if _, err := sqlTx.ExecContext(ctx, `INSERT INTO main."`+table+`" SELECT * FROM snapshot."`+table+`"`); err != nil {
			return fmt.Errorf("restore %s: %w", table, err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	s.generation.Add(1)
	return nil
}

// parentsFirst lists the snapshot's tables but keptTables, every table
// after the tables its foreign keys refer to, so that each copied row finds
// its parent already there.
func parentsFirst(ctx context.Context, tx *sql.Tx) ([]string, error) {
	type edge struct{ table, parent string }
	edges, err := queryList(ctx, tx, func(row interface{ Scan(...any) error }) (edge, error) {
		var e edge
		var parent sql.NullString
		err := row.Scan(&e.table, &parent)
		e.parent = parent.String
		return e, err
	}, `SELECT m.name, f."table" FROM snapshot.sqlite_schema m LEFT JOIN pragma_foreign_key_list(m.name, 'snapshot') f
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT IN (`+keptTables+`) ORDER BY m.name`)
	if err != nil {
		return nil, err
	}
	parents := map[string][]string{}
	var names []string
	for _, e := range edges {
		if _, seen := parents[e.table]; !seen {
			names = append(names, e.table)
			parents[e.table] = nil
		}
		if e.parent != "" && e.parent != e.table {
			parents[e.table] = append(parents[e.table], e.parent)
		}
	}
	var order []string
	placed := map[string]bool{}
	var place func(name string, depth int) error
	place = func(name string, depth int) error {
		if placed[name] {
			return nil
		}
		if depth > len(names) {
			return fmt.Errorf("foreign keys form a cycle through %s", name)
		}
		for _, p := range parents[name] {
			if _, known := parents[p]; known {
				if err := place(p, depth+1); err != nil {
					return err
				}
			}
		}
		placed[name] = true
		order = append(order, name)
		return nil
	}
	for _, name := range names {
		if err := place(name, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}
