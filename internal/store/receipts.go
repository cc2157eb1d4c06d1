package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/receipts"
)

// This file stores receipts and their files (migrations/0012_receipts.sql)
// for the receipt routes of the mock API and the presigned downloads.

// ReceiptChunkSize is the largest piece of a file one row holds; a download
// holds at most one chunk in memory.
const ReceiptChunkSize = 64 << 10

// MaxReceiptBytes bounds a stored file (sizeInBytes is an int32 in Pleo's
// ReceiptModel; the emulator stays far below that).
const MaxReceiptBytes = 256 << 20

// ErrReceiptTooLarge is returned when a file exceeds MaxReceiptBytes.
var ErrReceiptTooLarge = fmt.Errorf("receipt file exceeds %d bytes", MaxReceiptBytes)

const receiptColumns = `r.id, r.accounting_entry_id, r.company_id, r.content_type, r.source, r.size_in_bytes, r.sha256,
	coalesce(r.ocr_document_id, ''), r.created_at`

func scanReceipt(row interface{ Scan(...any) error }) (pleo.Receipt, error) {
	var rc pleo.Receipt
	var created string
	var size int64
	err := row.Scan(&rc.ID, &rc.AccountingEntryID, &rc.CompanyID, &rc.ContentType, &rc.Source, &size, &rc.SHA256,
		&rc.OCRDocumentID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return rc, ErrNotFound
	}
	rc.CreatedAt, rc.SizeInBytes, rc.MimeType = parseTime(created), int32(size), pleo.ReceiptMimeType(rc.ContentType)
	return rc, err
}

// receiptSortColumns maps Pleo's ReceiptsSortingKeys to SQL. Cursor
// positions are text, so the size sorts as a zero-padded number.
var receiptSortColumns = map[string]string{
	"createdAt": "r.created_at", "id": "r.id", "size": "printf('%020d', r.size_in_bytes)"}

// ReceiptSortKeys are the sort keys Receipts accepts, sorted.
var ReceiptSortKeys = sortKeys(receiptSortColumns)

// ReceiptFilter selects receipts; every set field must match. CompanyIDs is
// required: the companies the caller may see (an empty list matches nothing).
type ReceiptFilter struct {
	CompanyIDs         []string
	AccountingEntryIDs []string
	EmployeeIDs        []string // the entry's employee
	Sources            []string
	MimeTypes          []string // Pleo's ReceiptMimeType values; "unknown" matches every type outside the enum
	// IncludeDeleted also returns receipts of deleted accounting entries.
	IncludeDeleted bool
}

