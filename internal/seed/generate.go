package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// This file generates accounting entries in volume for an existing company:
// the demo seed's entry loop, over the employees, accounts, tax codes, tags
// and vendors the company has in the database, with card purchases partly
// in foreign currencies.

// MaxGenerateCount bounds one generation, which is one transaction that
// every other write waits for: at about 80 µs of CPU per entry (the
// README's measurement) 200,000 entries hold the writer for some 16 s on
// an idle core. More entries take several generations with other seeds.
const MaxGenerateCount = 200_000

// DefaultGenerateSeed is the seed of a generation that names none.
const DefaultGenerateSeed = 1

// GenerateOptions parameterise Generate.
type GenerateOptions struct {
	Count int       // entries to write, 1..MaxGenerateCount
	Seed  uint64    // the random stream; the same seed gives the same entries
	Until time.Time // the anchor: entries fall in the window before its day (see GenerateWindow)
}

// ErrAlreadyGenerated is returned when the company already holds entries
// of the same seed (their IDs derive from the company and the seed).
var ErrAlreadyGenerated = errors.New("entries of this seed were already generated for this company: choose another seed")

// GenerateWindow is how far back from the anchor day generated entries
// reach: 90 days (as the demo seed) up to 24,657 entries, then a year per
// 100,000 entries, at most ten years.
func GenerateWindow(count int) time.Duration {
	days := max(90, min(3650, int(math.Ceil(float64(count)*365/100_000))))
	return time.Duration(days) * 24 * time.Hour
}

