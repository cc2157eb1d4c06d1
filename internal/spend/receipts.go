package spend

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/receipts"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file attaches receipts to entries: uploaded files, checked as the
// control API's receipt upload checks them (UploadSource, UploadContentType),
// or receipts drawn from the entry as the demo seed draws its own.

// UploadSource is the ReceiptSource of an uploaded receipt: source, or USER
// when empty; a *pleo.FieldError naming "source" when it is not one of
// pleo.ReceiptSources.
func UploadSource(source string) (string, error) {
	if source == "" {
		return "USER", nil
	}
	if !slices.Contains(pleo.ReceiptSources, source) {
		return "", pleo.Invalid("source", "must be one of %s", strings.Join(pleo.ReceiptSources, ", "))
	}
	return source, nil
}

// UploadContentType is the media type an uploaded file is stored and
// served with: contentType, or application/octet-stream when empty; a
// *pleo.FieldError naming "contentType" when it is not a media type.
func UploadContentType(contentType string) (string, error) {
	if contentType == "" {
		return "application/octet-stream", nil
	}
	if _, _, err := mime.ParseMediaType(contentType); err != nil {
		return "", pleo.Invalid("contentType", "must be a media type such as image/jpeg, not %q", contentType)
	}
	return contentType, nil
}

// plannedReceipt is a receipt checked and given its ID, to attach once the
// entry is written.
type plannedReceipt struct {
	id, contentType, source string
	content                 []byte // nil: draw it
	field                   string // receipts[i], for errors
}

// receipts checks in, gives each receipt its ID and lists the IDs in the
// entry's receiptIds, in order.
func (r rules) receipts(e *pleo.AccountingEntry, in []NewReceipt) ([]plannedReceipt, error) {
	if len(in) > maxReceipts {
		return nil, pleo.Invalid("receipts", "must have at most %d receipts at a time", maxReceipts)
	}
	out := make([]plannedReceipt, 0, len(in))
	for i, nr := range in {
		p := plannedReceipt{field: fmt.Sprintf("receipts[%d]", i), content: nr.Content}
		p.id = strings.ToLower(nr.ID)
		if p.id == "" {
			p.id = store.NewUUID()
		} else if !isUUID(p.id) {
			return nil, pleo.Invalid(p.field+".id", "must be a UUID")
		}
		if slices.Contains(e.ReceiptIDs, p.id) {
			return nil, pleo.Invalid(p.field+".id", "receipt %s is attached to the entry already", p.id)
		}
		var err error
		if len(nr.Content) > 0 {
			if p.source, err = UploadSource(nr.Source); err != nil {
				return nil, prefixField(p.field, err)
			}
			if p.contentType, err = UploadContentType(nr.ContentType); err != nil {
				return nil, prefixField(p.field, err)
			}
		} else if p.contentType, p.source, err = drawnReceiptKind(*e, nr); err != nil {
			return nil, prefixField(p.field, err)
		}
		e.ReceiptIDs = append(e.ReceiptIDs, p.id)
		out = append(out, p)
	}
	return out, nil
}

// drawnReceiptKind is the media type and source of a receipt drawn for e:
// as given, else as the seed picks them (a PDF sent by email for a bill or
// an online purchase, a PNG photo from the camera otherwise).
func drawnReceiptKind(e pleo.AccountingEntry, nr NewReceipt) (string, string, error) {
	contentType, source := receipts.PNG, "CAMERA"
	switch {
	case e.Family == pleo.FamilyBillInvoice || e.Family == pleo.FamilyCreditNote:
		contentType, source = receipts.PDF, "EMAIL_FORWARDING"
	case e.SubFamily == "ONLINE":
		contentType, source = receipts.PDF, "EMAIL_FETCHING"
	}
	if nr.ContentType != "" {
		if nr.ContentType != receipts.PNG && nr.ContentType != receipts.PDF {
			return "", "", pleo.Invalid("contentType", "of a drawn receipt (one without content) must be %s or %s, not %q",
				receipts.PNG, receipts.PDF, nr.ContentType)
		}
		contentType = nr.ContentType
	}
	if nr.Source != "" {
		if !slices.Contains(pleo.ReceiptSources, nr.Source) {
			return "", "", pleo.Invalid("source", "must be one of %s", strings.Join(pleo.ReceiptSources, ", "))
		}
		source = nr.Source
	}
	return contentType, source, nil
}

// attachReceipts stores planned receipts of entry e, which lists their IDs.
func (r rules) attachReceipts(e pleo.AccountingEntry, planned []plannedReceipt) error {
	for _, p := range planned {
		nr := store.NewReceipt{ID: p.id, AccountingEntryID: e.ID, ContentType: p.contentType, Source: p.source, CreatedAt: r.now}
		var err error
		if p.content == nil {
			merchant := e.MerchantName
			if merchant == "" {
				merchant = r.company.Name
			}
			err = r.tx.InsertDrawnReceipt(r.ctx, nr, receipts.Slip{Merchant: merchant, Date: e.PerformedAt,
				Minors: e.TransactionValue.Minors, Currency: e.TransactionValue.Currency, Reference: p.id[:8]})
		} else {
			_, err = r.tx.InsertReceipt(r.ctx, nr, bytes.NewReader(p.content))
		}
		switch {
		case errors.Is(err, store.ErrConflict):
			return pleo.Invalid(p.field+".id", "receipt %s exists already", p.id)
		case errors.Is(err, store.ErrReceiptTooLarge):
			return pleo.Invalid(p.field+".content", "%s", err.Error())
		case err != nil:
			return err
		}
	}
	return nil
}

// prefixField puts prefix before the field a *pleo.FieldError names.
func prefixField(prefix string, err error) error {
	var fe *pleo.FieldError
	if errors.As(err, &fe) {
		return &pleo.FieldError{Field: prefix + "." + fe.Field, Message: fe.Message}
	}
	return err
}
