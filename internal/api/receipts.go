package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Receipts of accounting entries (Pleo's accounting-entries document):
// POST /v1/accounting-entries/receipts:search,
// GET /v1/accounting-entries/{accountingEntryId}/receipts and
// GET /v1/accounting-entries/{accountingEntryId}/receipts/{receiptId}.
//
// Each receipt's url is presigned, as Pleo documents: anyone holding it may
// download the file, without a bearer token, for 24 hours. The emulator
// signs ReceiptFilePath/{receiptId} with HMAC-SHA256 over the path, the file
// type and the expiry, under a random key kept in the database (it survives
// restarts and resets); ServeReceiptFile checks the signature and the expiry
// against the emulator's clock. The URL's shape is the emulator's own.
//
// Emulator choices: every file type (ORIGINAL, THUMBNAIL, PREVIEW, EMBED)
// serves the original file; a receipt of a deleted entry counts as deleted
// (receipts:search shows it only with includeDeleted), and the per-entry
// routes answer 404 for a deleted entry, like GET of the entry does without
// include_deleted.

// ReceiptURLLifetime is how long a presigned receipt URL works, as Pleo
// documents ("A URL with an expiry period of 24 hours").
const ReceiptURLLifetime = 24 * time.Hour

// ReceiptFilePath is the path under the public URL where presigned receipt
// URLs point; the router serves ServeReceiptFile at ReceiptFilePath/{receiptId}.
const ReceiptFilePath = "/receipt-files"

// receiptsList pages the receipt lists: oldest upload first. Pleo's default
// limit for receipts is 10.
var receiptsList = listSpec{sortKeys: store.ReceiptSortKeys, defaultSort: []store.Sort{{Key: "createdAt"}},
	defaultLimit: 10, maxLimit: 100}

// receiptSearchRequest is ReceiptSearchRequest. Pleo marks includeDeleted
// required; like the entry search, the emulator defaults it to false.
type receiptSearchRequest struct {
	IncludeDeleted     bool     `json:"includeDeleted,omitempty"`
	AccountingEntryIDs []string `json:"accountingEntryIds,omitempty" format:"uuid"`
	EmployeeIDs        []string `json:"employeeIds,omitempty" format:"uuid"`
	FileType           string   `json:"fileType,omitempty"`
	MimeType           []string `json:"mimeType,omitempty"`
	Source             []string `json:"source,omitempty"`
}

var searchReceiptsDoc = operation{
	id: "searchReceiptsByPostV6", tag: "Accounting Entries", summary: "Search the receipts of accounting entries",
	params: append([]param{
		queryUUID("company_id", "Only receipts of this company. Required with an organisation token unless organization_id is given."),
		queryUUID("organization_id", "Receipts of every company of this organisation (which must be the token's)."),
		queryUUID("partner_id", "Receipts of a partner's companies. The emulator has no partners: any value answers 403."),
	}, pagingParams(receiptsList)...),
	body: receiptSearchRequest{},
	bodyEnums: map[string][]string{"fileType": pleo.ReceiptFileTypes, "mimeType": pleo.ReceiptMimeTypes,
		"source": pleo.ReceiptSources},
	status: http.StatusOK, response: pageResponse[pleo.Receipt]{},
	errors: []int{http.StatusBadRequest},
}

// searchReceipts answers POST /v1/accounting-entries/receipts:search. The
// body is optional; unknown fields are ignored.
func (a *API) searchReceipts(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	var body receiptSearchRequest
	if err := decodeBody(w, r, &body, false); err != nil {
		return err
	}
	q := r.URL.Query()
	pq, err := parsePageQuery(q, receiptsList)
	if err != nil {
		return err
	}
	f := store.ReceiptFilter{IncludeDeleted: body.IncludeDeleted}
	if f.AccountingEntryIDs, err = uuidList("accountingEntryIds", body.AccountingEntryIDs, 100); err != nil {
		return err
	}
	if f.EmployeeIDs, err = uuidList("employeeIds", body.EmployeeIDs, 100); err != nil {
		return err
	}
	for _, l := range []struct {
		field           string
		values, allowed []string
	}{{"mimeType", body.MimeType, pleo.ReceiptMimeTypes}, {"source", body.Source, pleo.ReceiptSources}} {
		if err := checkList(l.field, l.values, 100, oneOf(l.allowed), "one of "+strings.Join(l.allowed, ", ")); err != nil {
			return err
		}
	}
	f.MimeTypes, f.Sources = body.MimeType, body.Source
	fileType := body.FileType
	if fileType == "" {
		fileType = "ORIGINAL"
	} else if !slices.Contains(pleo.ReceiptFileTypes, fileType) {
		return badField("fileType", "must be one of %s, not %q.", strings.Join(pleo.ReceiptFileTypes, ", "), fileType)
	}
	if q.Has("partner_id") {
		id, err := uuidValue("partner_id", q.Get("partner_id"))
		if err != nil {
			return err
		}
		return forbidden("The access token does not grant access to partner " + id + ".")
	}
	if f.CompanyIDs, err = a.companiesFor(r.Context(), p, q,
		companySelector{company: "company_id", organization: "organization_id", required: true}); err != nil {
		return err
	}
	page, err := a.store.Receipts(r.Context(), f, pq.req)
	if err != nil {
		return err
	}
	if err := a.presignAll(r.Context(), page.Items, fileType); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "company_id", "organization_id")))
	return nil
}

