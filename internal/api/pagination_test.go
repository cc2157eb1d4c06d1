package api_test

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestListsWalkBothWays walks every list route forwards and backwards with
// page sizes that do and do not divide the total.
func TestListsWalkBothWays(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		method, path, token, body string
		total                     int
	}{
		{"GET", "/v2/employees", "dk", "", 30},
		{"GET", "/v2/employees", "org", "", 60},
		{"GET", "/v2/employees?sorting_keys=lastName&sorting_order=DESC", "org", "", 60},
		{"GET", "/v2/employees?sorting_keys=code,firstName", "org", "", 60},
		{"GET", "/v1/companies", "org", "", 2},
		{"GET", "/v1/companies?sorting_keys=name&sorting_order=DESC", "org", "", 2},
		{"POST", search, "dk", "", 217},
		{"POST", search + "?organization_id=" + seed.OrganizationID, "org", `{"includeDeleted":true}`, 440},
	} {
		for _, limit := range []int{1, 7, 100} {
			if limit == 1 && c.total > 60 {
				continue
			}
			if got := len(e.walk(c.method, c.path, c.token, c.body, limit)); got != c.total {
				t.Errorf("%s %s limit %d: %d items, want %d", c.method, c.path, limit, got, c.total)
			}
		}
	}
}

// TestEntrySortOrders walks accounting entries in orders over nullable keys
// and checks the order, NULL placement and the id tiebreak.
func TestEntrySortOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	type key struct {
		name  string
		order string
		get   func(pleo.AccountingEntry) *time.Time
	}
	settled := func(en pleo.AccountingEntry) *time.Time { return en.SettledAt }
	booked := func(en pleo.AccountingEntry) *time.Time { return en.BookkeepingDate }
	performed := func(en pleo.AccountingEntry) *time.Time { return &en.PerformedAt }
	for _, keys := range [][]key{
		{{"performedAt", "", performed}},
		{{"performedAt", "DESC", performed}},
		{{"settledAt", "ASC", settled}},
		{{"settledAt", "DESC", settled}},
		{{"settledAt", "ASC_NULLS_FIRST", settled}},
		{{"settledAt", "DESC_NULLS_LAST", settled}},
		{{"bookkeepingDate", "DESC_NULLS_LAST", booked}, {"settledAt", "ASC_NULLS_FIRST", settled}},
		{{"bookkeepingDate", "ASC", booked}, {"id", "DESC", nil}},
	} {
		var names, orders []string
		for _, k := range keys {
			names, orders = append(names, "sorting_keys="+k.name), append(orders, "sorting_order="+k.order)
		}
		path := search + "?" + strings.Join(names, "&")
		if keys[0].order != "" {
			path += "&" + strings.Join(orders, "&")
		}
		items := decodeItems[pleo.AccountingEntry](t, e.walk("POST", path, "dk", `{"includeDeleted":true}`, 23))
		compare := func(a, b pleo.AccountingEntry) int {
			for _, k := range keys {
				desc := strings.HasPrefix(k.order, "DESC")
				if k.get == nil { // id
					if desc {
						return cmp.Compare(b.ID, a.ID)
					}
					return cmp.Compare(a.ID, b.ID)
				}
				// Plain ASC puts NULLs last, plain DESC first (PostgreSQL's defaults).
				nullsFirst := strings.HasSuffix(k.order, "NULLS_FIRST") || k.order == "DESC"
				x, y := k.get(a), k.get(b)
				switch {
				case x == nil && y == nil:
					continue
				case x == nil || y == nil:
					if (x == nil) == nullsFirst {
						return -1
					}
					return 1
				}
				if c := x.Compare(*y); c != 0 {
					if desc {
						return -c
					}
					return c
				}
			}
			return cmp.Compare(a.ID, b.ID)
		}
		if !slices.IsSortedFunc(items, compare) {
			t.Errorf("%s: entries are not in order", path)
		}
	}
}

func TestOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	all := e.list("GET", "/v2/employees?limit=30", "dk", "").ids(t)
	p := e.list("GET", "/v2/employees?limit=5&offset=10", "dk", "")
	if got := p.ids(t); !slices.Equal(got, all[10:15]) {
		t.Errorf("offset 10: %v, want %v", got, all[10:15])
	}
	if !p.Pagination.HasPreviousPage || !p.Pagination.HasNextPage {
		t.Errorf("offset 10 page: hasPrevious %v, hasNext %v", p.Pagination.HasPreviousPage, p.Pagination.HasNextPage)
	}
	// A cursor from an offset page continues from there.
	if got := e.list("GET", "/v2/employees?limit=5&after="+p.Pagination.EndCursor, "dk", "").ids(t); !slices.Equal(got, all[15:20]) {
		t.Errorf("after the offset page: %v", got)
	}
	// Accounting entries have no offset (Pleo declares none): it is ignored.
	if p := e.list("POST", search+"?limit=5&offset=10", "dk", ""); p.Pagination.HasPreviousPage {
		t.Error("offset on accounting entries was not ignored")
	}
}

func TestPagingParameterErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first := e.list("GET", "/v2/employees?limit=5", "dk", "")
	cursor := first.Pagination.EndCursor
	if strings.Trim(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=~") != "" {
		t.Fatalf("cursor %q does not match ^[A-Z2-7=~]+$", cursor)
	}
	for _, c := range []struct{ path, param string }{
		{"/v2/employees?limit=0", "limit"},
		{"/v2/employees?limit=101", "limit"},
		{"/v2/employees?limit=ten", "limit"},
		{"/v2/employees?offset=-1", "offset"},
		{"/v2/employees?offset=5&after=" + cursor, "offset"},
		{"/v2/employees?after=" + cursor + "&before=" + cursor, "before"},
		{"/v2/employees?after=not-a-cursor", "after"},
		{"/v2/employees?after=" + strings.ToLower(cursor), "after"},
		{"/v2/employees?before=MZXW6===", "before"},
		{"/v2/employees?after=" + cursor + "&sorting_keys=email", "after"}, // made for another order
		{"/v2/employees?sorting_keys=salary", "sorting_keys"},
		{"/v2/employees?sorting_keys=email&sorting_keys=email", "sorting_keys"},
		{"/v2/employees?sorting_keys=email&sorting_order=UP", "sorting_order"},
		{"/v2/employees?sorting_keys=email&sorting_order=ASC&sorting_order=DESC", "sorting_order"},
		{"/v2/employees?sorting_order=ASC", "sorting_order"},
		{"/v1/companies?limit=0", "limit"},
		{search + "?limit=101", "limit"},
		{search + "?sorting_keys=amount", "sorting_keys"},
	} {
		method := "GET"
		if strings.HasPrefix(c.path, search) {
			method = "POST"
		}
		msg := e.do(method, c.path, "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
		if !strings.Contains(msg, "'"+c.param+"'") {
			t.Errorf("%s: message %q does not name %s", c.path, msg, c.param)
		}
	}
	// An employee cursor is refused by the accounting entries list.
	e.do("POST", search+"?after="+cursor, "dk", "").fails(t, http.StatusBadRequest, "PARAMETER_VALIDATION_FAILED")
}

func TestPageEcho(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("GET", "/v2/employees?companyId="+seed.DenmarkID+"&limit=3&sorting_keys=email&sorting_order=DESC&ignored=1", "dk", "")
	var p struct {
		Pagination struct {
			CurrentRequestPagination map[string]any `json:"currentRequestPagination"`
		} `json:"pagination"`
	}
	r.ok(t, http.StatusOK, &p)
	got := string(mustMarshal(t, p.Pagination.CurrentRequestPagination))
	want := `{"limit":3,"parameters":{"companyId":["` + seed.DenmarkID + `"]},"sortingKeys":["email"],"sortingOrder":["DESC"]}`
	if got != want {
		t.Errorf("currentRequestPagination\n got %s\nwant %s", got, want)
	}
}
