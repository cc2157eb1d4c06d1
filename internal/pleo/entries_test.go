package pleo

import (
	"errors"
	"testing"
)

func TestValidateFamily(t *testing.T) {
	for _, c := range []struct {
		family, subFamily string
		field             string // "" when valid
	}{
		{"CARD_PURCHASE", "", ""},
		{"CARD_PURCHASE", "ATM", ""},
		{"WALLET", "WITHDRAWAL", ""},
		{"BALANCE_AMENDMENT", "UNLOAD", ""},
		{"OVERDRAFT", "INTEREST", ""},
		{"BILL_INVOICE_PAYMENT", "BILL_INVOICE_PAYMENT_RETURNED", ""},
		{"MILEAGE", "", ""},
		{"BALANCE_AMENDMENT", "WITHDRAWAL", "subFamily"},
		{"OUT_OF_POCKET", "REIMBURSEMENT_TO_EMPLOYEE", "subFamily"},
		{"CARD_PURCHASE", "LOAD", "subFamily"},
		{"CARD_PURCHASE", "atm", "subFamily"},
		{"EXPENSE", "", "family"},
	} {
		err := ValidateFamily(c.family, c.subFamily)
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s/%s: %v", c.family, c.subFamily, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s/%s: %v, want an error naming %s", c.family, c.subFamily, err, c.field)
		}
	}
	// Every subFamily belongs to at least one family.
	for _, sub := range EntrySubFamilies {
		if len(subFamilyFamilies[sub]) == 0 {
			t.Errorf("subFamily %s has no family", sub)
		}
	}
}

func TestParseExchangeRate(t *testing.T) {
	for _, s := range []string{"7.4604", "1", "0.000001", "162.35"} {
		if r, err := ParseExchangeRate(s); err != nil || r.Sign() <= 0 {
			t.Errorf("%q: %v, %v", s, r, err)
		}
	}
	for _, s := range []string{"", "0", "0.0", "-1", "+1", "1e3", "1/3", " 1", "1.", ".5", "abc", "1,5"} {
		if _, err := ParseExchangeRate(s); !errors.Is(err, ErrBadRate) {
			t.Errorf("%q: %v, want ErrBadRate", s, err)
		}
	}
}

func TestShareOf(t *testing.T) {
	for _, c := range []struct {
		total       Money
		part, whole int64
		want        int64
	}{
		{Money{"DKK", 76_923}, 3_333, 10_000, 25_638}, // 25638.4359
		{Money{"DKK", 100}, 1, 2, 50},
		{Money{"DKK", 101}, 1, 2, 51},    // 50.5 rounds away from zero
		{Money{"DKK", -101}, 1, 2, -51},  // and so does -50.5
		{Money{"DKK", 10}, -3, 10, -3},   // a negative part of a positive whole
		{Money{"JPY", 1_000}, 1, 3, 333}, // 333.33
	} {
		got, ok := ShareOf(c.total, c.part, c.whole)
		if !ok || got != (Money{c.total.Currency, c.want}) {
			t.Errorf("ShareOf(%v, %d, %d) = %v, %v; want %d", c.total, c.part, c.whole, got, ok, c.want)
		}
	}
	if _, ok := ShareOf(Money{"DKK", 1}, 1, 0); ok {
		t.Error("ShareOf of a zero whole is ok")
	}
}
