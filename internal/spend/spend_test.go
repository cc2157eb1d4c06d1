package spend_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/spend"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// The demo data the tests name: see internal/seed.
var (
	denmark       = seed.DenmarkID
	dkEmployee    = seed.ID("acme-denmark/employee/1")
	seEmployee    = seed.ID("acme-sweden/employee/0")
	dkAccount     = seed.ID("acme-denmark/account/1")
	seAccount     = seed.ID("acme-sweden/account/1")
	dkTaxCode     = seed.ID("acme-denmark/tax-code/0")
	seTaxCode     = seed.ID("acme-sweden/tax-code/0")
	dkGroup0      = seed.ID("acme-denmark/tag-group/0")
	dkGroup1      = seed.ID("acme-denmark/tag-group/1")
	seGroup0      = seed.ID("acme-sweden/tag-group/0")
	dkTag00       = seed.ID("acme-denmark/tag/0/0")
	dkTag10       = seed.ID("acme-denmark/tag/1/0")
	seTeam        = seed.ID("acme-sweden/team/0")
	anchor        = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	noSuchEntryID = "6f1c3d5e-0000-4000-8000-000000000000"
)

type fixture struct {
	svc   *spend.Service
	store *store.Store
	clock *clock.Clock
	ctx   context.Context
}

// newFixture returns a Service over a fresh demo database, its clock frozen at anchor.
func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.New()
	clk.Set(anchor)
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: anchor})
	}); err != nil {
		t.Fatal(err)
	}
	return fixture{svc: spend.New(st, clk), store: st, clock: clk, ctx: ctx}
}

func (f fixture) create(t *testing.T, company string, in spend.NewEntry) pleo.AccountingEntry {
	t.Helper()
	e, err := f.svc.Create(f.ctx, company, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return e
}

func money(currency string, minors int64) *pleo.Money {
	return &pleo.Money{Currency: currency, Minors: minors}
}

func at(t time.Time) *time.Time { return &t }

func TestCreateFillsWhatPleoRequires(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{})
	first, err := f.store.Employee(f.ctx, e.EmployeeID)
	if err != nil {
		t.Fatalf("default employee %q: %v", e.EmployeeID, err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"family", e.Family, "CARD_PURCHASE"},
		{"subFamily", e.SubFamily, "IN_STORE"},
		{"status", e.Status, "PENDING"},
		{"reviewStatus", e.ReviewStatus, "NOT_SET"},
		{"exportStatus", e.ExportStatus, "NOT_EXPORTED"},
		{"company of employee", first.CompanyID, denmark},
		{"team follows employee", e.TeamID, first.TeamID},
		{"transactionValue", e.TransactionValue, pleo.Money{Currency: "DKK", Minors: 10_000}},
		{"totalBillValue", *e.TotalBillValue, pleo.Money{Currency: "DKK", Minors: 10_000}},
		{"performedAt", e.PerformedAt, anchor},
		{"createdAt", e.CreatedAt, anchor},
		{"updatedAt", e.UpdatedAt, anchor},
		{"settledAt", e.SettledAt, (*time.Time)(nil)},
		{"bookkeepingDate", e.BookkeepingDate, (*time.Time)(nil)},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if e.Tags == nil || e.SplitItems == nil || e.Attendees == nil || e.ReceiptIDs == nil {
		t.Errorf("required lists must be empty, not null: %+v", e)
	}
	got, err := f.store.AccountingEntry(f.ctx, e.ID)
	if err != nil || got.ID != e.ID {
		t.Fatalf("stored entry: %+v, %v", got, err)
	}
	// IDs are UUIDs in lower case, however they are written.
	upper := strings.ToUpper("5e0b8a57-3f0c-4d7e-9a51-2c4b6f1d9e20")
	e = f.create(t, strings.ToUpper(denmark), spend.NewEntry{ID: upper, EmployeeID: strings.ToUpper(dkEmployee)})
	if e.ID != strings.ToLower(upper) || e.CompanyID != denmark || e.EmployeeID != dkEmployee {
		t.Errorf("upper-case IDs: %+v", e)
	}
	if s, err := f.svc.Settle(f.ctx, upper, nil); err != nil || s.ID != e.ID {
		t.Errorf("settle by an upper-case ID: %v", err)
	}
}

func TestCreateFamilyDefaults(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		family, subFamily, status, review string
		employee                          bool
	}{
		{"CARD_PURCHASE", "IN_STORE", "PENDING", "NOT_SET", true},
		{"OUT_OF_POCKET", "", "COMPLETED", "NOT_SET", true},
		{"MILEAGE", "", "COMPLETED", "NOT_SET", true},
		{"PER_DIEM", "", "COMPLETED", "NOT_SET", true},
		{"REIMBURSEMENT", "REIMBURSEMENT_TO_EMPLOYEE", "COMPLETED", "NOT_SET", true},
		{"BILL_INVOICE", "", "COMPLETED", "NOT_SET", false},
		{"BILL_INVOICE_PAYMENT", "", "COMPLETED", "NOT_SET", false},
		{"CREDIT_NOTE", "", "COMPLETED", "NOT_SET", false},
		{"WALLET", "LOAD", "COMPLETED", "NOT_REQUIRED", false},
		{"BALANCE_AMENDMENT", "LOAD", "COMPLETED", "NOT_REQUIRED", false},
		{"OVERDRAFT", "FEE", "COMPLETED", "NOT_REQUIRED", false},
		{"PLEO_INVOICE", "PLEO_INVOICE", "COMPLETED", "NOT_REQUIRED", false},
		{"CASHBACK", "", "COMPLETED", "NOT_REQUIRED", false},
	} {
		e := f.create(t, denmark, spend.NewEntry{Family: c.family})
		if e.SubFamily != c.subFamily || e.Status != c.status || e.ReviewStatus != c.review || (e.EmployeeID != "") != c.employee {
			t.Errorf("%s: subFamily %q status %s review %s employee %q; want %q %s %s employee %v",
				c.family, e.SubFamily, e.Status, e.ReviewStatus, e.EmployeeID, c.subFamily, c.status, c.review, c.employee)
		}
		if c.status == "COMPLETED" && (e.SettledAt == nil || !e.SettledAt.Equal(e.PerformedAt)) {
			t.Errorf("%s: settledAt %v, want performedAt", c.family, e.SettledAt)
		}
	}
	// Every documented subFamily is accepted with its family.
	for _, family := range pleo.EntryFamilies {
		for _, sub := range pleo.SubFamiliesOf(family) {
			if e, err := f.svc.Create(f.ctx, denmark, spend.NewEntry{Family: family, SubFamily: sub}); err != nil || e.SubFamily != sub {
				t.Errorf("%s/%s: %v", family, sub, err)
			}
		}
	}
}

