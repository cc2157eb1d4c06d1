-- Export API v3: export jobs and their items. An item is one accounting
-- entry's progress in one job; it remembers the entry's exportStatus from
-- before the job so a failed export can give it back.

CREATE TABLE export_jobs (
    id                       TEXT PRIMARY KEY,
    company_id               TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    status                   TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'failed', 'completed', 'completed_with_errors')),
    is_interactive           INTEGER NOT NULL,
    vendor_based_bookkeeping INTEGER NOT NULL,
    number_of_items          INTEGER NOT NULL,
    created_by               TEXT,
    failure_reason           TEXT,
    failure_reason_type      TEXT,
    created_at               TEXT NOT NULL,
    started_at               TEXT,
    completed_at             TEXT,
    expired_at               TEXT,
    last_updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX export_jobs_company ON export_jobs(company_id, created_at, id);
-- At most one job per company is in progress.
CREATE UNIQUE INDEX export_jobs_one_in_progress ON export_jobs(company_id) WHERE status = 'in_progress';

CREATE TABLE export_job_items (
    job_id                 TEXT NOT NULL REFERENCES export_jobs(id) ON DELETE CASCADE,
    accounting_entry_id    TEXT NOT NULL REFERENCES accounting_entries(id) ON DELETE CASCADE,
    status                 TEXT NOT NULL CHECK (status IN ('pending', 'in_progress', 'failed', 'successful', 'abandoned')),
    previous_export_status TEXT NOT NULL,
    exported_at            TEXT,
    external_id            TEXT,
    external_url           TEXT,
    failure_reason         TEXT,
    failure_reason_type    TEXT,
    updated_at             TEXT NOT NULL,
    PRIMARY KEY (job_id, accounting_entry_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX export_job_items_entry ON export_job_items(accounting_entry_id);

-- Lookups by the identities the tag, vendor and account APIs check.
CREATE INDEX tags_group_code ON tags(group_id, code);
CREATE INDEX vendors_company_external_id ON vendors(company_id, external_id);
