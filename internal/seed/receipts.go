package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/receipts"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// insertReceipts adds the receipts of an entry's receiptIds: a PDF for bills and
// for two online card purchases in three (sent by email), a PNG photo for
// the others, each showing the entry's merchant, date and amount. The store
// draws a file when it is first read, so seeding stays fast. Type,
// source and upload time derive from the receipt ID, not from the seed's
// random numbers, so the rest of the demo data does not depend on them.
func insertReceipts(ctx context.Context, tx *store.Tx, e pleo.AccountingEntry) error {
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
		slip := receipts.Slip{Merchant: e.MerchantName, Date: e.PerformedAt, Minors: e.TransactionValue.Minors,
			Currency: e.TransactionValue.Currency, Reference: id[:8]}
		created := e.PerformedAt.Add(time.Duration(5+n%180) * time.Minute)
		if err := tx.InsertDrawnReceipt(ctx, store.NewReceipt{ID: id, AccountingEntryID: e.ID, ContentType: mimeType,
			Source: source, CreatedAt: created}, slip); err != nil {
			return fmt.Errorf("receipt %s: %w", id, err)
		}
	}
	return nil
}
