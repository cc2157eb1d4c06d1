package store

import (
	"context"
	"slices"
	"strings"
)

// This file holds the keyset pagination of the tag, tax-code, vendor,
// chart-of-accounts and export lists. Each list has one fixed order: a text
// sort value, then the row's ID as the tiebreak. A KeysetPos is one row's
// place in that order; the API layer turns positions into opaque cursors.

// Keyset page sizes: the default when a query has none, and the cap.
const (
	KeysetDefaultLimit = 20
	KeysetMaxLimit     = 100
)

// KeysetPos is a row's place in a list's order: its sort value and its ID.
type KeysetPos struct {
	Value string
	ID    string
}

// KeysetQuery asks for one page. After walks forwards from a position and
// Before walks backwards to it; with neither the page starts at the top.
// Limit is clamped to 1..KeysetMaxLimit (0 means KeysetDefaultLimit). Desc
// reverses the list's order.
type KeysetQuery struct {
	After, Before *KeysetPos
	Limit         int
	Desc          bool
}

// KeysetPage is one page, in list order. HasNext and HasPrevious say
// whether rows exist after the last item and before the first, whichever
// way the page was walked; More is the one of them in the walking
// direction. Start and End are the positions of the first and last item.
type KeysetPage[T any] struct {
	Items       []T
	Start, End  KeysetPos
	HasNext     bool
	HasPrevious bool
	More        bool
	Total       int
}

func (q KeysetQuery) limit() int {
	switch {
	case q.Limit <= 0:
		return KeysetDefaultLimit
	case q.Limit > KeysetMaxLimit:
		return KeysetMaxLimit
	}
	return q.Limit
}

// ksWhere collects the AND-ed conditions of a list and their arguments.
type ksWhere struct {
	conds []string
	args  []any
}

// add appends one condition.
func (w *ksWhere) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in appends "expr IN (values)"; an empty set matches nothing. Use it for
// the companies a caller may see.
func (w *ksWhere) in(expr string, values []string) {
	if len(values) == 0 {
		w.add("0")
		return
	}
	w.add(expr+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")+")", ksArgs(values)...)
}

// filterIn appends "expr IN (values)" unless values is empty (no filter).
func (w *ksWhere) filterIn(expr string, values []string) {
	if len(values) > 0 {
		w.in(expr, values)
	}
}

func (w *ksWhere) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func ksArgs(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// ksList describes one list: the columns its scan reads, FROM with joins,
// the filters, and the SQL expressions of its sort value and ID.
type ksList struct {
	columns, from string
	where         ksWhere
	sort, id      string
}

// ksPage runs list l for query q on the reader pool.
func ksPage[T any](ctx context.Context, s *Store, l ksList, q KeysetQuery,
	scan func(interface{ Scan(...any) error }) (T, error)) (KeysetPage[T], error) {
	page := KeysetPage[T]{Items: []T{}} // encodes as [], never null
	limit := q.limit()
	backwards := q.Before != nil
	desc := q.Desc != backwards // the direction rows are read in
	w := l.where
	w.conds, w.args = slices.Clone(w.conds), slices.Clone(w.args)
	if q.After != nil {
		w.add(ksCompare(l, !q.Desc, false), q.After.Value, q.After.ID)
	}
	if q.Before != nil {
		w.add(ksCompare(l, q.Desc, false), q.Before.Value, q.Before.ID)
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	query := "SELECT " + l.sort + ", " + l.id + ", " + l.columns + " " + l.from + w.sql() +
		" ORDER BY " + l.sort + dir + ", " + l.id + dir + " LIMIT ?"
	rows, err := s.r.QueryContext(ctx, query, append(w.args, limit+1)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	var positions []KeysetPos
	for rows.Next() {
		var pos KeysetPos
		item, err := scan(ksScanner{rows, &pos})
		if err != nil {
			return page, err
		}
		page.Items, positions = append(page.Items, item), append(positions, pos)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	page.More = len(page.Items) > limit
	if page.More {
		page.Items, positions = page.Items[:limit], positions[:limit]
	}
	if backwards {
		slices.Reverse(page.Items)
		slices.Reverse(positions)
	}
	if len(positions) > 0 {
		page.Start, page.End = positions[0], positions[len(positions)-1]
	}
	// Rows on the other side of the cursor the page was walked from.
	other := false
	if from := ksFrom(q); from != nil {
		ow := l.where
		ow.conds, ow.args = slices.Clone(ow.conds), slices.Clone(ow.args)
		ow.add(ksCompare(l, backwards != q.Desc, true), from.Value, from.ID)
		if err := s.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 "+l.from+ow.sql()+")", ow.args...).Scan(&other); err != nil {
			return page, err
		}
	}
	page.HasNext, page.HasPrevious = page.More, other
	if backwards {
		page.HasNext, page.HasPrevious = other, page.More
	}
	err = s.r.QueryRowContext(ctx, "SELECT count(*) "+l.from+l.where.sql(), l.where.args...).Scan(&page.Total)
	return page, err
}

// ksFrom is the cursor a page is walked from.
func ksFrom(q KeysetQuery) *KeysetPos {
	if q.Before != nil {
		return q.Before
	}
	return q.After
}

// ksCompare is "(sort, id) > (?, ?)" when greater, else "<"; inclusive
// adds "=".
func ksCompare(l ksList, greater, inclusive bool) string {
	op := " <"
	if greater {
		op = " >"
	}
	if inclusive {
		op += "="
	}
	return "(" + l.sort + ", " + l.id + ")" + op + " (?, ?)"
}

// ksScanner scans a row's two leading columns into a position and the rest
// into the caller's destinations.
type ksScanner struct {
	row interface{ Scan(...any) error }
	pos *KeysetPos
}

func (k ksScanner) Scan(dest ...any) error {
	return k.row.Scan(append([]any{&k.pos.Value, &k.pos.ID}, dest...)...)
}
