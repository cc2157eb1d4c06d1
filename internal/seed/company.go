package seed

import (
	"fmt"
	"strings"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
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
	{"OUT_OF_POCKET", nil, 10, 5_000, 150_000, []int{3, 8, 1}},
	{"MILEAGE", nil, 6, 3_000, 90_000, []int{4}},
	{"PER_DIEM", nil, 5, 30_000, 250_000, []int{5}},
	{"BILL_INVOICE", nil, 8, 100_000, 5_000_000, []int{6, 7, 9, 10}},
	{"REIMBURSEMENT", []string{"REIMBURSEMENT_TO_EMPLOYEE", "REIMBURSEMENT_TO_COMPANY"}, 4, 5_000, 150_000, nil},
	{"PLEO_INVOICE", []string{"PLEO_INVOICE"}, 2, 49_900, 199_900, []int{11}},
	{"WALLET", []string{"LOAD", "UNLOAD"}, 3, 1_000_000, 20_000_000, nil},
	{"CASHBACK", nil, 2, 500, 20_000, []int{11}},
}

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
	var employees []store.EmployeeRef
	for i, p := range people {
		id := key("employee", i)
		team := teamIDs[i%len(teamIDs)]
		e := pleo.Employee{ID: id, CompanyID: companyID, UserID: p.userID, TeamID: team, FirstName: p.first, LastName: p.last,
			Email: p.email, Code: fmt.Sprintf("%s-%03d", strings.ToUpper(spec.country), i+1),
			Phone:    fmt.Sprintf("+%s %08d", map[string]string{"DK": "45", "SE": "46"}[spec.country], 20_000_000+i*1_337),
			JobTitle: jobTitles[i%len(jobTitles)], CreatedAt: t0, UpdatedAt: t0}
		employees = append(employees, store.EmployeeRef{ID: id, TeamID: team})
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
	var groupTags []store.TagGroupRefs
	for gi, g := range groups {
		gid := key("tag-group", gi)
		if err := tx.InsertTagGroup(ctx, pleo.TagGroup{ID: gid, CompanyID: companyID, Name: g.name, Code: g.code,
			Metadata: map[string]string{"source": "demo"}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		refs := store.TagGroupRefs{ID: gid}
		for ti, name := range g.tags {
			tid := key(fmt.Sprintf("tag/%d", gi), ti)
			archived := ti == len(g.tags)-1 && gi == 0 // one archived tag to test filters
			if err := tx.InsertTag(ctx, pleo.Tag{ID: tid, GroupID: gid, Name: name, Code: fmt.Sprintf("%s-%02d", g.code, ti+1),
				Archived: archived, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
			if !archived {
				refs.TagIDs = append(refs.TagIDs, tid)
			}
		}
		groupTags = append(groupTags, refs)
	}

	// Tax codes.
	var taxCodes []store.TaxCodeRef
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
		taxCodes = append(taxCodes, store.TaxCodeRef{ID: id, Type: "inclusive"})
	}
	reverseCode, reverseID := spec.country+"RC", key("tax-code", len(spec.vatRates))
	if err := tx.InsertTaxCode(ctx, pleo.TaxCode{ID: reverseID, CompanyID: companyID, Name: "EU reverse charge", Code: &reverseCode,
		Rate: 0.25, Type: "reverse", CreatedAt: t0, UpdatedAt: t0}); err != nil {
		return err
	}

	// Chart of accounts.
	var accounts []store.AccountRef
	for i, a := range chartOfAccounts {
		id := key("account", i)
		code := a.code
		if err := tx.InsertAccount(ctx, pleo.Account{ID: id, CompanyID: companyID, ExternalID: "acc-" + a.code, Name: a.name,
			Code: &code, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
		accounts = append(accounts, store.AccountRef{ID: id, Code: code})
	}

	// Vendors: the merchants, one archived.
	var supplierIDs []string
	for i, m := range spec.merchants[:12] {
		state := "ACTIVE"
		if i == 11 {
			state = "ARCHIVED"
		} else {
			supplierIDs = append(supplierIDs, fmt.Sprintf("ext-vendor-%d", 1001+i))
		}
		if err := tx.InsertVendor(ctx, pleo.Vendor{ID: key("vendor", i), CompanyID: companyID, Name: m,
			Code: fmt.Sprintf("V%04d", 1001+i), ExternalID: fmt.Sprintf("ext-vendor-%d", 1001+i), Country: spec.country,
			DefaultCurrency: spec.currency, RegistrationNumber: fmt.Sprintf("%s%08d", spec.country, 30_000_000+i*97_531),
			State: state, CreatedAt: t0, UpdatedAt: t0}); err != nil {
			return err
		}
	}

	// Accounting entries spread over the 90 days before the anchor, from
	// the demo's random stream, in the demo's merchants.
	m := newEntryMaker(companyID, store.EntryRefs{Currency: spec.currency, Country: spec.country, Employees: employees,
		Accounts: accounts, TaxCodes: taxCodes, TagGroups: groupTags}, d.rng, d.anchor, entryWindowDays*24*time.Hour)
	m.key, m.merchants, m.supplierIDs = key, spec.merchants, supplierIDs
	for i := range entriesPerCompany {
		e := m.entry(i)
		if err := tx.InsertAccountingEntry(ctx, e); err != nil {
			return err
		}
		if err := insertReceipts(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// asciiLower lower-cases a name and folds the Nordic letters for email addresses.
func asciiLower(s string) string {
	return strings.NewReplacer("ø", "o", "å", "a", "æ", "ae", "ö", "o", "ä", "a").Replace(strings.ToLower(s))
}
