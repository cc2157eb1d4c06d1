package pleo_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// ruleCase is a value a rule checks: field and message name the broken
// rule ("" when the value is valid).
type ruleCase struct {
	name           string
	err            error
	field, message string
}

// checkRules asserts that each case's error is nil, or a *FieldError that
// matches ErrInvalid with the case's field and message.
func checkRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		var fe *pleo.FieldError
		switch {
		case c.field == "" && c.err != nil:
			t.Errorf("%s: refused: %v", c.name, c.err)
		case c.field == "":
		case !errors.As(c.err, &fe) || !errors.Is(c.err, pleo.ErrInvalid):
			t.Errorf("%s: %v, want a FieldError for %s", c.name, c.err, c.field)
		case fe.Field != c.field || fe.Message != c.message:
			t.Errorf("%s: %s %q, want %s %q", c.name, fe.Field, fe.Message, c.field, c.message)
		}
	}
}

// with returns a copy of v changed by f.
func with[T any](v T, f func(*T)) T {
	f(&v)
	return v
}

func TestVendorRules(t *testing.T) {
	ok := pleo.Vendor{Name: "Kontorland", DefaultCurrency: "DKK", Country: "DK", ExternalID: "erp-1", State: "ACTIVE"}
	checkRules(t, []ruleCase{
		{"valid", ok.Validate(), "", ""},
		{"valid update", ok.ValidateUpdate(), "", ""},
		{"no country, no externalId, no state", pleo.Vendor{Name: "x", DefaultCurrency: "EUR"}.Validate(), "", ""},
		{"blank name", with(ok, func(v *pleo.Vendor) { v.Name = " \t" }).Validate(), "name", "must not be blank"},
		{"currency", with(ok, func(v *pleo.Vendor) { v.DefaultCurrency = "dkk" }).Validate(), "defaultCurrency",
			`must be an ISO 4217 currency code such as DKK, not "dkk"`},
		{"country", with(ok, func(v *pleo.Vendor) { v.Country = "XX" }).Validate(), "country",
			`must be one of Pleo's CountryCode values such as DK, not "XX"`},
		{"name before currency", with(ok, func(v *pleo.Vendor) { v.Name, v.DefaultCurrency = "", "" }).Validate(), "name", "must not be blank"},
		{"update: create rules first", with(ok, func(v *pleo.Vendor) { v.Country, v.ExternalID = "dk", "" }).ValidateUpdate(), "country",
			`must be one of Pleo's CountryCode values such as DK, not "dk"`},
		{"update: blank externalId", with(ok, func(v *pleo.Vendor) { v.ExternalID = " " }).ValidateUpdate(), "externalId", "must not be blank"},
		{"update: externalId before state", with(ok, func(v *pleo.Vendor) { v.ExternalID, v.State = "", "" }).ValidateUpdate(),
			"externalId", "must not be blank"},
		{"update: no state", with(ok, func(v *pleo.Vendor) { v.State = "" }).ValidateUpdate(), "state",
			`must be one of DRAFT, ACTIVE, ARCHIVED, not ""`},
		{"create ignores state", with(ok, func(v *pleo.Vendor) { v.State = "GONE" }).Validate(), "", ""},
		{"activation", pleo.ValidateVendorExternalID("erp-2"), "", ""},
		{"activation: blank", pleo.ValidateVendorExternalID(""), "externalId", "must not be blank"},
		{"states", pleo.ValidateVendorStates([]string{"DRAFT", "ARCHIVED"}), "", ""},
		{"no states", pleo.ValidateVendorStates(nil), "", ""},
		{"states: second bad", pleo.ValidateVendorStates([]string{"ACTIVE", "active"}), "states[1]",
			`must be one of DRAFT, ACTIVE, ARCHIVED, not "active"`},
	})
}

func TestTaxCodeRules(t *testing.T) {
	ok := pleo.TaxCode{Name: "Moms 25%", Rate: 0.25, Type: "inclusive"}
	checkRules(t, []ruleCase{
		{"valid", ok.Validate(), "", ""},
		{"rate 0", with(ok, func(c *pleo.TaxCode) { c.Rate = 0 }).Validate(), "", ""},
		{"rate 1", with(ok, func(c *pleo.TaxCode) { c.Rate, c.Type = 1, "reverse" }).Validate(), "", ""},
		{"blank name", with(ok, func(c *pleo.TaxCode) { c.Name = "  " }).Validate(), "name", "must not be blank"},
		{"negative rate", with(ok, func(c *pleo.TaxCode) { c.Rate = -0.1 }).Validate(), "rate", "must be a decimal from 0 to 1 (0.25 is 25 %), not -0.1"},
		{"percent rate", with(ok, func(c *pleo.TaxCode) { c.Rate = 25 }).Validate(), "rate", "must be a decimal from 0 to 1 (0.25 is 25 %), not 25"},
		{"NaN rate", with(ok, func(c *pleo.TaxCode) { c.Rate = math.NaN() }).Validate(), "rate", "must be a decimal from 0 to 1 (0.25 is 25 %), not NaN"},
		{"type", with(ok, func(c *pleo.TaxCode) { c.Type = "INCLUSIVE" }).Validate(), "type", `must be one of inclusive, exclusive, reverse, not "INCLUSIVE"`},
		{"name before rate and type", with(ok, func(c *pleo.TaxCode) { c.Name, c.Rate, c.Type = "", 2, "" }).Validate(), "name", "must not be blank"},
		{"rate before type", with(ok, func(c *pleo.TaxCode) { c.Rate, c.Type = 2, "" }).Validate(), "rate", "must be a decimal from 0 to 1 (0.25 is 25 %), not 2"},
		{"search type", pleo.ValidateTaxCodeType("exclusive"), "", ""},
		{"search type: bad", pleo.ValidateTaxCodeType("flat"), "type", `must be one of inclusive, exclusive, reverse, not "flat"`},
	})
}

func TestAccountRules(t *testing.T) {
	code, long, most := "2800", strings.Repeat("æ", 256), strings.Repeat("æ", 255)
	ok := pleo.Account{ExternalID: "erp-2800", Name: "Bank charges", Code: &code}
	checkRules(t, []ruleCase{
		{"valid", ok.Validate(), "", ""},
		{"empty name, no code", pleo.Account{ExternalID: "x"}.Validate(), "", ""},
		{"255 characters", pleo.Account{ExternalID: most, Name: most, Code: &most}.Validate(), "", ""},
		{"blank externalId", with(ok, func(a *pleo.Account) { a.ExternalID = " " }).Validate(), "externalId", "must not be blank"},
		{"long externalId", with(ok, func(a *pleo.Account) { a.ExternalID, a.Name = long, long }).Validate(), "externalId",
			"must be at most 255 characters long"},
		{"long name", with(ok, func(a *pleo.Account) { a.Name, a.Code = long, &long }).Validate(), "name", "must be at most 255 characters long"},
		{"long code", with(ok, func(a *pleo.Account) { a.Code = &long }).Validate(), "code", "must be at most 255 characters long"},
		{"update ignores externalId", with(ok, func(a *pleo.Account) { a.ExternalID = "" }).ValidateUpdate(), "", ""},
		{"update: long name", with(ok, func(a *pleo.Account) { a.ExternalID, a.Name = "", long }).ValidateUpdate(), "name",
			"must be at most 255 characters long"},
	})
}