func TestCreateValidation(t *testing.T) {
	f := newFixture(t)
	sixTags := make([]pleo.EntryTag, 6)
	for i := range sixTags {
		sixTags[i] = pleo.EntryTag{TagGroupID: seed.ID(fmt.Sprintf("acme-denmark/tag-group/%d", i))}
	}
	archivedTag := seed.ID("acme-denmark/tag/0/" + lastTagIndex(t, f, dkGroup0))
	for _, c := range []struct {
		name  string
		in    spend.NewEntry
		field string
	}{
		{"unknown family", spend.NewEntry{Family: "GROCERIES"}, "family"},
		{"family in lower case", spend.NewEntry{Family: "card_purchase"}, "family"},
		{"unknown subFamily", spend.NewEntry{SubFamily: "DRIVE_THROUGH"}, "subFamily"},
		{"subFamily of another family", spend.NewEntry{Family: "WALLET", SubFamily: "ONLINE"}, "subFamily"},
		{"subFamily on a family without one", spend.NewEntry{Family: "MILEAGE", SubFamily: "ATM"}, "subFamily"},
		{"unknown status", spend.NewEntry{Status: "SETTLED"}, "status"},
		{"unknown reviewStatus", spend.NewEntry{ReviewStatus: "APPROVED"}, "reviewStatus"},
		{"id not a UUID", spend.NewEntry{ID: "entry-1"}, "id"},
		{"employee of another company", spend.NewEntry{EmployeeID: seEmployee}, "employeeId"},
		{"team of another company", spend.NewEntry{TeamID: seTeam}, "teamId"},
		{"account of another company", spend.NewEntry{AccountID: seAccount}, "accountId"},
		{"tax code of another company", spend.NewEntry{TaxCodeID: seTaxCode}, "taxCodeId"},
		{"tag group of another company", spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: seGroup0}}}, "tags[0].tagGroupId"},
		{"tag without group", spend.NewEntry{Tags: []pleo.EntryTag{{TagID: dkTag00}}}, "tags[0].tagGroupId"},
		{"tag of another group", spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: dkGroup1, TagID: dkTag00}}}, "tags[0].tagId"},
		{"archived tag", spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: dkGroup0, TagID: archivedTag}}}, "tags[0].tagId"},
		{"two tags of one group", spend.NewEntry{Tags: []pleo.EntryTag{{TagGroupID: dkGroup0}, {TagGroupID: dkGroup0}}}, "tags[1].tagGroupId"},
		{"six tags", spend.NewEntry{Tags: sixTags}, "tags"},
		{"currency not ISO", spend.NewEntry{TransactionValue: money("euro", 100)}, "transactionValue.currency"},
		{"zero amount", spend.NewEntry{TransactionValue: money("DKK", 0)}, "transactionValue.minors"},
		{"bill in another currency", spend.NewEntry{TransactionValue: money("EUR", 100), TotalBillValue: money("EUR", 100)}, "totalBillValue.currency"},
		{"bill of the other sign", spend.NewEntry{TransactionValue: money("EUR", 100), TotalBillValue: money("DKK", -746)}, "totalBillValue.minors"},
		{"domestic bill differs", spend.NewEntry{TransactionValue: money("DKK", 100), TotalBillValue: money("DKK", 101)}, "totalBillValue"},
		{"domestic rate not 1", spend.NewEntry{TransactionValue: money("DKK", 100), ExchangeRate: "1.1"}, "exchangeRate"},
		{"rate not a number", spend.NewEntry{TransactionValue: money("EUR", 100), ExchangeRate: "abc"}, "exchangeRate"},
		{"rate negative", spend.NewEntry{TransactionValue: money("EUR", 100), ExchangeRate: "-0.13"}, "exchangeRate"},
		{"rate zero", spend.NewEntry{TransactionValue: money("EUR", 100), ExchangeRate: "0"}, "exchangeRate"},
		{"rate as a fraction", spend.NewEntry{TransactionValue: money("EUR", 100), ExchangeRate: "1/7"}, "exchangeRate"},
		{"no reference rate", spend.NewEntry{TransactionValue: money("BRL", 100)}, "exchangeRate"},
		{"bill and rate disagree", spend.NewEntry{TransactionValue: money("EUR", 10_000), TotalBillValue: money("DKK", 74_600),
			ExchangeRate: "0.134"}, "totalBillValue"},
		{"performed in the future", spend.NewEntry{PerformedAt: at(anchor.Add(time.Minute))}, "performedAt"},
		{"settled before performed", spend.NewEntry{PerformedAt: at(anchor.Add(-time.Hour)), SettledAt: at(anchor.Add(-2 * time.Hour))}, "settledAt"},
		{"settled in the future", spend.NewEntry{SettledAt: at(anchor.Add(time.Hour))}, "settledAt"},
		{"settledAt of a pending entry", spend.NewEntry{Status: "PENDING", SettledAt: at(anchor)}, "settledAt"},
		{"one split item", spend.NewEntry{SplitItems: []spend.NewSplitItem{{TransactionValue: money("DKK", 10_000)}}}, "splitItems"},
		{"split items do not add up", spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
			{TransactionValue: money("DKK", 5_000)}, {TransactionValue: money("DKK", 4_999)}}}, "splitItems"},
		{"split item without value", spend.NewEntry{SplitItems: []spend.NewSplitItem{{}, {}}}, "splitItems[0].transactionValue"},
		{"split item in another currency", spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
			{TransactionValue: money("EUR", 5_000)}, {TransactionValue: money("DKK", 5_000)}}}, "splitItems[0].transactionValue.currency"},
		{"split bills on some items", spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
			{TransactionValue: money("DKK", 5_000), TotalBillValue: money("DKK", 5_000)}, {TransactionValue: money("DKK", 5_000)}}}, "splitItems[1].totalBillValue"},
		{"split bills do not add up", spend.NewEntry{TransactionValue: money("EUR", 10_000), TotalBillValue: money("DKK", 74_604),
			SplitItems: []spend.NewSplitItem{{TransactionValue: money("EUR", 5_000), TotalBillValue: money("DKK", 37_302)},
				{TransactionValue: money("EUR", 5_000), TotalBillValue: money("DKK", 37_301)}}}, "splitItems"},
		{"split account of another company", spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
			{TransactionValue: money("DKK", 5_000), AccountID: seAccount}, {TransactionValue: money("DKK", 5_000)}}}, "splitItems[0].accountId"},
		{"split tag of another company", spend.NewEntry{TransactionValue: money("DKK", 10_000), SplitItems: []spend.NewSplitItem{
			{TransactionValue: money("DKK", 5_000)}, {TransactionValue: money("DKK", 5_000),
				Tags: []pleo.EntryTag{{TagGroupID: seGroup0}}}}}, "splitItems[1].tags[0].tagGroupId"},
		{"attendee of unknown type", spend.NewEntry{Attendees: []spend.NewAttendee{{AttendableID: dkEmployee, AttendableType: "GUEST"}}}, "attendees[0].attendableType"},
		{"attendee of another company", spend.NewEntry{Attendees: []spend.NewAttendee{{AttendableID: seEmployee}}}, "attendees[0].attendableId"},
		{"attendee without ID", spend.NewEntry{Attendees: []spend.NewAttendee{{AttendableType: "CONTACT"}}}, "attendees[0].attendableId"},
		{"receipt source unknown", spend.NewEntry{Receipts: []spend.NewReceipt{{Content: []byte("%PDF"), Source: "FAX"}}}, "receipts[0].source"},
		{"receipt content type not a media type", spend.NewEntry{Receipts: []spend.NewReceipt{{Content: []byte("x"), ContentType: "pdf;;"}}}, "receipts[0].contentType"},
		{"drawn receipt of another type", spend.NewEntry{Receipts: []spend.NewReceipt{{ContentType: "image/gif"}}}, "receipts[0].contentType"},
		{"receipt id not a UUID", spend.NewEntry{Receipts: []spend.NewReceipt{{ID: "r1"}}}, "receipts[0].id"},
		{"note too long", spend.NewEntry{Note: strings.Repeat("n", 1001)}, "note"},
		{"supplier field too long", spend.NewEntry{Supplier: &pleo.Supplier{DocumentNumber: strings.Repeat("9", 256)}}, "supplier.documentNumber"},
	} {
		_, err := f.svc.Create(f.ctx, denmark, c.in)
		var fe *pleo.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, pleo.ErrInvalid) {
			t.Errorf("%s: error %v, want a field error naming %s", c.name, err, c.field)
			continue
		}
		if fe.Message == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
	if _, err := f.svc.Create(f.ctx, noSuchEntryID, spend.NewEntry{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown company: %v, want ErrNotFound", err)
	}
	id := f.create(t, denmark, spend.NewEntry{}).ID
	if _, err := f.svc.Create(f.ctx, denmark, spend.NewEntry{ID: id}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("taken id: %v, want ErrConflict", err)
	}
}

