package pleo

// This file holds the rules of vendors (/v1/vendors) as Pleo's
// VendorCreateRequest, VendorUpdateRequest and ActivateVendorEventRequest
// set them. Which vendors clash (the same externalId, or the same name
// while there is none) depends on the company's other vendors and is the
// store's to check.

// Validate checks the fields VendorCreateRequest sets: a name that is not
// blank, an ISO 4217 defaultCurrency and, when given, a CountryCode. It
// returns the first broken rule as a *FieldError, in that order.
func (v Vendor) Validate() error {
	if err := notBlank("name", v.Name); err != nil {
		return err
	}
	if !ValidCurrencyCode(v.DefaultCurrency) {
		return Invalid("defaultCurrency", "must be an ISO 4217 currency code such as DKK, not %q", v.DefaultCurrency)
	}
	if v.Country != "" && !ValidCountryCode(v.Country) {
		return Invalid("country", "must be one of Pleo's CountryCode values such as DK, not %q", v.Country)
	}
	return nil
}

// ValidateUpdate checks a vendor as VendorUpdateRequest sets it: Validate's
// rules, then an externalId that is not blank and a VendorState, which the
// update requires.
func (v Vendor) ValidateUpdate() error {
	if err := v.Validate(); err != nil {
		return err
	}
	if err := ValidateVendorExternalID(v.ExternalID); err != nil {
		return err
	}
	return OneOf("state", v.State, VendorStates)
}

// ValidateVendorExternalID checks the externalId an update or an activation
// (ActivateVendorEventRequest) gives a vendor: not blank.
func ValidateVendorExternalID(externalID string) error {
	return notBlank("externalId", externalID)
}

// ValidateVendorStates checks the states a vendor search filters on
// (VendorSearchRequestV1): each a VendorState. The error names the item,
// e.g. states[1].
func ValidateVendorStates(states []string) error {
	return eachOneOf("states", states, VendorStates)
}
