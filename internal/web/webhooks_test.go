package web_test

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/app"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// callJSON sends a JSON request (body may be "") and decodes the answer into out.
func callJSON(t *testing.T, method, target, bearer, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw := readBody(t, resp)
	if out != nil {
		if err := json.Unmarshal([]byte(raw), out); err != nil {
			t.Fatalf("%s %s: %d %s", method, target, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode
}

// subscribe registers the demo client, for Denmark, to both events at endpoint
// and returns the subscription's ID.
func subscribe(t *testing.T, lb *app.Loopback, endpoint string) string {
	t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if st := callJSON(t, http.MethodPost, lb.URL+"/_emulator/tokens", "", `{"client_id":"`+seed.DemoClientID+
		`","subject":"`+denmark.URN()+`","scope":"export-jobs:read vendors:read"}`, &tok); st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("mint: %d", st)
	}
	var sub struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if st := callJSON(t, http.MethodPost, lb.URL+"/v1/subscriptions", tok.AccessToken, `{"endpointUrl":"`+endpoint+
		`","eventTypes":["v1.export-job.created","v1.vendor.created"]}`, &sub); st != http.StatusOK || sub.Data.ID == "" {
		t.Fatalf("subscribe: %d", st)
	}
	return sub.Data.ID
}

// waitDelivered waits until the event's delivery has succeeded.
func waitDelivered(t *testing.T, lb *app.Loopback, eventID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var out struct {
			Deliveries []struct {
				State string `json:"state"`
			} `json:"deliveries"`
		}
		callJSON(t, http.MethodGet, lb.URL+"/_emulator/webhooks/deliveries?event_id="+url.QueryEscape(eventID), "", "", &out)
		if len(out.Deliveries) == 1 && out.Deliveries[0].State == "succeeded" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("event %s was not delivered", eventID)
}

// noticeIDs returns the UUIDs in the page's role=status notice.
func noticeIDs(t *testing.T, page string) []string {
	t.Helper()
	m := regexp.MustCompile(`role="status">([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no notice on the page")
	}
	return regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).FindAllString(m[1], -1)
}

func TestWebhooksPageListsSubscriptionsAndFiresCustomerActions(t *testing.T) {
	lb := startEmulator(t)
	var received atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		received.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "thanks from the receiver")
	}))
	defer rcv.Close()
	subID := subscribe(t, lb, rcv.URL+"/hooks")

	// Signed out: the listing, no actions, a way to sign in; linked from the start page.
	anon := newClient(t, lb.URL)
	_, start := anon.get("/")
	mustContain(t, start, `href="/webhooks"`)
	resp, page := anon.get("/webhooks")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /webhooks: %d", resp.StatusCode)
	}
	mustContain(t, page, "<h1>Webhooks</h1>", "<caption>", subID, rcv.URL+"/hooks", "v1.vendor.created",
		`href="/login?continue=/webhooks"`, "No deliveries yet.")
	mustNotContain(t, page, `action="/webhooks/export"`, "whsec_")
	resp, _ = anon.post("/webhooks/export", url.Values{"csrf_token": {anon.csrf("/login")}, "company_id": {seed.DenmarkID}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signed-out export: %d, want 401", resp.StatusCode)
	}

	// The bookkeeper exports Denmark: the job, the event, and its delivery with the attempt.
	c := newClient(t, lb.URL)
	c.logIn(seed.BookkeeperEmail)
	_, page = c.get("/webhooks")
	mustContain(t, page, `action="/webhooks/export"`, `action="/webhooks/vendor"`, "Export to ", `<label for="vendor-name-`)
	csrf := hidden(t, page, "csrf_token")
	if resp, body := c.post("/webhooks/export", url.Values{"company_id": {seed.DenmarkID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("export without CSRF token: %d %s", resp.StatusCode, body)
	}
	resp, _ = c.post("/webhooks/export", url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}})
	_, page = c.get(location(t, resp))
	ids := noticeIDs(t, page)
	if len(ids) != 2 {
		t.Fatalf("export notice names %v, want the job and the event", ids)
	}
	jobID, eventID := ids[0], ids[1]
	var job struct {
		Data struct {
			Status        string  `json:"status"`
			IsInteractive bool    `json:"isInteractive"`
			CreatedBy     *string `json:"createdBy"`
		} `json:"data"`
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	callJSON(t, http.MethodPost, lb.URL+"/_emulator/tokens", "", `{"client_id":"`+seed.DemoClientID+`","subject":"`+denmark.URN()+`","scope":"export-jobs:read"}`, &tok)
	if st := callJSON(t, http.MethodGet, lb.URL+"/v3/export-jobs/"+jobID, tok.AccessToken, "", &job); st != http.StatusOK ||
		job.Data.Status != "pending" || !job.Data.IsInteractive {
		t.Errorf("export job %s: %d %+v, want a pending interactive job", jobID, st, job.Data)
	}
	// The bookkeeper is Bo Bookkeeper, Acme Denmark's second employee.
	if want := seed.ID("acme-denmark/employee/1"); job.Data.CreatedBy == nil || *job.Data.CreatedBy != want {
		t.Errorf("export job createdBy %v, want the bookkeeper's employee %s", job.Data.CreatedBy, want)
	}
	waitDelivered(t, lb, eventID)
	_, page = c.get("/webhooks?subscription=" + subID)
	page = html.UnescapeString(page)
	mustContain(t, page, eventID, "v1.export-job.created", "200 OK", "webhook-signature", "webhook-id",
		`"eventType":"v1.export-job.created"`, "thanks from the receiver", " ms</td>")

	// A second export finds every entry in the first job: nothing to export.
	resp, _ = c.post("/webhooks/export", url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}})
	_, page = c.get(location(t, resp))
	mustContain(t, page, `role="alert">Nothing to export`)

	// Create vendor: a DRAFT vendor and v1.vendor.created.
	resp, body := c.post("/webhooks/vendor", url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}, "name": {" "}, "currency": {"DKK"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the vendor") {
		t.Errorf("vendor without a name: %d", resp.StatusCode)
	}
	resp, _ = c.post("/webhooks/vendor", url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}, "name": {"Nordic Paper ApS"}, "currency": {"dkk"}})
	_, page = c.get(location(t, resp))
	ids = noticeIDs(t, page)
	if len(ids) != 2 {
		t.Fatalf("vendor notice names %v, want the vendor and the event", ids)
	}
	waitDelivered(t, lb, ids[1])
	var vendor struct {
		Data struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"data"`
	}
	callJSON(t, http.MethodPost, lb.URL+"/_emulator/tokens", "", `{"client_id":"`+seed.DemoClientID+`","subject":"`+denmark.URN()+`","scope":"vendors:read"}`, &tok)
	if st := callJSON(t, http.MethodGet, lb.URL+"/v1/vendors/"+ids[0], tok.AccessToken, "", &vendor); st != http.StatusOK ||
		vendor.Data.Name != "Nordic Paper ApS" || vendor.Data.State != "DRAFT" {
		t.Errorf("vendor %s: %d %+v, want a DRAFT vendor", ids[0], st, vendor.Data)
	}
	_, page = c.get("/webhooks")
	mustContain(t, html.UnescapeString(page), `"name":"Nordic Paper ApS"`)
	if n := received.Load(); n != 2 {
		t.Errorf("receiver got %d requests, want 2", n)
	}

	// A company the user does not administer, a user who administers none,
	// and a post from another site are refused.
	resp, _ = c.post("/webhooks/export", url.Values{"csrf_token": {csrf}, "company_id": {"00000000-0000-4000-8000-000000000000"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("export for a foreign company: %d", resp.StatusCode)
	}
	emp := newClient(t, lb.URL)
	emp.logIn(seed.EmployeeEmail)
	_, page = emp.get("/webhooks")
	mustNotContain(t, page, `action="/webhooks/export"`)
	resp, _ = emp.post("/webhooks/vendor", url.Values{"csrf_token": {emp.csrf("/playground")}, "company_id": {seed.DenmarkID},
		"name": {"X"}, "currency": {"DKK"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("employee's vendor: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, lb.URL+"/webhooks/export", strings.NewReader(url.Values{"csrf_token": {csrf}, "company_id": {seed.DenmarkID}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site export: %d", resp.StatusCode)
	}

	// A crafted notice link shows nothing of its own.
	_, page = anon.get("/webhooks?done=export&job=" + url.QueryEscape("<b>pwned</b>") + "&event=x&error=evil")
	mustNotContain(t, page, "pwned", `role="status"`, `role="alert"`)
}