// lastTagIndex is the index of the last tag of a demo group (the seed archives it in group 0).
func lastTagIndex(t *testing.T, f fixture, groupID string) string {
	t.Helper()
	for i := 0; ; i++ {
		if _, err := f.store.Tag(f.ctx, []string{denmark}, seed.ID(fmt.Sprintf("acme-denmark/tag/0/%d", i+1))); errors.Is(err, store.ErrNotFound) {
			tg, err := f.store.Tag(f.ctx, []string{denmark}, seed.ID(fmt.Sprintf("acme-denmark/tag/0/%d", i)))
			if err != nil || !tg.Archived || tg.GroupID != groupID {
				t.Fatalf("the seed's archived tag: %+v, %v", tg, err)
			}
			return fmt.Sprint(i)
		}
	}
}

func TestCreateKeepsWhatIsGiven(t *testing.T) {
	f := newFixture(t)
	performed := anchor.Add(-48 * time.Hour)
	e := f.create(t, denmark, spend.NewEntry{Family: "CARD_PURCHASE", SubFamily: "ONLINE", EmployeeID: dkEmployee,
		PerformedAt: &performed, TransactionValue: money("DKK", 45_000), MerchantName: "Airline A/S", Note: "Flight to Aarhus",
		AccountID: dkAccount, TaxCodeID: dkTaxCode, Tags: []pleo.EntryTag{{TagGroupID: dkGroup0, TagID: dkTag00}, {TagGroupID: dkGroup1}},
		Supplier:  &pleo.Supplier{CIF: "B12345678", DocumentNumber: "F-1", DocumentType: "FACTURA"},
		Attendees: []spend.NewAttendee{{AttendableID: dkEmployee}, {AttendableID: "contact-42", AttendableType: "CONTACT"}},
	})
	emp, _ := f.store.Employee(f.ctx, dkEmployee)
	if e.EmployeeID != dkEmployee || e.TeamID != emp.TeamID || !e.PerformedAt.Equal(performed) || e.Note != "Flight to Aarhus" ||
		e.AccountID != dkAccount || e.AccountCode == "" || e.TaxCodeID != dkTaxCode || len(e.Tags) != 2 || e.Tags[0].TagID != dkTag00 ||
		e.Supplier == nil || e.Supplier.DocumentType != "FACTURA" || len(e.Attendees) != 2 || e.Attendees[1].AttendableType != "CONTACT" ||
		e.Attendees[0].ID == "" || e.MerchantName != "Airline A/S" {
		t.Errorf("entry lost what was given: %+v", e)
	}
}

