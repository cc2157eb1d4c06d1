package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Every page of a list carries the number of rows its filters match
// (Pleo's CursorPageInfo.total). Counting is the one part of a page whose
// cost grows with the list: with 100,000 accounting entries a filtered
// count reads every matching row, seconds on a busy machine, on the first
// page and the five-hundredth alike. The rows do not change between two
// writes, so a count is remembered until the next write to the database
// (WriteGeneration): a client walking a list counts once.

// maxCachedCounts bounds the remembered counts; the cache starts over when full.
const maxCachedCounts = 1024

// countCache remembers the results of count queries for one write generation.
type countCache struct {
	mu         sync.Mutex
	generation uint64
	totals     map[string]int64
}

// count returns the result of query (a SELECT count(*)) with args, from the
// cache when no write has happened since it was counted.
func (c *countCache) count(ctx context.Context, s *Store, query string, args []any) (int64, error) {
	key := countKey(query, args)
	generation := s.WriteGeneration() // read before the query: a write during it makes the result stale
	c.mu.Lock()
	n, ok := c.totals[key]
	ok = ok && c.generation == generation
	c.mu.Unlock()
	if ok {
		return n, nil
	}
	if err := s.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation < c.generation {
		return n, nil // counted before a write another count has seen: do not keep it
	}
	if c.generation != generation || len(c.totals) >= maxCachedCounts {
		c.generation, c.totals = generation, map[string]int64{}
	}
	c.totals[key] = n
	return n, nil
}

// countKey identifies a query with its arguments; %q keeps the boundaries
// of string arguments unambiguous.
func countKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%q", a, fmt.Sprint(a))
	}
	return b.String()
}
