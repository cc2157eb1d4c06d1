package pleo

import "strings"

// This file holds the enums of Pleo's schemas: the export workflow's
// statuses and events, tax-code types, vendor states, country and currency
// codes, and the predicates the API and the store validate them with.

// Export job statuses (ExportJobStatus).
const (
	ExportJobPending             = "pending"
	ExportJobInProgress          = "in_progress"
	ExportJobFailed              = "failed"
	ExportJobCompleted           = "completed"
	ExportJobCompletedWithErrors = "completed_with_errors"
)

// Export job events (ExportJobEventType).
const (
	ExportEventStarted             = "started"
	ExportEventFailed              = "failed"
	ExportEventCompleted           = "completed"
	ExportEventCompletedWithErrors = "completed_with_errors"
)

// Export job item statuses (ExportJobItemStatus).
const (
	ExportItemPending    = "pending"
	ExportItemInProgress = "in_progress"
	ExportItemFailed     = "failed"
	ExportItemSuccessful = "successful"
	ExportItemAbandoned  = "abandoned"
)

// Accounting entry export statuses (ExportStatus).
const (
	ExportStatusNotExported = "NOT_EXPORTED"
	ExportStatusQueued      = "QUEUED"
	ExportStatusExporting   = "EXPORTING"
	ExportStatusExported    = "EXPORTED"
	ExportStatusCreated     = "CREATED"
	ExportStatusNotCreated  = "NOT_CREATED"
)

// FailureJobExpired is the failure reason type of a job that expired.
const FailureJobExpired = "job_expired"

// enumSet builds a set from values.
func enumSet(values []string) map[string]bool {
	set := make(map[string]bool, len(values))
	for _, v := range values {
		set[v] = true
	}
	return set
}

// The export, tax-code and vendor enums in Pleo's documented order, for the
// API's validation messages and OpenAPI document. Do not modify.
var (
	ExportJobStatuses     = strings.Fields("pending in_progress failed completed completed_with_errors")
	ExportJobEvents       = strings.Fields("started failed completed completed_with_errors")
	ExportJobItemStatuses = strings.Fields("pending in_progress failed successful abandoned")
	// ExportJobFailureReasonTypes is ExportJobFailureReasonType.
	ExportJobFailureReasonTypes = strings.Fields(`invalid_configuration missing_configuration authentication_failure
		accounting_system_authentication_failure pleo_rate_limit accounting_system_rate_limit service_unreachable
		accounting_system_unreachable validation_failure authorization_failure integration_unusable job_expired
		service_timeout accounting_system_timeout canceled_by_user`)
	// ExportJobItemFailureReasonTypes is ExportJobItemFailureReasonType.
	ExportJobItemFailureReasonTypes = strings.Fields(`receipt_upload_failure receipt_download_failure
		receipt_file_size_limit_exceeded receipt_conversion_failure unexpected_failure invalid_configuration
		missing_configuration accounting_system_authentication_failure accounting_system_rate_limit
		accounting_system_unreachable validation_failure accounting_system_validation_failure authorization_failure
		accounting_system_timeout vendor_unknown account_unknown tax_code_unknown tag_unknown`)
	// TaxCodeTypes is TaxCodeTypeModel. Pleo notes that exclusive tax codes
	// are not supported yet; the emulator accepts them, as the enum does.
	TaxCodeTypes = strings.Fields("inclusive exclusive reverse")
	// VendorStates is VendorState.
	VendorStates = strings.Fields("DRAFT ACTIVE ARCHIVED")
)

var (
	exportJobStatuses     = enumSet(ExportJobStatuses)
	exportJobEvents       = enumSet(ExportJobEvents)
	exportJobItemStatuses = enumSet(ExportJobItemStatuses)
	exportStatuses        = enumSet(EntryExportStatuses)
	jobFailureTypes       = enumSet(ExportJobFailureReasonTypes)
	itemFailureTypes      = enumSet(ExportJobItemFailureReasonTypes)
	taxCodeTypes          = enumSet(TaxCodeTypes)
	vendorStates          = enumSet(VendorStates)
	countryCodes          = enumSet(strings.Fields(`UNDEFINED AC AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
		BM BN BO BQ BR BS BT BU BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR CS CU CV CW CX CY CZ DE DG DJ DK
		DM DO DZ EA EC EE EG EH ER ES ET EU EZ FI FJ FK FM FO FR FX GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
		GW GY HK HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
		LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI
		NL NO NP NR NT NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SF SG SH SI
		SJ SK SL SM SN SO SR SS ST SU SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TP TR TT TV TW TZ UA UG UK UM US
		UY UZ VA VC VE VG VI VN VU WF WS XI XU XK YE YT YU ZA ZM ZR ZW`))
)

// ValidExportJobStatus reports whether s is an ExportJobStatus.
func ValidExportJobStatus(s string) bool { return exportJobStatuses[s] }

// ValidExportJobEvent reports whether s is an ExportJobEventType.
func ValidExportJobEvent(s string) bool { return exportJobEvents[s] }

// ValidExportJobItemStatus reports whether s is an ExportJobItemStatus.
func ValidExportJobItemStatus(s string) bool { return exportJobItemStatuses[s] }

// ValidExportStatus reports whether s is an accounting entry ExportStatus.
func ValidExportStatus(s string) bool { return exportStatuses[s] }

// ValidExportJobFailureReasonType reports whether s is an ExportJobFailureReasonType.
func ValidExportJobFailureReasonType(s string) bool { return jobFailureTypes[s] }

// ValidExportJobItemFailureReasonType reports whether s is an ExportJobItemFailureReasonType.
func ValidExportJobItemFailureReasonType(s string) bool { return itemFailureTypes[s] }

// ValidTaxCodeType reports whether s is a TaxCodeTypeModel (inclusive, exclusive, reverse).
func ValidTaxCodeType(s string) bool { return taxCodeTypes[s] }

// ValidVendorState reports whether s is a VendorState (DRAFT, ACTIVE, ARCHIVED).
func ValidVendorState(s string) bool { return vendorStates[s] }

// ValidCountryCode reports whether s is one of Pleo's CountryCode values.
func ValidCountryCode(s string) bool { return countryCodes[s] }

// ValidCurrencyCode reports whether s looks like an ISO 4217 code: three capital letters.
func ValidCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
