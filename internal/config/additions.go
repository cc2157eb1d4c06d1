package config

import (
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// Additions are the clients, organisations, companies and users a config
// file (or the control API) adds on top of the seed.
type Additions struct {
	Clients       []ClientSpec       `yaml:"clients" json:"clients"`
	Organizations []OrganizationSpec `yaml:"organizations" json:"organizations"`
	Companies     []CompanySpec      `yaml:"companies" json:"companies"`
	Users         []UserSpec         `yaml:"users" json:"users"`
	Receipts      []ReceiptSpec      `yaml:"receipts" json:"receipts"`
}

// ReceiptSpec attaches a file to an accounting entry as a receipt (any
// media type, any size up to the store's limit). It is attached once: at
// the first start, or when its id is not in the database yet.
type ReceiptSpec struct {
	ID                string `yaml:"id" json:"id"`                                   // a UUID
	AccountingEntryID string `yaml:"accounting_entry_id" json:"accounting_entry_id"` // the entry, which must exist
	File              string `yaml:"file" json:"file"`                               // path, relative to the config file
	ContentType       string `yaml:"content_type" json:"content_type"`               // default: from the file name's extension
	Source            string `yaml:"source" json:"source"`                           // Pleo's ReceiptSource; default USER
}

// Validate checks a receipt spec and fills its defaults.
func (s *ReceiptSpec) Validate() error {
	if !oauth.IsUUID(s.ID) || !oauth.IsUUID(s.AccountingEntryID) {
		return fmt.Errorf("receipt %q needs a UUID id and a UUID accounting_entry_id", s.ID)
	}
	if s.File == "" {
		return fmt.Errorf("receipt %s needs a file", s.ID)
	}
	if s.Source == "" {
		s.Source = "USER"
	}
	if !slices.Contains(pleo.ReceiptSources, s.Source) {
		return fmt.Errorf("receipt %s: source %q is not one of %s", s.ID, s.Source, strings.Join(pleo.ReceiptSources, ", "))
	}
	if s.ContentType == "" {
		s.ContentType = mime.TypeByExtension(filepath.Ext(s.File))
	}
	if s.ContentType == "" {
		s.ContentType = "application/octet-stream"
	}
	if _, _, err := mime.ParseMediaType(s.ContentType); err != nil {
		return fmt.Errorf("receipt %s: content_type %q is not a media type", s.ID, s.ContentType)
	}
	info, err := os.Stat(s.File)
	if err != nil {
		return fmt.Errorf("receipt %s: %w", s.ID, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("receipt %s: %s is not a file", s.ID, s.File)
	}
	return nil
}

// ClientSpec registers an OAuth client.
type ClientSpec struct {
	ID           string   `yaml:"id" json:"client_id"`
	Name         string   `yaml:"name" json:"name"`
	Secret       string   `yaml:"secret" json:"client_secret,omitempty"` // empty for a public client
	Type         string   `yaml:"type" json:"type"`                      // confidential (default when a secret is given) or public
	RedirectURIs []string `yaml:"redirect_uris" json:"redirect_uris"`
	Scopes       []string `yaml:"scopes" json:"scopes"`
	PKCERequired *bool    `yaml:"pkce_required" json:"pkce_required"` // default true
	LogoURL      string   `yaml:"logo_url" json:"logo_url"`
	ClientURI    string   `yaml:"client_uri" json:"client_uri"`
	TermsURL     string   `yaml:"terms_url" json:"terms_url"`
	PrivacyURL   string   `yaml:"privacy_url" json:"privacy_url"`
	AutoApprove  string   `yaml:"auto_approve" json:"auto_approve,omitempty"` // email of the user to approve as, without screens
}

// Client builds and validates the client the spec describes.
func (s ClientSpec) Client(now time.Time) (oauth.Client, error) {
	c := oauth.Client{ID: s.ID, Name: s.Name, Type: oauth.ClientType(s.Type), RedirectURIs: s.RedirectURIs,
		Scopes: s.Scopes, PKCERequired: true, LogoURL: s.LogoURL, ClientURI: s.ClientURI, TermsURL: s.TermsURL,
		PrivacyURL: s.PrivacyURL, AutoApproveUser: s.AutoApprove, CreatedAt: now, UpdatedAt: now}
	if s.PKCERequired != nil {
		c.PKCERequired = *s.PKCERequired
	}
	if c.Type == "" {
		c.Type = oauth.Public
		if s.Secret != "" {
			c.Type = oauth.Confidential
		}
	}
	if s.Secret != "" {
		c.SecretHash = oauth.HashClientSecret(s.ID, s.Secret)
	}
	return c, c.Validate()
}

// OrganizationSpec adds an organisation.
type OrganizationSpec struct {
	ID   string `yaml:"id" json:"id"`
	Name string `yaml:"name" json:"name"`
}

// CompanySpec adds a company.
type CompanySpec struct {
	ID                 string       `yaml:"id" json:"id"`
	Name               string       `yaml:"name" json:"name"`
	OrganizationID     string       `yaml:"organization_id" json:"organization_id"`
	Currency           string       `yaml:"currency" json:"currency"`
	RegistrationNumber string       `yaml:"registration_number" json:"registration_number"`
	Address            pleo.Address `yaml:"address" json:"address"`
}

// Company builds and validates the company the spec describes.
func (s CompanySpec) Company(now time.Time) (pleo.Company, error) {
	c := pleo.Company{ID: strings.ToLower(s.ID), OrganizationID: strings.ToLower(s.OrganizationID), Name: s.Name,
		Currency: s.Currency, RegistrationNumber: s.RegistrationNumber, Address: s.Address, CreatedAt: now, UpdatedAt: now}
	if !oauth.IsUUID(c.ID) {
		return c, fmt.Errorf("company %q: id must be a UUID", s.ID)
	}
	if c.Name == "" {
		return c, fmt.Errorf("company %s: name is required", c.ID)
	}
	if c.OrganizationID != "" && !oauth.IsUUID(c.OrganizationID) {
		return c, fmt.Errorf("company %s: organization_id must be a UUID", c.ID)
	}
	if len(c.Currency) != 3 || strings.ToUpper(c.Currency) != c.Currency {
		return c, fmt.Errorf("company %s: currency must be an ISO 4217 code such as DKK", c.ID)
	}
	return c, nil
}

// UserSpec adds a user with roles.
type UserSpec struct {
	ID       string     `yaml:"id" json:"id"`
	Email    string     `yaml:"email" json:"email"`
	Name     string     `yaml:"name" json:"name"`
	Password string     `yaml:"password" json:"password"`
	Roles    []RoleSpec `yaml:"roles" json:"roles"`
}

// RoleSpec gives a user a role in one company or one organisation.
type RoleSpec struct {
	CompanyID      string `yaml:"company_id" json:"company_id,omitempty"`
	OrganizationID string `yaml:"organization_id" json:"organization_id,omitempty"`
	Role           string `yaml:"role" json:"role"`
}

// Validate checks a user spec (IDs are UUIDs, email and password are set, roles are known).
func (s UserSpec) Validate() error {
	if !oauth.IsUUID(s.ID) {
		return fmt.Errorf("user %q: id must be a UUID", s.ID)
	}
	if !strings.Contains(s.Email, "@") {
		return fmt.Errorf("user %s: email %q is not an email address", s.ID, s.Email)
	}
	if s.Password == "" {
		return fmt.Errorf("user %s: password is required", s.Email)
	}
	for _, r := range s.Roles {
		if !oauth.ValidRole(oauth.Role(r.Role)) {
			return fmt.Errorf("user %s: role %q must be admin, bookkeeper or employee", s.Email, r.Role)
		}
		if (r.CompanyID == "") == (r.OrganizationID == "") {
			return fmt.Errorf("user %s: each role names exactly one of company_id or organization_id", s.Email)
		}
	}
	return nil
}

// reservedClientIDs are the demo seed's clients, which a file may not redefine.
var reservedClientIDs = []string{"demo-client", "demo-public-client"}

func (a Additions) validate(demoSeed bool, publicURL string) error {
	seen := map[string]bool{}
	if demoSeed {
		for _, id := range reservedClientIDs {
			seen[id] = true
		}
	}
	for _, spec := range a.Clients {
		if seen[spec.ID] {
			return fmt.Errorf("config file: duplicate client id %q", spec.ID)
		}
		seen[spec.ID] = true
		if _, err := spec.Client(time.Time{}); err != nil {
			return fmt.Errorf("config file: %w", err)
		}
	}
	ids := map[string]bool{}
	for _, o := range a.Organizations {
		if !oauth.IsUUID(o.ID) || o.Name == "" {
			return fmt.Errorf("config file: organization %q needs a UUID id and a name", o.ID)
		}
		if ids[o.ID] {
			return fmt.Errorf("config file: duplicate id %q", o.ID)
		}
		ids[o.ID] = true
	}
	for _, c := range a.Companies {
		if _, err := c.Company(time.Time{}); err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if ids[c.ID] {
			return fmt.Errorf("config file: duplicate id %q", c.ID)
		}
		ids[c.ID] = true
	}
	for i := range a.Receipts {
		if err := a.Receipts[i].Validate(); err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if ids[a.Receipts[i].ID] {
			return fmt.Errorf("config file: duplicate id %q", a.Receipts[i].ID)
		}
		ids[a.Receipts[i].ID] = true
	}
	emails := map[string]bool{}
	for _, u := range a.Users {
		if err := u.Validate(); err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		if emails[strings.ToLower(u.Email)] || ids[u.ID] {
			return fmt.Errorf("config file: duplicate user %q", u.Email)
		}
		emails[strings.ToLower(u.Email)], ids[u.ID] = true, true
	}
	return nil
}
