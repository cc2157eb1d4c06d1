// Package pleo defines the resources of Pleo's External API as the mock API
// serves them. Field names, JSON names and enums follow Pleo's published
// OpenAPI documents; the store persists these types and the API encodes them.
package pleo

import "time"

// Organization groups companies (Pleo's multi-entity customers).
type Organization struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Address is ExternalAddressResponseModel.
type Address struct {
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	Locality     string `json:"locality,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	Region       string `json:"region,omitempty"`
	Country      string `json:"country,omitempty"`
}

// Company is ExternalCompanyResponseModel plus the fields the emulator needs.
type Company struct {
	ID                 string    `json:"id" format:"uuid"`
	OrganizationID     string    `json:"organizationId,omitempty" format:"uuid"`
	Name               string    `json:"name"`
	RegistrationNumber string    `json:"registrationNumber,omitempty"`
	Address            Address   `json:"address"`
	Currency           string    `json:"-"` // the company's wallet currency (ISO 4217)
	CreatedAt          time.Time `json:"-"`
	UpdatedAt          time.Time `json:"-"`
}

// User is a person who can log in to the emulated Pleo web app.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash []byte
	CreatedAt    time.Time
}

// Team groups employees of a company (teamId on accounting entries).
type Team struct {
	ID        string
	CompanyID string
	Name      string
}

// Employee is ExternalEmployeeResponseModel.
type Employee struct {
	ID        string    `json:"id" format:"uuid"`
	CompanyID string    `json:"companyId" format:"uuid"`
	UserID    string    `json:"-"`
	TeamID    string    `json:"-"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Code      string    `json:"code,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	JobTitle  string    `json:"jobTitle,omitempty"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// TagGroup is TagGroupModel.
type TagGroup struct {
	ID             string            `json:"id"`
	CompanyID      string            `json:"companyId"`
	Name           string            `json:"name"`
	Code           string            `json:"code"`
	Archived       bool              `json:"archived"`
	Metadata       map[string]string `json:"metadata"`
	TotalTagsCount *int64            `json:"totalTagsCount,omitempty"`
	CreatedAt      time.Time         `json:"createdAt"`
	UpdatedAt      time.Time         `json:"updatedAt"`
}

// Tag is TagModel.
type Tag struct {
	ID        string    `json:"id"`
	GroupID   string    `json:"groupId"`
	Name      string    `json:"name,omitempty"`
	Code      string    `json:"code"`
	Archived  bool      `json:"archived"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TaxCode is TaxCodeModel. Type is one of inclusive, exclusive, reverse.
type TaxCode struct {
	ID                          string    `json:"id"`
	CompanyID                   string    `json:"companyId"`
	Name                        string    `json:"name"`
	Code                        *string   `json:"code"`
	Rate                        float64   `json:"rate"`
	Type                        string    `json:"type"`
	Archived                    bool      `json:"archived"`
	IngoingTaxAccount           *string   `json:"ingoingTaxAccount"`
	OutgoingTaxAccount          *string   `json:"outgoingTaxAccount"`
	AccountingIntegrationSystem *string   `json:"accountingIntegrationSystem"`
	CreatedAt                   time.Time `json:"createdAt"`
	UpdatedAt                   time.Time `json:"updatedAt"`
}

// Vendor is VendorResponse.
type Vendor struct {
	ID                    string    `json:"id"`
	CompanyID             string    `json:"companyId"`
	Name                  string    `json:"name"`
	Code                  string    `json:"code,omitempty"`
	ExternalID            string    `json:"externalId,omitempty"`
	Country               string    `json:"country,omitempty"`
	DefaultCurrency       string    `json:"defaultCurrency"`
	RegistrationNumber    string    `json:"registrationNumber,omitempty"`
	TaxRegistrationNumber string    `json:"taxRegistrationNumber,omitempty"`
	AccountingSystem      string    `json:"accountingSystem,omitempty"`
	State                 string    `json:"state"`
	CreatedAt             time.Time `json:"createdAt"`
	UpdatedAt             time.Time `json:"updatedAt"`
}

// Account is BookkeepingAccountRestModelV1: one line of the chart of accounts.
type Account struct {
	ID                string         `json:"id"`
	CompanyID         string         `json:"companyId"`
	ExternalID        string         `json:"externalId"`
	Name              string         `json:"name"`
	Code              *string        `json:"code"`
	Archived          bool           `json:"archived"`
	TaxCodeExternalID *string        `json:"taxCodeExternalId"`
	Metadata          map[string]any `json:"metadata,omitempty"`
	CreatedAt         time.Time      `json:"-"`
	UpdatedAt         time.Time      `json:"-"`
}

// Money is an amount in minor units of currency (Money in Pleo's schemas).
type Money struct {
	Currency string `json:"currency"`
	Minors   int64  `json:"minors"`
}

// EntryTag is AccountingEntryTagV1.
type EntryTag struct {
	TagGroupID string `json:"tagGroupId" format:"uuid"`
	TagID      string `json:"tagId,omitempty" format:"uuid"`
}

// SplitItem is SplitItemV1.
type SplitItem struct {
	ID               string     `json:"id" format:"uuid"`
	AccountCode      string     `json:"accountCode,omitempty"`
	AccountID        string     `json:"accountId,omitempty" format:"uuid"`
	TaxCodeID        string     `json:"taxCodeId,omitempty" format:"uuid"`
	Tags             []EntryTag `json:"tags"`
	TransactionValue *Money     `json:"transactionValue,omitempty"`
	TotalBillValue   *Money     `json:"totalBillValue,omitempty"`
	CreatedAt        time.Time  `json:"createdAt"`
	UpdatedAt        time.Time  `json:"updatedAt"`
}

// Supplier is AccountingEntrySupplier.
type Supplier struct {
	CIF                   string `json:"cif,omitempty"`
	DocumentNumber        string `json:"documentNumber,omitempty"`
	DocumentType          string `json:"documentType,omitempty"`
	ExternalAccountNumber string `json:"externalAccountNumber,omitempty"`
	ExternalSupplierID    string `json:"externalSupplierId,omitempty"`
}

// Attendee is AttendeeV1.
type Attendee struct {
	ID             string `json:"id"`
	AttendableID   string `json:"attendableId"`
	AttendableType string `json:"attendableType"`
}

// AccountingEntry is AccountingEntryV1: an expense or other money movement.
type AccountingEntry struct {
	ID                 string      `json:"id" format:"uuid"`
	CompanyID          string      `json:"companyId" format:"uuid"`
	EmployeeID         string      `json:"employeeId,omitempty" format:"uuid"`
	TeamID             string      `json:"teamId,omitempty" format:"uuid"`
	AccountID          string      `json:"accountId,omitempty" format:"uuid"`
	AccountCode        string      `json:"accountCode,omitempty"`
	TaxCodeID          string      `json:"taxCodeId,omitempty" format:"uuid"`
	Family             string      `json:"family"`
	SubFamily          string      `json:"subFamily,omitempty"`
	Status             string      `json:"status"`
	ReviewStatus       string      `json:"reviewStatus"`
	ExportStatus       string      `json:"exportStatus"`
	Note               string      `json:"note,omitempty"`
	ForeignExtensionID string      `json:"foreignExtensionId,omitempty"`
	TransactionValue   Money       `json:"transactionValue"`
	TotalBillValue     *Money      `json:"totalBillValue,omitempty"`
	PerformedAt        time.Time   `json:"performedAt"`
	SettledAt          *time.Time  `json:"settledAt,omitempty"`
	BookkeepingDate    *time.Time  `json:"bookkeepingDate,omitempty"`
	DeletedAt          *time.Time  `json:"deletedAt,omitempty"`
	Tags               []EntryTag  `json:"tags"`
	SplitItems         []SplitItem `json:"splitItems"`
	Supplier           *Supplier   `json:"supplier,omitempty"`
	Attendees          []Attendee  `json:"attendees"`
	ReceiptIDs         []string    `json:"receiptIds" format:"uuid"`
	MerchantName       string      `json:"-"` // used by export items
	CreatedAt          time.Time   `json:"createdAt"`
	UpdatedAt          time.Time   `json:"updatedAt"`
}

// Installation is InstallationResponse: an app (OAuth client) installed for
// a company or an organisation. The API sends it bare, without {"data": ...}.
type Installation struct {
	ID            string         `json:"id" format:"uuid"`
	ApplicationID string         `json:"applicationId" format:"uuid"`
	Resource      string         `json:"resource"` // the subject URN, e.g. urn:pleo:company:<uuid>
	Status        string         `json:"status"`
	ErrorCode     string         `json:"errorCode,omitempty"`
	Metadata      map[string]any `json:"metadata"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
}