func TestCurrencyRule(t *testing.T) {
	f := newFixture(t)
	ref, _ := pleo.ReferenceRate("EUR", "DKK")
	refBill, _ := pleo.BillValue(pleo.Money{Currency: "EUR", Minors: 10_000}, "DKK", ref)
	for _, c := range []struct {
		name string
		in   spend.NewEntry
		want pleo.Money
	}{
		{"reference rate", spend.NewEntry{TransactionValue: money("EUR", 10_000)}, refBill},
		{"given rate", spend.NewEntry{TransactionValue: money("EUR", 10_000), ExchangeRate: "0.134"}, pleo.Money{Currency: "DKK", Minors: 74_627}},
		{"given rate and matching bill", spend.NewEntry{TransactionValue: money("EUR", 10_000), ExchangeRate: "0.134",
			TotalBillValue: money("DKK", 74_627)}, pleo.Money{Currency: "DKK", Minors: 74_627}},
		{"bill without rate is the card network's", spend.NewEntry{TransactionValue: money("EUR", 10_000),
			TotalBillValue: money("", 75_000)}, pleo.Money{Currency: "DKK", Minors: 75_000}},
		{"unknown currency with a rate", spend.NewEntry{TransactionValue: money("BRL", 10_000), ExchangeRate: "0.8"}, pleo.Money{Currency: "DKK", Minors: 12_500}},
		{"yen has no minor unit", spend.NewEntry{TransactionValue: money("JPY", 1_000)}, mustBill(t, pleo.Money{Currency: "JPY", Minors: 1_000}, "DKK")},
		{"refund", spend.NewEntry{Family: "CREDIT_NOTE", TransactionValue: money("EUR", -10_000)}, pleo.Money{Currency: "DKK", Minors: -refBill.Minors}},
	} {
		e, err := f.svc.Create(f.ctx, denmark, c.in)
		if err != nil || e.TotalBillValue == nil || *e.TotalBillValue != c.want {
			t.Errorf("%s: bill %v, %v; want %v", c.name, e.TotalBillValue, err, c.want)
			continue
		}
		if c.in.ExchangeRate != "" && c.in.TotalBillValue == nil {
			// totalBillValue × rate is within half a wallet minor unit × rate of the transaction value.
			rate, _ := pleo.ParseExchangeRate(c.in.ExchangeRate)
			diff := new(big.Rat).Sub(new(big.Rat).Mul(big.NewRat(e.TotalBillValue.Minors, 100), rate), big.NewRat(e.TransactionValue.Minors, 100))
			if new(big.Rat).Abs(diff).Cmp(new(big.Rat).Mul(big.NewRat(1, 200), rate)) > 0 {
				t.Errorf("%s: bill × rate is %s away from the transaction value", c.name, diff.FloatString(4))
			}
		}
	}
}

