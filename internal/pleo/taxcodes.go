package pleo

import "math"

// This file holds the rules of tax codes (/v0/tax-codes) as Pleo's
// TaxCodeCreateUpdateModel sets them, for the create and the (full) update
// alike. Pleo documents no conflict between tax codes.

// Validate checks the fields TaxCodeCreateUpdateModel sets: a name that is
// not blank, a rate from 0 to 1 (a decimal: 0.25 is 25 %) and a
// TaxCodeTypeModel. It returns the first broken rule as a *FieldError, in
// that order.
func (c TaxCode) Validate() error {
	if err := notBlank("name", c.Name); err != nil {
		return err
	}
	if math.IsNaN(c.Rate) || c.Rate < 0 || c.Rate > 1 {
		return Invalid("rate", "must be a decimal from 0 to 1 (0.25 is 25 %%), not %v", c.Rate)
	}
	return ValidateTaxCodeType(c.Type)
}

// ValidateTaxCodeType checks a tax code's type, or the type a search
// (TaxCodeSearchRequest) filters on: a TaxCodeTypeModel.
func ValidateTaxCodeType(typ string) error {
	return OneOf("type", typ, TaxCodeTypes)
}