// Receipts returns one page of the receipts matching f.
func (s *Store) Receipts(ctx context.Context, f ReceiptFilter, req PageRequest) (Page[pleo.Receipt], error) {
	if len(f.CompanyIDs) == 0 {
		return Page[pleo.Receipt]{}, nil
	}
	if slices.ContainsFunc(req.Order, func(o Sort) bool { return o.Key == "size" }) {
		// Sorting by size needs every size: draw the receipts that may match.
		cond, args := "company_id IN ("+placeholders(len(f.CompanyIDs))+")", anySlice(f.CompanyIDs)
		if len(f.AccountingEntryIDs) > 0 {
			cond += " AND accounting_entry_id IN (" + placeholders(len(f.AccountingEntryIDs)) + ")"
			args = append(args, anySlice(f.AccountingEntryIDs)...)
		}
		if err := s.drawReceipts(ctx, cond, args...); err != nil {
			return Page[pleo.Receipt]{}, err
		}
	}
	q := listQuery{columns: receiptColumns,
		from: "FROM receipts r JOIN accounting_entries e ON e.id = r.accounting_entry_id", sortable: receiptSortColumns}
	q.filterIn("r.company_id", f.CompanyIDs)
	q.filterIn("r.accounting_entry_id", f.AccountingEntryIDs)
	q.filterIn("e.employee_id", f.EmployeeIDs)
	q.filterIn("r.source", f.Sources)
	if len(f.MimeTypes) > 0 {
		// The media type without parameters, lower-cased, as pleo.ReceiptMimeType reads it.
		bare := "lower(trim(CASE WHEN instr(r.content_type, ';') > 0 THEN substr(r.content_type, 1, instr(r.content_type, ';') - 1) ELSE r.content_type END))"
		var known []string
		unknown := false
		for _, m := range f.MimeTypes {
			if m == "unknown" {
				unknown = true
			} else {
				known = append(known, m)
			}
		}
		var conds []string
		var args []any
		if len(known) > 0 {
			conds, args = append(conds, bare+" IN ("+placeholders(len(known))+")"), append(args, anySlice(known)...)
		}
		if unknown {
			others := pleo.ReceiptMimeTypes[1:]
			conds, args = append(conds, bare+" NOT IN ("+placeholders(len(others))+")"), append(args, anySlice(others)...)
		}
		q.filter("("+strings.Join(conds, " OR ")+")", args...)
	}
	if !f.IncludeDeleted {
		q.filter("e.deleted_at IS NULL")
	}
	page, err := listPage(ctx, s, q, req, scanReceipt)
	if err != nil {
		return page, err
	}
	// Draw the receipts of the page that are not drawn yet, and read them again.
	var undrawn []string
	for _, rc := range page.Items {
		if rc.SizeInBytes < 0 {
			undrawn = append(undrawn, rc.ID)
		}
	}
	if len(undrawn) == 0 {
		return page, nil
	}
	if err := s.drawReceipts(ctx, "id IN ("+placeholders(len(undrawn))+")", anySlice(undrawn)...); err != nil {
		return page, err
	}
	for i, rc := range page.Items {
		if rc.SizeInBytes < 0 {
			if page.Items[i], err = scanReceipt(s.queryRow(ctx, receiptByID, rc.ID)); err != nil {
				return page, err
			}
		}
	}
	return page, nil
}

var receiptByID = readQuery(`SELECT ` + receiptColumns + ` FROM receipts r WHERE r.id = ?`)

// Receipt returns one receipt; ErrNotFound if there is none.
func (s *Store) Receipt(ctx context.Context, id string) (pleo.Receipt, error) {
	if err := s.drawReceipts(ctx, "id = ?", id); err != nil {
		return pleo.Receipt{}, err
	}
	return scanReceipt(s.queryRow(ctx, receiptByID, id))
}

// insertDrawnReceipt is prepared once: the seed runs it for most entries.
var insertDrawnReceipt = writeQuery(`INSERT INTO receipts (id, accounting_entry_id, company_id, content_type, source,
	size_in_bytes, sha256, ocr_document_id, slip, created_at)
	SELECT ?, id, company_id, ?, ?, -1, x'', ?, ?, ? FROM accounting_entries WHERE id = ?`)

// InsertDrawnReceipt adds a receipt of an accounting entry whose file is
// drawn from slip (receipts.Render, as nr.ContentType) when it is first
// read, so that seeding stays fast. The entry must list the receipt's ID in
// its receiptIds already (the seed writes both). ErrNotFound: no such
// entry; ErrConflict: the ID is taken.
func (t *Tx) InsertDrawnReceipt(ctx context.Context, nr NewReceipt, slip receipts.Slip) error {
	spec, err := json.Marshal(slip)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, insertDrawnReceipt, nr.ID, nr.ContentType, nr.Source, nullString(nr.OCRDocumentID), string(spec),
		formatTime(nr.CreatedAt), nr.AccountingEntryID)
	if err != nil {
		return conflict(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, ErrNotFound)
	}
	return nil
}