var listEntryReceiptsDoc = operation{
	id: "getAllReceiptsV6", tag: "Accounting Entries", summary: "Get all receipts of an accounting entry",
	params: append([]param{
		pathParam("accountingEntryId", "The accounting entry."),
		queryEnums("source", "Only receipts with one of these sources.", pleo.ReceiptSources),
		fileTypeParam,
	}, pagingParams(receiptsList)...),
	status: http.StatusOK, response: pageResponse[pleo.Receipt]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

var fileTypeParam = param{name: "file_type", in: "query",
	description: "The file type the presigned URLs point at (default ORIGINAL; the emulator serves the original file for every type).",
	schema:      map[string]any{"type": "string", "enum": pleo.ReceiptFileTypes}}

// listEntryReceipts answers GET /v1/accounting-entries/{accountingEntryId}/receipts.
func (a *API) listEntryReceipts(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	entry, err := a.entryInPath(r, p, false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	fileType, err := fileTypeQuery(q)
	if err != nil {
		return err
	}
	sources := multiValues(q, "source")
	for _, s := range sources {
		if !slices.Contains(pleo.ReceiptSources, s) {
			return badParam("source", "has unknown value %q; allowed: %s.", s, strings.Join(pleo.ReceiptSources, ", "))
		}
	}
	pq, err := parsePageQuery(q, receiptsList)
	if err != nil {
		return err
	}
	page, err := a.store.Receipts(r.Context(), store.ReceiptFilter{CompanyIDs: []string{entry.CompanyID},
		AccountingEntryIDs: []string{entry.ID}, Sources: sources}, pq.req)
	if err != nil {
		return err
	}
	if err := a.presignAll(r.Context(), page.Items, fileType); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, newPage(page, pq, echoParams(q, "source", "file_type")))
	return nil
}

var getEntryReceiptDoc = operation{
	id: "getReceiptFileV6", tag: "Accounting Entries", summary: "Get a receipt with time-bound access to its file",
	params: []param{
		pathParam("accountingEntryId", "The accounting entry."),
		pathParam("receiptId", "The receipt."),
		fileTypeParam,
	},
	status: http.StatusOK, response: dataResponse[pleo.Receipt]{}, errors: []int{http.StatusBadRequest, http.StatusNotFound},
}

// getEntryReceipt answers GET /v1/accounting-entries/{accountingEntryId}/receipts/{receiptId}.
// A receipt of another entry is not found.
func (a *API) getEntryReceipt(w http.ResponseWriter, r *http.Request, p oauth.Principal) error {
	entry, err := a.entryInPath(r, p, false)
	if err != nil {
		return err
	}
	receiptID, err := pathUUID(r, "receiptId")
	if err != nil {
		return err
	}
	fileType, err := fileTypeQuery(r.URL.Query())
	if err != nil {
		return err
	}
	rc, err := a.store.Receipt(r.Context(), receiptID)
	if errors.Is(err, store.ErrNotFound) || err == nil && rc.AccountingEntryID != entry.ID {
		return notFound("Receipt not found.")
	}
	if err != nil {
		return err
	}
	if err := a.presign(r.Context(), &rc, fileType); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contentTypeJSON, dataResponse[pleo.Receipt]{Data: rc})
	return nil
}

// fileTypeQuery reads the file_type query parameter (default ORIGINAL).
func fileTypeQuery(q url.Values) (string, error) {
	if !q.Has("file_type") {
		return "ORIGINAL", nil
	}
	v := q.Get("file_type")
	if !slices.Contains(pleo.ReceiptFileTypes, v) {
		return "", badParam("file_type", "has unknown value %q; allowed: %s.", v, strings.Join(pleo.ReceiptFileTypes, ", "))
	}
	return v, nil
}

