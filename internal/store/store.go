// Package store is the emulator's SQLite persistence and the only package
// that imports database/sql. It keeps one writer connection (SQLite allows
// one writer; immediate transactions avoid SQLITE_BUSY on read-then-write)
// and a small pool of read-only connections.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pleo-emulator/pleo-emulator/migrations"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Memory is the --db value for an ephemeral in-process database.
const Memory = ":memory:"

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write breaks a uniqueness rule.
var ErrConflict = errors.New("conflict")

// Store holds the writer and reader connection pools.
type Store struct {
	w                     *sql.DB
	r                     readerDB
	writeStmts, readStmts stmtCache
	tempDir               string        // removed on Close, for Memory
	writer                writer        // runs write transactions one at a time; see Write
	generation            atomic.Uint64 // counts writes; see WriteGeneration
	lazyReads             readCache
	counts                countCache // totals of list pages; see countcache.go
}

// Open opens (creating if needed) the database at path and applies every
// pending migration. Memory gives a private database in a temporary folder,
// removed when the store closes: a real file, so the writer and the readers
// share it with WAL's locking (SQLite's in-memory databases are either one
// per connection, or, with the memdb VFS, refuse readers while a write
// transaction is open).
func Open(ctx context.Context, path string) (*Store, error) {
	tempDir := ""
	if path == Memory {
		dir, err := os.MkdirTemp("", "pleo-emulator-")
		if err != nil {
			return nil, fmt.Errorf("ephemeral database: %w", err)
		}
		tempDir, path = dir, filepath.Join(dir, "emulator.db")
	}
	st, err := open(ctx, path)
	if err != nil {
		if tempDir != "" {
			os.RemoveAll(tempDir)
		}
		return nil, err
	}
	st.tempDir = tempDir
	return st, nil
}

func open(ctx context.Context, path string) (*Store, error) {
	writerDSN, readerDSN, err := dsns(path)
	if err != nil {
		return nil, err
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", writerDSN)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := enableIncrementalVacuum(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: auto-vacuum: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", readerDSN)
	if err != nil {
		w.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	st := &Store{w: w, r: readerDB{r}, writer: newWriter()}
	go st.runWriter()
	if st.writeStmts, err = prepareAll(ctx, w, writeQueries); err == nil {
		st.readStmts, err = prepareAll(ctx, r, readQueries)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("prepare statements: %w", err)
	}
	return st, nil
}

// createPrivate creates the database file with mode 0600 (and its folder
// with 0700) when they do not exist yet: the file holds the signing key and
// every user's password hash. SQLite creates the WAL and shared-memory
// files with the database file's mode, so they are 0600 too. An existing
// file keeps its mode.
func createPrivate(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("database folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

// dsns builds the writer and reader DSNs. Pragmas in the DSN reach every
// pooled connection (a PRAGMA statement would reach only one).
func dsns(path string) (writer, reader string, err error) {
	if path == "" {
		return "", "", errors.New("database path is empty")
	}
	common := "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate"
	if strings.ContainsAny(path, "?#") {
		return "", "", fmt.Errorf("database path %q must not contain '?' or '#'", path)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + common +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	return base, base + "&_pragma=query_only(1)", nil
}

// Close stops the writer, failing writes still queued, and closes both pools.
func (s *Store) Close() error {
	s.stopWriter()
	s.lazyReads.close()
	s.readStmts.close()
	s.writeStmts.close()
	err := errors.Join(s.r.Close(), s.w.Close())
	if s.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(s.tempDir))
	}
	return err
}

// Ready reports whether the database answers and every embedded migration
// has been applied; /readyz calls it.
func (s *Store) Ready(ctx context.Context) error {
	want, err := migrationNames()
	if err != nil {
		return err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("database not ready: %w", err)
	}
	if n != len(want) {
		return fmt.Errorf("database not ready: %d of %d migrations applied", n, len(want))
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.w.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res)
	return res, err
}

// Tx is a write transaction. Write methods that must run together with
// others are methods of Tx; Store offers single-statement conveniences.
type Tx struct {
	tx    writeTx
	stmts stmtCache
}

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// migrate applies, in name order and each in its own transaction, every
// embedded migration not yet recorded in schema_migrations.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	names, err := migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		body, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		var done int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&done); err != nil {
			tx.Rollback()
			return err
		}
		if done > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
			name, formatTime(time.Now())); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// timeLayout is how timestamps are stored: RFC 3339 in UTC with exactly six
// fractional digits, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// nullTime formats t, or returns NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isUniqueViolation reports whether err is a SQLite UNIQUE or PRIMARY KEY violation.
func isUniqueViolation(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") ||
		strings.Contains(err.Error(), "PRIMARY KEY constraint failed"))
}

// WriteGeneration changes after every write to the database. A value read
// before a query and unchanged later proves the query's answer is still
// current, so callers may cache read results keyed by it.
func (s *Store) WriteGeneration() uint64 { return s.generation.Load() }

// Setting returns a value from emulator_settings, or "" when unset, as the
// transaction sees it.
func (t *Tx) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := t.tx.QueryRowContext(ctx, `SELECT value FROM emulator_settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting stores a value in emulator_settings.
func (t *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO emulator_settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// IsEmpty reports whether the database holds no organisation, company, user or client yet.
func (t *Tx) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM companies)
		+ (SELECT count(*) FROM users) + (SELECT count(*) FROM clients)`).Scan(&n)
	return n == 0, err
}
