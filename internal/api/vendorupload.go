package api

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Presigned upload URLs for vendor CSV import jobs. Pleo answers
// :get-presigned-url with an S3 presigned URL; the emulator answers with a
// URL on itself that works the same way: no bearer token, the right to
// upload is in the URL (an expiry and an HMAC-SHA256 signature over the
// method, path and expiry, with a random key kept in the database), it stops
// working when it expires by the emulator's clock, and any change to the
// path or the query breaks the signature. Errors are S3's XML <Error>
// documents (an emulator choice, so that S3 clients read them).

// VendorCSVUploadPattern is the route of presigned CSV uploads, outside
// the bearer-token API (registered by the app router).
const VendorCSVUploadPattern = "/_uploads/vendor-csv-import/{jobId}"

// MaxUploadBytes bounds an uploaded CSV file (an emulator choice; Pleo
// documents no limit); a larger one answers S3's EntityTooLarge.
const MaxUploadBytes = 5 << 20

// uploadURLLifetime is how long a presigned URL works: 15 minutes, the
// AWS SDKs' default for presigned URLs (Pleo does not document its own).
const uploadURLLifetime = 15 * time.Minute

// presignUpload returns the presigned PUT URL of job id, valid for
// uploadURLLifetime from now: <PublicURL>/_uploads/vendor-csv-import/<id>
// ?expires=<unix seconds>&signature=<base64url HMAC>.
func (a *API) presignUpload(ctx context.Context, id string) (string, error) {
	key, err := a.store.UploadSigningKey(ctx)
	if err != nil {
		return "", err
	}
	path := strings.Replace(VendorCSVUploadPattern, "{jobId}", id, 1)
	expires := strconv.FormatInt(a.clock.Now().Add(uploadURLLifetime).Unix(), 10)
	return a.opt.PublicURL + path + "?expires=" + expires + "&signature=" + uploadSignature(key, http.MethodPut, path, expires), nil
}

// uploadSignature is the base64url HMAC-SHA256 of method, path and expiry.
func uploadSignature(key []byte, method, path, expires string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(method + "\n" + path + "\n" + expires))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// s3Error is S3's error document.
type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// writeS3Error writes an S3-style XML error.
func writeS3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(s3Error{Code: code, Message: message})
}

// RefuseUpload writes an upload refused before it reaches the handler
// (httpx.GuardInput): a body over MaxUploadBytes is S3's EntityTooLarge,
// a body that did not arrive in time RequestTimeout, anything else
// InvalidArgument.
func RefuseUpload(w http.ResponseWriter, _ *http.Request, status int, message string) {
	code := "InvalidArgument"
	switch status {
	case http.StatusRequestEntityTooLarge:
		code = "EntityTooLarge"
	case http.StatusRequestTimeout:
		code = "RequestTimeout"
	}
	writeS3Error(w, status, code, strings.ToUpper(message[:1])+message[1:]+".")
}

// UploadVendorCSV serves PUT on a presigned upload URL: it checks the
// signature (403 SignatureDoesNotMatch) and then the expiry (403
// AccessDenied "Request has expired"), stores the body as the job's file
// and answers 200 with the body's MD5 as ETag, as S3 does. A job that is
// gone is 404 NoSuchKey; one that has been queued or run takes no file
// (409 InvalidRequest).
func (a *API) UploadVendorCSV(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("jobId")
	q := r.URL.Query()
	expires, signature := q.Get("expires"), q.Get("signature")
	if !oauth.IsUUID(id) || expires == "" || signature == "" {
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "The URL is not a presigned upload URL.")
		return
	}
	key, err := a.store.UploadSigningKey(r.Context())
	if err != nil {
		a.uploadFailed(w, r, err)
		return
	}
	want := uploadSignature(key, r.Method, r.URL.Path, expires)
	if !hmac.Equal([]byte(signature), []byte(want)) {
		writeS3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature does not match the URL.")
		return
	}
	until, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !a.clock.Now().Before(time.Unix(until, 0)) {
		writeS3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	file, err := io.ReadAll(r.Body)
	if err != nil {
		writeS3Error(w, http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
		return
	}
	err = a.store.StoreCsvImportFile(r.Context(), strings.ToLower(id), file, a.clock.Now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeS3Error(w, http.StatusNotFound, "NoSuchKey", "The import job no longer exists.")
	case errors.Is(err, pleo.ErrCsvImportStatus):
		writeS3Error(w, http.StatusConflict, "InvalidRequest", "The import job has been queued or run and takes no more files.")
	case err != nil:
		a.uploadFailed(w, r, err)
	default:
		sum := md5.Sum(file)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
		w.WriteHeader(http.StatusOK)
	}
}

// uploadFailed logs an internal error of an upload and answers S3's InternalError.
func (a *API) uploadFailed(w http.ResponseWriter, r *http.Request, err error) {
	a.log.LogAttrs(r.Context(), slog.LevelError, "upload: internal error", slog.String("path", r.URL.Path), slog.Any("error", err))
	writeS3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}