// Generate writes opt.Count accounting entries, with their receipts, for
// the company companyID, spread over GenerateWindow(opt.Count) before the
// anchor day. The same company, seed, count and anchor give the same
// entries with the same IDs; IDs derive from the company, the seed and the
// entry's number, so another seed never collides. Families, statuses and
// amounts are weighted as in the demo seed; merchants and foreign
// currencies follow the company's country; 15 % of card purchases are in a
// foreign currency, with totalBillValue from pleo.BillValue at
// pleo.ReferenceRate (emulator choice). ErrNotFound: no such company;
// ErrAlreadyGenerated: this seed was used for the company before.
func Generate(ctx context.Context, tx *store.Tx, companyID string, opt GenerateOptions) error {
	if opt.Count < 1 || opt.Count > MaxGenerateCount {
		return fmt.Errorf("count must be between 1 and %d", MaxGenerateCount)
	}
	refs, err := tx.EntryRefs(ctx, companyID)
	if err != nil {
		return err
	}
	stream := fnv.New64a()
	stream.Write([]byte(companyID))
	m := newEntryMaker(companyID, refs, rand.New(rand.NewPCG(opt.Seed, stream.Sum64())), AnchorDay(opt.Until), GenerateWindow(opt.Count))
	m.fx = rand.New(rand.NewPCG(opt.Seed, stream.Sum64()^0x9e3779b97f4a7c15))
	m.key = func(kind string, i int) string {
		return ID(fmt.Sprintf("generated/%s/%d/%s/%d", companyID, opt.Seed, kind, i))
	}
	if taken, err := tx.AccountingEntryExists(ctx, m.key("entry", 0)); err != nil || taken {
		return errors.Join(err, ErrAlreadyGenerated)
	}
	// Entries are made a batch at a time and written in ID order, so that
	// consecutive inserts land on the same pages of the primary key.
	return tx.WithBulkCache(ctx, func() error {
		batch := make([]pleo.AccountingEntry, 0, min(opt.Count, generateBatch))
		for start := 0; start < opt.Count; start += generateBatch {
			batch = batch[:0]
			for i := start; i < min(opt.Count, start+generateBatch); i++ {
				batch = append(batch, m.entry(i))
			}
			slices.SortFunc(batch, func(a, b pleo.AccountingEntry) int { return strings.Compare(a.ID, b.ID) })
			for _, e := range batch {
				if err := tx.InsertAccountingEntry(ctx, e); err != nil {
					return fmt.Errorf("entry %s: %w", e.ID, err)
				}
				if err := insertReceipts(ctx, tx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// generateBatch is how many entries Generate makes before writing them.
const generateBatch = 10_000

// entryMaker makes the accounting entries of one company from a random
// stream. The demo seed and Generate share it: for the demo companies it
// draws exactly the numbers the demo seed always drew, so the demo data
// does not change; fx, which the demo does not set, draws the
// foreign-currency choices from a stream of its own.
type entryMaker struct {
	rng, fx   *rand.Rand
	anchor    time.Time // midnight UTC of the anchor day
	window    time.Duration
	companyID string
	currency  string
	country   string
	key       func(kind string, i int) string

	employees   []store.EmployeeRef
	accounts    map[string][]store.AccountRef // candidate accounts by family
	taxCodeIDs  []string                      // inclusive and exclusive codes
	reverseID   string                        // a reverse-charge code, "" if none
	groupTags   [][]tagRef                    // per tag group, its usable tags
	merchants   []string
	supplierIDs []string // vendors' external IDs, for bills
}

type tagRef struct{ group, tag string }

// newEntryMaker prepares a maker over refs. Accounts are matched to the
// families by the demo chart's codes; a company whose chart has none of a
// family's codes books that family on any of its accounts.
func newEntryMaker(companyID string, refs store.EntryRefs, rng *rand.Rand, anchor time.Time, window time.Duration) *entryMaker {
	m := &entryMaker{rng: rng, anchor: anchor, window: window, companyID: companyID, currency: refs.Currency,
		country: refs.Country, employees: refs.Employees, accounts: map[string][]store.AccountRef{}}
	byCode := map[string]store.AccountRef{}
	for _, a := range refs.Accounts {
		if _, seen := byCode[a.Code]; !seen && a.Code != "" {
			byCode[a.Code] = a
		}
	}
	for _, f := range families {
		if f.accountIdx == nil {
			continue
		}
		var matched []store.AccountRef
		for _, ai := range f.accountIdx {
			if a, ok := byCode[chartOfAccounts[ai].code]; ok {
				matched = append(matched, a)
			}
		}
		if len(matched) == 0 {
			matched = refs.Accounts
		}
		m.accounts[f.family] = matched
	}
	for _, c := range refs.TaxCodes {
		if c.Type == "reverse" {
			if m.reverseID == "" {
				m.reverseID = c.ID
			}
			continue
		}
		m.taxCodeIDs = append(m.taxCodeIDs, c.ID)
	}
	for _, g := range refs.TagGroups {
		var tags []tagRef
		for _, id := range g.TagIDs {
			tags = append(tags, tagRef{g.ID, id})
		}
		m.groupTags = append(m.groupTags, tags)
	}
	seen := map[string]bool{}
	for _, v := range refs.Vendors {
		if !seen[v.Name] {
			seen[v.Name] = true
			m.merchants = append(m.merchants, v.Name)
		}
		if v.ExternalID != "" {
			m.supplierIDs = append(m.supplierIDs, v.ExternalID)
		}
	}
	for _, name := range profileOf(refs.Country).merchants {
		if !seen[name] {
			seen[name] = true
			m.merchants = append(m.merchants, name)
		}
	}
	return m
}

var (
	familyNames, familyWeights = func() ([]string, []int) {
		names, weights := make([]string, len(families)), make([]int, len(families))
		for i, f := range families {
			names[i], weights[i] = f.family, f.weight
		}
		return names, weights
	}()
	entryNotes = []string{"Client lunch", "Team offsite", "Conference ticket", "Taxi to airport",
		"Monthly subscription", "Hardware for new hire", "Coffee for workshop", "Train to customer visit"}
)

// weighted picks from choices with the given weights.
func weighted(rng *rand.Rand, choices []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// entry makes the company's i-th entry. The order of the random draws is
// the demo seed's; do not reorder them.
func (m *entryMaker) entry(i int) pleo.AccountingEntry {
	rng := m.rng
	fam := families[0]
	chosen := weighted(rng, familyNames, familyWeights)
	for _, f := range families {
		if f.family == chosen {
			fam = f
		}
	}
	emp := -1
	if len(m.employees) > 0 {
		emp = rng.IntN(len(m.employees))
	}
	performed := m.anchor.Add(-time.Duration(rng.Int64N(int64(m.window)))).Truncate(time.Second)
	ageDays := int(m.anchor.Sub(performed).Hours() / 24)
	status := weighted(rng, []string{"COMPLETED", "PENDING", "DRAFT", "CANCELLED", "REJECTED"}, []int{80, 10, 5, 3, 2})
	export := "NOT_EXPORTED"
	if status == "COMPLETED" && ageDays > 30 {
		export = weighted(rng, []string{"EXPORTED", "NOT_EXPORTED"}, []int{85, 15})
	}
	review := weighted(rng, []string{"OK", "NOT_REQUIRED", "NOT_SET", "WAITING_FOR_REVIEWER"}, []int{50, 30, 12, 8})
	minors := fam.minMinors + rng.Int64N(fam.maxMinors-fam.minMinors)
	e := pleo.AccountingEntry{
		ID: m.key("entry", i), CompanyID: m.companyID, Family: fam.family, Status: status, ReviewStatus: review,
		ExportStatus: export, TransactionValue: pleo.Money{Currency: m.currency, Minors: minors},
		PerformedAt: performed, Tags: []pleo.EntryTag{}, SplitItems: []pleo.SplitItem{}, Attendees: []pleo.Attendee{},
		ReceiptIDs: []string{}, CreatedAt: performed, UpdatedAt: performed,
	}
	if fam.subFamily != nil {
		e.SubFamily = pick(rng, fam.subFamily)
	}
	if fam.family != "WALLET" && fam.family != "PLEO_INVOICE" && emp >= 0 {
		e.EmployeeID, e.TeamID = m.employees[emp].ID, m.employees[emp].TeamID
	}
	if (fam.family == "CARD_PURCHASE" || fam.family == "BILL_INVOICE" || fam.family == "OUT_OF_POCKET") && len(m.merchants) > 0 {
		e.MerchantName = pick(rng, m.merchants)
	}
	if accounts := m.accounts[fam.family]; len(accounts) > 0 && rng.IntN(10) < 8 {
		a := accounts[rng.IntN(len(accounts))]
		e.AccountID, e.AccountCode = a.ID, a.Code
		if len(m.taxCodeIDs) > 0 {
			e.TaxCodeID = m.taxCodeIDs[rng.IntN(len(m.taxCodeIDs))]
		}
	}
	if status == "COMPLETED" || status == "PENDING" {
		if fam.family == "CARD_PURCHASE" || fam.family == "WALLET" || status == "COMPLETED" {
			settled := performed.Add(time.Duration(1+rng.IntN(3)) * 24 * time.Hour)
			if settled.Before(m.anchor) {
				e.SettledAt = &settled
				e.UpdatedAt = settled
			}
		}
	}
	if export == "EXPORTED" {
		bk := AnchorDay(performed)
		e.BookkeepingDate = &bk
	}
	for gi, refs := range m.groupTags {
		if len(refs) > 0 && rng.IntN(10) < 6-gi*2 {
			r := refs[rng.IntN(len(refs))]
			e.Tags = append(e.Tags, pleo.EntryTag{TagGroupID: r.group, TagID: r.tag})
		}
	}
	if rng.IntN(10) < 4 {
		e.Note = pick(rng, entryNotes)
	}
	if fam.family == "CARD_PURCHASE" || fam.family == "OUT_OF_POCKET" || fam.family == "BILL_INVOICE" {
		if rng.IntN(10) < 8 {
			e.ReceiptIDs = []string{m.key("receipt", i)}
		}
	}
	if fam.family == "BILL_INVOICE" {
		e.Supplier = &pleo.Supplier{DocumentNumber: fmt.Sprintf("INV-%06d", 100_000+i), DocumentType: "INVOICE"}
		if len(m.supplierIDs) > 0 {
			e.Supplier.ExternalSupplierID = m.supplierIDs[rng.IntN(len(m.supplierIDs))]
		}
		bill := e.TransactionValue
		e.TotalBillValue = &bill
	}
	if e.Note == "Client lunch" && emp >= 0 {
		e.Attendees = []pleo.Attendee{{ID: m.key("attendee", i), AttendableID: m.employees[(emp+1)%len(m.employees)].ID, AttendableType: "EMPLOYEE"}}
	}
	if i%73 == 5 { // a few deleted entries for includeDeleted
		del := performed.Add(2 * time.Hour)
		e.DeletedAt = &del
	}
	if m.fx != nil && fam.family == "CARD_PURCHASE" {
		m.abroad(&e)
	}
	return e
}

// foreignSharePercent is the share of generated card purchases paid in a
// foreign currency (emulator choice).
const foreignSharePercent = 15

// abroad makes a card purchase foreign in foreignSharePercent of cases:
// its amount becomes the same value in a currency the company's country
// often pays in, at pleo.ReferenceRate, its merchant one of that
// currency's, and its totalBillValue the wallet amount pleo.BillValue
// gives, so that totalBillValue × rate = transactionValue. A purchase
// abroad in a shop carries no domestic tax code (foreign VAT is not
// deductible at home); one online carries the reverse-charge code when the
// company has one.
func (m *entryMaker) abroad(e *pleo.AccountingEntry) {
	if m.fx.IntN(100) >= foreignSharePercent {
		return
	}
	currencies := profileOf(m.country).foreign
	var usable []string
	for _, c := range currencies {
		if _, ok := pleo.ReferenceRate(c, m.currency); ok && c != m.currency {
			usable = append(usable, c)
		}
	}
	if len(usable) == 0 {
		return
	}
	// The first currencies are the likeliest: weights 8, 4, 2, 1, 1, ...
	weights := make([]int, len(usable))
	for i := range usable {
		weights[i] = max(1, 8>>i)
	}
	foreign := weighted(m.fx, usable, weights)
	rate, _ := pleo.ReferenceRate(foreign, m.currency)
	tx, err := pleo.FromMajor(new(big.Rat).Mul(pleo.Major(e.TransactionValue), rate), foreign)
	if err != nil {
		return // cannot happen: the amounts are small
	}
	tx.Minors = max(1, tx.Minors)
	bill, err := pleo.BillValue(tx, m.currency, rate)
	if err != nil {
		return // cannot happen: the rate is positive and the amounts small
	}
	e.TransactionValue, e.TotalBillValue = tx, &bill
	if names := foreignMerchants[foreign]; len(names) > 0 && e.SubFamily != "ATM" {
		e.MerchantName = pick(m.fx, names)
	}
	switch {
	case e.TaxCodeID == "":
	case e.SubFamily == "ONLINE" && m.reverseID != "":
		e.TaxCodeID = m.reverseID
	default:
		e.TaxCodeID = ""
	}
}
