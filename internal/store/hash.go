package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// TableHashes returns a SHA-256 over every row of every table (in primary
// key order), keyed by table name; tables in skip are left out. Two databases
// with equal hashes hold equal data. Tests and the reset check use it.
func (s *Store) TableHashes(ctx context.Context, skip ...string) (map[string]string, error) {
	tables, err := queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (string, error) {
		var name string
		return name, row.Scan(&name)
	}, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, table := range tables {
		if slices.Contains(skip, table) {
			continue
		}
		rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT * FROM %q ORDER BY 1`, table))
		if err != nil {
			return nil, err
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			for _, v := range vals {
				fmt.Fprintf(h, "%T:%v\x1f", v, v)
			}
			h.Write([]byte{'\n'})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		out[table] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

// Count returns the number of rows in table (for tests and reports).
func (s *Store) Count(ctx context.Context, table string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, table)).Scan(&n)
	return n, err
}
