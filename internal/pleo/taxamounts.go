package pleo

import (
	"math/big"
	"strconv"
)

// This file holds the arithmetic of POST /v0/tax-codes:calculate-tax-amounts:
// the gross, net and tax of an amount under a tax code. Pleo documents the
// operation's shapes (CalculateTaxesRequest, AmountTaxBreakdown) and what
// a rate is ("20% tax rate would be 0.20"), but not the formulas or the
// rounding; those below are emulator choices, the usual VAT arithmetic,
// and the same reading of the types the export items use.

// TaxBreakdown is AmountTaxBreakdown: an amount split into gross, net and
// tax, all in the amount's currency.
type TaxBreakdown struct {
	Gross Money `json:"gross"`
	Net   Money `json:"net"`
	Tax   Money `json:"tax"`
}

// TaxedAmount is Pleo's TaxedAmount: an amount to apply a tax code to,
// with the caller's identifier for it.
type TaxedAmount struct {
	ID     string `json:"id"`
	Amount Money  `json:"amount"`
}

// Validate checks a TaxedAmount at field (its JSON path, for the error):
// an id that is not blank, and an amount with an ISO 4217 currency.
func (t TaxedAmount) Validate(field string) error {
	if err := notBlank(field+".id", t.ID); err != nil {
		return err
	}
	if !ValidCurrencyCode(t.Amount.Currency) {
		return Invalid(field+".amount.currency", "must be an ISO 4217 currency code such as DKK, not %q", t.Amount.Currency)
	}
	return nil
}

// TaxAmounts splits amount (in minor units) under tax code c:
//
//   - inclusive: the amount is the gross; tax = gross × rate / (1 + rate),
//     net = gross − tax.
//   - exclusive: the amount is the net; tax = net × rate, gross = net + tax.
//   - reverse (reverse charge): the amount is what the supplier is paid,
//     without VAT, so gross = net = amount; tax = amount × rate is the VAT
//     the buyer accounts for itself (on the tax code's ingoing and outgoing
//     tax accounts), not part of the payment.
//
// Rounding: the tax is computed exactly (the rate is read as the decimal
// it is written as, 0.1 is exactly one tenth) and rounded once, to whole
// minor units, half away from zero (12.5 → 13, −12.5 → −13); the other
// figure is derived from the rounded tax, so gross = net + tax holds
// exactly for inclusive and exclusive codes. A zero rate gives a zero tax
// and gross = net = amount for every type. Negative amounts (refunds) are
// the mirror image of positive ones.
//
// It fails with a *FieldError on "rate" or "type" for a tax code outside
// its rules, and on "minors" when a result does not fit in an int64.
func TaxAmounts(c TaxCode, amount Money) (TaxBreakdown, error) {
	if err := c.Validate(); err != nil {
		return TaxBreakdown{}, err
	}
	rate, ok := new(big.Rat).SetString(strconv.FormatFloat(c.Rate, 'f', -1, 64))
	if !ok {
		return TaxBreakdown{}, Invalid("rate", "must be a decimal, not %v", c.Rate)
	}
	minors := new(big.Rat).SetInt64(amount.Minors)
	share := rate // exclusive and reverse: tax on top of the amount
	if c.Type == "inclusive" {
		share = new(big.Rat).Quo(rate, new(big.Rat).Add(big.NewRat(1, 1), rate))
	}
	tax, ok := roundHalfAwayFromZero(new(big.Rat).Mul(minors, share))
	if !ok {
		return TaxBreakdown{}, Invalid("minors", "is too large to calculate tax on: %d", amount.Minors)
	}
	gross, net := amount.Minors, amount.Minors
	switch c.Type {
	case "inclusive":
		net = gross - tax // |tax| ≤ |gross|: cannot overflow
	case "exclusive":
		gross = net + tax
		if (tax > 0 && gross < net) || (tax < 0 && gross > net) {
			return TaxBreakdown{}, Invalid("minors", "is too large to calculate tax on: %d", amount.Minors)
		}
	}
	money := func(m int64) Money { return Money{Currency: amount.Currency, Minors: m} }
	return TaxBreakdown{Gross: money(gross), Net: money(net), Tax: money(tax)}, nil
}

// roundHalfAwayFromZero rounds r to the nearest integer, halves away from
// zero; ok is false when the result does not fit in an int64.
func roundHalfAwayFromZero(r *big.Rat) (n int64, ok bool) {
	num := new(big.Int).Abs(r.Num())
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if m.Lsh(m, 1).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}
