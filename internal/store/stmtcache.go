package store

import (
	"context"
	"database/sql"
	"sync"
)

// Hot queries are declared once with writeQuery or readQuery and prepared
// when the store opens, so SQLite parses them once, not on every call. The
// writer pool has a single connection that a transaction holds, so a
// statement cannot be prepared lazily inside a transaction; queries that
// were not declared run unprepared.
var (
	writeQueries []string
	readQueries  []string
)

// writeQuery declares a statement run inside write transactions.
func writeQuery(q string) string { writeQueries = append(writeQueries, q); return q }

// readQuery declares a statement run on the reader pool.
func readQuery(q string) string { readQueries = append(readQueries, q); return q }

// stmtCache holds the prepared statements of one pool.
type stmtCache map[string]*sql.Stmt

func prepareAll(ctx context.Context, db *sql.DB, queries []string) (stmtCache, error) {
	c := stmtCache{}
	for _, q := range queries {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			c.close()
			return nil, err
		}
		c[q] = st
	}
	return c, nil
}

func (c stmtCache) close() {
	for _, st := range c {
		st.Close()
	}
}

// uncancelled keeps ctx's values but not its cancellation. Every statement
// runs with it: statements are short, a transaction once begun should end in
// its commit or rollback rather than an interrupt halfway, and a cancellable
// context costs a watcher goroutine per statement in the SQLite driver (and
// per transaction and result set in database/sql) whose scheduling, with the
// cores busy signing tokens, kept the single writer waiting. Waiting for the
// writer's turn (Store.Write) still honours ctx; waiting for a reader
// connection does not (reads take well under a millisecond each).
func uncancelled(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// writeTx is a write transaction whose statements run uncancelled.
type writeTx struct{ *sql.Tx }

func (t writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(uncancelled(ctx), query, args...)
}

func (t writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(uncancelled(ctx), query, args...)
}

func (t writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(uncancelled(ctx), query, args...)
}

// readerDB is the reader pool; its queries run uncancelled.
type readerDB struct{ *sql.DB }

func (db readerDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(uncancelled(ctx), query, args...)
}

func (db readerDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(uncancelled(ctx), query, args...)
}

// exec runs query inside the transaction, prepared when it was declared.
func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = uncancelled(ctx)
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// query runs a query inside the transaction, prepared when it was declared.
func (t *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = uncancelled(ctx)
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// queryRow runs a single-row query inside the transaction.
func (t *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = uncancelled(ctx)
	if st, ok := t.stmts[query]; ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// readCache prepares reader statements lazily (the reader pool has several
// connections, so preparing never waits on a transaction). It holds at most
// maxReadStatements texts; lists whose SQL varies with their filters would
// otherwise grow it without bound.
type readCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxReadStatements = 256

func (c *readCache) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxReadStatements {
		return nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared call reports the error
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

func (c *readCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// readStmt returns the reader pool's prepared statement of query: the one
// prepared at open when query was declared, else one from the lazy cache;
// nil when the cache is full or preparing failed (the query then runs
// unprepared).
func (s *Store) readStmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := s.readStmts[query]; ok {
		return st
	}
	return s.lazyReads.get(ctx, s.r.DB, query)
}

// queryRow runs a single-row query on the reader pool.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = uncancelled(ctx)
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, query, args...)
}

// query runs a query on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = uncancelled(ctx)
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.r.QueryContext(ctx, query, args...)
}
