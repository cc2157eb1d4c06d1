package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// This file holds keyset pagination, shared by every list the mock API
// serves. A list is ordered by sort keys ending in the row's unique id; a
// Position is the values of those keys for one row, so "the rows after this
// one" is a WHERE clause, never an OFFSET, and pages stay exact while rows
// are added or removed.

// Sort is one key of a list's order. Key is the API's name for it (for
// example "performedAt"); each list maps its keys to columns.
type Sort struct {
	Key        string
	Desc       bool
	NullsFirst bool
}

// TiebreakKey is the sort key every order must contain: the row's id.
const TiebreakKey = "id"

// WithTiebreak returns order with "id ASC" appended unless it already
// sorts by id, so that the order is total.
func WithTiebreak(order []Sort) []Sort {
	if slices.ContainsFunc(order, func(s Sort) bool { return s.Key == TiebreakKey }) {
		return order
	}
	return append(slices.Clip(order), Sort{Key: TiebreakKey})
}

// Position is one row's place in an order: the value of each sort key, in
// order. Values are strings, or nil for NULL.
type Position []any

// PageRequest asks for one page of a list. At most one of After and Before
// is set; Offset is only used when neither is.
type PageRequest struct {
	Order  []Sort   // must contain TiebreakKey (see WithTiebreak)
	After  Position // rows strictly after this position
	Before Position // rows strictly before this position
	Offset int64
	Limit  int
}

// Page is one page of a list, in the requested order.
type Page[T any] struct {
	Items       []T
	Positions   []Position // Positions[i] is the position of Items[i]
	HasNext     bool
	HasPrevious bool
	Total       int64 // rows matching the filters, on every page
}

// ErrBadPosition is returned when a position does not fit the order (a
// cursor made for another sort order, or a forged one).
var ErrBadPosition = errors.New("position does not match the sort order")

// listQuery describes one paged list: the columns scan reads, the tables,
// the filters, and the SQL expression behind each sort key.
type listQuery struct {
	columns  string
	from     string
	where    []string
	args     []any
	sortable map[string]string
}

// filter adds one WHERE condition with its arguments.
func (q *listQuery) filter(cond string, args ...any) {
	q.where = append(q.where, cond)
	q.args = append(q.args, args...)
}

// filterIn adds "expr IN (...)" for a non-empty list of values.
func (q *listQuery) filterIn(expr string, values []string) {
	if len(values) == 0 {
		return
	}
	q.filter(expr+" IN ("+placeholders(len(values))+")", anySlice(values)...)
}

// listPage runs q for one page. Sort keys the list does not know are a
// programming error (the API validates them first).
func listPage[T any](ctx context.Context, s *Store, q listQuery, req PageRequest,
	scan func(interface{ Scan(...any) error }) (T, error)) (Page[T], error) {
	var page Page[T]
	cols := make([]string, len(req.Order))
	for i, o := range req.Order {
		col, ok := q.sortable[o.Key]
		if !ok {
			return page, fmt.Errorf("list: unknown sort key %q", o.Key)
		}
		cols[i] = col
	}
	if !slices.ContainsFunc(req.Order, func(s Sort) bool { return s.Key == TiebreakKey }) {
		return page, errors.New("list: order lacks the id tiebreak")
	}
	if req.After != nil && req.Before != nil {
		return page, errors.New("list: both after and before")
	}
	if req.Limit < 1 {
		return page, errors.New("list: limit must be positive")
	}
	backwards := req.Before != nil
	pos := req.After
	order := req.Order
	if backwards {
		pos, order = req.Before, reverseOrder(req.Order)
	}
	if pos != nil && len(pos) != len(order) {
		return page, ErrBadPosition
	}
	for _, v := range pos {
		if _, ok := v.(string); v != nil && !ok {
			return page, ErrBadPosition
		}
	}

	where, args := slices.Clone(q.where), slices.Clone(q.args)
	if pos != nil {
		cond, cargs := keysetAfter(cols, order, pos, false)
		where, args = append(where, cond), append(args, cargs...)
	}
	query := "SELECT " + q.columns + ", " + strings.Join(cols, ", ") + " " + q.from + whereClause(where) +
		" ORDER BY " + orderClause(cols, order) + " LIMIT ? OFFSET ?"
	offset := int64(0)
	if pos == nil {
		offset = req.Offset
	}
	rows, err := s.query(ctx, query, append(args, req.Limit+1, offset)...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		key := make(Position, len(cols))
		dst := make([]any, len(cols))
		for i := range key {
			dst[i] = &key[i]
		}
		item, err := scan(withExtra{rows, dst})
		if err != nil {
			return page, err
		}
		page.Items, page.Positions = append(page.Items, item), append(page.Positions, key)
	}
	if err := rows.Err(); err != nil {
		return page, err
	}
	more := len(page.Items) > req.Limit
	if more {
		page.Items, page.Positions = page.Items[:req.Limit], page.Positions[:req.Limit]
	}
	for i, p := range page.Positions {
		page.Positions[i] = normalisePosition(p)
	}

	// Is there anything on the other side of the cursor (or the offset)?
	other := offset > 0
	if pos != nil {
		cond, cargs := keysetAfter(cols, reverseOrder(order), pos, true)
		err := s.queryRow(ctx, "SELECT EXISTS (SELECT 1 "+q.from+whereClause(append(slices.Clone(q.where), cond))+")",
			append(slices.Clone(q.args), cargs...)...).Scan(&other)
		if err != nil {
			return page, err
		}
	}
	page.HasNext, page.HasPrevious = more, other
	if backwards {
		slices.Reverse(page.Items)
		slices.Reverse(page.Positions)
		page.HasNext, page.HasPrevious = other, more
	}
	err = s.queryRow(ctx, "SELECT count(*) "+q.from+whereClause(q.where), q.args...).Scan(&page.Total)
	return page, err
}

