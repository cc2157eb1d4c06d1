-- Receipts of accounting entries and their files. accounting_entries.receipt_ids
-- lists each entry's receipt IDs, as the API shows them; this table holds what
-- the receipt routes answer. A file is stored in chunks of at most 64 KiB, so a
-- download reads one chunk at a time instead of the whole file. The demo
-- receipts are drawn from their slip when first read: until then size_in_bytes
-- is -1 and they have no chunks.
CREATE TABLE receipts (
    id                  TEXT PRIMARY KEY,
    accounting_entry_id TEXT NOT NULL REFERENCES accounting_entries(id) ON DELETE CASCADE,
    company_id          TEXT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    content_type        TEXT NOT NULL,    -- the file's media type, as uploaded
    source              TEXT NOT NULL,    -- Pleo's ReceiptSource
    size_in_bytes       INTEGER NOT NULL,
    sha256              BLOB NOT NULL,    -- of the file; the download's ETag
    ocr_document_id     TEXT,
    slip                TEXT,             -- JSON receipts.Slip of a drawn receipt; NULL for an uploaded file
    created_at          TEXT NOT NULL
) STRICT;
CREATE INDEX receipts_undrawn ON receipts(company_id) WHERE size_in_bytes < 0;
CREATE INDEX receipts_entry ON receipts(accounting_entry_id, created_at, id);
CREATE INDEX receipts_company ON receipts(company_id, created_at, id);

CREATE TABLE receipt_chunks (
    receipt_id TEXT NOT NULL REFERENCES receipts(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,          -- 0, 1, 2, ...: byte offset / chunk size
    data       BLOB NOT NULL,
    PRIMARY KEY (receipt_id, seq)
) STRICT;