func mustBill(t *testing.T, m pleo.Money, wallet string) pleo.Money {
	t.Helper()
	rate, ok := pleo.ReferenceRate(m.Currency, wallet)
	if !ok {
		t.Fatalf("no reference rate %s/%s", m.Currency, wallet)
	}
	bill, err := pleo.BillValue(m, wallet, rate)
	if err != nil {
		t.Fatal(err)
	}
	return bill
}

func TestSplitItems(t *testing.T) {
	f := newFixture(t)
	e := f.create(t, denmark, spend.NewEntry{TransactionValue: money("DKK", 10_001), SplitItems: []spend.NewSplitItem{
		{TransactionValue: money("DKK", 3_333), AccountID: dkAccount, TaxCodeID: dkTaxCode},
		{TransactionValue: money("", 3_334), Tags: []pleo.EntryTag{{TagGroupID: dkGroup1, TagID: dkTag10}}},
		{TransactionValue: money("DKK", 3_334)},
	}})
	if len(e.SplitItems) != 3 {
		t.Fatalf("split items: %+v", e.SplitItems)
	}
	var sumTx, sumBill int64
	for _, it := range e.SplitItems {
		sumTx += it.TransactionValue.Minors
		sumBill += it.TotalBillValue.Minors
		if it.ID == "" || !it.CreatedAt.Equal(anchor) {
			t.Errorf("split item without ID or createdAt: %+v", it)
		}
	}
	if sumTx != 10_001 || sumBill != 10_001 || e.SplitItems[0].AccountCode == "" || e.SplitItems[1].Tags[0].TagID != dkTag10 {
		t.Errorf("split items: %+v", e.SplitItems)
	}
	// A foreign purchase: each item's bill is its share, and they add up to the entry's.
	e = f.create(t, denmark, spend.NewEntry{TransactionValue: money("EUR", 10_000), ExchangeRate: "0.13", SplitItems: []spend.NewSplitItem{
		{TransactionValue: money("EUR", 3_333)}, {TransactionValue: money("EUR", 3_333)}, {TransactionValue: money("EUR", 3_334)}}})
	bills := []int64{e.SplitItems[0].TotalBillValue.Minors, e.SplitItems[1].TotalBillValue.Minors, e.SplitItems[2].TotalBillValue.Minors}
	if bills[0]+bills[1]+bills[2] != e.TotalBillValue.Minors || e.TotalBillValue.Minors != 76_923 || bills[0] != 25_638 {
		t.Errorf("bill %v split into %v", e.TotalBillValue, bills)
	}
}

