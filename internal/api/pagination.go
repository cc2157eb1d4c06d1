package api

import (
	"encoding/base32"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Cursor pagination, shared by every list route, in Pleo's CursorPageInfo
// shape. Cursors are opaque to clients: base32 (alphabet [A-Z2-7=], within
// Pleo's pattern ^[A-Z2-7=~]+$) of a JSON array holding a fingerprint of the
// sort order and the keyset position of one row. The store pages by keyset
// (WHERE (key, id) > (...)), so pages stay exact while rows change.

// listSpec says how one list route pages.
type listSpec struct {
	sortKeys     []string     // accepted sorting_keys values
	defaultSort  []store.Sort // order when sorting_keys is absent (id is always the last tiebreak)
	offset       bool         // the route accepts offset, as Pleo declares it
	defaultLimit int          // limit when absent
	maxLimit     int          // largest limit accepted; limits below 1 are refused
}

// pageQuery is a parsed page request.
type pageQuery struct {
	req  store.PageRequest
	sig  string // fingerprint of req.Order, carried by cursors
	echo currentRequest
}

// currentRequest is Pleo's CursorPageCurrentRequestInfo.
type currentRequest struct {
	Parameters   map[string][]string `json:"parameters"`
	After        string              `json:"after,omitempty"`
	Before       string              `json:"before,omitempty"`
	Limit        int32               `json:"limit,omitempty"`
	Offset       *int64              `json:"offset,omitempty"`
	SortingKeys  []string            `json:"sortingKeys,omitempty"`
	SortingOrder []string            `json:"sortingOrder,omitempty"`
}

// pageInfo is Pleo's CursorPageInfo.
type pageInfo struct {
	CurrentRequestPagination currentRequest `json:"currentRequestPagination"`
	HasNextPage              bool           `json:"hasNextPage"`
	HasPreviousPage          bool           `json:"hasPreviousPage"`
	StartCursor              string         `json:"startCursor,omitempty"`
	EndCursor                string         `json:"endCursor,omitempty"`
	Total                    int64          `json:"total"`
}

// pageResponse is Pleo's CursorPaginatedResponse<T>.
type pageResponse[T any] struct {
	Data       []T      `json:"data"`
	Pagination pageInfo `json:"pagination"`
}

// dataResponse is Pleo's DataResponse<T>.
type dataResponse[T any] struct {
	Data T `json:"data"`
}

// pageOrders maps Pleo's PageOrder values to sort directions. Plain ASC and
// DESC place NULLs as PostgreSQL does: last when ascending, first when
// descending.
var pageOrders = map[string]store.Sort{
	"ASC": {}, "ASC_NULLS_LAST": {}, "ASC_NULLS_FIRST": {NullsFirst: true},
	"DESC": {Desc: true, NullsFirst: true}, "DESC_NULLS_FIRST": {Desc: true, NullsFirst: true}, "DESC_NULLS_LAST": {Desc: true},
}

// pageOrderNames lists Pleo's PageOrder enum in its documented order.
var pageOrderNames = []string{"ASC", "ASC_NULLS_FIRST", "ASC_NULLS_LAST", "DESC", "DESC_NULLS_FIRST", "DESC_NULLS_LAST"}

// multiValues returns a repeatable query parameter's values; like Spring,
// it also splits comma-separated values (?k=a,b equals ?k=a&k=b).
func multiValues(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// parsePageQuery reads before, after, offset, limit, sorting_keys and
// sorting_order. Every invalid value or combination is a 400 naming the
// parameter: before with after, offset with a cursor, a limit outside
// 1..maxLimit, an unknown sort key or order, orders not matching keys one to
// one, a malformed cursor or one made for another order.
func parsePageQuery(q url.Values, spec listSpec) (pageQuery, error) {
	var pq pageQuery
	pq.echo.Parameters = map[string][]string{}
	keys, orders := multiValues(q, "sorting_keys"), multiValues(q, "sorting_order")
	if len(orders) > 0 && len(orders) != len(keys) {
		return pq, badParam("sorting_order", "must have one value per sorting key (%d keys, %d orders).", len(keys), len(orders))
	}
	order := spec.defaultSort
	if len(keys) > 0 {
		order = nil
		for i, k := range keys {
			if !slices.Contains(spec.sortKeys, k) {
				return pq, badParam("sorting_keys", "has unknown key %q; allowed: %s.", k, strings.Join(spec.sortKeys, ", "))
			}
			if slices.ContainsFunc(order, func(s store.Sort) bool { return s.Key == k }) {
				return pq, badParam("sorting_keys", "repeats key %q.", k)
			}
			s := store.Sort{}
			if len(orders) > 0 {
				var ok bool
				if s, ok = pageOrders[orders[i]]; !ok {
					return pq, badParam("sorting_order", "has unknown value %q; allowed: %s.", orders[i], strings.Join(pageOrderNames, ", "))
				}
			}
			s.Key = k
			order = append(order, s)
		}
		pq.echo.SortingKeys, pq.echo.SortingOrder = keys, orders
	}
	pq.req.Order = store.WithTiebreak(order)
	pq.sig = orderSignature(pq.req.Order)

	pq.req.Limit = spec.defaultLimit
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > spec.maxLimit {
			return pq, badParam("limit", "must be an integer from 1 to %d.", spec.maxLimit)
		}
		pq.req.Limit = n
	}
	pq.echo.Limit = int32(pq.req.Limit)

	after, before := q.Get("after"), q.Get("before")
	if q.Has("after") && q.Has("before") {
		return pq, badParam("before", "cannot be used together with 'after'.")
	}
	if spec.offset && q.Has("offset") {
		if q.Has("after") || q.Has("before") {
			return pq, badParam("offset", "cannot be used together with 'before' or 'after'.")
		}
		n, err := strconv.ParseInt(q.Get("offset"), 10, 64)
		if err != nil || n < 0 {
			return pq, badParam("offset", "must be a non-negative integer.")
		}
		pq.req.Offset, pq.echo.Offset = n, &n
	}
	var err error
	if q.Has("after") {
		if pq.req.After, err = decodeCursor("after", after, pq.sig, len(pq.req.Order)); err != nil {
			return pq, err
		}
		pq.echo.After = after
	}
	if q.Has("before") {
		if pq.req.Before, err = decodeCursor("before", before, pq.sig, len(pq.req.Order)); err != nil {
			return pq, err
		}
		pq.echo.Before = before
	}
	return pq, nil
}

// orderSignature fingerprints an order, so a cursor made for one order is
// refused under another.
func orderSignature(order []store.Sort) string {
	h := fnv.New32a()
	for _, s := range order {
		fmt.Fprintf(h, "%s:%t:%t;", s.Key, s.Desc, s.NullsFirst)
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// encodeCursor makes the opaque cursor of one position.
func encodeCursor(sig string, pos store.Position) string {
	b, _ := json.Marshal(append([]any{sig}, pos...)) // strings and nils always marshal
	return base32.StdEncoding.EncodeToString(b)
}

// decodeCursor parses a cursor made by encodeCursor for the order sig with n keys.
func decodeCursor(name, cursor, sig string, n int) (store.Position, error) {
	bad := badParam(name, "is not a valid cursor for this list and sort order.")
	if cursor == "" || strings.Trim(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=~") != "" {
		return nil, bad
	}
	b, err := base32.StdEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var parts []any
	if err := json.Unmarshal(b, &parts); err != nil || len(parts) != n+1 || parts[0] != sig {
		return nil, bad
	}
	pos := store.Position(parts[1:])
	for _, v := range pos {
		if _, ok := v.(string); v != nil && !ok {
			return nil, bad
		}
	}
	return pos, nil
}

// newPage builds the response for one page; params echoes the request's
// filter parameters.
func newPage[T any](page store.Page[T], pq pageQuery, params map[string][]string) pageResponse[T] {
	resp := pageResponse[T]{Data: page.Items, Pagination: pageInfo{CurrentRequestPagination: pq.echo,
		HasNextPage: page.HasNext, HasPreviousPage: page.HasPrevious, Total: page.Total}}
	if resp.Data == nil {
		resp.Data = []T{}
	}
	if params != nil {
		resp.Pagination.CurrentRequestPagination.Parameters = params
	}
	if n := len(page.Positions); n > 0 {
		resp.Pagination.StartCursor = encodeCursor(pq.sig, page.Positions[0])
		resp.Pagination.EndCursor = encodeCursor(pq.sig, page.Positions[n-1])
	}
	return resp
}

// echoParams returns the named query parameters the request carries, for
// currentRequestPagination.parameters.
func echoParams(q url.Values, names ...string) map[string][]string {
	out := map[string][]string{}
	for _, n := range names {
		if vs, ok := q[n]; ok {
			out[n] = vs
		}
	}
	return out
}
