package pleo

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds the types and rules of vendor CSV import jobs
// (/v1/vendors/csv-import/jobs), as Pleo's external-vendors document
// declares them (CsvImportJobV1, CsvFormatV1, CsvRowImportErrorV1 and their
// enums). How a file becomes vendors is in vendorcsv.go.

// CsvImportJob is CsvImportJobV1: one upload of a CSV file and its import.
type CsvImportJob struct {
	ID               string         `json:"id" format:"uuid"`
	CompanyID        string         `json:"companyId" format:"uuid"`
	Type             string         `json:"type"`
	Status           string         `json:"status"`
	OriginalFilename string         `json:"originalFilename,omitempty"`
	CsvFormat        *CsvFormat     `json:"csvFormat,omitempty"`
	Metadata         map[string]any `json:"metadata,omitempty"`
	ColumnNames      []string       `json:"columnNames,omitempty"`
	S3Key            string         `json:"s3Key,omitempty"`
	ErrorCode        string         `json:"errorCode,omitempty"`
	ErrorMessage     string         `json:"errorMessage,omitempty"`
	RowsTotal        *int32         `json:"rowsTotal,omitempty"`
	RowsSucceeded    *int32         `json:"rowsSucceeded,omitempty"`
	RowsFailed       *int32         `json:"rowsFailed,omitempty"`
	RowsSkipped      *int32         `json:"rowsSkipped,omitempty"`
	CreatedAt        time.Time      `json:"createdAt"`
	UpdatedAt        time.Time      `json:"updatedAt"`
}

// CsvFormat is CsvFormatV1: how to read the file. Pleo requires delimiter,
// ignoreEmptyLines, recordSeparator and skipHeaderRecord; the pointers tell
// a missing value from false or "".
type CsvFormat struct {
	Delimiter        string  `json:"delimiter"`
	EscapeCharacter  string  `json:"escapeCharacter,omitempty"`
	IgnoreEmptyLines *bool   `json:"ignoreEmptyLines"`
	QuoteCharacter   string  `json:"quoteCharacter,omitempty"`
	RecordSeparator  *string `json:"recordSeparator"`
	SkipHeaderRecord *bool   `json:"skipHeaderRecord"`
}

// CsvRowImportError is CsvRowImportErrorV1: one row a run could not import.
type CsvRowImportError struct {
	ID             string    `json:"id" format:"uuid"`
	CsvImportJobID string    `json:"csvImportJobId" format:"uuid"`
	RowNumber      int32     `json:"rowNumber"`
	ErrorCode      string    `json:"errorCode"`
	ErrorMessage   string    `json:"errorMessage"`
	RawData        string    `json:"rawData"`
	CreatedAt      time.Time `json:"createdAt"`
}

// CSV import job statuses (CsvImportJobStatusV1).
const (
	CsvImportUploadInitiated = "UPLOAD_INITIATED"
	CsvImportUploaded        = "UPLOADED"
	CsvImportReadyForImport  = "READY_FOR_IMPORT"
	CsvImportQueued          = "QUEUED"
	CsvImportProcessing      = "PROCESSING"
	CsvImportCompleted       = "COMPLETED"
	CsvImportFailed          = "FAILED"
)

// CsvImportJobStatuses is CsvImportJobStatusV1 in Pleo's order. Do not modify.
var CsvImportJobStatuses = []string{CsvImportUploadInitiated, CsvImportUploaded, CsvImportReadyForImport,
	CsvImportQueued, CsvImportProcessing, CsvImportCompleted, CsvImportFailed}

