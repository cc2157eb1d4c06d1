package pleo

import (
	"math"
	"strings"
	"time"
)

// This file holds the export-item view of an accounting entry
// (GET /v3/export-items): ExportItemV3 and its parts, and BuildExportItem,
// which derives one from an entry and its company's records.

// MoneyValue is MoneyModel: Value is in minor units, typed as a JSON number.
type MoneyValue struct {
	Currency string  `json:"currency"`
	Value    float64 `json:"value"`
}

// ExportAmount is an amount in the supplier's and the wallet's currency.
type ExportAmount struct {
	InSupplierCurrency MoneyValue `json:"inSupplierCurrency"`
	InWalletCurrency   MoneyValue `json:"inWalletCurrency"`
}

// ExportItem is ExportItemV3: an accounting entry as an integration exports it.
type ExportItem struct {
	Links                 ExportLinks          `json:"_links"`
	AccountingEntryID     string               `json:"accountingEntryId" format:"uuid"`
	AccountingEntryLines  []ExportItemLine     `json:"accountingEntryLines"`
	AdditionalInformation ExportAdditionalInfo `json:"additionalInformation"`
	Amount                ExportAmount         `json:"amount"`
	CompanyID             string               `json:"companyId" format:"uuid"`
	Date                  time.Time            `json:"date"`
	Type                  string               `json:"type"`
	SubType               string               `json:"subType,omitempty"`
	Bookkeeping           *ExportBookkeeping   `json:"bookkeeping"`
	ContraAccount         *ExportAccount       `json:"contraAccount"`
	Files                 []ExportFile         `json:"files"`
	Note                  *string              `json:"note"`
	ServicePeriod         *ExportPeriod        `json:"servicePeriod"`
	Supplier              *ExportSupplier      `json:"supplier"`
	Team                  *ExportRef           `json:"team"`
	User                  *ExportRef           `json:"user"`
	Vendor                *ExportVendor        `json:"vendor"`
	// ExportJobID is the unfinished job the entry is an item of.
	ExportJobID string `json:"-"`
}

// ExportLinks is LinksResponse.
type ExportLinks struct {
	Web    map[string]string `json:"web,omitempty"`
	Mobile map[string]string `json:"mobile,omitempty"`
	API    map[string]string `json:"api,omitempty"`
}

// ExportItemLine is ExportItemLineV3: one line (split) of the entry.
type ExportItemLine struct {
	AccountingEntryLineID string         `json:"accountingEntryLineId" format:"uuid"`
	LineAmount            ExportAmount   `json:"lineAmount"`
	NetAmount             ExportAmount   `json:"netAmount"`
	Account               *ExportAccount `json:"account"`
	Tags                  []ExportTag    `json:"tags"`
	Tax                   *ExportTax     `json:"tax"`
}

// ExportAccount is AccountV3 and ContraAccount.
type ExportAccount struct {
	ID         string  `json:"id" format:"uuid"`
	Name       string  `json:"name"`
	Code       *string `json:"code"`
	Identifier *string `json:"identifier"`
}

// ExportTag is TagV3.
type ExportTag struct {
	ID        string `json:"id" format:"uuid"`
	Code      string `json:"code"`
	GroupCode string `json:"groupCode"`
}

// ExportTax is TaxV3.
type ExportTax struct {
	ID                 string       `json:"id" format:"uuid"`
	Rate               float64      `json:"rate"`
	Type               string       `json:"type"`
	Amount             ExportAmount `json:"amount"`
	Code               *string      `json:"code"`
	IngoingTaxAccount  string       `json:"ingoingTaxAccount,omitempty"`
	OutgoingTaxAccount string       `json:"outgoingTaxAccount,omitempty"`
}

// ExportRef is TeamV3 and ExportItemUserV3.
type ExportRef struct {
	ID   string  `json:"id" format:"uuid"`
	Name string  `json:"name"`
	Code *string `json:"code"`
}

