package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

const search = "/v1/accounting-entries:search"

// allEntries returns every entry of token's company, deleted ones included.
func allEntries(e *env, token string) []pleo.AccountingEntry {
	return decodeItems[pleo.AccountingEntry](e.t, e.walk("POST", search, token, `{"includeDeleted":true}`, 100))
}

func TestEntriesAreBoundToTheSubject(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	count := func(token, query string) map[string]int {
		t.Helper()
		n := map[string]int{}
		for _, en := range decodeItems[pleo.AccountingEntry](t, e.walk("POST", search+query, token, "", 100)) {
			n[en.CompanyID]++
		}
		return n
	}
	if got := count("dk", ""); len(got) != 1 || got[seed.DenmarkID] != 217 {
		t.Errorf("Denmark token sees %v, want 217 Danish entries (220 less 3 deleted)", got)
	}
	if got := count("org", "?company_id="+seed.SwedenID); len(got) != 1 || got[seed.SwedenID] != 217 {
		t.Errorf("organisation token with company_id=Sweden sees %v", got)
	}
	if got := count("org", "?organization_id="+seed.OrganizationID); len(got) != 2 {
		t.Errorf("organisation token with organization_id sees %v", got)
	}
	// company_id wins over organization_id.
	if got := count("org", "?organization_id="+seed.OrganizationID+"&company_id="+seed.DenmarkID); len(got) != 1 || got[seed.DenmarkID] == 0 {
		t.Errorf("company_id and organization_id: %v", got)
	}
	msg := e.do("POST", search, "org", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
	if !strings.Contains(msg, "company_id") {
		t.Errorf("message %q does not name company_id", msg)
	}
	e.do("POST", search+"?company_id="+seed.SwedenID, "dk", "").fails(t, http.StatusForbidden, "FORBIDDEN")
	e.do("POST", search+"?organization_id="+unknownUUID, "org", "").fails(t, http.StatusForbidden, "FORBIDDEN")

	var one struct{ Data pleo.AccountingEntry }
	e.do("GET", "/v1/accounting-entries/"+dkEntry, "dk", "").ok(t, http.StatusOK, &one)
	if one.Data.ID != dkEntry || one.Data.CompanyID != seed.DenmarkID || one.Data.TransactionValue.Currency != "DKK" {
		t.Errorf("entry %+v", one.Data)
	}
	e.do("GET", "/v1/accounting-entries/"+seEntry, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+seEntry, "org", "").ok(t, http.StatusOK, nil)
	e.do("GET", "/v1/accounting-entries/"+unknownUUID, "org", "").fails(t, http.StatusNotFound, "NOT_FOUND")

	// Deleted entries are hidden unless asked for.
	e.do("GET", "/v1/accounting-entries/"+dkDeleted, "dk", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"?include_deleted=true", "dk", "").ok(t, http.StatusOK, &one)
	if one.Data.DeletedAt == nil {
		t.Error("deleted entry has no deletedAt")
	}
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"?include_deleted=true", "se", "").fails(t, http.StatusNotFound, "NOT_FOUND")
	e.do("GET", "/v1/accounting-entries/"+dkDeleted+"?include_deleted=maybe", "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

// TestEntryFilters compares each body filter with the same filter applied
// in Go to every entry of the company.
func TestEntryFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	all := allEntries(e, "dk")
	if len(all) != 220 {
		t.Fatalf("%d entries with includeDeleted, want 220", len(all))
	}
	pick := func(f func(pleo.AccountingEntry) string) string { // a value some entry has
		for _, en := range all {
			if v := f(en); v != "" {
				return v
			}
		}
		t.Fatal("no entry has the value")
		return ""
	}
	employee := pick(func(en pleo.AccountingEntry) string { return en.EmployeeID })
	team := pick(func(en pleo.AccountingEntry) string { return en.TeamID })
	account := pick(func(en pleo.AccountingEntry) string { return en.AccountID })
	taxCode := pick(func(en pleo.AccountingEntry) string { return en.TaxCodeID })
	tag := pick(func(en pleo.AccountingEntry) string {
		if len(en.Tags) > 0 {
			return en.Tags[0].TagID
		}
		return ""
	})
	group := pick(func(en pleo.AccountingEntry) string {
		if len(en.Tags) > 0 {
			return en.Tags[0].TagGroupID
		}
		return ""
	})
	mid := anchor.AddDate(0, 0, -45)
	before := func(t *time.Time, at time.Time) bool { return t != nil && t.Before(at) }
	alive := func(en pleo.AccountingEntry) bool { return en.DeletedAt == nil }

	cases := []struct {
		body string
		want func(pleo.AccountingEntry) bool
	}{
		{`{}`, alive},
		{`{"includeDeleted":false}`, alive},
		{`{"includeDeleted":true}`, func(pleo.AccountingEntry) bool { return true }},
		{`{"employeeIds":["` + strings.ToUpper(employee) + `"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.EmployeeID == employee }},
		{`{"teamIds":["` + team + `"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.TeamID == team }},
		{`{"accountIds":["` + account + `"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.AccountID == account }},
		{`{"taxCodeIds":["` + taxCode + `"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.TaxCodeID == taxCode }},
		{`{"status":["PENDING","DRAFT"]}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && (en.Status == "PENDING" || en.Status == "DRAFT")
		}},
		{`{"exportStatus":["EXPORTED"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.ExportStatus == "EXPORTED" }},
		{`{"families":["MILEAGE","PER_DIEM"]}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && (en.Family == "MILEAGE" || en.Family == "PER_DIEM")
		}},
		{`{"subFamilies":["ONLINE"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.SubFamily == "ONLINE" }},
		{`{"reviewStatus":["WAITING_FOR_REVIEWER"]}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.ReviewStatus == "WAITING_FOR_REVIEWER" }},
		{`{"transactionValueCurrencies":["DKK"]}`, alive},
		{`{"transactionValueCurrencies":["EUR"]}`, func(pleo.AccountingEntry) bool { return false }},
		{`{"foreignExtensionIds":["x"]}`, func(pleo.AccountingEntry) bool { return false }},
		{`{"tagRowIds":["` + tag + `"]}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && slices.ContainsFunc(en.Tags, func(g pleo.EntryTag) bool { return g.TagID == tag })
		}},
		{`{"tagGroupIdsUnset":["` + group + `"]}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && !slices.ContainsFunc(en.Tags, func(g pleo.EntryTag) bool { return g.TagGroupID == group && g.TagID != "" })
		}},
		{`{"settled":true}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.SettledAt != nil }},
		{`{"settled":false}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.SettledAt == nil }},
		{`{"hasNote":true}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.Note != "" }},
		{`{"hasNote":false}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.Note == "" }},
		{`{"hasAccount":false}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.AccountID == "" }},
		{`{"hasBookkeepingDate":true}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.BookkeepingDate != nil }},
		{`{"performedAtStart":"` + mid.Format(time.RFC3339) + `"}`, func(en pleo.AccountingEntry) bool { return alive(en) && !en.PerformedAt.Before(mid) }},
		{`{"performedAtEnd":"` + mid.Format(time.RFC3339) + `"}`, func(en pleo.AccountingEntry) bool { return alive(en) && en.PerformedAt.Before(mid) }},
		{`{"performedAtStart":"` + mid.Add(-72*time.Hour).Format(time.RFC3339) + `","performedAtEnd":"` + mid.Format("2006-01-02T15:04:05") + "+02:00" + `"}`,
			func(en pleo.AccountingEntry) bool {
				return alive(en) && !en.PerformedAt.Before(mid.Add(-72*time.Hour)) && en.PerformedAt.Before(mid.Add(-2*time.Hour))
			}},
		{`{"settledAtEnd":"` + mid.Format(time.RFC3339) + `"}`, func(en pleo.AccountingEntry) bool { return alive(en) && before(en.SettledAt, mid) }},
		{`{"settledAtStart":"` + mid.Format(time.RFC3339) + `","settled":true}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && en.SettledAt != nil && !en.SettledAt.Before(mid)
		}},
		{`{"bookkeepingDateEnd":"` + mid.Format(time.RFC3339) + `"}`, func(en pleo.AccountingEntry) bool { return alive(en) && before(en.BookkeepingDate, mid) }},
		{`{"families":["CARD_PURCHASE"],"status":["COMPLETED"],"hasNote":true,"unknownField":[1,2,3]}`, func(en pleo.AccountingEntry) bool {
			return alive(en) && en.Family == "CARD_PURCHASE" && en.Status == "COMPLETED" && en.Note != ""
		}},
	}
	for _, c := range cases {
		var want []string
		for _, en := range all {
			if c.want(en) {
				want = append(want, en.ID)
			}
		}
		var got []string
		for _, en := range decodeItems[pleo.AccountingEntry](t, e.walk("POST", search, "dk", c.body, 100)) {
			got = append(got, en.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d entries, want %d", c.body, len(got), len(want))
		}
		if len(want) == len(all) && !strings.Contains(c.body, "includeDeleted\":true") || len(want) == 0 && !strings.Contains(c.body, "EUR") && !strings.Contains(c.body, `"x"`) {
			t.Errorf("%s: filter selects %d of %d entries; the case does not test it", c.body, len(want), len(all))
		}
	}
}

func TestEntrySearchValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", unknownUUID)
	}
	cases := []struct {
		body, typ, mention string
	}{
		{`{"employeeIds":["` + unknownUUID + `","nope"]}`, "VALIDATION_FAILED", "employeeIds[1]"},
		{`{"employeeIds":[` + strings.Join(ids, ",") + `]}`, "VALIDATION_FAILED", "employeeIds"},
		{`{"families":["CARD_PURCHASE","NOPE"]}`, "VALIDATION_FAILED", "families[1]"},
		{`{"status":["completed"]}`, "VALIDATION_FAILED", "status[0]"},
		{`{"exportStatus":["DONE"]}`, "VALIDATION_FAILED", "exportStatus[0]"},
		{`{"reviewStatus":["MAYBE"]}`, "VALIDATION_FAILED", "reviewStatus[0]"},
		{`{"subFamilies":["TRAIN"]}`, "VALIDATION_FAILED", "subFamilies[0]"},
		{`{"transactionValueCurrencies":["dkk"]}`, "VALIDATION_FAILED", "transactionValueCurrencies[0]"},
		{`{"performedAtStart":"yesterday"}`, "VALIDATION_FAILED", "performedAtStart"},
		{`{"settledAtEnd":"2026-01-01"}`, "VALIDATION_FAILED", "settledAtEnd"},
		{`{"performedAtStart":"2026-01-01T00:00:00Z","settledAtEnd":"2026-02-01T00:00:00Z"}`, "VALIDATION_FAILED", "settledAtStart"},
		{`{"settled":"yes"}`, "JSON_MAPPING_EXCEPTION", "settled"},
		{`{"employeeIds":"` + unknownUUID + `"}`, "JSON_MAPPING_EXCEPTION", "employeeIds"},
		{`{"families":[`, "JSON_MAPPING_EXCEPTION", "JSON"},
		{`[]`, "JSON_MAPPING_EXCEPTION", "object"},
	}
	for _, c := range cases {
		msg := e.do("POST", search, "dk", c.body).fails(t, http.StatusBadRequest, c.typ)
		if !strings.Contains(msg, c.mention) {
			t.Errorf("%s: message %q does not mention %q", c.body, msg, c.mention)
		}
	}
	big := `{"foreignExtensionIds":["` + strings.Repeat("x", 1<<20) + `"]}`
	e.do("POST", search, "dk", big).fails(t, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
}