// drawReceipts draws and stores the files of the receipts matching cond
// that are not drawn yet. Rendering runs outside the write; a receipt that
// another request drew meanwhile is left alone.
func (s *Store) drawReceipts(ctx context.Context, cond string, args ...any) error {
	rows, err := s.query(ctx, `SELECT id, content_type, slip FROM receipts WHERE size_in_bytes < 0 AND `+cond, args...)
	if err != nil {
		return err
	}
	type drawn struct {
		id   string
		file []byte
	}
	var todo []drawn
	for rows.Next() {
		var id, contentType, spec string
		if err := rows.Scan(&id, &contentType, &spec); err != nil {
			rows.Close()
			return err
		}
		var slip receipts.Slip
		if err := json.Unmarshal([]byte(spec), &slip); err != nil {
			rows.Close()
			return fmt.Errorf("receipt %s: slip: %w", id, err)
		}
		file, err := receipts.Render(slip, contentType)
		if err != nil {
			rows.Close()
			return fmt.Errorf("receipt %s: %w", id, err)
		}
		todo = append(todo, drawn{id, file})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(todo) == 0 {
		return err
	}
	return s.Write(ctx, func(tx *Tx) error {
		for _, d := range todo {
			sum := sha256.Sum256(d.file)
			res, err := tx.tx.ExecContext(ctx, `UPDATE receipts SET size_in_bytes = ?, sha256 = ? WHERE id = ? AND size_in_bytes < 0`,
				len(d.file), sum[:], d.id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				continue // drawn by another request, or gone
			}
			if _, err := tx.writeChunks(ctx, d.id, bytes.NewReader(d.file)); err != nil {
				return err
			}
		}
		return nil
	})
}

// NewReceipt is a receipt to attach to an accounting entry.
type NewReceipt struct {
	ID                string // a UUID
	AccountingEntryID string
	ContentType       string
	Source            string
	OCRDocumentID     string
	CreatedAt         time.Time
}

// InsertReceipt attaches a receipt whose file is read from content to its
// accounting entry: the receipt row, the file in chunks of ReceiptChunkSize,
// and the ID appended to the entry's receiptIds unless listed there already
// (its updatedAt then becomes CreatedAt, if later). It returns the stored receipt. ErrNotFound: no such entry;
// ErrConflict: the ID is taken; ErrReceiptTooLarge: content is too long.
func (t *Tx) InsertReceipt(ctx context.Context, nr NewReceipt, content io.Reader) (pleo.Receipt, error) {
	var companyID string
	err := t.tx.QueryRowContext(ctx, `SELECT company_id FROM accounting_entries WHERE id = ?`, nr.AccountingEntryID).Scan(&companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return pleo.Receipt{}, ErrNotFound
	}
	if err != nil {
		return pleo.Receipt{}, err
	}
	created := formatTime(nr.CreatedAt)
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO receipts (id, accounting_entry_id, company_id, content_type, source,
		size_in_bytes, sha256, ocr_document_id, created_at) VALUES (?, ?, ?, ?, ?, 0, x'', ?, ?)`,
		nr.ID, nr.AccountingEntryID, companyID, nr.ContentType, nr.Source, nullString(nr.OCRDocumentID), created); err != nil {
		return pleo.Receipt{}, conflict(err)
	}
	sum := sha256.New()
	size, err := t.writeChunks(ctx, nr.ID, io.TeeReader(content, sum))
	if err != nil {
		return pleo.Receipt{}, err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE receipts SET size_in_bytes = ?, sha256 = ? WHERE id = ?`,
		size, sum.Sum(nil), nr.ID); err != nil {
		return pleo.Receipt{}, err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE accounting_entries SET receipt_ids = json_insert(receipt_ids, '$[#]', ?1),
		updated_at = max(updated_at, ?2) WHERE id = ?3 AND NOT EXISTS (SELECT 1 FROM json_each(receipt_ids) WHERE value = ?1)`,
		nr.ID, created, nr.AccountingEntryID); err != nil {
		return pleo.Receipt{}, err
	}
	return scanReceipt(t.tx.QueryRowContext(ctx, `SELECT `+receiptColumns+` FROM receipts r WHERE r.id = ?`, nr.ID))
}

// writeChunks stores content as the chunks of receipt id and returns its length.
func (t *Tx) writeChunks(ctx context.Context, id string, content io.Reader) (int64, error) {
	buf := make([]byte, ReceiptChunkSize)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(content, buf)
		if n > 0 {
			if size += int64(n); size > MaxReceiptBytes {
				return size, ErrReceiptTooLarge
			}
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO receipt_chunks (receipt_id, seq, data) VALUES (?, ?, ?)`,
				id, seq, buf[:n]); err != nil {
				return size, err
			}
		}
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return size, nil
		case err != nil:
			return size, fmt.Errorf("read receipt file: %w", err)
		}
	}
}

