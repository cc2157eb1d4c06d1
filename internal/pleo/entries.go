package pleo

import (
	"math/big"
	"regexp"
	"strings"
)

// This file holds the enums of accounting entries (AccountingEntryV1 in
// pleo-accounting-entries-api-openapi.yml) and the one rule the document
// states between two of them: which subFamily belongs to which family.

// Accounting entry families (AccountingEntryFamily).
const (
	FamilyBalanceAmendment   = "BALANCE_AMENDMENT"
	FamilyBillInvoice        = "BILL_INVOICE"
	FamilyCardPurchase       = "CARD_PURCHASE"
	FamilyCashback           = "CASHBACK"
	FamilyCreditNote         = "CREDIT_NOTE"
	FamilyMileage            = "MILEAGE"
	FamilyOutOfPocket        = "OUT_OF_POCKET"
	FamilyOverdraft          = "OVERDRAFT"
	FamilyPerDiem            = "PER_DIEM"
	FamilyPleoInvoice        = "PLEO_INVOICE"
	FamilyReimbursement      = "REIMBURSEMENT"
	FamilyWallet             = "WALLET"
	FamilyBillInvoicePayment = "BILL_INVOICE_PAYMENT"
)

// Accounting entry statuses (AccountingEntryStatus).
const (
	EntryDraft               = "DRAFT"
	EntryPending             = "PENDING"
	EntryCompleted           = "COMPLETED"
	EntryCompletedExternally = "COMPLETED_EXTERNALLY"
	EntryCancelled           = "CANCELLED"
	EntryRejected            = "REJECTED"
	EntryError               = "ERROR"
)

// Accounting entry review statuses (ReviewStatus).
const (
	ReviewNotOK                  = "NOT_OK"
	ReviewNotRequired            = "NOT_REQUIRED"
	ReviewNotSet                 = "NOT_SET"
	ReviewOK                     = "OK"
	ReviewWaitingForExpenseOwner = "WAITING_FOR_EXPENSE_OWNER"
	ReviewWaitingForReviewer     = "WAITING_FOR_REVIEWER"
	ReviewWaitingForCompany      = "WAITING_FOR_COMPANY_REVIEWER"
	ReviewWaitingForTeam         = "WAITING_FOR_TEAM_REVIEWER"
	ReviewWaitingForTag          = "WAITING_FOR_TAG_REVIEWER"
)

// The accounting entry enums in Pleo's documented order, for validation
// messages and the OpenAPI document. Do not modify.
var (
	EntryFamilies = strings.Fields(`BALANCE_AMENDMENT BILL_INVOICE CARD_PURCHASE CASHBACK CREDIT_NOTE MILEAGE
		OUT_OF_POCKET OVERDRAFT PER_DIEM PLEO_INVOICE REIMBURSEMENT WALLET BILL_INVOICE_PAYMENT`)
	EntrySubFamilies = strings.Fields(`ATM IN_STORE ONLINE PLEO_INVOICE PLEO_INVOICE_REFUND REIMBURSEMENT_TO_COMPANY
		REIMBURSEMENT_TO_EMPLOYEE REIMBURSEMENT_TO_EMPLOYEE_REFUND LOAD UNLOAD WITHDRAWAL FEE INTEREST
		BILL_INVOICE_PAYMENT_RETURNED BILL_INVOICE_PAYMENT_RECEIVED`)
	EntryStatuses       = strings.Fields("DRAFT PENDING COMPLETED COMPLETED_EXTERNALLY CANCELLED REJECTED ERROR")
	EntryExportStatuses = strings.Fields("CREATED EXPORTED EXPORTING NOT_CREATED NOT_EXPORTED QUEUED")
	EntryReviewStatuses = strings.Fields(`NOT_OK NOT_REQUIRED NOT_SET OK WAITING_FOR_EXPENSE_OWNER WAITING_FOR_REVIEWER
		WAITING_FOR_COMPANY_REVIEWER WAITING_FOR_TEAM_REVIEWER WAITING_FOR_TAG_REVIEWER`)
	// AttendeeTypes are the attendableType values of AttendeeV1: the
	// document names an employee or a contact (its example is CONTACT).
	AttendeeTypes = []string{"EMPLOYEE", "CONTACT"}
)

