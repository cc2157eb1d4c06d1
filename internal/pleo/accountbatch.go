package pleo

// This file holds the rules of POST /v1/chart-of-accounts/batch, as Pleo's
// BookkeepingAccountBatchCreateRequestV1 and BookkeepingAccountBatchFailedItemV1
// set them: 1 to 1000 items, each created or returned as failed with every
// reason that applies.

// Batch sizes Pleo documents for BookkeepingAccountBatchCreateRequestV1.
const (
	MinAccountBatch = 1
	MaxAccountBatch = 1000
)

// The reasons of a failed batch item: Pleo's enum, in its order.
const (
	AccountExternalIDExists  = "EXTERNAL_ID_ALREADY_EXISTS"
	AccountExternalIDTooLong = "EXTERNAL_ID_TOO_LONG"
	AccountExternalIDEmpty   = "EXTERNAL_ID_EMPTY"
	AccountNameTooLong       = "NAME_TOO_LONG"
	AccountNameEmpty         = "NAME_EMPTY"
	AccountCodeTooLong       = "CODE_TOO_LONG"
	AccountOther             = "OTHER"
)

// AccountBatchFailureReasons is Pleo's enum of batch failure reasons.
var AccountBatchFailureReasons = []string{AccountExternalIDExists, AccountExternalIDTooLong, AccountExternalIDEmpty,
	AccountNameTooLong, AccountNameEmpty, AccountCodeTooLong, AccountOther}

// BatchItemReasons returns why a batch item cannot be created on its own
// merits, in the enum's order, or nil: an externalId that is empty (or
// only spaces) or over 255 characters, a name that is empty (or only
// spaces; the reason NAME_EMPTY says Pleo refuses it here, although the
// single create's schema allows an empty name) or over 255 characters, a
// code over 255 characters. Whether the externalId exists is the store's
// to check (EXTERNAL_ID_ALREADY_EXISTS).
func (a Account) BatchItemReasons() []string {
	var reasons []string
	if longer(a.ExternalID, maxAccountText) {
		reasons = append(reasons, AccountExternalIDTooLong)
	}
	if blank(a.ExternalID) {
		reasons = append(reasons, AccountExternalIDEmpty)
	}
	if longer(a.Name, maxAccountText) {
		reasons = append(reasons, AccountNameTooLong)
	}
	if blank(a.Name) {
		reasons = append(reasons, AccountNameEmpty)
	}
	if a.Code != nil && longer(*a.Code, maxAccountText) {
		reasons = append(reasons, AccountCodeTooLong)
	}
	return reasons
}
