package pleo

import (
	"math/big"
	"testing"
)

func TestBillValue(t *testing.T) {
	rat := func(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }
	for _, c := range []struct {
		name        string
		transaction Money
		wallet      string
		rate        *big.Rat
		want        Money
	}{
		{"euro purchase on a krone wallet", Money{"EUR", 10_000}, "DKK", rat("0.134"), Money{"DKK", 74_627}},
		{"same currency", Money{"DKK", 12_345}, "DKK", rat("1"), Money{"DKK", 12_345}},
		{"yen has no minor unit", Money{"JPY", 1_000}, "SEK", rat("14.45"), Money{"SEK", 6_920}},
		{"into yen", Money{"EUR", 1_000}, "JPY", rat("0.00616"), Money{"JPY", 1_623}},
		{"half rounds away from zero", Money{"EUR", 1}, "DKK", rat("2"), Money{"DKK", 1}},
		{"negative half rounds away from zero", Money{"EUR", -1}, "DKK", rat("2"), Money{"DKK", -1}},
		{"dinar has three decimals", Money{"KWD", 1_000}, "EUR", rat("0.33"), Money{"EUR", 303}},
	} {
		got, err := BillValue(c.transaction, c.wallet, c.rate)
		if err != nil || got != c.want {
			t.Errorf("%s: BillValue = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, bad := range []*big.Rat{nil, rat("0"), rat("-1")} {
		if _, err := BillValue(Money{"EUR", 100}, "DKK", bad); err == nil {
			t.Errorf("rate %v: want an error", bad)
		}
	}
}

// TestReferenceRateRoundTrip checks the rule the README states: the bill
// times the rate is the transaction value to within half a wallet minor
// unit times the rate.
func TestReferenceRateRoundTrip(t *testing.T) {
	for _, tc := range ReferenceCurrencies() {
		for _, wc := range ReferenceCurrencies() {
			rate, ok := ReferenceRate(tc, wc)
			if !ok {
				t.Fatalf("no reference rate %s/%s", tc, wc)
			}
			tx := Money{tc, 123_457}
			bill, err := BillValue(tx, wc, rate)
			if err != nil {
				t.Fatal(err)
			}
			back := new(big.Rat).SetFrac(big.NewInt(bill.Minors), pow10(MinorUnitDigits(wc)))
			back.Mul(back, rate)
			want := new(big.Rat).SetFrac(big.NewInt(tx.Minors), pow10(MinorUnitDigits(tc)))
			diff := new(big.Rat).Abs(new(big.Rat).Sub(back, want))
			limit := new(big.Rat).Mul(new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Mul(big.NewInt(2), pow10(MinorUnitDigits(wc)))), rate)
			if diff.Cmp(limit) > 0 {
				t.Errorf("%s→%s: bill %d × rate %s = %s, transaction %s", tc, wc, bill.Minors, rate.FloatString(6), back.FloatString(6), want.FloatString(6))
			}
		}
	}
	if _, ok := ReferenceRate("XXX", "DKK"); ok {
		t.Error("an unknown currency has a reference rate")
	}
}

func TestFormatMoney(t *testing.T) {
	for m, want := range map[Money]string{
		{"DKK", 12_550}: "125.50 DKK", {"DKK", 5}: "0.05 DKK", {"EUR", -5}: "-0.05 EUR",
		{"JPY", 1_623}: "1623 JPY", {"KWD", 1_000}: "1.000 KWD",
	} {
		if got := FormatMoney(m); got != want {
			t.Errorf("FormatMoney(%+v) = %q, want %q", m, got, want)
		}
	}
}
