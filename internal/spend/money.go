package spend

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file holds the money rules of an entry: the currency rule linking
// transactionValue and totalBillValue, and the split rule.

// amounts applies the currency rule of pleo.BillValue: totalBillValue is
// in the company's wallet currency, and totalBillValue × exchangeRate =
// transactionValue, rounded half away from zero to the wallet currency's
// minor unit. The rate is exchangeRate if given, else kept (the rate an
// edited entry had, when its currency stays), else the emulator's
// reference rate; a caller who gives totalBillValue without a rate sets
// the rate (the card network's) by that. A purchase in the wallet currency
// is billed exactly its value.
func (r rules) amounts(transaction pleo.Money, bill *pleo.Money, rateText string, kept *big.Rat) (pleo.Money, pleo.Money, error) {
	wallet := r.company.Currency
	if transaction.Currency == "" {
		transaction.Currency = wallet
	}
	if !pleo.ValidCurrencyCode(transaction.Currency) {
		return transaction, pleo.Money{}, pleo.Invalid("transactionValue.currency", "must be an ISO 4217 code such as EUR, not %q", transaction.Currency)
	}
	if transaction.Minors == 0 {
		return transaction, pleo.Money{}, pleo.Invalid("transactionValue.minors", "must not be zero")
	}
	var rate *big.Rat
	if rateText != "" {
		var err error
		if rate, err = pleo.ParseExchangeRate(rateText); err != nil {
			return transaction, pleo.Money{}, pleo.Invalid("exchangeRate", "must be a positive decimal such as \"7.4604\", not %q", rateText)
		}
	}
	if bill != nil {
		if bill.Currency == "" {
			bill.Currency = wallet
		}
		if bill.Currency != wallet {
			return transaction, pleo.Money{}, pleo.Invalid("totalBillValue.currency", "must be the company's wallet currency %s, not %q", wallet, bill.Currency)
		}
		if bill.Minors == 0 || (bill.Minors < 0) != (transaction.Minors < 0) {
			return transaction, pleo.Money{}, pleo.Invalid("totalBillValue.minors", "must not be zero and must have the sign of transactionValue")
		}
	}
	if transaction.Currency == wallet {
		if rate != nil && rate.Cmp(big.NewRat(1, 1)) != 0 {
			return transaction, pleo.Money{}, pleo.Invalid("exchangeRate", "must be 1 or left out: transactionValue is in the wallet currency %s", wallet)
		}
		if bill != nil && *bill != transaction {
			return transaction, pleo.Money{}, pleo.Invalid("totalBillValue", "must equal transactionValue (%d %s): the purchase is in the wallet currency", transaction.Minors, wallet)
		}
		return transaction, transaction, nil
	}
	if bill != nil && rate == nil {
		return transaction, *bill, nil
	}
	if rate == nil && kept != nil {
		rate = kept
	}
	if rate == nil {
		ref, ok := pleo.ReferenceRate(transaction.Currency, wallet)
		if !ok {
			return transaction, pleo.Money{}, pleo.Invalid("exchangeRate", "is required: the emulator has no reference rate from %s to %s (it knows %s); give exchangeRate or totalBillValue",
				wallet, transaction.Currency, strings.Join(pleo.ReferenceCurrencies(), ", "))
		}
		rate = ref
	}
	want, err := pleo.BillValue(transaction, wallet, rate)
	if err != nil {
		return transaction, pleo.Money{}, pleo.Invalid("transactionValue.minors", "%s", err.Error())
	}
	if bill != nil && *bill != want {
		return transaction, pleo.Money{}, pleo.Invalid("totalBillValue", "is %d %s, but transactionValue %d %s at exchangeRate %s makes %d %s (totalBillValue × exchangeRate = transactionValue, rounded half away from zero to the wallet currency's minor unit)",
			bill.Minors, wallet, transaction.Minors, transaction.Currency, rateText, want.Minors, wallet)
	}
	return transaction, want, nil
}

