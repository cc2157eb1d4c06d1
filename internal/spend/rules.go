package spend

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file holds the rules of an entry's content: defaults, validation
// against Pleo's enums and the company's data, the currency rule and the
// split rule. Create and Edit both run fill, so each rule has one place.

// Limits the emulator sets where Pleo documents none (emulator choice).
const (
	maxTextLength = 1000 // note
	maxNameLength = 255  // merchantName, supplier fields, contact IDs
	maxSplitItems = 50
	maxAttendees  = 50
	maxReceipts   = 10 // per create or edit
)

// defaultSubFamilies is the subFamily an entry gets when none is given:
// the first documented one of its family that is an ordinary purchase or
// movement (emulator choice).
var defaultSubFamilies = map[string]string{
	pleo.FamilyCardPurchase: "IN_STORE", pleo.FamilyPleoInvoice: "PLEO_INVOICE",
	pleo.FamilyReimbursement: "REIMBURSEMENT_TO_EMPLOYEE", pleo.FamilyWallet: "LOAD",
	pleo.FamilyBalanceAmendment: "LOAD", pleo.FamilyOverdraft: "FEE",
}

// personalFamilies are spent or owed by an employee: they need an employee
// (the company's first when none is given; emulator choice).
var personalFamilies = []string{pleo.FamilyCardPurchase, pleo.FamilyOutOfPocket, pleo.FamilyMileage,
	pleo.FamilyPerDiem, pleo.FamilyReimbursement}

// companyFamilies concern the company's wallet and Pleo itself: nobody
// reviews them, so their reviewStatus defaults to NOT_REQUIRED (emulator choice).
var companyFamilies = []string{pleo.FamilyWallet, pleo.FamilyBalanceAmendment, pleo.FamilyOverdraft,
	pleo.FamilyPleoInvoice, pleo.FamilyCashback}

// rules checks and fills entries of one company inside a write transaction.
type rules struct {
	ctx     context.Context
	tx      *store.Tx
	company pleo.Company
	now     time.Time
	// before is the entry as it was before the change being checked (nil
	// for a new entry): an account, tax code or tag it already carries
	// stays allowed once archived, so that archiving does not block edits.
	before *pleo.AccountingEntry
}

// carried reports whether the entry before the change refers to id, as
// its own or a split item's account, tax code, tag group or tag.
func (r rules) carried(id string) bool {
	e := r.before
	if e == nil {
		return false
	}
	refs := []string{e.AccountID, e.TaxCodeID}
	tags := slices.Clone(e.Tags)
	for _, it := range e.SplitItems {
		refs = append(refs, it.AccountID, it.TaxCodeID)
		tags = append(tags, it.Tags...)
	}
	for _, t := range tags {
		refs = append(refs, t.TagGroupID, t.TagID)
	}
	return slices.Contains(refs, id)
}

// content is what fill sets on an entry: the fields an edit may change.
// A nil SplitItems or Attendees keeps the entry's own.
type content struct {
	EmployeeID       string
	TeamID           string // "" follows the employee
	PerformedAt      time.Time
	TransactionValue pleo.Money
	TotalBillValue   *pleo.Money
	ExchangeRate     string
	// KeptRate is the rate of an edited entry's own values, used for a new
	// transactionValue in the same currency when no exchangeRate is given.
	KeptRate     *big.Rat
	MerchantName string
	Supplier     *pleo.Supplier
	Note         string
	AccountID    string
	TaxCodeID    string
	Tags         []pleo.EntryTag
	SplitItems   *[]NewSplitItem
	Attendees    *[]NewAttendee
}

