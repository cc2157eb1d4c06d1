package pleo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file holds the errors of Pleo's rules: the export workflow's, and
// ErrInvalid with FieldError for a value that breaks a rule of a schema.
// The API maps each to Pleo's status and error type; the store returns
// them as they are.

// Errors of the export workflow.
var (
	// ErrExportInProgress: the company already has a job in_progress
	// (409 EXPORT_ALREADY_IN_PROGRESS).
	ErrExportInProgress = errors.New("export job already in progress for this company")
	// ErrIllegalTransition: the event does not apply to the job's status
	// (422 INVALID_EXPORT_JOB_STATUS_CHANGE).
	ErrIllegalTransition = errors.New("export job status change failed")
	// ErrJobFinished: items of a finished job cannot change or be read as
	// export items (422 EXPORT_JOB_STATUS_UNPROCESSABLE).
	ErrJobFinished = errors.New("export job is finished")
	// ErrTooManyItems: more than MaxItemsPerUpdate items in one update (413).
	ErrTooManyItems = errors.New("number of items to update is more than 100")
	// ErrEntryNotExportable: a requested accounting entry is unknown, of
	// another company, deleted, or already in an unfinished job (400).
	ErrEntryNotExportable = errors.New("accounting entry cannot be exported")
	// ErrNothingToExport: no accounting entries were given and none is ready (400).
	ErrNothingToExport = errors.New("no accounting entries ready for export")
)

// ErrInvalid is the error of a value that breaks a rule of Pleo's schema (400).
var ErrInvalid = errors.New("invalid value")

// FieldError is a value that breaks a rule of Pleo's schema, with the JSON
// name of the field; errors.Is(err, ErrInvalid) holds for it, and the API
// names Field in its 400.
type FieldError struct {
	Field   string // JSON name, e.g. "failureReasonType"
	Message string // completes "Field '<name>' ...", e.g. "is required"
}

func (e *FieldError) Error() string { return ErrInvalid.Error() + ": " + e.Field + ": " + e.Message }

// Unwrap makes a FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a *FieldError (which matches ErrInvalid) naming field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// notBlank is the rule of a required text field: not blank.
func notBlank(field, value string) error {
	if blank(value) {
		return Invalid(field, "must not be blank")
	}
	return nil
}

// blank reports whether a text is empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// MaxLength is the rule of a text field of at most n characters.
func MaxLength(field, value string, n int) error {
	if longer(value, n) {
		return Invalid(field, "must be at most %d characters long", n)
	}
	return nil
}

// longer reports whether s has more than n characters (not bytes).
func longer(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// OneOf is the rule of an enum field: value is one of values.
func OneOf(field, value string, values []string) error {
	if !slices.Contains(values, value) {
		return Invalid(field, "must be one of %s, not %q", strings.Join(values, ", "), value)
	}
	return nil
}

// eachOneOf is the rule of a list of enum values, such as a search's
// filter: each item is one of values. The error names the item, e.g.
// states[1].
func eachOneOf(field string, items, values []string) error {
	for i, item := range items {
		if err := OneOf(fmt.Sprintf("%s[%d]", field, i), item, values); err != nil {
			return err
		}
	}
	return nil
}