// presignAll sets the file type and a fresh presigned URL on every receipt.
func (a *API) presignAll(ctx context.Context, rcs []pleo.Receipt, fileType string) error {
	for i := range rcs {
		if err := a.presign(ctx, &rcs[i], fileType); err != nil {
			return err
		}
	}
	return nil
}

// presign sets rc's file type and its URL, valid for ReceiptURLLifetime from now.
func (a *API) presign(ctx context.Context, rc *pleo.Receipt, fileType string) error {
	key, err := a.receiptKey(ctx)
	if err != nil {
		return err
	}
	expires := a.clock.Now().Add(ReceiptURLLifetime).Unix()
	path := ReceiptFilePath + "/" + rc.ID
	q := url.Values{"file_type": {fileType}, "expires": {strconv.FormatInt(expires, 10)},
		"signature": {receiptSignature(key, path, fileType, expires)}}
	rc.FileType, rc.URL = fileType, a.opt.PublicURL+path+"?"+q.Encode()
	return nil
}

// receiptSignature is the URL signature: base64url HMAC-SHA256 of the
// path, file type and expiry (Unix seconds), one per line.
func receiptSignature(key []byte, path, fileType string, expires int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(http.MethodGet + "\n" + path + "\n" + fileType + "\n" + strconv.FormatInt(expires, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// receiptKey returns the URL signing key, read from the store once.
func (a *API) receiptKey(ctx context.Context) ([]byte, error) {
	a.keyMu.Lock()
	defer a.keyMu.Unlock()
	if a.urlKey == nil {
		key, err := a.store.ReceiptURLKey(ctx)
		if err != nil {
			return nil, err
		}
		a.urlKey = key
	}
	return a.urlKey, nil
}

// receiptFileError is a refused download, in Pleo's error shape (a storage
// bucket would answer XML; the emulator keeps one shape).
func receiptFileError(w http.ResponseWriter, status int, typ, message string) {
	writeJSON(w, status, contentTypeJSON, &apiError{Status: status, Type: typ, Message: message})
}

// ServeReceiptFile serves GET and HEAD of a presigned receipt URL, as a
// storage bucket would: no bearer token; 403 when the signature does not
// match the path, file type and expiry (SIGNATURE_DOES_NOT_MATCH) or the
// URL has expired by the emulator's clock (REQUEST_EXPIRED); 404 when the
// receipt no longer exists. The file is served with its stored
// Content-Type, Content-Length, an ETag (its SHA-256) and Last-Modified,
// and honours Range and conditional requests (http.ServeContent). It is
// read from the database one chunk at a time. The receipt ID is the path
// value receiptId.
func (a *API) ServeReceiptFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("receiptId")
	q := r.URL.Query()
	key, err := a.receiptKey(r.Context())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	got, decodeErr := base64.RawURLEncoding.DecodeString(q.Get("signature"))
	want, _ := base64.RawURLEncoding.DecodeString(receiptSignature(key, ReceiptFilePath+"/"+id, q.Get("file_type"), expires))
	if err != nil || decodeErr != nil || !oauth.IsUUID(id) || !hmac.Equal(got, want) {
		receiptFileError(w, http.StatusForbidden, "SIGNATURE_DOES_NOT_MATCH",
			"The signature of this receipt URL does not match; ask the API for a new URL.")
		return
	}
	now := a.clock.Now()
	if !now.Before(time.Unix(expires, 0)) {
		receiptFileError(w, http.StatusForbidden, "REQUEST_EXPIRED",
			"This receipt URL expired at "+time.Unix(expires, 0).UTC().Format(time.RFC3339)+"; ask the API for a new URL.")
		return
	}
	rc, err := a.store.Receipt(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		receiptFileError(w, http.StatusNotFound, typeNotFound, "The receipt no longer exists.")
		return
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", rc.ContentType)
	h.Set("ETag", `"`+hex.EncodeToString(rc.SHA256)+`"`)
	h.Set("Cache-Control", "private, max-age="+strconv.FormatInt(expires-now.Unix(), 10))
	// An uploaded file may be anything, HTML included: never let a browser
	// run it on the emulator's origin.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	http.ServeContent(w, r, "", rc.CreatedAt, a.store.OpenReceiptFile(r.Context(), rc))
}