// splitItems checks and builds split items (emulator choice, as the README
// states): none, or at least two; each in the entry's transaction
// currency; their transactionValue adds up to the entry's exactly. Their
// totalBillValue is given for all items or for none: given, each is in
// the wallet currency and they add up to the entry's totalBillValue; left
// out, each is its share of the entry's totalBillValue (pleo.ShareOf) and
// the last item takes what rounding leaves, so they add up too.
func (r rules) splitItems(in []NewSplitItem, transaction, bill pleo.Money) ([]pleo.SplitItem, error) {
	switch {
	case len(in) == 0:
		return []pleo.SplitItem{}, nil
	case len(in) == 1:
		return nil, pleo.Invalid("splitItems", "must have at least two items (or none: the entry is not split)")
	case len(in) > maxSplitItems:
		return nil, pleo.Invalid("splitItems", "must have at most %d items", maxSplitItems)
	}
	billsGiven := in[0].TotalBillValue != nil
	out := make([]pleo.SplitItem, len(in))
	var billLeft = bill.Minors
	for i, it := range in {
		f := fmt.Sprintf("splitItems[%d]", i)
		if it.TransactionValue == nil {
			return nil, pleo.Invalid(f+".transactionValue", "is required")
		}
		tv := *it.TransactionValue
		if tv.Currency == "" {
			tv.Currency = transaction.Currency
		}
		if tv.Currency != transaction.Currency {
			return nil, pleo.Invalid(f+".transactionValue.currency", "must be the entry's transaction currency %s, not %q", transaction.Currency, tv.Currency)
		}
		if tv.Minors == 0 {
			return nil, pleo.Invalid(f+".transactionValue.minors", "must not be zero")
		}
		if (it.TotalBillValue != nil) != billsGiven {
			return nil, pleo.Invalid(f+".totalBillValue", "must be given for every split item or for none")
		}
		var itemBill pleo.Money
		switch {
		case billsGiven:
			itemBill = *it.TotalBillValue
			if itemBill.Currency == "" {
				itemBill.Currency = bill.Currency
			}
			if itemBill.Currency != bill.Currency {
				return nil, pleo.Invalid(f+".totalBillValue.currency", "must be the wallet currency %s, not %q", bill.Currency, itemBill.Currency)
			}
		case i == len(in)-1:
			itemBill = pleo.Money{Currency: bill.Currency, Minors: billLeft}
		default:
			share, ok := pleo.ShareOf(bill, tv.Minors, transaction.Minors)
			if !ok {
				return nil, pleo.Invalid(f+".transactionValue.minors", "is too large")
			}
			itemBill = share
		}
		billLeft -= itemBill.Minors
		accountID, accountCode, err := r.account(f+".accountId", it.AccountID)
		if err != nil {
			return nil, err
		}
		taxCodeID, err := r.taxCode(f+".taxCodeId", it.TaxCodeID)
		if err != nil {
			return nil, err
		}
		tags, err := r.tags(f+".tags", it.Tags)
		if err != nil {
			return nil, err
		}
		out[i] = pleo.SplitItem{ID: store.NewUUID(), AccountID: accountID, AccountCode: accountCode, TaxCodeID: taxCodeID,
			Tags: tags, TransactionValue: &tv, TotalBillValue: &itemBill, CreatedAt: r.now, UpdatedAt: r.now}
	}
	return out, checkSplitSums(out, transaction, bill)
}

// checkSplitSums checks that split items add up to the entry's values.
func checkSplitSums(items []pleo.SplitItem, transaction, bill pleo.Money) error {
	if len(items) == 0 {
		return nil
	}
	var sumTransaction, sumBill int64
	for _, it := range items {
		if it.TransactionValue != nil {
			sumTransaction += it.TransactionValue.Minors
		}
		if it.TotalBillValue != nil {
			sumBill += it.TotalBillValue.Minors
		}
	}
	if sumTransaction != transaction.Minors {
		return pleo.Invalid("splitItems", "transactionValue of the split items adds up to %d %s, not the entry's %d: give splitItems that add up (or [] to undo the split)",
			sumTransaction, transaction.Currency, transaction.Minors)
	}
	if sumBill != bill.Minors {
		return pleo.Invalid("splitItems", "totalBillValue of the split items adds up to %d %s, not the entry's %d",
			sumBill, bill.Currency, bill.Minors)
	}
	return nil
}