var receiptChunk = readQuery(`SELECT data FROM receipt_chunks WHERE receipt_id = ? AND seq = ?`)

// ReceiptFile is a stored file as an io.ReadSeeker for http.ServeContent.
// It reads the chunk under its position from the database when needed and
// holds no more than that one chunk.
type ReceiptFile struct {
	s     *Store
	ctx   context.Context
	id    string
	size  int64
	pos   int64
	seq   int64  // the chunk in buf; -1 before the first read
	chunk []byte // the bytes of chunk seq
}

// OpenReceiptFile returns a reader of the file of receipt rc (as read by
// Receipt or Receipts).
func (s *Store) OpenReceiptFile(ctx context.Context, rc pleo.Receipt) *ReceiptFile {
	return &ReceiptFile{s: s, ctx: ctx, id: rc.ID, size: int64(rc.SizeInBytes), seq: -1}
}

// Read reads from the current position.
func (f *ReceiptFile) Read(p []byte) (int, error) {
	if f.pos >= f.size {
		return 0, io.EOF
	}
	seq := f.pos / ReceiptChunkSize
	if seq != f.seq {
		if err := f.readChunk(seq); err != nil {
			f.seq = -1
			return 0, err
		}
		f.seq = seq
	}
	off := f.pos - seq*ReceiptChunkSize
	if off >= int64(len(f.chunk)) {
		return 0, fmt.Errorf("receipt %s: chunk %d is short", f.id, seq)
	}
	n := copy(p, f.chunk[off:])
	f.pos += int64(n)
	return n, nil
}

// readChunk reads chunk seq into f.chunk, reusing its array: the driver's
// copy of the blob is the only allocation.
func (f *ReceiptFile) readChunk(seq int64) error {
	rows, err := f.s.query(f.ctx, receiptChunk, f.id, seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("receipt %s: chunk %d is missing", f.id, seq)
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return err
	}
	f.chunk = append(f.chunk[:0], raw...)
	return rows.Close()
}

// Seek sets the position for the next Read (io.Seeker).
func (f *ReceiptFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.pos
	case io.SeekEnd:
		offset += f.size
	default:
		return f.pos, errors.New("receipt file: bad whence")
	}
	if offset < 0 {
		return f.pos, errors.New("receipt file: negative position")
	}
	f.pos = offset
	return f.pos, nil
}

// receiptURLKeySetting is the emulator_settings key of the receipt URL
// signing key. The settings survive restarts and resets.
const receiptURLKeySetting = "receipt_url_key"

// ReceiptURLKey returns the key that signs receipt download URLs, creating
// a random 32-byte key the first time.
func (s *Store) ReceiptURLKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.Write(ctx, func(tx *Tx) error {
		v, err := tx.Setting(ctx, receiptURLKeySetting)
		if err != nil {
			return err
		}
		if key, err = hex.DecodeString(v); err == nil && len(key) == 32 {
			return nil
		}
		key = make([]byte, 32)
		_, _ = rand.Read(key)
		return tx.SetSetting(ctx, receiptURLKeySetting, hex.EncodeToString(key))
	})
	return key, err
}