// newEntry is in as a new entry of the company, every rule checked.
func (r rules) newEntry(id string, in NewEntry) (pleo.AccountingEntry, error) {
	family, subFamily := in.Family, in.SubFamily
	if family == "" {
		family = pleo.FamilyCardPurchase
	}
	if subFamily == "" {
		subFamily = defaultSubFamilies[family]
	}
	if err := pleo.ValidateFamily(family, subFamily); err != nil {
		return pleo.AccountingEntry{}, err
	}
	e := pleo.AccountingEntry{ID: id, CompanyID: r.company.ID, Family: family, SubFamily: subFamily,
		ExportStatus: pleo.ExportStatusNotExported, Tags: []pleo.EntryTag{}, SplitItems: []pleo.SplitItem{},
		Attendees: []pleo.Attendee{}, ReceiptIDs: []string{}, CreatedAt: r.now, UpdatedAt: r.now}
	c := content{EmployeeID: in.EmployeeID, TeamID: in.TeamID, TotalBillValue: in.TotalBillValue,
		ExchangeRate: in.ExchangeRate, MerchantName: in.MerchantName, Supplier: in.Supplier, Note: in.Note,
		AccountID: in.AccountID, TaxCodeID: in.TaxCodeID, Tags: in.Tags, SplitItems: &in.SplitItems,
		Attendees: &in.Attendees, PerformedAt: r.now}
	if in.PerformedAt != nil {
		c.PerformedAt = *in.PerformedAt
	}
	if in.TransactionValue != nil {
		c.TransactionValue = *in.TransactionValue
	} else {
		c.TransactionValue, _ = pleo.FromMajor(big.NewRat(100, 1), r.company.Currency) // 100 units cannot overflow
	}
	if c.EmployeeID == "" && slices.Contains(personalFamilies, family) {
		first, err := r.tx.FirstEmployeeOf(r.ctx, r.company.ID)
		if errors.Is(err, store.ErrNotFound) {
			return e, pleo.Invalid("employeeId", "is required for family %s, and company %s has no employee to default to", family, r.company.ID)
		}
		if err != nil {
			return e, err
		}
		c.EmployeeID = first.ID
	}
	if err := r.fill(&e, c); err != nil {
		return e, err
	}
	if err := r.startStatus(&e, in.Status, in.SettledAt); err != nil {
		return e, err
	}
	e.ReviewStatus = in.ReviewStatus
	if e.ReviewStatus == "" {
		e.ReviewStatus = pleo.ReviewNotSet
		if slices.Contains(companyFamilies, family) {
			e.ReviewStatus = pleo.ReviewNotRequired
		}
	}
	return e, pleo.ValidateReviewStatus(e.ReviewStatus)
}

// startStatus sets a new entry's status and settlement: a card purchase is
// PENDING until it settles; other families are COMPLETED at once, settled
// when they were performed (emulator choice). Only a COMPLETED or
// COMPLETED_EXTERNALLY entry has a settledAt.
func (r rules) startStatus(e *pleo.AccountingEntry, status string, settledAt *time.Time) error {
	if status == "" {
		status = pleo.EntryCompleted
		if e.Family == pleo.FamilyCardPurchase && settledAt == nil {
			status = pleo.EntryPending
		}
	}
	if err := pleo.ValidateEntryStatus(status); err != nil {
		return err
	}
	e.Status = status
	completed := status == pleo.EntryCompleted || status == pleo.EntryCompletedExternally
	switch {
	case completed && settledAt == nil:
		return r.settle(e, e.PerformedAt)
	case completed:
		return r.settle(e, *settledAt)
	case settledAt != nil:
		return pleo.Invalid("settledAt", "must be left out for status %s: only a COMPLETED or COMPLETED_EXTERNALLY entry is settled", status)
	}
	return nil
}

// settle sets settledAt (no earlier than performedAt, no later than now)
// and bookkeepingDate: the settlement day, as Pleo documents it, except for
// out-of-pocket expenses, whose bookkeeping date is the purchase day.
func (r rules) settle(e *pleo.AccountingEntry, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	if at.Before(e.PerformedAt) {
		return pleo.Invalid("settledAt", "must not be before performedAt (%s)", e.PerformedAt.Format(time.RFC3339))
	}
	if at.After(r.now) {
		return pleo.Invalid("settledAt", "must not be later than the emulator's clock (%s)", r.now.Format(time.RFC3339))
	}
	e.SettledAt = &at
	e.BookkeepingDate = bookkeepingDate(*e)
	return nil
}

// bookkeepingDate is the day an entry is booked on, as Pleo documents it:
// the settlement day, or for an out-of-pocket expense the purchase day
// (midnight UTC; emulator choice). Nil while an entry is not settled.
func bookkeepingDate(e pleo.AccountingEntry) *time.Time {
	var day time.Time
	switch {
	case e.Family == pleo.FamilyOutOfPocket:
		day = e.PerformedAt
	case e.SettledAt != nil:
		day = *e.SettledAt
	default:
		return nil
	}
	day = day.UTC().Truncate(24 * time.Hour)
	return &day
}

