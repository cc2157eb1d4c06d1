package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file serves vendor CSV import jobs (/v1/vendors/csv-import/jobs): a
// job is created, its file arrives at a presigned upload URL, and a run
// reads the file (pleo.ParseVendorCSV) and creates a vendor per good row in
// one transaction, recording every bad row with its line. A run never
// loses good rows to bad ones: each row stands alone.

const csvJobColumns = `id, company_id, type, status, original_filename, csv_format, metadata, column_names,
	coalesce(s3_key, ''), coalesce(error_code, ''), coalesce(error_message, ''),
	rows_total, rows_succeeded, rows_failed, rows_skipped, created_at, updated_at`

func scanCsvImportJob(row interface{ Scan(...any) error }) (pleo.CsvImportJob, error) {
	var j pleo.CsvImportJob
	var format, columns sql.NullString
	var meta, created, updated string
	var total, succeeded, failed, skipped sql.NullInt32
	err := row.Scan(&j.ID, &j.CompanyID, &j.Type, &j.Status, &j.OriginalFilename, &format, &meta, &columns,
		&j.S3Key, &j.ErrorCode, &j.ErrorMessage, &total, &succeeded, &failed, &skipped, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrNotFound
	}
	if err != nil {
		return j, err
	}
	j.CreatedAt, j.UpdatedAt = parseTime(created), parseTime(updated)
	j.RowsTotal, j.RowsSucceeded, j.RowsFailed, j.RowsSkipped = nullInt32(total), nullInt32(succeeded), nullInt32(failed), nullInt32(skipped)
	if format.Valid {
		j.CsvFormat = &pleo.CsvFormat{}
		if err := json.Unmarshal([]byte(format.String), j.CsvFormat); err != nil {
			return j, err
		}
	}
	if columns.Valid {
		if err := json.Unmarshal([]byte(columns.String), &j.ColumnNames); err != nil {
			return j, err
		}
	}
	return j, json.Unmarshal([]byte(meta), &j.Metadata)
}

func nullInt32(n sql.NullInt32) *int32 {
	if !n.Valid {
		return nil
	}
	return &n.Int32
}

// CreateCsvImportJob adds job (ID generated) to job.CompanyID in status
// UPLOAD_INITIATED. pleo.ErrInvalid: job breaks a rule of
// ValidateCsvImportJob; ErrNotFound: no such company.
func (s *Store) CreateCsvImportJob(ctx context.Context, job pleo.CsvImportJob, now time.Time) (pleo.CsvImportJob, error) {
	if err := job.ValidateCsvImportJob(); err != nil {
		return job, err
	}
	job.ID, job.Status, job.CreatedAt, job.UpdatedAt = NewUUID(), pleo.CsvImportUploadInitiated, now, now
	err := s.Write(ctx, func(tx *Tx) error {
		if err := tx.requireCompany(ctx, job.CompanyID); err != nil {
			return err
		}
		return tx.InsertCsvImportJob(ctx, job, nil)
	})
	return job, err
}

// InsertCsvImportJob writes job as it is, with its uploaded file (nil when
// none): the seed's and CreateCsvImportJob's insert.
func (t *Tx) InsertCsvImportJob(ctx context.Context, job pleo.CsvImportJob, file []byte) error {
	format, err := nullJSON(job.CsvFormat)
	if err != nil {
		return err
	}
	meta, err := jsonText(job.Metadata, "{}")
	if err != nil {
		return err
	}
	columns, err := nullJSON(job.ColumnNames)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO vendor_csv_import_jobs (id, company_id, type, status, original_filename,
		csv_format, metadata, column_names, s3_key, error_code, error_message, rows_total, rows_succeeded, rows_failed,
		rows_skipped, created_at, updated_at, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		job.ID, job.CompanyID, job.Type, job.Status, job.OriginalFilename, format, meta, columns, nullString(job.S3Key),
		nullString(job.ErrorCode), nullString(job.ErrorMessage), nullCount(job.RowsTotal), nullCount(job.RowsSucceeded),
		nullCount(job.RowsFailed), nullCount(job.RowsSkipped), formatTime(job.CreatedAt), formatTime(job.UpdatedAt), file)
	return err
}

// InsertCsvRowImportError writes a row error of a job as it is.
func (t *Tx) InsertCsvRowImportError(ctx context.Context, e pleo.CsvRowImportError) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO vendor_csv_import_errors (id, job_id, row_number, error_code,
		error_message, raw_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CsvImportJobID, e.RowNumber, e.ErrorCode, e.ErrorMessage, e.RawData, formatTime(e.CreatedAt))
	return err
}

