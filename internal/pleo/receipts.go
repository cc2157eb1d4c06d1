package pleo

import (
	"mime"
	"slices"
	"time"
)

// Receipt is ReceiptModel: a file attached to an accounting entry. The API
// fills FileType and URL per request (the URL is presigned and expires).
type Receipt struct {
	ID                string    `json:"id" format:"uuid"`
	AccountingEntryID string    `json:"accountingEntryId" format:"uuid"`
	CreatedAt         time.Time `json:"createdAt"`
	FileType          string    `json:"fileType"`
	MimeType          string    `json:"mimeType"` // one of ReceiptMimeTypes; see ReceiptMimeType
	SizeInBytes       int32     `json:"sizeInBytes"`
	Source            string    `json:"source"`
	URL               string    `json:"url"`
	OCRDocumentID     string    `json:"ocrDocumentId,omitempty" format:"uuid"`
	CompanyID         string    `json:"-"`
	ContentType       string    `json:"-"` // the stored file's media type, served on download
	SHA256            []byte    `json:"-"` // of the stored file
}

// Pleo's enums for receipts (ReceiptModel and its search).
var (
	ReceiptMimeTypes = []string{"unknown", "application/pdf", "application/postscript", "application/xml",
		"image/jpeg", "image/png", "image/heic", "image/heif", "image/gif", "text/xml"}
	ReceiptSources = []string{"APP_SHARE", "BOLT", "CAMERA", "CASHBACK", "EMAIL_FETCHING", "EMAIL_FETCHING_BATCHED",
		"EMAIL_FORWARDING", "GENERATED_RECEIPT", "LOST_RECEIPT", "ROGER", "STOREBOX", "STRIPE", "TRAVELPERK", "USER"}
	ReceiptFileTypes = []string{"EMBED", "ORIGINAL", "THUMBNAIL", "PREVIEW"}
)

// ReceiptMimeType is the ReceiptMimeType value of a Content-Type: its media
// type, without parameters, when Pleo's enum lists it; "unknown" otherwise.
func ReceiptMimeType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil && mt != "unknown" && slices.Contains(ReceiptMimeTypes, mt) {
		return mt
	}
	return "unknown"
}
