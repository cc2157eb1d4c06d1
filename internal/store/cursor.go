package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// This file holds keyset pagination and the filters of lists, shared by
// every list the mock API serves, and the company scoping that binds reads
// and writes to the companies a caller may see. A list is ordered by sort
// keys ending in the row's unique id; a Position is the values of those
// keys for one row, so "the rows after this one" is a WHERE clause, never
// an OFFSET, and pages stay exact while rows are added or removed.

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
	// notNull are sort keys whose column is never NULL, and nullsHigh
	// nullable sort keys whose column sorts below the given sentinel
	// (text). For these keys the order and the keyset condition are plain
	// comparisons an index can serve (see sortKey); other keys are compared
	// with their NULLs spelt out, which is right but needs a sort.
	notNull   map[string]bool
	nullsHigh map[string]string
}

// sortKey is how one key of an order is compared in SQL.
type sortKey struct {
	col  string // the column, as selected into positions
	term string // the expression ordered by
	Sort
	// indexable: term is never NULL, so the order and "after" are
	// plain comparisons; sentinel stands for NULL in positions.
	indexable bool
	sentinel  string
}

// sortKeys describes the keys of order: a NOT NULL column as itself; a
// nullsHigh column, when the order puts its NULLs after the values (ASC
// NULLS LAST, DESC NULLS FIRST), as coalesce(col, sentinel), which an
// expression index can hold; anything else as the bare column.
func (q listQuery) sortKeys(cols []string, order []Sort) []sortKey {
	keys := make([]sortKey, len(order))
	for i, o := range order {
		k := sortKey{col: cols[i], term: cols[i], Sort: o}
		sentinel, high := q.nullsHigh[o.Key]
		switch {
		case q.notNull[o.Key]:
			k.indexable = true
		case high && o.Desc == o.NullsFirst:
			k.indexable, k.sentinel = true, sentinel
			k.term = "coalesce(" + cols[i] + ", '" + sentinel + "')"
		}
		keys[i] = k
	}
	return keys
}

