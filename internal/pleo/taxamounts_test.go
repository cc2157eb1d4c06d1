package pleo_test

import (
	"errors"
	"math"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

func TestTaxAmounts(t *testing.T) {
	t.Parallel()
	code := func(typ string, rate float64) pleo.TaxCode { return pleo.TaxCode{Name: "VAT", Type: typ, Rate: rate} }
	dkk := func(m int64) pleo.Money { return pleo.Money{Currency: "DKK", Minors: m} }
	for _, c := range []struct {
		name            string
		code            pleo.TaxCode
		amount          int64
		gross, net, tax int64
	}{
		{"inclusive 25 %", code("inclusive", 0.25), 12500, 12500, 10000, 2500},
		{"inclusive rounds the tax half up", code("inclusive", 0.25), 10, 10, 8, 2}, // tax 2.0
		{"inclusive half away from zero", code("inclusive", 0.25), 5, 5, 4, 1},      // tax exactly 1.0
		{"inclusive exact half", code("inclusive", 1), 5, 5, 2, 3},                  // tax 2.5 → 3
		{"inclusive negative half", code("inclusive", 1), -5, -5, -2, -3},           // tax −2.5 → −3
		{"inclusive 12 %", code("inclusive", 0.12), 1000, 1000, 893, 107},           // 107.14…
		{"exclusive 25 %", code("exclusive", 0.25), 10000, 12500, 10000, 2500},
		{"exclusive half", code("exclusive", 0.25), 2, 3, 2, 1},                         // 0.5 → 1
		{"exclusive below half", code("exclusive", 0.25), 1, 1, 1, 0},                   // 0.25 → 0
		{"exclusive decimal rate read exactly", code("exclusive", 0.15), 10, 12, 10, 2}, // 1.5 → 2 (float 0.15×10 is 1.4999…)
		{"exclusive refund", code("exclusive", 0.25), -10000, -12500, -10000, -2500},
		{"reverse charge", code("reverse", 0.25), 10000, 10000, 10000, 2500},
		{"reverse charge rounds", code("reverse", 0.25), 3, 3, 3, 1},     // 0.75 → 1
		{"reverse charge refund", code("reverse", 0.25), -2, -2, -2, -1}, // −0.5 → −1
		{"zero rate inclusive", code("inclusive", 0), 12345, 12345, 12345, 0},
		{"zero rate exclusive", code("exclusive", 0), 12345, 12345, 12345, 0},
		{"zero rate reverse", code("reverse", 0), 12345, 12345, 12345, 0},
		{"zero amount", code("inclusive", 0.25), 0, 0, 0, 0},
		{"largest inclusive", code("inclusive", 1), math.MaxInt64, math.MaxInt64, math.MaxInt64 / 2, math.MaxInt64/2 + 1},
	} {
		got, err := pleo.TaxAmounts(c.code, dkk(c.amount))
		want := pleo.TaxBreakdown{Gross: dkk(c.gross), Net: dkk(c.net), Tax: dkk(c.tax)}
		if err != nil || got != want {
			t.Errorf("%s: TaxAmounts(%d) = %+v, %v; want %+v", c.name, c.amount, got, err, want)
		}
	}
	for _, c := range []struct {
		name   string
		code   pleo.TaxCode
		amount int64
		field  string
	}{
		{"exclusive overflows", code("exclusive", 0.25), math.MaxInt64, "minors"},
		{"exclusive refund overflows", code("exclusive", 1), math.MinInt64, "minors"},
		{"rate above 1", code("inclusive", 25), 100, "rate"},
		{"unknown type", code("flat", 0.25), 100, "type"},
	} {
		_, err := pleo.TaxAmounts(c.code, dkk(c.amount))
		var fe *pleo.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: error %v, want one on %s", c.name, err, c.field)
		}
	}
}

func TestTaxedAmountValidate(t *testing.T) {
	t.Parallel()
	ok := pleo.TaxedAmount{ID: "line-1", Amount: pleo.Money{Currency: "EUR", Minors: 100}}
	if err := ok.Validate("x[0]"); err != nil {
		t.Errorf("valid amount: %v", err)
	}
	for _, c := range []struct {
		v     pleo.TaxedAmount
		field string
	}{
		{pleo.TaxedAmount{ID: " ", Amount: ok.Amount}, "x[0].id"},
		{pleo.TaxedAmount{ID: "a", Amount: pleo.Money{Currency: "eur"}}, "x[0].amount.currency"},
		{pleo.TaxedAmount{ID: "a"}, "x[0].amount.currency"},
	} {
		var fe *pleo.FieldError
		if err := c.v.Validate("x[0]"); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%+v: error %v, want one on %s", c.v, err, c.field)
		}
	}
}