// keysetAfter returns the condition "the row comes after pos in order" (or
// "at or after" when inclusive), expanded as
// (k1 after) OR (k1 = v1 AND k2 after) OR ..., with NULLs placed as order says.
func keysetAfter(cols []string, order []Sort, pos Position, inclusive bool) (string, []any) {
	var terms []string
	var args []any
	var eq []string
	var eqArgs []any
	for i, col := range cols {
		after, aargs := strictlyAfter(col, order[i], pos[i])
		terms = append(terms, "("+strings.Join(append(slices.Clone(eq), after), " AND ")+")")
		args = append(append(args, eqArgs...), aargs...)
		eq, eqArgs = append(eq, col+" IS ?"), append(eqArgs, pos[i])
	}
	if inclusive {
		terms = append(terms, "("+strings.Join(eq, " AND ")+")")
		args = append(args, eqArgs...)
	}
	return "(" + strings.Join(terms, " OR ") + ")", args
}

// strictlyAfter returns "col comes strictly after v" for one key.
func strictlyAfter(col string, o Sort, v any) (string, []any) {
	if v == nil {
		if o.NullsFirst {
			return col + " IS NOT NULL", nil
		}
		return "0", nil // nothing comes after the NULLs at the end
	}
	cmp := col + " > ?"
	if o.Desc {
		cmp = col + " < ?"
	}
	if o.NullsFirst {
		return cmp, []any{v}
	}
	return "(" + cmp + " OR " + col + " IS NULL)", []any{v}
}

func reverseOrder(order []Sort) []Sort {
	out := make([]Sort, len(order))
	for i, o := range order {
		out[i] = Sort{Key: o.Key, Desc: !o.Desc, NullsFirst: !o.NullsFirst}
	}
	return out
}

func orderClause(cols []string, order []Sort) string {
	parts := make([]string, len(cols))
	for i, col := range cols {
		dir, nulls := " ASC", " NULLS LAST"
		if order[i].Desc {
			dir = " DESC"
		}
		if order[i].NullsFirst {
			nulls = " NULLS FIRST"
		}
		parts[i] = col + dir + nulls
	}
	return strings.Join(parts, ", ")
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// normalisePosition turns the driver's []byte values into strings.
func normalisePosition(p Position) Position {
	for i, v := range p {
		if b, ok := v.([]byte); ok {
			p[i] = string(b)
		}
	}
	return p
}

// withExtra scans a row's leading columns with the caller's destinations
// and the trailing sort-key columns into extra.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// sortKeys returns the keys of a list's sortable map, sorted.
func sortKeys(columns map[string]string) []string {
	keys := make([]string, 0, len(columns))
	for k := range columns {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anySlice(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}