// fill checks c against the company's data and Pleo's rules and sets it on e.
func (r rules) fill(e *pleo.AccountingEntry, c content) error {
	if c.EmployeeID == "" && slices.Contains(personalFamilies, e.Family) {
		return pleo.Invalid("employeeId", "is required for family %s", e.Family)
	}
	if err := r.people(e, c.EmployeeID, c.TeamID); err != nil {
		return err
	}
	performed := c.PerformedAt.UTC().Truncate(time.Microsecond)
	if performed.After(r.now) {
		return pleo.Invalid("performedAt", "must not be later than the emulator's clock (%s)", r.now.Format(time.RFC3339))
	}
	if e.SettledAt != nil && e.SettledAt.Before(performed) {
		return pleo.Invalid("performedAt", "must not be after settledAt (%s)", e.SettledAt.Format(time.RFC3339))
	}
	e.PerformedAt = performed
	if e.SettledAt != nil || e.Family == pleo.FamilyOutOfPocket {
		e.BookkeepingDate = bookkeepingDate(*e)
	}
	transaction, bill, err := r.amounts(c.TransactionValue, c.TotalBillValue, c.ExchangeRate, c.KeptRate)
	if err != nil {
		return err
	}
	e.TransactionValue, e.TotalBillValue = transaction, &bill
	for _, t := range []struct{ field, value string }{{"merchantName", c.MerchantName}, {"note", c.Note}} {
		limit := maxNameLength
		if t.field == "note" {
			limit = maxTextLength
		}
		if err := pleo.MaxLength(t.field, t.value, limit); err != nil {
			return err
		}
	}
	e.MerchantName, e.Note = c.MerchantName, c.Note
	if e.Supplier, err = supplier(c.Supplier); err != nil {
		return err
	}
	if e.AccountID, _, err = r.account("accountId", c.AccountID); err != nil {
		return err
	}
	if e.TaxCodeID, err = r.taxCode("taxCodeId", c.TaxCodeID); err != nil {
		return err
	}
	if e.Tags, err = r.tags("tags", c.Tags); err != nil {
		return err
	}
	if c.SplitItems != nil {
		if e.SplitItems, err = r.splitItems(*c.SplitItems, transaction, bill); err != nil {
			return err
		}
	} else if err := checkSplitSums(e.SplitItems, transaction, bill); err != nil {
		return err
	}
	if c.Attendees != nil {
		if e.Attendees, err = r.attendees(*c.Attendees); err != nil {
			return err
		}
	}
	return nil
}

// people sets the entry's employee and team: both of the company; the
// team is the employee's own unless given.
func (r rules) people(e *pleo.AccountingEntry, employeeID, teamID string) error {
	employeeID, teamID = strings.ToLower(employeeID), strings.ToLower(teamID)
	e.EmployeeID, e.TeamID = "", ""
	if employeeID != "" {
		emp, err := r.tx.EmployeeOf(r.ctx, r.company.ID, employeeID)
		if errors.Is(err, store.ErrNotFound) {
			return pleo.Invalid("employeeId", "%q is not an employee of company %s", employeeID, r.company.ID)
		}
		if err != nil {
			return err
		}
		e.EmployeeID, e.TeamID = emp.ID, emp.TeamID
	}
	if teamID != "" {
		tm, err := r.tx.TeamOf(r.ctx, r.company.ID, teamID)
		if errors.Is(err, store.ErrNotFound) {
			return pleo.Invalid("teamId", "%q is not a team of company %s", teamID, r.company.ID)
		}
		if err != nil {
			return err
		}
		e.TeamID = tm.ID
	}
	return nil
}

// supplier checks the supplier's text fields; an all-empty supplier is none.
func supplier(s *pleo.Supplier) (*pleo.Supplier, error) {
	if s == nil || *s == (pleo.Supplier{}) {
		return nil, nil
	}
	for _, f := range []struct{ name, value string }{{"cif", s.CIF}, {"documentNumber", s.DocumentNumber},
		{"documentType", s.DocumentType}, {"externalAccountNumber", s.ExternalAccountNumber},
		{"externalSupplierId", s.ExternalSupplierID}} {
		if err := pleo.MaxLength("supplier."+f.name, f.value, maxNameLength); err != nil {
			return nil, err
		}
	}
	out := *s
	return &out, nil
}

// account checks an account ID: empty, or an unarchived account of the
// company. It returns the ID and the account's code.
func (r rules) account(field, id string) (string, string, error) {
	if id == "" {
		return "", "", nil
	}
	id = strings.ToLower(id)
	a, err := r.tx.AccountOf(r.ctx, r.company.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", pleo.Invalid(field, "%q is not an account of company %s", id, r.company.ID)
	}
	if err != nil {
		return "", "", err
	}
	if a.Archived && !r.carried(a.ID) {
		return "", "", pleo.Invalid(field, "account %s is archived", id)
	}
	code := ""
	if a.Code != nil {
		code = *a.Code
	}
	return a.ID, code, nil
}

