package pleo

// This file holds the rules of the chart of accounts (/v1/chart-of-accounts)
// as Pleo's BookkeepingAccountCreateRequestV1 and
// BookkeepingAccountUpdateRequestV1 set them. Whether an externalId exists
// in the company, with the same data or other data, is the store's to check.

// maxAccountText is the most characters of an account's externalId, name
// and code, as Pleo documents.
const maxAccountText = 255

// Validate checks the fields BookkeepingAccountCreateRequestV1 sets: an
// externalId that is not blank, then ValidateUpdate's rules. Every text is
// at most 255 characters; the name may be empty. It returns the first
// broken rule as a *FieldError, in that order.
func (a Account) Validate() error {
	if err := notBlank("externalId", a.ExternalID); err != nil {
		return err
	}
	if err := MaxLength("externalId", a.ExternalID, maxAccountText); err != nil {
		return err
	}
	return a.ValidateUpdate()
}

// ValidateUpdate checks the fields BookkeepingAccountUpdateRequestV1 sets,
// which has no externalId: a name and, when given, a code of at most 255
// characters.
func (a Account) ValidateUpdate() error {
	if err := MaxLength("name", a.Name, maxAccountText); err != nil {
		return err
	}
	if a.Code != nil {
		return MaxLength("code", *a.Code, maxAccountText)
	}
	return nil
}