func nullCount(n *int32) any {
	if n == nil {
		return nil
	}
	return *n
}

// CsvImportJob returns a job of one of companies.
func (s *Store) CsvImportJob(ctx context.Context, companies []string, id string) (pleo.CsvImportJob, error) {
	return csvImportJobByID(ctx, s.r, companies, id)
}

func csvImportJobByID(ctx context.Context, db rowQuerier, companies []string, id string) (pleo.CsvImportJob, error) {
	return scanCsvImportJob(selectRowOfCompanies(ctx, db, csvJobColumns, "vendor_csv_import_jobs", id, companies))
}

// CsvImportJobFilter is SearchCsvImportJobsRequestV1; empty fields do not filter.
type CsvImportJobFilter struct {
	IDs, Statuses, Types []string
}

var csvJobSortColumns = map[string]string{"createdAt": "created_at", "updatedAt": "updated_at", "id": "id"}

// CsvImportJobSortKeys are the sort keys SearchCsvImportJobs accepts, sorted.
var CsvImportJobSortKeys = sortKeys(csvJobSortColumns)

// SearchCsvImportJobs returns one page of the jobs of companies that match
// f; pleo.ErrInvalid when f.Statuses has a value that is not a status.
func (s *Store) SearchCsvImportJobs(ctx context.Context, companies []string, f CsvImportJobFilter, req PageRequest) (Page[pleo.CsvImportJob], error) {
	if err := pleo.ValidateCsvImportStatuses(f.Statuses); err != nil {
		return Page[pleo.CsvImportJob]{}, err
	}
	q := listQuery{columns: csvJobColumns, from: "FROM vendor_csv_import_jobs", sortable: csvJobSortColumns}
	q.scopeToCompanies("company_id", companies)
	q.filterIn("id", f.IDs)
	q.filterIn("status", f.Statuses)
	q.filterIn("type", f.Types)
	return listPage(ctx, s, q, req, scanCsvImportJob)
}

const csvErrorColumns = `id, job_id, row_number, error_code, error_message, raw_data, created_at`

func scanCsvRowError(row interface{ Scan(...any) error }) (pleo.CsvRowImportError, error) {
	var e pleo.CsvRowImportError
	var created string
	err := row.Scan(&e.ID, &e.CsvImportJobID, &e.RowNumber, &e.ErrorCode, &e.ErrorMessage, &e.RawData, &created)
	e.CreatedAt = parseTime(created)
	return e, err
}

// csvErrorSortColumns: rowNumber sorts numerically (zero-padded text, as
// cursor positions are text).
var csvErrorSortColumns = map[string]string{"rowNumber": "printf('%010d', row_number)", "createdAt": "created_at", "id": "id"}

// CsvImportErrorSortKeys are the sort keys CsvImportErrors accepts, sorted.
var CsvImportErrorSortKeys = sortKeys(csvErrorSortColumns)

// CsvImportErrors returns one page of the row errors of a job of one of
// companies; ErrNotFound when there is no such job.
func (s *Store) CsvImportErrors(ctx context.Context, companies []string, jobID string, req PageRequest) (Page[pleo.CsvRowImportError], error) {
	if _, err := s.CsvImportJob(ctx, companies, jobID); err != nil {
		return Page[pleo.CsvRowImportError]{}, err
	}
	q := listQuery{columns: csvErrorColumns, from: "FROM vendor_csv_import_errors", sortable: csvErrorSortColumns}
	q.filter("job_id = ?", jobID)
	return listPage(ctx, s, q, req, scanCsvRowError)
}

// updateCsvImportJob runs change on a job of one of companies inside a
// write transaction and returns the job as stored afterwards.
func (s *Store) updateCsvImportJob(ctx context.Context, companies []string, id string,
	change func(tx *Tx, job pleo.CsvImportJob) error) (pleo.CsvImportJob, error) {
	var out pleo.CsvImportJob
	err := s.Write(ctx, func(tx *Tx) error {
		job, err := csvImportJobByID(ctx, tx.tx, companies, id)
		if err != nil {
			return err
		}
		if err := change(tx, job); err != nil {
			return err
		}
		out, err = csvImportJobByID(ctx, tx.tx, companies, id)
		return err
	})
	return out, err
}