// taxCode checks a tax code ID: empty, or an unarchived tax code of the company.
func (r rules) taxCode(field, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	id = strings.ToLower(id)
	tc, err := r.tx.TaxCodeOf(r.ctx, r.company.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", pleo.Invalid(field, "%q is not a tax code of company %s", id, r.company.ID)
	}
	if err != nil {
		return "", err
	}
	if tc.Archived && !r.carried(tc.ID) {
		return "", pleo.Invalid(field, "tax code %s is archived", id)
	}
	return tc.ID, nil
}

// nilUUID is Pleo's "I don't know" tag.
const nilUUID = "00000000-0000-0000-0000-000000000000"

// tags checks tags against the company's tag groups: at most
// pleo.MaxEntryTags, one per group, each group and tag of the company and
// not archived, each tag of its group. A tagId left out or the nil UUID is
// Pleo's "I don't know".
func (r rules) tags(field string, in []pleo.EntryTag) ([]pleo.EntryTag, error) {
	if len(in) > pleo.MaxEntryTags {
		return nil, pleo.Invalid(field, "must have at most %d tags", pleo.MaxEntryTags)
	}
	out := make([]pleo.EntryTag, 0, len(in))
	seen := map[string]bool{}
	for i, t := range in {
		f := fmt.Sprintf("%s[%d]", field, i)
		groupID, tagID := strings.ToLower(t.TagGroupID), strings.ToLower(t.TagID)
		if groupID == "" {
			return nil, pleo.Invalid(f+".tagGroupId", "is required")
		}
		g, err := r.tx.TagGroupOf(r.ctx, r.company.ID, groupID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, pleo.Invalid(f+".tagGroupId", "%q is not a tag group of company %s", groupID, r.company.ID)
		}
		if err != nil {
			return nil, err
		}
		if g.Archived && !r.carried(g.ID) {
			return nil, pleo.Invalid(f+".tagGroupId", "tag group %s is archived", groupID)
		}
		if seen[groupID] {
			return nil, pleo.Invalid(f+".tagGroupId", "tag group %s appears twice: an entry has one tag per group", groupID)
		}
		seen[groupID] = true
		if tagID != "" && tagID != nilUUID {
			tg, err := r.tx.TagOf(r.ctx, r.company.ID, tagID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && tg.GroupID != groupID) {
				return nil, pleo.Invalid(f+".tagId", "%q is not a tag of tag group %s", tagID, groupID)
			}
			if err != nil {
				return nil, err
			}
			if tg.Archived && !r.carried(tg.ID) {
				return nil, pleo.Invalid(f+".tagId", "tag %s is archived", tagID)
			}
		}
		out = append(out, pleo.EntryTag{TagGroupID: groupID, TagID: tagID})
	}
	return out, nil
}

// attendees checks attendees: an EMPLOYEE is an employee of the company; a
// CONTACT is any non-blank ID (the emulator keeps no contacts).
func (r rules) attendees(in []NewAttendee) ([]pleo.Attendee, error) {
	if len(in) > maxAttendees {
		return nil, pleo.Invalid("attendees", "must have at most %d attendees", maxAttendees)
	}
	out := make([]pleo.Attendee, 0, len(in))
	for i, a := range in {
		f := fmt.Sprintf("attendees[%d]", i)
		kind := a.AttendableType
		if kind == "" {
			kind = "EMPLOYEE"
		}
		if err := pleo.OneOf(f+".attendableType", kind, pleo.AttendeeTypes); err != nil {
			return nil, err
		}
		id := strings.TrimSpace(a.AttendableID)
		if err := pleo.MaxLength(f+".attendableId", id, maxNameLength); err != nil {
			return nil, err
		}
		switch {
		case id == "":
			return nil, pleo.Invalid(f+".attendableId", "is required")
		case kind == "EMPLOYEE":
			id = strings.ToLower(id)
			if _, err := r.tx.EmployeeOf(r.ctx, r.company.ID, id); errors.Is(err, store.ErrNotFound) {
				return nil, pleo.Invalid(f+".attendableId", "%q is not an employee of company %s", id, r.company.ID)
			} else if err != nil {
				return nil, err
			}
		}
		out = append(out, pleo.Attendee{ID: store.NewUUID(), AttendableID: id, AttendableType: kind})
	}
	return out, nil
}

func isUUID(s string) bool { return oauth.IsUUID(strings.ToLower(s)) }