// subFamilyFamilies is the family each subFamily belongs to, as the
// AccountingEntrySubFamily descriptions state it: "ATM: A CARD_PURCHASE
// that was performed at an ATM", "LOAD: Either a WALLET or a
// BALANCE_AMENDMENT load", "FEE: A monthly fee paid for using overdraft"
// (the OVERDRAFT family's "monthly subscription fee"), and so on.
var subFamilyFamilies = map[string][]string{
	"ATM": {FamilyCardPurchase}, "IN_STORE": {FamilyCardPurchase}, "ONLINE": {FamilyCardPurchase},
	"PLEO_INVOICE": {FamilyPleoInvoice}, "PLEO_INVOICE_REFUND": {FamilyPleoInvoice},
	"REIMBURSEMENT_TO_COMPANY": {FamilyReimbursement}, "REIMBURSEMENT_TO_EMPLOYEE": {FamilyReimbursement},
	"REIMBURSEMENT_TO_EMPLOYEE_REFUND": {FamilyReimbursement},
	"LOAD":                             {FamilyWallet, FamilyBalanceAmendment}, "UNLOAD": {FamilyWallet, FamilyBalanceAmendment},
	"WITHDRAWAL": {FamilyWallet},
	"FEE":        {FamilyOverdraft}, "INTEREST": {FamilyOverdraft},
	"BILL_INVOICE_PAYMENT_RETURNED": {FamilyBillInvoicePayment}, "BILL_INVOICE_PAYMENT_RECEIVED": {FamilyBillInvoicePayment},
}

// SubFamiliesOf lists the subFamily values documented for family, in
// Pleo's order; none for a family no subFamily names (MILEAGE, PER_DIEM,
// OUT_OF_POCKET, BILL_INVOICE, CREDIT_NOTE, CASHBACK).
func SubFamiliesOf(family string) []string {
	var out []string
	for _, sub := range EntrySubFamilies {
		for _, f := range subFamilyFamilies[sub] {
			if f == family {
				out = append(out, sub)
			}
		}
	}
	return out
}

// ValidateFamily checks family and subFamily against Pleo's enums and the
// rule above: subFamily is empty or one the document gives to family.
func ValidateFamily(family, subFamily string) error {
	if err := OneOf("family", family, EntryFamilies); err != nil {
		return err
	}
	if subFamily == "" {
		return nil
	}
	if err := OneOf("subFamily", subFamily, EntrySubFamilies); err != nil {
		return err
	}
	allowed := SubFamiliesOf(family)
	if len(allowed) == 0 {
		return Invalid("subFamily", "must be empty for family %s, which has no documented subFamily", family)
	}
	return OneOf("subFamily", subFamily, allowed)
}

// ValidateEntryStatus checks an AccountingEntryStatus value.
func ValidateEntryStatus(status string) error { return OneOf("status", status, EntryStatuses) }

// ValidateReviewStatus checks a ReviewStatus value.
func ValidateReviewStatus(reviewStatus string) error {
	return OneOf("reviewStatus", reviewStatus, EntryReviewStatuses)
}

// MaxEntryTags is the number of tags an expense can carry, as Pleo
// documents it ("About tags").
const MaxEntryTags = 5

// decimalRate is the form of an exchange rate a caller writes: a plain
// positive decimal such as "7.4604" (no sign, exponent or fraction).
var decimalRate = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,12})?$`)

// ParseExchangeRate reads an exchange rate as BillValue takes it (units of
// the transaction currency per unit of the wallet currency) from a decimal
// string; ErrBadRate unless it is a positive decimal.
func ParseExchangeRate(s string) (*big.Rat, error) {
	if !decimalRate.MatchString(s) {
		return nil, ErrBadRate
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return nil, ErrBadRate
	}
	return r, nil
}

// ShareOf is part/whole of total, rounded half away from zero to total's
// minor unit: a split item's share of its entry's totalBillValue. whole
// must not be zero; ok is false when it is or the share overflows.
func ShareOf(total Money, part, whole int64) (share Money, ok bool) {
	if whole == 0 {
		return Money{}, false
	}
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(total.Minors), big.NewInt(part)), big.NewInt(whole))
	minors, ok := roundHalfAwayFromZero(r)
	return Money{Currency: total.Currency, Minors: minors}, ok
}
