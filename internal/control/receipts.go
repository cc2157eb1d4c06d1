package control

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/httpx"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// MaxReceiptBytes bounds a receipt upload to the control API (the other
// control endpoints take MaxBodyBytes).
const MaxReceiptBytes = 64 << 20

// GuardInput is httpx.GuardInput for the control API: receipt uploads may
// be up to MaxReceiptBytes, accounting entries (which may carry receipts)
// up to MaxEntryBodyBytes, every other body up to MaxBodyBytes.
func GuardInput(next http.Handler) http.Handler {
	small := httpx.GuardInput(MaxBodyBytes, RefuseRequest)(next)
	large := httpx.GuardInput(MaxReceiptBytes, RefuseRequest)(next)
	entries := httpx.GuardInput(MaxEntryBodyBytes, RefuseRequest)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && isReceiptUpload(r.URL.Path):
			large.ServeHTTP(w, r)
		case isEntryWithReceipts(r):
			entries.ServeHTTP(w, r)
		default:
			small.ServeHTTP(w, r)
		}
	})
}

// isReceiptUpload reports whether path is .../accounting-entries/{id}/receipts.
func isReceiptUpload(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	n := len(parts)
	return n >= 3 && parts[n-3] == "accounting-entries" && parts[n-1] == "receipts"
}

// receiptAttached is the answer of a receipt upload.
type receiptAttached struct {
	ID                string `json:"id"`
	AccountingEntryID string `json:"accountingEntryId"`
	ContentType       string `json:"contentType"` // served on download
	MimeType          string `json:"mimeType"`    // as the API shows it (Pleo's ReceiptMimeType)
	SizeInBytes       int32  `json:"sizeInBytes"`
	Source            string `json:"source"`
	CreatedAt         string `json:"createdAt"`
}

// attachReceipt answers POST /_emulator/accounting-entries/{id}/receipts:
// the body is the file, with its Content-Type (any type; none means
// application/octet-stream), or a multipart/form-data form whose part
// "file" is the file, with the part's Content-Type. Query parameters:
// source (Pleo's ReceiptSource, default USER) and id (a UUID; default a
// random one). 201 with the receipt; 404 for an unknown entry; 400 for an
// empty file or a bad parameter; 409 for a taken id; 413 over MaxReceiptBytes.
func (c *Control) attachReceipt(w http.ResponseWriter, r *http.Request) {
	entryID := strings.ToLower(chi.URLParam(r, "id"))
	q := r.URL.Query()
	source, err := spend.UploadSource(q.Get("source"))
	if err != nil {
		c.spendFail(w, r, "accounting entry", err)
		return
	}
	id := strings.ToLower(q.Get("id"))
	if id == "" {
		id = store.NewUUID()
	} else if !oauth.IsUUID(id) {
		fail(w, http.StatusBadRequest, "id must be a UUID")
		return
	}
	file, contentType, err := uploadedFile(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	// The body is in memory already (GuardInput read it), so the write
	// transaction does not wait on the client.
	var rc pleo.Receipt
	err = c.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		rc, err = tx.InsertReceipt(r.Context(), store.NewReceipt{ID: id, AccountingEntryID: entryID,
			ContentType: contentType, Source: source, CreatedAt: c.Clock.Now()}, file)
		if err == nil && rc.SizeInBytes == 0 {
			return errEmptyFile
		}
		return err
	})
	switch {
	case errors.Is(err, errEmptyFile):
		fail(w, http.StatusBadRequest, "the file is empty")
		return
	case errors.Is(err, store.ErrReceiptTooLarge):
		fail(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	case errors.Is(err, store.ErrNotFound):
		fail(w, http.StatusNotFound, "accounting entry not found")
		return
	case errors.Is(err, store.ErrConflict):
		fail(w, http.StatusConflict, "a receipt with this id already exists")
		return
	case err != nil:
		c.storeFail(w, r, "receipt", err)
		return
	}
	writeJSON(w, http.StatusCreated, receiptAttached{ID: rc.ID, AccountingEntryID: rc.AccountingEntryID,
		ContentType: rc.ContentType, MimeType: rc.MimeType, SizeInBytes: rc.SizeInBytes, Source: rc.Source,
		CreatedAt: rc.CreatedAt.UTC().Format("2006-01-02T15:04:05.000000Z07:00")})
}

var errEmptyFile = errors.New("empty file")

// uploadedFile returns the file of an upload and its media type: the raw
// body, or the part named "file" of a multipart/form-data body.
func uploadedFile(r *http.Request) (io.Reader, string, error) {
	contentType := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		return r.Body, "application/octet-stream", nil
	}
	if err != nil {
		return nil, "", errors.New("the Content-Type header is not a media type")
	}
	if mt != "multipart/form-data" {
		return r.Body, contentType, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", errors.New("the multipart body cannot be read: " + err.Error())
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", errors.New(`the multipart body has no part named "file"`)
		}
		if err != nil {
			return nil, "", errors.New("the multipart body cannot be read: " + err.Error())
		}
		if part.FormName() == "file" {
			ct := part.Header.Get("Content-Type")
			if ct == "" {
				ct = "application/octet-stream"
			}
			return part, ct, nil
		}
	}
}