// UpdateCsvImportMetadata applies an UpdateMetadataRequestV1 (strategy
// REPLACE or MERGE) to a job of one of companies.
func (s *Store) UpdateCsvImportMetadata(ctx context.Context, companies []string, id string, metadata map[string]any,
	strategy string, now time.Time) (pleo.CsvImportJob, error) {
	return s.updateCsvImportJob(ctx, companies, id, func(tx *Tx, job pleo.CsvImportJob) error {
		merged, err := pleo.MergeMetadata(job.Metadata, metadata, strategy)
		if err != nil {
			return err
		}
		text, err := jsonText(merged, "{}")
		if err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET metadata = ?, updated_at = ? WHERE id = ?`,
			text, formatTime(now), id)
		return err
	})
}

// UpdateCsvImportStatus sets the status of a job of one of companies, as
// UpdateStatusRequestV1 asks: pleo.ErrInvalid when u breaks its rules,
// pleo.ErrCsvImportStatus when the job may not move to u.Status. FAILED
// records u's errorType and errorMessage.
func (s *Store) UpdateCsvImportStatus(ctx context.Context, companies []string, id string, u pleo.CsvImportStatusUpdate,
	now time.Time) (pleo.CsvImportJob, error) {
	if err := u.Validate(); err != nil {
		return pleo.CsvImportJob{}, err
	}
	return s.updateCsvImportJob(ctx, companies, id, func(tx *Tx, job pleo.CsvImportJob) error {
		if err := pleo.CheckCsvImportStatusChange(job.Status, u.Status); err != nil {
			return err
		}
		if job.Status == u.Status {
			return nil
		}
		_, err := tx.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET status = ?, error_code = ?, error_message = ?,
			updated_at = ? WHERE id = ?`, u.Status, nullString(u.ErrorType), nullString(u.ErrorMessage), formatTime(now), id)
		return err
	})
}

// SetCsvImportS3Key records the object key a presigned upload URL of a job
// of one of companies points at; pleo.ErrCsvImportStatus once the job no
// longer takes a file (pleo.CsvImportAcceptsUpload).
func (s *Store) SetCsvImportS3Key(ctx context.Context, companies []string, id, key string, now time.Time) (pleo.CsvImportJob, error) {
	return s.updateCsvImportJob(ctx, companies, id, func(tx *Tx, job pleo.CsvImportJob) error {
		if !pleo.CsvImportAcceptsUpload(job.Status) {
			return fmt.Errorf("%w: the job in status %s takes no more files", pleo.ErrCsvImportStatus, job.Status)
		}
		_, err := tx.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET s3_key = ?, updated_at = ? WHERE id = ?`,
			key, formatTime(now), id)
		return err
	})
}

// StoreCsvImportFile stores the file uploaded for job id (any company: the
// caller has checked the upload URL's signature) and moves the job to
// UPLOADED, with the header's column names when the file has a readable
// header. ErrNotFound: no such job; pleo.ErrCsvImportStatus: the job no
// longer takes a file.
func (s *Store) StoreCsvImportFile(ctx context.Context, id string, file []byte, now time.Time) error {
	return s.Write(ctx, func(tx *Tx) error {
		job, err := scanCsvImportJob(tx.tx.QueryRowContext(ctx, `SELECT `+csvJobColumns+` FROM vendor_csv_import_jobs WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if !pleo.CsvImportAcceptsUpload(job.Status) {
			return fmt.Errorf("%w: the job in status %s takes no more files", pleo.ErrCsvImportStatus, job.Status)
		}
		var columns any
		if names, err := pleo.ReadVendorCSVHeader(job.OriginalFilename, file, job.CsvFormat); err == nil {
			b, err := json.Marshal(names)
			if err != nil {
				return err
			}
			columns = string(b)
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET file = ?, column_names = ?, status = ?,
			updated_at = ? WHERE id = ?`, file, columns, pleo.CsvImportUploaded, formatTime(now), id)
		return err
	})
}

// RunCsvImport imports the file of a job of one of companies, in one
// transaction: every good row becomes a vendor (ACTIVE with an externalId,
// DRAFT without, like POST /v1/vendors), every bad row a row error with its
// line, and the job ends COMPLETED with its counts; a file that cannot be
// read at all ends the job FAILED with a CsvImportErrorTypeV1 code. A row
// whose vendor exists (the same externalId, or the same name while it has
// none, in the company or earlier in the file) is the row error
// VENDOR_ALREADY_EXISTS. pleo.ErrCsvImportStatus: the job cannot run
// (pleo.CheckCsvImportRunnable).
func (s *Store) RunCsvImport(ctx context.Context, companies []string, id string, now time.Time) (pleo.CsvImportJob, error) {
	return s.updateCsvImportJob(ctx, companies, id, func(tx *Tx, job pleo.CsvImportJob) error {
		if err := pleo.CheckCsvImportRunnable(job.Status); err != nil {
			return err
		}
		return tx.runCsvImport(ctx, job, now)
	})
}

func (t *Tx) runCsvImport(ctx context.Context, job pleo.CsvImportJob, now time.Time) error {
	var file []byte
	var currency string
	if err := t.tx.QueryRowContext(ctx, `SELECT j.file, c.currency FROM vendor_csv_import_jobs j
		JOIN companies c ON c.id = j.company_id WHERE j.id = ?`, job.ID).Scan(&file, &currency); err != nil {
		return err
	}
	parsed, err := pleo.ParseVendorCSV(job.OriginalFilename, file, job.CsvFormat, currency)
	var fileErr *pleo.CsvFileError
	if errors.As(err, &fileErr) {
		_, err := t.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET status = ?, error_code = ?, error_message = ?,
			updated_at = ? WHERE id = ?`, pleo.CsvImportFailed, fileErr.Code, fileErr.Message, formatTime(now), job.ID)
		return err
	}
	if err != nil {
		return err
	}
	taken, err := t.vendorIdentities(ctx, job.CompanyID)
	if err != nil {
		return err
	}
	var succeeded, failed, skipped int32
	for _, row := range parsed.Rows {
		if row.Skipped {
			skipped++
			continue
		}
		if row.ErrCode == "" && taken[vendorIdentity(row.Vendor)] {
			row.ErrCode, row.ErrMessage = "VENDOR_ALREADY_EXISTS", "A vendor with this "+identityName(row.Vendor)+" exists."
		}
		if row.ErrCode != "" {
			failed++
			if err := t.InsertCsvRowImportError(ctx, pleo.CsvRowImportError{ID: NewUUID(), CsvImportJobID: job.ID,
				RowNumber: int32(row.Line), ErrorCode: row.ErrCode, ErrorMessage: row.ErrMessage, RawData: row.Raw,
				CreatedAt: now}); err != nil {
				return err
			}
			continue
		}
		v := row.Vendor
		v.ID, v.CompanyID, v.CreatedAt, v.UpdatedAt = NewUUID(), job.CompanyID, now, now
		v.State = "DRAFT"
		if v.ExternalID != "" {
			v.State = "ACTIVE"
		}
		if err := t.InsertVendor(ctx, v); err != nil {
			return err
		}
		markTaken(taken, v)
		succeeded++
	}
	columns, err := json.Marshal(parsed.Columns)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `UPDATE vendor_csv_import_jobs SET status = ?, column_names = ?, error_code = NULL,
		error_message = NULL, rows_total = ?, rows_succeeded = ?, rows_failed = ?, rows_skipped = ?, updated_at = ? WHERE id = ?`,
		pleo.CsvImportCompleted, string(columns), len(parsed.Rows), succeeded, failed, skipped, formatTime(now), job.ID)
	return err
}

