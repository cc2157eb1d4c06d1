-- Vendor CSV import jobs (/v1/vendors/csv-import/jobs): a job, the file
-- uploaded to its presigned URL, and the rows the run could not import.

CREATE TABLE vendor_csv_import_jobs (
    id                TEXT PRIMARY KEY,
    company_id        TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    type              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('UPLOAD_INITIATED', 'UPLOADED', 'READY_FOR_IMPORT', 'QUEUED',
                                                      'PROCESSING', 'COMPLETED', 'FAILED')),
    original_filename TEXT NOT NULL,
    csv_format        TEXT,                       -- CsvFormatV1 as JSON; NULL: guessed from the file
    metadata          TEXT NOT NULL DEFAULT '{}', -- JSON object
    column_names      TEXT,                       -- JSON array, read from the uploaded file's header
    s3_key            TEXT,                       -- set when a presigned URL is issued
    file              BLOB,                       -- the uploaded CSV, as uploaded
    error_code        TEXT,
    error_message     TEXT,
    rows_total        INTEGER,
    rows_succeeded    INTEGER,
    rows_failed       INTEGER,
    rows_skipped      INTEGER,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX vendor_csv_import_jobs_company ON vendor_csv_import_jobs(company_id, created_at, id);

CREATE TABLE vendor_csv_import_errors (
    id            TEXT PRIMARY KEY,
    job_id        TEXT NOT NULL REFERENCES vendor_csv_import_jobs(id) ON DELETE CASCADE,
    row_number    INTEGER NOT NULL,
    error_code    TEXT NOT NULL,
    error_message TEXT NOT NULL,
    raw_data      TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX vendor_csv_import_errors_job ON vendor_csv_import_errors(job_id, row_number, id);
