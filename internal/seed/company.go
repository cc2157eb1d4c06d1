package seed

import (
	"fmt"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// Volumes of the per-company demo data.
const (
	employeesPerCompany = 30
	entriesPerCompany   = 220
	entryWindowDays     = 90
)

var teamNames = []string{"Sales", "Engineering", "Marketing", "Operations", "Finance"}

var jobTitles = []string{"Account Executive", "Software Engineer", "Marketing Manager", "Operations Lead",
	"Controller", "Product Designer", "Customer Success Manager", "Data Analyst", "Office Manager", "Head of Sales"}

// accountSpec is one line of the demo chart of accounts.
type accountSpec struct{ code, name string }

var chartOfAccounts = []accountSpec{
	{"1310", "Accounts receivable"}, {"2200", "Travel"}, {"2210", "Hotels and accommodation"},
	{"2220", "Meals and entertainment"}, {"2230", "Mileage allowance"}, {"2240", "Per diem"},
	{"2300", "Software subscriptions"}, {"2310", "Cloud hosting"}, {"2400", "Office supplies"},
	{"2500", "Marketing and advertising"}, {"2600", "Training and conferences"}, {"2700", "Bank fees"},
	{"6800", "Output VAT"}, {"6810", "Input VAT"},
}

// familySpec gives the relative weight and shape of one accounting-entry family.
type familySpec struct {
	family     string
	subFamily  []string
	weight     int
	minMinors  int64
	maxMinors  int64
	accountIdx []int // indexes into chartOfAccounts
}

var families = []familySpec{
	{"CARD_PURCHASE", []string{"ONLINE", "IN_STORE", "ONLINE", "IN_STORE", "ATM"}, 60, 2_500, 600_000, []int{1, 2, 3, 6, 7, 8, 9, 10}},
	{"OUT_OF_POCKET", []string{"REIMBURSEMENT_TO_EMPLOYEE"}, 10, 5_000, 150_000, []int{3, 8, 1}},
	{"MILEAGE", nil, 6, 3_000, 90_000, []int{4}},
	{"PER_DIEM", nil, 5, 30_000, 250_000, []int{5}},
	{"BILL_INVOICE", nil, 8, 100_000, 5_000_000, []int{6, 7, 9, 10}},
	{"REIMBURSEMENT", []string{"REIMBURSEMENT_TO_EMPLOYEE", "REIMBURSEMENT_TO_COMPANY"}, 4, 5_000, 150_000, nil},
	{"PLEO_INVOICE", []string{"PLEO_INVOICE"}, 2, 49_900, 199_900, []int{11}},
	{"WALLET", []string{"LOAD", "UNLOAD"}, 3, 1_000_000, 20_000_000, nil},
	{"CASHBACK", nil, 2, 500, 20_000, []int{11}},
}

// weighted picks from choices with the given weights.
func (d *demo) weighted(choices []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := d.rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

func (d *demo) pick(s []string) string { return s[d.rng.IntN(len(s))] }

func (d *demo) company(spec companySpec) error {
	ctx, tx := d.ctx, d.tx
	companyID := ID("company/" + spec.key)
	key := func(kind string, i int) string { return ID(fmt.Sprintf("%s/%s/%d", spec.key, kind, i)) }
	t0 := d.created

	var teamIDs []string
	for i, name := range teamNames {
		id := key("team", i)
		teamIDs = append(teamIDs, id)
		if err := tx.InsertTeam(ctx, pleo.Team{ID: id, CompanyID: companyID, Name: name}); err != nil {
			return err
		}
	}

	// Employees: the demo users first (where they belong to the company), then generated people.
	type person struct{ first, last, email, userID string }
	var people []person
	if spec.key == denmark.key {
		people = append(people,
			person{"Anna", "Admin", AdminEmail, AdminUserID},
			person{"Bo", "Bookkeeper", BookkeeperEmail, BookkeeperID},
			person{"Eva", "Employee", EmployeeEmail, EmployeeUserID})
	} else {
		people = append(people, person{"Anna", "Admin", AdminEmail, AdminUserID})
	}
	for i := len(people); i < employeesPerCompany; i++ {
		first, last := spec.firstNames[i%len(spec.firstNames)], spec.lastNames[(i*7)%len(spec.lastNames)]
		email := fmt.Sprintf("%s.%s%d@%s", asciiLower(first), asciiLower(last), i, spec.emailDomain)
		people = append(people, person{first, last, email, ""})
	}
	var employeeIDs, employeeTeams []string
	for i, p := range people {
		id := key("employee", i)
		team := teamIDs[i%len(teamIDs)]
		e := pleo.Employee{ID: id, CompanyID: companyID, UserID: p.userID, TeamID: team, FirstName: p.first, LastName: p.last,
			Email: p.email, Code: fmt.Sprintf("%s-%03d", strings.ToUpper(spec.country), i+1),
			Phone:    fmt.Sprintf("+%s %08d", map[string]string{"DK": "45", "SE": "46"}[spec.country], 20_000_000+i*1_337),
			JobTitle: jobTitles[i%len(jobTitles)], CreatedAt: t0, UpdatedAt: t0}
		employeeIDs, employeeTeams = append(employeeIDs, id), append(employeeTeams, team)
		if err := tx.InsertEmployee(ctx, e); err != nil {
			return err
		}
	}

	// Tag groups and tags.
	type groupSpec struct {
		name, code string
		tags       []string
	}
	groups := []groupSpec{
		{"Projects", "PROJ", []string{"Website relaunch", "Nordic expansion", "ERP migration", "Summer conference", "Internal tooling", "Customer onboarding"}},
		{"Cost centres", "CC", []string{"Headquarters", "Sales floor", "R&D", "Warehouse", "Management"}},
	}
	type tagRef struct{ group, tag string }
	var groupTags [][]tagRef
	for gi, g := range groups {
		gid := key("tag-group", gi)
		if err := tx.InsertTagGroup(ctx, pleo.TagGroup{ID: gid, CompanyID: companyID, Name: g.name, Code: g.code,
			Metadata: map[string]string{"source": "demo"}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		var refs []tagRef
		for ti, name := range g.tags {
			tid := key(fmt.Sprintf("tag/%d", gi), ti)
			archived := ti == len(g.tags)-1 && gi == 0 // one archived tag to test filters
			if err := tx.InsertTag(ctx, pleo.Tag{ID: tid, GroupID: gid, Name: name, Code: fmt.Sprintf("%s-%02d", g.code, ti+1),
				Archived: archived, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
			if !archived {
				refs = append(refs, tagRef{gid, tid})
			}
		}
		groupTags = append(groupTags, refs)
	}

	// Tax codes.
	var taxCodeIDs []string
	for i, rate := range spec.vatRates {
		id := key("tax-code", i)
		// Pleo writes rates as decimals (0.25 is 25 %); "exclusive" codes are not supported by Pleo yet.
		code := fmt.Sprintf("%s%02.0f", spec.country, rate*100)
		name := fmt.Sprintf("%s %g%%", spec.vatName, rate*100)
		if rate == 0 {
			name = "No VAT"
		}
		in, out := "6810", "6800"
		if err := tx.InsertTaxCode(ctx, pleo.TaxCode{ID: id, CompanyID: companyID, Name: name, Code: &code, Rate: rate, Type: "inclusive",
			IngoingTaxAccount: &in, OutgoingTaxAccount: &out, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		taxCodeIDs = append(taxCodeIDs, id)
	}
	reverseCode, reverseID := spec.country+"RC", key("tax-code", len(spec.vatRates))
	if err := tx.InsertTaxCode(ctx, pleo.TaxCode{ID: reverseID, CompanyID: companyID, Name: "EU reverse charge", Code: &reverseCode,
		Rate: 0.25, Type: "reverse", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		return err
	}

	// Chart of accounts.
	var accountIDs []string
	for i, a := range chartOfAccounts {
		id := key("account", i)
		code := a.code
		if err := tx.InsertAccount(ctx, pleo.Account{ID: id, CompanyID: companyID, ExternalID: "acc-" + a.code, Name: a.name,
			Code: &code, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		accountIDs = append(accountIDs, id)
	}

	// Vendors: the merchants, one archived.
	for i, m := range spec.merchants[:12] {
		state := "ACTIVE"
		if i == 11 {
			state = "ARCHIVED"
		}
		if err := tx.InsertVendor(ctx, pleo.Vendor{ID: key("vendor", i), CompanyID: companyID, Name: m,
			Code: fmt.Sprintf("V%04d", 1001+i), ExternalID: fmt.Sprintf("ext-vendor-%d", 1001+i), Country: spec.country,
			DefaultCurrency: spec.currency, RegistrationNumber: fmt.Sprintf("%s%08d", spec.country, 30_000_000+i*97_531),
			State: state, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
	}

	// Accounting entries spread over the 90 days before the anchor.
	weights := make([]int, len(families))
	names := make([]string, len(families))
	for i, f := range families {
		weights[i], names[i] = f.weight, f.family
	}
	for i := range entriesPerCompany {
		fam := families[0]
		chosen := d.weighted(names, weights)
		for _, f := range families {
			if f.family == chosen {
				fam = f
			}
		}
		emp := d.rng.IntN(len(employeeIDs))
		performed := d.anchor.Add(-time.Duration(d.rng.Int64N(int64(entryWindowDays * 24 * time.Hour)))).Truncate(time.Second)
		ageDays := int(d.anchor.Sub(performed).Hours() / 24)
		status := d.weighted([]string{"COMPLETED", "PENDING", "DRAFT", "CANCELLED", "REJECTED"}, []int{80, 10, 5, 3, 2})
		export := "NOT_EXPORTED"
		if status == "COMPLETED" && ageDays > 30 {
			export = d.weighted([]string{"EXPORTED", "NOT_EXPORTED"}, []int{85, 15})
		}
		review := d.weighted([]string{"OK", "NOT_REQUIRED", "NOT_SET", "WAITING_FOR_REVIEWER"}, []int{50, 30, 12, 8})
		minors := fam.minMinors + d.rng.Int64N(fam.maxMinors-fam.minMinors)
		e := pleo.AccountingEntry{
			ID: key("entry", i), CompanyID: companyID, Family: fam.family, Status: status, ReviewStatus: review,
			ExportStatus: export, TransactionValue: pleo.Money{Currency: spec.currency, Minors: minors},
			PerformedAt: performed, Tags: []pleo.EntryTag{}, SplitItems: []pleo.SplitItem{}, Attendees: []pleo.Attendee{},
			ReceiptIDs: []string{}, CreatedAt: performed, UpdatedAt: performed,
		}
		if fam.subFamily != nil {
			e.SubFamily = d.pick(fam.subFamily)
		}
		if fam.family != "WALLET" && fam.family != "PLEO_INVOICE" {
			e.EmployeeID, e.TeamID = employeeIDs[emp], employeeTeams[emp]
		}
		if fam.family == "CARD_PURCHASE" || fam.family == "BILL_INVOICE" || fam.family == "OUT_OF_POCKET" {
			e.MerchantName = d.pick(spec.merchants)
		}
		if fam.accountIdx != nil && d.rng.IntN(10) < 8 {
			ai := fam.accountIdx[d.rng.IntN(len(fam.accountIdx))]
			e.AccountID, e.AccountCode = accountIDs[ai], chartOfAccounts[ai].code
			e.TaxCodeID = taxCodeIDs[d.rng.IntN(len(taxCodeIDs))]
		}
		if status == "COMPLETED" || status == "PENDING" {
			if fam.family == "CARD_PURCHASE" || fam.family == "WALLET" || status == "COMPLETED" {
				settled := performed.Add(time.Duration(1+d.rng.IntN(3)) * 24 * time.Hour)
				if settled.Before(d.anchor) {
					e.SettledAt = &settled
					e.UpdatedAt = settled
				}
			}
		}
		if export == "EXPORTED" {
			bk := AnchorDay(performed)
			e.BookkeepingDate = &bk
		}
		for gi, refs := range groupTags {
			if len(refs) > 0 && d.rng.IntN(10) < 6-gi*2 {
				r := refs[d.rng.IntN(len(refs))]
				e.Tags = append(e.Tags, pleo.EntryTag{TagGroupID: r.group, TagID: r.tag})
			}
		}
		if d.rng.IntN(10) < 4 {
			e.Note = d.pick([]string{"Client lunch", "Team offsite", "Conference ticket", "Taxi to airport",
				"Monthly subscription", "Hardware for new hire", "Coffee for workshop", "Train to customer visit"})
		}
		if fam.family == "CARD_PURCHASE" || fam.family == "OUT_OF_POCKET" || fam.family == "BILL_INVOICE" {
			if d.rng.IntN(10) < 8 {
				e.ReceiptIDs = []string{key("receipt", i)}
			}
		}
		if fam.family == "BILL_INVOICE" {
			e.Supplier = &pleo.Supplier{DocumentNumber: fmt.Sprintf("INV-%06d", 100_000+i), DocumentType: "INVOICE",
				ExternalSupplierID: fmt.Sprintf("ext-vendor-%d", 1001+d.rng.IntN(11))}
			bill := e.TransactionValue
			e.TotalBillValue = &bill
		}
		if e.Note == "Client lunch" {
			e.Attendees = []pleo.Attendee{{ID: key("attendee", i), AttendableID: employeeIDs[(emp+1)%len(employeeIDs)], AttendableType: "EMPLOYEE"}}
		}
		if i%73 == 5 { // a few deleted entries for includeDeleted
			del := performed.Add(2 * time.Hour)
			e.DeletedAt = &del
		}
		if err := tx.InsertAccountingEntry(ctx, e); err != nil {
			return err
		}
		if err := d.receipts(e); err != nil {
			return err
		}
	}
	return nil
}

// asciiLower lower-cases a name and folds the Nordic letters for email addresses.
func asciiLower(s string) string {
	return strings.NewReplacer("ø", "o", "å", "a", "æ", "ae", "ö", "o", "ä", "a").Replace(strings.ToLower(s))
}