// vendorIdentity is a vendor's identity in its company (see vendors.go):
// its externalId, or its name ignoring case while it has none.
func vendorIdentity(v pleo.Vendor) string {
	if v.ExternalID != "" {
		return "externalId:" + v.ExternalID
	}
	return "name:" + strings.ToLower(v.Name)
}

func identityName(v pleo.Vendor) string {
	if v.ExternalID != "" {
		return "externalId"
	}
	return "name"
}

// vendorIdentities returns the identities of a company's vendors: every
// externalId, and the name of every vendor (a vendor without externalId
// clashes with any vendor of its name, as CreateVendor checks).
func (t *Tx) vendorIdentities(ctx context.Context, companyID string) (map[string]bool, error) {
	vendors, err := queryList(ctx, t.tx, scanVendor, `SELECT `+vendorColumns+` FROM vendors WHERE company_id = ?`, companyID)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, v := range vendors {
		markTaken(taken, v)
	}
	return taken, nil
}

// markTaken records v's name and externalId (when it has one) as taken.
func markTaken(taken map[string]bool, v pleo.Vendor) {
	taken["name:"+strings.ToLower(v.Name)] = true
	if v.ExternalID != "" {
		taken["externalId:"+v.ExternalID] = true
	}
}

// UploadSigningKey returns the key that signs presigned upload URLs,
// creating a random one on first use. It lives in emulator_settings, so it
// survives resets and restarts and URLs stay valid until they expire.
func (s *Store) UploadSigningKey(ctx context.Context) ([]byte, error) {
	const name = "upload_signing_key"
	var key string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM emulator_settings WHERE key = ?`, name).Scan(&key)
	switch {
	case err == nil:
		return hex.DecodeString(key)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	err = s.Write(ctx, func(tx *Tx) error {
		var err error
		if key, err = tx.Setting(ctx, name); err != nil || key != "" {
			return err
		}
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		key = hex.EncodeToString(b)
		return tx.SetSetting(ctx, name, key)
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(key)
}