// value is the position's value v as term compares it.
func (k sortKey) value(v any) any {
	if v == nil && k.sentinel != "" {
		return k.sentinel
	}
	return v
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

// filterEqual keeps the rows whose column equals value; an empty value
// does not filter.
func (q *listQuery) filterEqual(column, value string) {
	if value != "" {
		q.filter(column+" = ?", value)
	}
}

// filterContains keeps the rows whose column contains text, ignoring
// case; an empty text does not filter.
func (q *listQuery) filterContains(column, text string) {
	if text != "" {
		q.filter("instr(lower("+column+"), lower(?)) > 0", text)
	}
}

// filterArchived keeps the archived rows (true) or the active ones
// (false) by the flag column; nil does not filter.
func (q *listQuery) filterArchived(column string, archived *bool) {
	if archived != nil {
		q.filter(column+" = ?", boolInt(*archived))
	}
}

// scopeToCompanies restricts a list to the rows of companies.
func (q *listQuery) scopeToCompanies(expr string, companies []string) {
	where, args := companyScope(expr, companies)
	q.filter(where, args...)
}

// pageQuery is the SQL of one page of a list (see listQuery.page).
type pageQuery struct {
	sql       string
	args      []any
	cols      []string // the sort keys' columns, in req.Order's order
	order     []Sort   // the order the SQL reads in: req.Order, reversed for a page before a position
	pos       Position // the position the page starts after, nil for the first
	offset    int64
	backwards bool
}

// page builds the query of one page. Sort keys the list does not know are
// a programming error (the API validates them first).
func (q listQuery) page(req PageRequest) (pageQuery, error) {
	var p pageQuery
	p.cols = make([]string, len(req.Order))
	for i, o := range req.Order {
		col, ok := q.sortable[o.Key]
		if !ok {
			return p, fmt.Errorf("list: unknown sort key %q", o.Key)
		}
		p.cols[i] = col
	}
	if !slices.ContainsFunc(req.Order, func(s Sort) bool { return s.Key == TiebreakKey }) {
		return p, errors.New("list: order lacks the id tiebreak")
	}
	if req.After != nil && req.Before != nil {
		return p, errors.New("list: both after and before")
	}
	if req.Limit < 1 {
		return p, errors.New("list: limit must be positive")
	}
	p.backwards = req.Before != nil
	p.pos, p.order = req.After, req.Order
	if p.backwards {
		p.pos, p.order = req.Before, reverseOrder(req.Order)
	}
	if p.pos != nil && len(p.pos) != len(p.order) {
		return p, ErrBadPosition
	}
	for _, v := range p.pos {
		if _, ok := v.(string); v != nil && !ok {
			return p, ErrBadPosition
		}
	}
	where, args := slices.Clone(q.where), slices.Clone(q.args)
	keys := q.sortKeys(p.cols, p.order)
	if p.pos != nil {
		cond, cargs := keysetAfter(keys, p.pos, false)
		where, args = append(where, cond), append(args, cargs...)
	} else {
		p.offset = req.Offset
	}
	p.sql = "SELECT " + q.columns + ", " + strings.Join(p.cols, ", ") + " " + q.from + whereClause(where) +
		" ORDER BY " + orderClause(keys) + " LIMIT ? OFFSET ?"
	p.args = append(args, req.Limit+1, p.offset)
	return p, nil
}

// listPage runs q for one page.
func listPage[T any](ctx context.Context, s *Store, q listQuery, req PageRequest,
	scan func(interface{ Scan(...any) error }) (T, error)) (Page[T], error) {
	var page Page[T]
	pq, err := q.page(req)
	if err != nil {
		return page, err
	}
	cols, order, pos, offset, backwards := pq.cols, pq.order, pq.pos, pq.offset, pq.backwards
	rows, err := s.query(ctx, pq.sql, pq.args...)
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
		cond, cargs := keysetAfter(q.sortKeys(cols, reverseOrder(order)), pos, true)
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
	page.Total, err = s.counts.count(ctx, s, "SELECT count(*) "+q.from+whereClause(q.where), q.args)
	return page, err
}

// keysetAfter returns the condition "the row comes after pos in the order
// of keys" (or "at or after" when inclusive), expanded as
// (k1 after) OR (k1 = v1 AND k2 after) OR ..., with NULLs placed as the
// order says. When the first key is indexable, the condition starts with
// the redundant bound k1 >= v1 (<= when descending), which lets SQLite
// seek to the position in an index instead of reading every row before it.
func keysetAfter(keys []sortKey, pos Position, inclusive bool) (string, []any) {
	var terms []string
	var args []any
	var eq []string
	var eqArgs []any
	for i, k := range keys {
		after, aargs := k.strictlyAfter(pos[i])
		terms = append(terms, "("+strings.Join(append(slices.Clone(eq), after), " AND ")+")")
		args = append(append(args, eqArgs...), aargs...)
		eq, eqArgs = append(eq, k.term+" IS ?"), append(eqArgs, k.value(pos[i]))
	}
	if inclusive {
		terms = append(terms, "("+strings.Join(eq, " AND ")+")")
		args = append(args, eqArgs...)
	}
	cond := "(" + strings.Join(terms, " OR ") + ")"
	if first := keys[0]; first.indexable && first.value(pos[0]) != nil {
		bound := first.term + " >= ?"
		if first.Desc {
			bound = first.term + " <= ?"
		}
		return bound + " AND " + cond, append([]any{first.value(pos[0])}, args...)
	}
	return cond, args
}

// strictlyAfter returns "the key's term comes strictly after v".
func (k sortKey) strictlyAfter(v any) (string, []any) {
	cmp := k.term + " > ?"
	if k.Desc {
		cmp = k.term + " < ?"
	}
	if k.indexable {
		if v = k.value(v); v == nil {
			return "0", nil // a NOT NULL column has no NULL position; nothing follows a forged one
		}
		return cmp, []any{v}
	}
	if v == nil {
		if k.NullsFirst {
			return k.col + " IS NOT NULL", nil
		}
		return "0", nil // nothing comes after the NULLs at the end
	}
	if k.NullsFirst {
		return cmp, []any{v}
	}
	return "(" + cmp + " OR " + k.col + " IS NULL)", []any{v}
}

func reverseOrder(order []Sort) []Sort {
	out := make([]Sort, len(order))
	for i, o := range order {
		out[i] = Sort{Key: o.Key, Desc: !o.Desc, NullsFirst: !o.NullsFirst}
	}
	return out
}

func orderClause(keys []sortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		dir, nulls := " ASC", " NULLS LAST"
		if k.Desc {
			dir = " DESC"
		}
		if k.NullsFirst {
			nulls = " NULLS FIRST"
		}
		if k.indexable {
			nulls = "" // never NULL; a NULLS clause would keep SQLite from reading the order off an index
		}
		parts[i] = k.term + dir + nulls
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

// Company scoping, shared by the stores of the company-owned resources
// (tags, tax codes, vendors, accounts, export and import jobs): every read
// and write of theirs is bound to the companies the caller may see, and an
// empty list of companies matches no row.

// companyScope returns the condition "expr is one of companies" and its
// arguments; with no companies it is false.
func companyScope(expr string, companies []string) (string, []any) {
	if len(companies) == 0 {
		return "0", nil
	}
	return expr + " IN (" + placeholders(len(companies)) + ")", anySlice(companies)
}

// rowInCompanies returns the condition "idExpr = id and the row belongs to
// one of companies" and its arguments.
func rowInCompanies(idExpr, id, companyExpr string, companies []string) (string, []any) {
	where, args := companyScope(companyExpr, companies)
	return idExpr + " = ? AND " + where, append([]any{id}, args...)
}

// rowQuerier is what a read of one row needs of a *sql.DB or a *sql.Tx.
type rowQuerier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// selectRowOfCompanies reads columns of the row id of table (a table with
// id and company_id columns) when it belongs to one of companies; without
// such a row, scanning it gives sql.ErrNoRows.
func selectRowOfCompanies(ctx context.Context, db rowQuerier, columns, table, id string, companies []string) *sql.Row {
	where, args := rowInCompanies("id", id, "company_id", companies)
	return db.QueryRowContext(ctx, `SELECT `+columns+` FROM `+table+` WHERE `+where, args...)
}

// requireRowOfCompanies returns ErrNotFound unless the row id of table (a
// table with id and company_id columns) belongs to one of companies.
func requireRowOfCompanies(ctx context.Context, db rowQuerier, table, id string, companies []string) error {
	where, args := rowInCompanies("id", id, "company_id", companies)
	var ok bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE `+where+`)`, args...).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// updateRowOfCompanies sets columns of the row id of table (a table with
// id and company_id columns) when it belongs to one of companies: set is
// the SET clause ("name = ?, code = ?"), values its arguments.
// ErrNotFound: no such row among companies.
func (s *Store) updateRowOfCompanies(ctx context.Context, table, set string, values []any, id string, companies []string) error {
	where, args := rowInCompanies("id", id, "company_id", companies)
	return s.Write(ctx, func(tx *Tx) error {
		return mustAffect(tx.tx.ExecContext(ctx, `UPDATE `+table+` SET `+set+` WHERE `+where, append(values, args...)...))
	})
}

// deleteRowOfCompanies removes the row id of table (a table with id and
// company_id columns) when it belongs to one of companies. ErrNotFound: no
// such row among companies.
func (s *Store) deleteRowOfCompanies(ctx context.Context, table, id string, companies []string) error {
	where, args := rowInCompanies("id", id, "company_id", companies)
	return s.Write(ctx, func(tx *Tx) error {
		return mustAffect(tx.tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+where, args...))
	})
}

// requireCompany returns ErrNotFound unless the company exists.
func (t *Tx) requireCompany(ctx context.Context, companyID string) error {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM companies WHERE id = ?`, companyID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// AccountingEntriesPlan is SQLite's plan (EXPLAIN QUERY PLAN, one line per step) for
// the page query of the accounting entries that AccountingEntries would
// run, so tests can check which indexes a search uses.
func (s *Store) AccountingEntriesPlan(ctx context.Context, f EntryFilter, req PageRequest) ([]string, error) {
	pq, err := entryQuery(f).page(req)
	if err != nil {
		return nil, err
	}
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (string, error) {
		var id, parent, unused int
		var detail string
		return detail, row.Scan(&id, &parent, &unused, &detail)
	}, "EXPLAIN QUERY PLAN "+pq.sql, pq.args...)
}