// ExportFile is ExportItemFile.
type ExportFile struct {
	Size int32  `json:"size"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// ExportPeriod is ServicePeriodV3.
type ExportPeriod struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// ExportBookkeeping is BookkeepingV3; Method is none, journal or accounts_payable.
type ExportBookkeeping struct {
	Method string `json:"method"`
}

// ExportSupplier is SupplierV3.
type ExportSupplier struct {
	Account       *string `json:"account"`
	CategoryCode  *string `json:"categoryCode"`
	Code          *string `json:"code"`
	Country       *string `json:"country"`
	Name          *string `json:"name"`
	TaxIdentifier *string `json:"taxIdentifier"`
}

// ExportVendor is VendorV3.
type ExportVendor struct {
	ID                    string `json:"id" format:"uuid"`
	Name                  string `json:"name"`
	DefaultCurrency       string `json:"defaultCurrency"`
	Code                  string `json:"code,omitempty"`
	Country               string `json:"country,omitempty"`
	ExternalID            string `json:"externalId,omitempty"`
	RegistrationNumber    string `json:"registrationNumber,omitempty"`
	TaxRegistrationNumber string `json:"taxRegistrationNumber,omitempty"`
}

// ExportAdditionalInfo is ExportItemAdditionalInformationV3.
type ExportAdditionalInfo struct {
	ReconciliationID   string             `json:"reconciliationId"`
	Attendees          []string           `json:"attendees"`
	InvoiceInformation *ExportInvoiceInfo `json:"invoiceInformation"`
	ReconciledEntries  []string           `json:"reconciledEntries"`
}

// ExportInvoiceInfo is InvoiceInformationV3.
type ExportInvoiceInfo struct {
	InvoiceDate   time.Time  `json:"invoiceDate"`
	InvoiceNumber string     `json:"invoiceNumber"`
	Status        string     `json:"status"`
	DueDate       *time.Time `json:"dueDate"`
	PaymentDate   *time.Time `json:"paymentDate"`
}

// ExportCatalog is what BuildExportItem looks entries' references up in:
// one company's records, keyed by ID.
type ExportCatalog struct {
	WalletCurrency string
	Accounts       map[string]Account
	TaxCodes       map[string]TaxCode
	Tags           map[string]Tag
	TagGroups      map[string]TagGroup
	Teams          map[string]Team
	Employees      map[string]Employee
	Vendors        []Vendor
}

// BuildExportItem turns an accounting entry into its export item. Links are
// left empty (see ExportItemLinks). Vendor and bookkeeping are filled only
// for jobs with vendorBasedBookkeeping, as Pleo documents.
func BuildExportItem(e AccountingEntry, vendorBased bool, c ExportCatalog) ExportItem {
	typ, sub := ExportItemType(e.Family, e.SubFamily)
	it := ExportItem{
		AccountingEntryID: e.ID, CompanyID: e.CompanyID, Type: typ, SubType: sub,
		Amount: exportAmount(e.TransactionValue, e.TotalBillValue, c.WalletCurrency, 1),
		Date:   e.PerformedAt.UTC().Truncate(time.Second), Files: []ExportFile{}, Note: optString(e.Note),
		AdditionalInformation: ExportAdditionalInfo{ReconciliationID: e.ID, Attendees: []string{}, ReconciledEntries: []string{}},
	}
	if e.BookkeepingDate != nil {
		it.Date = e.BookkeepingDate.UTC().Truncate(time.Second)
	}
	if len(e.SplitItems) == 0 {
		it.AccountingEntryLines = []ExportItemLine{c.line(e.ID, e.AccountID, e.TaxCodeID, e.Tags, e.TransactionValue, e.TotalBillValue)}
	}
	for _, s := range e.SplitItems {
		gross := Money{Currency: e.TransactionValue.Currency}
		if s.TransactionValue != nil {
			gross = *s.TransactionValue
		}
		it.AccountingEntryLines = append(it.AccountingEntryLines, c.line(s.ID, s.AccountID, s.TaxCodeID, s.Tags, gross, s.TotalBillValue))
	}
	for _, a := range e.Attendees {
		it.AdditionalInformation.Attendees = append(it.AdditionalInformation.Attendees, a.AttendableID)
	}
	if t, ok := c.Teams[e.TeamID]; ok {
		it.Team = &ExportRef{ID: t.ID, Name: t.Name}
	}
	if p, ok := c.Employees[e.EmployeeID]; ok {
		it.User = &ExportRef{ID: p.ID, Name: strings.TrimSpace(p.FirstName + " " + p.LastName), Code: optString(p.Code)}
	}
	if e.MerchantName != "" || e.Supplier != nil {
		it.Supplier = &ExportSupplier{Name: optString(e.MerchantName)}
		if s := e.Supplier; s != nil {
			it.Supplier.Code, it.Supplier.TaxIdentifier = optString(s.ExternalSupplierID), optString(s.CIF)
			it.Supplier.Account = optString(s.ExternalAccountNumber)
		}
	}
	if e.Family == "BILL_INVOICE" && e.Supplier != nil && e.Supplier.DocumentNumber != "" {
		status := "ready"
		if e.SettledAt != nil {
			status = "paid"
		}
		it.AdditionalInformation.InvoiceInformation = &ExportInvoiceInfo{InvoiceDate: it.Date,
			InvoiceNumber: e.Supplier.DocumentNumber, Status: status, PaymentDate: e.SettledAt}
	}
	if vendorBased {
		it.Bookkeeping = &ExportBookkeeping{Method: "journal"}
		if v := MatchVendor(e, c.Vendors); v != nil {
			it.Vendor = &ExportVendor{ID: v.ID, Name: v.Name, DefaultCurrency: v.DefaultCurrency, Code: v.Code,
				Country: v.Country, ExternalID: v.ExternalID, RegistrationNumber: v.RegistrationNumber,
				TaxRegistrationNumber: v.TaxRegistrationNumber}
			it.Bookkeeping.Method = "accounts_payable"
		}
	}
	return it
}

// line builds one export line from an entry or split item.
func (c ExportCatalog) line(id, accountID, taxCodeID string, tags []EntryTag, gross Money, bill *Money) ExportItemLine {
	l := ExportItemLine{AccountingEntryLineID: id, Tags: []ExportTag{}}
	l.LineAmount = exportAmount(gross, bill, c.WalletCurrency, 1)
	l.NetAmount = l.LineAmount
	if a, ok := c.Accounts[accountID]; ok {
		l.Account = &ExportAccount{ID: a.ID, Name: a.Name, Code: a.Code, Identifier: optString(a.ExternalID)}
	}
	if t, ok := c.TaxCodes[taxCodeID]; ok {
		share := t.Rate // tax as a share of the line: exclusive and reverse add on top
		if t.Type == "inclusive" {
			share = t.Rate / (1 + t.Rate)
		}
		l.Tax = &ExportTax{ID: t.ID, Rate: t.Rate, Type: t.Type, Code: t.Code,
			Amount: exportAmount(gross, bill, c.WalletCurrency, share)}
		if t.IngoingTaxAccount != nil {
			l.Tax.IngoingTaxAccount = *t.IngoingTaxAccount
		}
		if t.OutgoingTaxAccount != nil {
			l.Tax.OutgoingTaxAccount = *t.OutgoingTaxAccount
		}
		if t.Type == "inclusive" {
			l.NetAmount.InSupplierCurrency.Value -= l.Tax.Amount.InSupplierCurrency.Value
			l.NetAmount.InWalletCurrency.Value -= l.Tax.Amount.InWalletCurrency.Value
		}
	}
	for _, et := range tags {
		if tag, ok := c.Tags[et.TagID]; ok {
			l.Tags = append(l.Tags, ExportTag{ID: tag.ID, Code: tag.Code, GroupCode: c.TagGroups[tag.GroupID].Code})
		}
	}
	return l
}

// exportAmount is share of an amount in the supplier's currency (gross)
// and the wallet's (bill, or gross when there is no bill value), rounded to
// whole minor units.
func exportAmount(gross Money, bill *Money, wallet string, share float64) ExportAmount {
	w := gross
	if bill != nil {
		w = *bill
	} else if wallet != "" {
		w.Currency = wallet
	}
	return ExportAmount{
		InSupplierCurrency: MoneyValue{Currency: gross.Currency, Value: math.Round(float64(gross.Minors) * share)},
		InWalletCurrency:   MoneyValue{Currency: w.Currency, Value: math.Round(float64(w.Minors) * share)},
	}
}

// MatchVendor finds an entry's vendor: the one whose externalId is the
// supplier's externalSupplierId, else the one named like the merchant.
func MatchVendor(e AccountingEntry, vendors []Vendor) *Vendor {
	if e.Supplier != nil && e.Supplier.ExternalSupplierID != "" {
		for i := range vendors {
			if vendors[i].ExternalID == e.Supplier.ExternalSupplierID {
				return &vendors[i]
			}
		}
	}
	for i := range vendors {
		if e.MerchantName != "" && strings.EqualFold(vendors[i].Name, e.MerchantName) {
			return &vendors[i]
		}
	}
	return nil
}

// ExportItemType maps an entry's family and sub-family to ExportItemTypeV3
// and ExportItemSubTypeV3. Emulator choice: Pleo publishes both lists but
// not the mapping.
func ExportItemType(family, subFamily string) (typ, subType string) {
	switch family {
	case "CARD_PURCHASE":
		if subFamily == "ATM" {
			return "atm_withdrawal", ""
		}
		return "card_purchase", ""
	case "OUT_OF_POCKET":
		return "out_of_pocket", ""
	case "MILEAGE":
		return "mileage", ""
	case "PER_DIEM":
		return "per_diem", ""
	case "BILL_INVOICE":
		return "invoice", ""
	case "BILL_INVOICE_PAYMENT":
		if subFamily == "BILL_INVOICE_PAYMENT_RETURNED" {
			return "invoice_payment", "invoice_payment_returned"
		}
		return "invoice_payment", "invoice_payment_sent"
	case "REIMBURSEMENT":
		return "direct_reimbursement", strings.ToLower(subFamily)
	case "PLEO_INVOICE":
		if subFamily == "PLEO_INVOICE_REFUND" {
			return "refund", ""
		}
		return "fee", ""
	case "WALLET", "BALANCE_AMENDMENT":
		if subFamily == "UNLOAD" || subFamily == "WITHDRAWAL" {
			return "wallet_unload", ""
		}
		return "wallet_topup", ""
	case "CASHBACK":
		return "cashback", ""
	case "CREDIT_NOTE":
		return "refund", ""
	case "OVERDRAFT":
		if subFamily == "INTEREST" {
			return "fee", "interest"
		}
		return "fee", ""
	}
	return "card_purchase", ""
}

// ExportItemLinks are the _links of an export item served at publicURL.
func ExportItemLinks(publicURL, entryID string) ExportLinks {
	return ExportLinks{API: map[string]string{"accountingEntry": publicURL + "/v1/accounting-entries/" + entryID}}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