// CSV import error types (CsvImportErrorTypeV1): why a whole job failed.
const (
	CsvErrorInvalidFileFormat         = "INVALID_FILE_FORMAT"
	CsvErrorFileTooLarge              = "FILE_TOO_LARGE"
	CsvErrorFileTooSmall              = "FILE_TOO_SMALL"
	CsvErrorFileTypeNotSupported      = "FILE_TYPE_NOT_SUPPORTED"
	CsvErrorFileExtensionNotSupported = "FILE_EXTENSION_NOT_SUPPORTED"
	CsvErrorImportJobNotFound         = "IMPORT_JOB_NOT_FOUND"
	CsvErrorInvalidStatusTransition   = "INVALID_STATUS_TRANSITION"
	CsvErrorProcessingFailed          = "PROCESSING_FAILED"
)

// CsvImportErrorTypes is CsvImportErrorTypeV1 in Pleo's order. Do not modify.
var CsvImportErrorTypes = []string{CsvErrorInvalidFileFormat, CsvErrorFileTooLarge, CsvErrorFileTooSmall,
	CsvErrorFileTypeNotSupported, CsvErrorFileExtensionNotSupported, CsvErrorImportJobNotFound,
	CsvErrorInvalidStatusTransition, CsvErrorProcessingFailed}

// MetadataStrategies is UpdateMetadataStrategyV1: REPLACE swaps the whole
// metadata object, MERGE overwrites only the keys given. Do not modify.
var MetadataStrategies = []string{"REPLACE", "MERGE"}

// CsvImportTypeVendors is the only job type the emulator imports (Pleo's
// example type; the documents list no others).
const CsvImportTypeVendors = "vendors"

// ErrCsvImportStatus is returned when a job's status does not allow the
// change asked for (Pleo's 409 INVALID_STATUS_TRANSITION).
var ErrCsvImportStatus = errors.New("invalid status transition")

// ValidateCsvImportJob checks what CreateCsvImportJobRequestV1 sets: a type
// the emulator imports, an originalFilename of 1 to 255 characters and,
// when given, a csvFormat the emulator can read (CsvFormat.Validate).
func (j CsvImportJob) ValidateCsvImportJob() error {
	if err := OneOf("type", j.Type, []string{CsvImportTypeVendors}); err != nil {
		return err
	}
	if err := notBlank("originalFilename", j.OriginalFilename); err != nil {
		return err
	}
	if err := MaxLength("originalFilename", j.OriginalFilename, 255); err != nil {
		return err
	}
	if j.CsvFormat != nil {
		return j.CsvFormat.Validate()
	}
	return nil
}

// Validate checks a CsvFormatV1: Pleo's four required fields are present;
// the delimiter is one character other than a quote or a line break; the
// quote character, when given, is '"' (the emulator reads RFC 4180 quoting:
// a quote inside a quoted field is doubled; escapeCharacter is kept but not
// applied); the record separator is "" (either line ending), "\n" or "\r\n".
func (f CsvFormat) Validate() error {
	switch {
	case f.IgnoreEmptyLines == nil:
		return Invalid("csvFormat.ignoreEmptyLines", "is required")
	case f.RecordSeparator == nil:
		return Invalid("csvFormat.recordSeparator", "is required")
	case f.SkipHeaderRecord == nil:
		return Invalid("csvFormat.skipHeaderRecord", "is required")
	}
	if r, size := utf8.DecodeRuneInString(f.Delimiter); size == 0 || size != len(f.Delimiter) || r == utf8.RuneError ||
		r == '"' || r == '\r' || r == '\n' {
		return Invalid("csvFormat.delimiter", "must be one character other than a quote or a line break, not %q", f.Delimiter)
	}
	if f.QuoteCharacter != "" && f.QuoteCharacter != `"` {
		return Invalid("csvFormat.quoteCharacter", `must be "\"" (the only quote character the emulator reads), not %q`, f.QuoteCharacter)
	}
	if !slices.Contains([]string{"", "\n", "\r\n"}, *f.RecordSeparator) {
		return Invalid("csvFormat.recordSeparator", `must be "", "\n" or "\r\n", not %q`, *f.RecordSeparator)
	}
	return nil
}

// ValidateCsvImportStatuses checks the statuses a job search filters on:
// each a CsvImportJobStatusV1. The error names the item, e.g. statuses[1].
func ValidateCsvImportStatuses(statuses []string) error {
	return eachOneOf("statuses", statuses, CsvImportJobStatuses)
}

