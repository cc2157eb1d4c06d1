package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Refresh families (migration 0011): the first part of every refresh token
// names its grant's family, so reuse detection (RFC 9700 §4.14.2) does not
// need the rows of rotated tokens, and housekeeping may delete them.

var (
	qRefreshFamily    = writeQuery(`SELECT coalesce(refresh_family, '') FROM grants WHERE id = ?`)
	qSetRefreshFamily = writeQuery(`UPDATE grants SET refresh_family = ? WHERE id = ? AND refresh_family IS NULL`)
	qGrantByFamily    = writeQuery(`SELECT id, client_id FROM grants WHERE refresh_family = ?`)
)

// RefreshFamily returns the grant's refresh family, "" if it has none yet.
func (t *Tx) RefreshFamily(ctx context.Context, grantID string) (string, error) {
	var f string
	err := t.queryRow(ctx, qRefreshFamily, grantID).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return f, err
}

// SetRefreshFamily gives a grant that has none its refresh family.
func (t *Tx) SetRefreshFamily(ctx context.Context, grantID, family string) error {
	res, err := t.exec(ctx, qSetRefreshFamily, family, grantID)
	return mustAffect(res, err)
}

// GrantByRefreshFamily returns the ID and client of the grant whose
// refresh family is family.
func (t *Tx) GrantByRefreshFamily(ctx context.Context, family string) (grantID, clientID string, err error) {
	err = t.queryRow(ctx, qGrantByFamily, family).Scan(&grantID, &clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	return grantID, clientID, err
}

// Retention says how long housekeeping keeps what can no longer be used.
type Retention struct {
	// Codes is how long a code is kept after it expired, so a replay of a
	// used code still revokes its grant (RFC 6749 §4.1.2) for that long.
	Codes time.Duration
	// RevokedGrants is how long a revoked grant is kept (the connected-apps
	// page shows it, with its reason); its tokens go at once.
	RevokedGrants time.Duration
}

// Swept counts the rows one housekeeping pass deleted, by table.
type Swept map[string]int64

// Housekeep deletes, in small background transactions (WriteBackground),
// what can no longer matter at now: expired login sessions and pending
// authorisation requests; codes expired longer than r.Codes ago; rotated
// refresh tokens (their grant's refresh family still detects their reuse);
// expired access-token records (the JWT is refused on exp before its record
// is read); every token of a revoked grant; and revoked grants older than
// r.RevokedGrants. Live tokens,
// unexpired codes and active grants are never touched.
func (s *Store) Housekeep(ctx context.Context, now time.Time, r Retention) (Swept, error) {
	at := formatTime(now)
	revoked := `grant_id IN (SELECT id FROM grants WHERE revoked_at IS NOT NULL)`
	steps := []struct {
		table, where string
		args         []any
	}{
		{"sessions", `expires_at <= ?`, []any{at}},
		{"authorization_requests", `expires_at <= ?`, []any{at}},
		{"authorization_codes", `expires_at <= ?`, []any{formatTime(now.Add(-r.Codes))}},
		{"refresh_tokens", `used_at IS NOT NULL AND used_at <= ?`, []any{at}},
		{"refresh_tokens", revoked, nil},
		{"access_tokens", `expires_at <= ?`, []any{at}},
		{"access_tokens", revoked, nil},
		{"grants", `revoked_at IS NOT NULL AND revoked_at <= ?`, []any{formatTime(now.Add(-r.RevokedGrants))}},
	}
	swept := Swept{}
	for _, st := range steps {
		// Batches of housekeepingBatch rows, each its own transaction, so
		// token requests queued for the writer wait for one batch at most.
		query := `DELETE FROM ` + st.table + ` WHERE rowid IN (SELECT rowid FROM ` + st.table + ` WHERE ` + st.where +
			` LIMIT ` + fmt.Sprint(housekeepingBatch) + `)`
		for {
			var n int64
			err := s.WriteBackground(ctx, func(tx *Tx) error {
				res, err := tx.exec(ctx, query, st.args...)
				if err != nil {
					return fmt.Errorf("housekeeping %s: %w", st.table, err)
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return swept, err
			}
			swept[st.table] += n
			if n < housekeepingBatch {
				break
			}
		}
	}
	return swept, s.releaseFreePages(ctx)
}

// housekeepingBatch is how many rows one housekeeping transaction deletes:
// the refresh tokens a busy token endpoint rotates in a second or so. A
// batch of 500 held the writer for up to 66 ms under load, longer than the
// requests waiting behind it take.
const housekeepingBatch = 100

// releaseFreePages returns free pages to the file system (the database is
// in incremental auto-vacuum mode; see enableIncrementalVacuum), so the
// file shrinks after a burst rather than staying at its largest.
func (s *Store) releaseFreePages(ctx context.Context) error {
	return s.WriteBackground(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `PRAGMA incremental_vacuum`)
		return err
	})
}

// enableIncrementalVacuum switches a database to incremental auto-vacuum.
// The mode takes effect only through a VACUUM, which is quick on a new
// database and runs once for an older one.
func enableIncrementalVacuum(ctx context.Context, db *sql.DB) error {
	var mode int
	if err := db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return err
	}
	const incremental = 2
	if mode == incremental {
		return nil
	}
	if _, err := db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `VACUUM`)
	return err
}

// StartHousekeeping runs Housekeep every interval with the time now gives,
// until the store closes. Failures are reported to report (which may be nil).
func (s *Store) StartHousekeeping(interval time.Duration, now func() time.Time, r Retention, report func(Swept, error)) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.writer.stopping:
				return
			case <-t.C:
			}
			swept, err := s.Housekeep(context.Background(), now(), r)
			if errors.Is(err, ErrClosed) {
				return
			}
			if report != nil {
				report(swept, err)
			}
		}
	}()
}

// CountRows returns the number of rows in table, one of the store's own
// tables (for diagnostics and the soak benchmark).
func (s *Store) CountRows(ctx context.Context, table string) (int64, error) {
	var known int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&known); err != nil {
		return 0, err
	}
	if known == 0 {
		return 0, fmt.Errorf("no table %q", table)
	}
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n)
	return n, err
}