func TestReceipts(t *testing.T) {
	f := newFixture(t)
	pdf := []byte("%PDF-1.4 a scanned receipt")
	e := f.create(t, denmark, spend.NewEntry{SubFamily: "ONLINE", MerchantName: "Webshop", Receipts: []spend.NewReceipt{
		{}, {Content: pdf, ContentType: "application/pdf"}, {ContentType: "image/png", Source: "APP_SHARE"}}})
	if len(e.ReceiptIDs) != 3 {
		t.Fatalf("receiptIds = %v", e.ReceiptIDs)
	}
	want := []struct{ mime, source string }{{"application/pdf", "EMAIL_FETCHING"}, {"application/pdf", "USER"}, {"image/png", "APP_SHARE"}}
	for i, id := range e.ReceiptIDs {
		rc, err := f.store.Receipt(f.ctx, id)
		if err != nil || rc.AccountingEntryID != e.ID || rc.MimeType != want[i].mime || rc.Source != want[i].source || rc.SizeInBytes <= 0 {
			t.Errorf("receipt %d: %+v, %v; want %v", i, rc, err, want[i])
			continue
		}
		file, err := io.ReadAll(f.store.OpenReceiptFile(f.ctx, rc))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 && !bytes.Equal(file, pdf) {
			t.Errorf("uploaded file changed: %q", file)
		}
		if i == 2 && !bytes.HasPrefix(file, []byte("\x89PNG")) {
			t.Errorf("drawn receipt is not a PNG: %q", file[:8])
		}
	}
	// An edit adds receipts; a receipt ID already attached is refused.
	e2, err := f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Receipts: []spend.NewReceipt{{Content: []byte("jpeg"), ContentType: "image/jpeg"}}})
	if err != nil || len(e2.ReceiptIDs) != 4 || e2.ReceiptIDs[0] != e.ReceiptIDs[0] {
		t.Errorf("edit with a receipt: %v, %v", e2.ReceiptIDs, err)
	}
	_, err = f.svc.Edit(f.ctx, e.ID, spend.EntryChange{Receipts: []spend.NewReceipt{{ID: e.ReceiptIDs[0]}}})
	if fe := (*pleo.FieldError)(nil); !errors.As(err, &fe) || fe.Field != "receipts[0].id" {
		t.Errorf("attached receipt again: %v", err)
	}
	// A receipt ID taken by another entry.
	_, err = f.svc.Create(f.ctx, denmark, spend.NewEntry{Receipts: []spend.NewReceipt{{ID: e.ReceiptIDs[0]}}})
	if fe := (*pleo.FieldError)(nil); !errors.As(err, &fe) || fe.Field != "receipts[0].id" {
		t.Errorf("receipt ID of another entry: %v", err)
	}
}