// CsvImportStatusUpdate is UpdateStatusRequestV1.
type CsvImportStatusUpdate struct {
	Status       string `json:"status"`
	ErrorType    string `json:"errorType,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// Validate checks an UpdateStatusRequestV1: a CsvImportJobStatusV1, an
// errorType (when given) from CsvImportErrorTypeV1, and errorType and
// errorMessage only with FAILED.
func (u CsvImportStatusUpdate) Validate() error {
	if err := OneOf("status", u.Status, CsvImportJobStatuses); err != nil {
		return err
	}
	if u.ErrorType != "" {
		if err := OneOf("errorType", u.ErrorType, CsvImportErrorTypes); err != nil {
			return err
		}
	}
	if u.Status != CsvImportFailed && (u.ErrorType != "" || u.ErrorMessage != "") {
		return Invalid("errorType", "and errorMessage may only be given with status FAILED")
	}
	return nil
}

// csvImportSteps are the status changes a client may make with
// PUT .../status (an emulator choice; Pleo documents no state machine):
// forward through the upload steps, or to FAILED from any unfinished
// status. PROCESSING and COMPLETED are set only by :run; setting the
// status a job has is allowed and changes nothing.
var csvImportSteps = map[string][]string{
	CsvImportUploadInitiated: {CsvImportFailed},
	CsvImportUploaded:        {CsvImportReadyForImport, CsvImportQueued, CsvImportFailed},
	CsvImportReadyForImport:  {CsvImportQueued, CsvImportFailed},
	CsvImportQueued:          {CsvImportFailed},
	CsvImportProcessing:      {CsvImportFailed},
}

// CheckCsvImportStatusChange returns ErrCsvImportStatus unless a client may
// move a job from status from to status to (see csvImportSteps). A job
// becomes UPLOADED when its file arrives at the presigned URL.
func CheckCsvImportStatusChange(from, to string) error {
	if from == to || slices.Contains(csvImportSteps[from], to) {
		return nil
	}
	return fmt.Errorf("%w: cannot change a CSV import job from %s to %s", ErrCsvImportStatus, from, to)
}

// CsvImportAcceptsUpload reports whether a job in status may (still)
// receive its file: until it is queued.
func CsvImportAcceptsUpload(status string) bool {
	return status == CsvImportUploadInitiated || status == CsvImportUploaded || status == CsvImportReadyForImport
}

// CheckCsvImportRunnable returns ErrCsvImportStatus unless a job in status
// may run: its file is uploaded and it has not run yet.
func CheckCsvImportRunnable(status string) error {
	switch status {
	case CsvImportUploaded, CsvImportReadyForImport, CsvImportQueued:
		return nil
	case CsvImportUploadInitiated:
		return fmt.Errorf("%w: cannot process CSV job in status %s: no file has been uploaded to its presigned URL",
			ErrCsvImportStatus, status)
	}
	return fmt.Errorf("%w: cannot process CSV job in status %s. Job must be in UPLOADED, READY_FOR_IMPORT or QUEUED status",
		ErrCsvImportStatus, status)
}

// MergeMetadata applies an UpdateMetadataRequestV1 to old: REPLACE returns
// update; MERGE returns old with update's keys overwritten.
func MergeMetadata(old, update map[string]any, strategy string) (map[string]any, error) {
	if err := OneOf("strategy", strategy, MetadataStrategies); err != nil {
		return nil, err
	}
	out := map[string]any{}
	if strategy == "MERGE" {
		for k, v := range old {
			out[k] = v
		}
	}
	for k, v := range update {
		out[k] = v
	}
	return out, nil
}

// upperSnake turns a JSON field name into an error code part:
// defaultCurrency becomes DEFAULT_CURRENCY.
func upperSnake(field string) string {
	var b strings.Builder
	for i, r := range field {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
