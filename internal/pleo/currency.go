package pleo

import (
	"errors"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// This file holds the currency rule of accounting entries: a purchase in a
// foreign currency has its transactionValue in the currency it was paid in
// and its totalBillValue in the company's wallet currency, linked by an
// exchange rate. Pleo documents the two values, not how they are linked;
// the rule below is the emulator's (see the README's fidelity table).

// minorUnitDigits are the ISO 4217 minor-unit exponents that are not 2.
var minorUnitDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// MinorUnitDigits is the number of decimals of currency's minor unit
// (ISO 4217): 2 unless the currency is known to differ (JPY 0, KWD 3).
func MinorUnitDigits(currency string) int {
	if d, ok := minorUnitDigits[currency]; ok {
		return d
	}
	return 2
}

// referenceRates are the emulator's fixed rates: units of each currency per
// euro. They are plausible, not live, so that generated data is deterministic.
var referenceRates = map[string]string{
	"EUR": "1", "DKK": "7.4604", "SEK": "11.2350", "NOK": "11.6920", "GBP": "0.8455", "USD": "1.0815",
	"CHF": "0.9420", "PLN": "4.3120", "CZK": "25.210", "HUF": "395.40", "ISK": "150.10", "JPY": "162.35",
	"CAD": "1.4710", "AUD": "1.6530", "TRY": "35.120",
}

// ReferenceRate is the emulator's fixed exchange rate from the wallet
// currency to the transaction currency, as BillValue uses it; ok is
// false when either currency has no reference rate.
func ReferenceRate(transaction, wallet string) (rate *big.Rat, ok bool) {
	t, okT := new(big.Rat).SetString(referenceRates[transaction])
	w, okW := new(big.Rat).SetString(referenceRates[wallet])
	if !okT || !okW || w.Sign() == 0 {
		return nil, false
	}
	return new(big.Rat).Quo(t, w), true
}

// ReferenceCurrencies lists the currencies ReferenceRate knows.
func ReferenceCurrencies() []string { return slices.Sorted(maps.Keys(referenceRates)) }

// ErrBadRate is returned for an exchange rate that is not positive.
var ErrBadRate = errors.New("the exchange rate must be a positive number")

// BillValue converts a transaction value into the wallet currency:
//
//	totalBillValue × rate = transactionValue
//
// where rate is the number of units of the transaction currency one unit of
// the wallet currency buys (a DKK wallet paying 100.00 EUR at rate
// 0.13404 is billed 746.04 DKK). The result is rounded half away from zero
// to the wallet currency's minor unit, so bill × rate differs from the
// transaction value by less than half a wallet minor unit times the rate.
func BillValue(transaction Money, wallet string, rate *big.Rat) (Money, error) {
	if rate == nil || rate.Sign() <= 0 {
		return Money{}, ErrBadRate
	}
	return FromMajor(new(big.Rat).Quo(Major(transaction), rate), wallet)
}

// Major is m in major units, exactly: 12550 DKK minors is 125.5.
func Major(m Money) *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(m.Minors), pow10(MinorUnitDigits(m.Currency)))
}

// FromMajor is the amount v (in major units) of currency, rounded half away
// from zero to the currency's minor unit.
func FromMajor(v *big.Rat, currency string) (Money, error) {
	minors, ok := roundHalfAwayFromZero(new(big.Rat).Mul(v, new(big.Rat).SetInt(pow10(MinorUnitDigits(currency)))))
	if !ok {
		return Money{}, errors.New("the amount is too large")
	}
	return Money{Currency: currency, Minors: minors}, nil
}

// FormatMoney writes m with its currency's decimals and code: "125.50 DKK",
// "1623 JPY", "-0.05 EUR".
func FormatMoney(m Money) string {
	digits := MinorUnitDigits(m.Currency)
	sign, minors := "", m.Minors
	if minors < 0 {
		sign, minors = "-", -minors
	}
	s := strconv.FormatInt(minors, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	return sign + s + " " + m.Currency
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }
