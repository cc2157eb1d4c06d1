package seed

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/receipts"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// receiptFiles caches the rendered demo receipt files by slip and type: the
// seed is written at every fresh start and every reset, and a given anchor
// day always gives the same slips.
var receiptFiles sync.Map

// receiptFile renders (or recalls) the file of one slip.
func receiptFile(s receipts.Slip, mimeType string) ([]byte, error) {
	key := fmt.Sprintf("%s|%s|%d|%d|%s|%s", mimeType, s.Merchant, s.Date.Unix(), s.Minors, s.Currency, s.Reference)
	if b, ok := receiptFiles.Load(key); ok {
		return b.([]byte), nil
	}
	b, err := receipts.Render(s, mimeType)
	if err != nil {
		return nil, err
	}
	receiptFiles.Store(key, b)
	return b, nil
}

// receipts stores the files of an entry's receiptIds: a PDF for bills and
// for every third online card purchase (sent by email), a PNG photo for
// the others, each showing the entry's merchant, date and amount. Type,
// source and upload time derive from the receipt ID, not from the seed's
// random numbers, so the rest of the demo data does not depend on them.
func (d *demo) receipts(e pleo.AccountingEntry) error {
	for _, id := range e.ReceiptIDs {
		h := fnv.New32a()
		h.Write([]byte(id))
		n := h.Sum32()
		mimeType, source := receipts.PNG, []string{"CAMERA", "CAMERA", "APP_SHARE"}[n%3]
		switch {
		case e.Family == "BILL_INVOICE":
			mimeType, source = receipts.PDF, "EMAIL_FORWARDING"
		case e.SubFamily == "ONLINE" && n%3 != 0:
			mimeType, source = receipts.PDF, "EMAIL_FETCHING"
		}
		file, err := receiptFile(receipts.Slip{Merchant: e.MerchantName, Date: e.PerformedAt, Minors: e.TransactionValue.Minors,
			Currency: e.TransactionValue.Currency, Reference: id[:8]}, mimeType)
		if err != nil {
			return err
		}
		created := e.PerformedAt.Add(time.Duration(5+n%180) * time.Minute)
		if _, err := d.tx.InsertReceipt(d.ctx, store.NewReceipt{ID: id, AccountingEntryID: e.ID, ContentType: mimeType,
			Source: source, CreatedAt: created}, bytes.NewReader(file)); err != nil {
			return fmt.Errorf("receipt %s: %w", id, err)
		}
	}
	return nil
}
