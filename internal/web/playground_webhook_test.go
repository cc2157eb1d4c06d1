package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// playgroundFlow runs the playground's flow for the demo client with scopes,
// approving for Denmark as c's signed-in user, up to the tokens.
func playgroundFlow(t *testing.T, c *client, scopes ...string) {
	t.Helper()
	form := url.Values{"csrf_token": {c.csrf("/playground")}, "client_id": {seed.DemoClientID},
		"client_secret": {seed.DemoClientSecret}, "scope": scopes}
	c.post("/playground/authorize", form)
	_, page := c.get("/playground")
	m := regexp.MustCompile(`id="open-authorize" href="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no authorization link on step 2")
	}
	_, consent := c.get(html.UnescapeString(m[1]))
	resp, _ := c.post("/oauth/consent", url.Values{"csrf_token": {hidden(t, consent, "csrf_token")},
		"request": {hidden(t, consent, "request")}, "decision": {"approve"}, "subject": {denmark.URN()}})
	c.get(location(t, resp))
	resp, _ = c.post("/playground/exchange", url.Values{"csrf_token": {c.csrf("/playground")}})
	if loc := location(t, resp); loc != "/playground#step-4" {
		t.Fatalf("exchange went to %s", loc)
	}
}

func TestPlaygroundReceiverVerifiesADelivery(t *testing.T) {
	lb := startEmulator(t)
	c := newClient(t, lb.URL)
	c.logIn(seed.AdminEmail)

	// Without export-jobs:read the playground says what is missing.
	playgroundFlow(t, c, "users:read")
	_, page := c.get("/playground")
	mustContain(t, page, `id="webhook"`, "Subscriptions need the <code>export-jobs:read</code> scope")
	mustNotContain(t, page, `action="/playground/webhook-subscribe"`)

	playgroundFlow(t, c, "export-jobs:read", "vendors:read")
	_, page = c.get("/playground")
	mustContain(t, page, `action="/playground/webhook-subscribe"`, `href="/webhooks"`)
	resp, _ := c.post("/playground/webhook-subscribe", url.Values{"csrf_token": {c.csrf("/playground")}})
	if loc := location(t, resp); loc != "/playground#webhook" {
		t.Fatalf("subscribe went to %s", loc)
	}
	_, page = c.get("/playground")
	mustContain(t, page, "Subscribe the built-in receiver", "Read the subscription&#39;s signing secret", "Nothing has arrived yet.")
	m := regexp.MustCompile(`<code class="url">(http://[^<]+/playground/webhook-receiver/[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no receiver URL on the page")
	}
	receiver := m[1]

	// A forged request to the receiver is rejected and shown as such.
	req, _ := http.NewRequest(http.MethodPost, receiver, strings.NewReader(`{"payload":{}}`))
	req.Header.Set("webhook-id", "msg_forged")
	req.Header.Set("webhook-timestamp", "1700000000")
	req.Header.Set("webhook-signature", "v1,AAAA")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged delivery: %v %v", resp, err)
	}
	if resp, _ := c.post(receiver[:strings.LastIndex(receiver, "/")]+"/unknown", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown receiver: %d", resp.StatusCode)
	}

	// A real delivery arrives and verifies.
	resp, _ = c.post("/webhooks/vendor", url.Values{"csrf_token": {c.csrf("/webhooks")}, "company_id": {seed.DenmarkID},
		"name": {"Receiver Test ApS"}, "currency": {"DKK"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create vendor: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, page = c.get("/playground")
		if strings.Contains(page, "signature verified") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustContain(t, page, "<code>v1.vendor.created</code> arrived", "signature verified", "it is listed, so the delivery comes",
		"the receiver answered 200", "signature rejected", "msg_forged")
}
