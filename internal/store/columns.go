package store

import (
	"database/sql"
	"time"
)

// This file holds the conversions of nullable columns and second-precision
// timestamps that several tables share (formatTime, parseTime, nullString
// and nullTime are in store.go).

// nullableString returns a nullable text column's value, nil for NULL.
func nullableString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// nullableTime parses a nullable time column, nil for NULL.
func nullableTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTime(s.String)
	return &t
}

// wholeSeconds is a time as the timestamps of tax codes and export jobs
// carry it: UTC, whole seconds (Pleo's pattern YYYY-MM-DDTHH:mi:ssZ).
func wholeSeconds(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
