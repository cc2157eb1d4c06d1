package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// dkReverseCharge is Denmark's seeded reverse-charge tax code (DKRC, 25 %).
var dkReverseCharge = seed.ID("acme-denmark/tax-code/2")

func init() {
	samples["POST /v0/tax-codes:calculate-tax-amounts"] = sample{"/v0/tax-codes:calculate-tax-amounts", `{"amountsByTaxCodeId":{"` +
		dkTaxCode + `":[{"id":"line-1","amount":{"currency":"DKK","minors":12500}},{"id":"line-2","amount":{"currency":"DKK","minors":999}}],"` +
		dkReverseCharge + `":[{"id":"line-3","amount":{"currency":"EUR","minors":10000}}]}}`}
}

// taxesOut is the data of a calculate-tax-amounts answer.
type taxesOut struct {
	Taxes map[string][]struct {
		ID                 string            `json:"id"`
		AmountTaxBreakdown pleo.TaxBreakdown `json:"amountTaxBreakdown"`
	} `json:"taxes"`
}

func TestCalculateTaxAmounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const calc = "/v0/tax-codes:calculate-tax-amounts"
	exclusive := data[pleo.TaxCode](t, e.do("POST", "/v0/tax-codes", "dk",
		taxCodeBody(seed.DenmarkID, `,"type":"exclusive","rate":0.25`)), http.StatusOK)
	amount := func(id string, minors string) string {
		return `{"id":"` + id + `","amount":{"currency":"DKK","minors":` + minors + `}}`
	}
	upper := strings.ToUpper(dkTaxCode2)
	body := `{"amountsByTaxCodeId":{` +
		`"` + dkTaxCode + `":[` + amount("a", "12500") + `,` + amount("b", "10") + `,` + amount("c", "-12500") + `],` +
		`"` + upper + `":[` + amount("d", "4999") + `],` +
		`"` + dkReverseCharge + `":[` + amount("e", "10000") + `,` + amount("f", "2") + `],` +
		`"` + exclusive.ID + `":[` + amount("g", "10000") + `,` + amount("g", "2") + `],` +
		`"` + seed.ID("acme-denmark/tax-code/1") + `":[]}}`
	got := data[taxesOut](t, e.do("POST", calc, "dk", body), http.StatusOK)
	dkk := func(m int64) pleo.Money { return pleo.Money{Currency: "DKK", Minors: m} }
	split := func(gross, net, tax int64) pleo.TaxBreakdown {
		return pleo.TaxBreakdown{Gross: dkk(gross), Net: dkk(net), Tax: dkk(tax)}
	}
	want := map[string][]pleo.TaxBreakdown{
		dkTaxCode:       {split(12500, 10000, 2500), split(10, 8, 2), split(-12500, -10000, -2500)}, // inclusive 25 %
		upper:           {split(4999, 4999, 0)},                                                     // zero rate, key echoed as sent
		dkReverseCharge: {split(10000, 10000, 2500), split(2, 2, 1)},                                // reverse charge: tax on top, not paid
		exclusive.ID:    {split(12500, 10000, 2500), split(3, 2, 1)},                                // exclusive: 0.5 rounds up
	}
	if len(got.Taxes) != 5 || got.Taxes[seed.ID("acme-denmark/tax-code/1")] == nil {
		t.Errorf("keys %v, want the 5 requested (an empty list too)", reflect.ValueOf(got.Taxes).MapKeys())
	}
	for key, splits := range want {
		if len(got.Taxes[key]) != len(splits) {
			t.Fatalf("%s: %+v, want %d amounts", key, got.Taxes[key], len(splits))
		}
		for i, s := range splits {
			if g := got.Taxes[key][i]; g.AmountTaxBreakdown != s {
				t.Errorf("%s[%d] (%s): %+v, want %+v", key, i, g.ID, g.AmountTaxBreakdown, s)
			}
		}
	}
	if ids := got.Taxes[exclusive.ID]; ids[0].ID != "g" || ids[1].ID != "g" || got.Taxes[dkTaxCode][2].ID != "c" {
		t.Errorf("ids not echoed in order: %+v", got.Taxes)
	}

	// The organisation sees Denmark's codes; Sweden's token does not.
	e.do("POST", calc, "org", body).ok(t, http.StatusOK, nil)
	one := func(code, item string) string { return `{"amountsByTaxCodeId":{"` + code + `":[` + item + `]}}` }
	msg := e.do("POST", calc, "se", one(dkTaxCode, amount("a", "1"))).fails(t, http.StatusNotFound, "NOT_FOUND")
	if !strings.Contains(msg, dkTaxCode) {
		t.Errorf("404 message %q does not name the tax code", msg)
	}
	e.do("POST", calc, "dk", one(unknownUUID, amount("a", "1"))).fails(t, http.StatusNotFound, "NOT_FOUND")
	if got := data[taxesOut](t, e.do("POST", calc, "dk", `{"amountsByTaxCodeId":{}}`), http.StatusOK); got.Taxes == nil || len(got.Taxes) != 0 {
		t.Errorf("empty request: %+v", got)
	}

	for _, c := range []struct{ body, typ, field string }{
		{``, "JSON_MAPPING_EXCEPTION", "missing"},
		{`{}`, "VALIDATION_FAILED", "amountsByTaxCodeId"},
		{`{"amountsByTaxCodeId":null}`, "VALIDATION_FAILED", "amountsByTaxCodeId"},
		{`{"amountsByTaxCodeId":[]}`, "JSON_MAPPING_EXCEPTION", "amountsByTaxCodeId"},
		{one("DK25", amount("a", "1")), "VALIDATION_FAILED", "DK25"},
		{one(dkTaxCode, `{"amount":{"currency":"DKK","minors":1}}`), "VALIDATION_FAILED", "[0].id"},
		{one(dkTaxCode, `{"id":" ","amount":{"currency":"DKK","minors":1}}`), "VALIDATION_FAILED", "[0].id"},
		{one(dkTaxCode, `{"id":"a"}`), "VALIDATION_FAILED", "[0].amount"},
		{one(dkTaxCode, `{"id":"a","amount":{"minors":1}}`), "VALIDATION_FAILED", "amount.currency"},
		{one(dkTaxCode, `{"id":"a","amount":{"currency":"dkk","minors":1}}`), "VALIDATION_FAILED", "amount.currency"},
		{one(dkTaxCode, `{"id":"a","amount":{"currency":"DKK"}}`), "VALIDATION_FAILED", "amount.minors"},
		{one(dkTaxCode, `{"id":"a","amount":{"currency":"DKK","minors":1.5}}`), "JSON_MAPPING_EXCEPTION", "minors"},
		{one(exclusive.ID, amount("a", "9223372036854775807")), "VALIDATION_FAILED", "amount.minors"},
		{`{"amountsByTaxCodeId":{"` + dkTaxCode + `":[` + strings.Repeat(amount("a", "1")+",", 1000) + amount("a", "1") + `]}}`,
			"VALIDATION_FAILED", "1001 amounts"},
	} {
		mentions(t, e.do("POST", calc, "dk", c.body), c.typ, c.field)
	}
	big := make([]string, 101)
	for i := range big {
		big[i] = `"` + strings.Replace(unknownUUID, unknownUUID[:3], string(rune('a'+i%26))+string(rune('a'+i/26))+"0", 1) + `":[]`
	}
	mentions(t, e.do("POST", calc, "dk", `{"amountsByTaxCodeId":{`+strings.Join(big, ",")+`}}`), "VALIDATION_FAILED", "101 tax codes")
}
