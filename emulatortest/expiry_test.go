package emulatortest_test

// The tests in this file show the three ways to test expiry against the
// emulator, and why there are three: the emulator's clock (AdvanceClock,
// SetClock) moves every expiry the emulator checks and every timestamp it
// writes, but not the client's clock. golang.org/x/oauth2 sets a token's
// Expiry to its own time.Now() plus expires_in when the token arrives, and
// refreshes only once that Expiry, less a 10-second margin, has passed by
// its own clock.
//
//  1. Expiry as the client meets it in production: the API answers 401
//     invalid_token, the client refreshes and retries once (Refresher).
//  2. A short access-token lifetime (WithAccessTokenTTL), so the client's
//     own clock sees the expiry in real time.
//  3. The emulator's clock, for what only the emulator checks: refresh
//     tokens, codes, login sessions, export jobs.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/emulatortest"
)

// requestCounter is an http.RoundTripper that counts requests to the token
// endpoint and the others.
type requestCounter struct{ token, other atomic.Int64 }

func (c *requestCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/oauth/token" {
		c.token.Add(1)
	} else {
		c.other.Add(1)
	}
	return http.DefaultTransport.RoundTrip(req)
}

// countRequests returns a context whose HTTP client counts the requests
// that x/oauth2 and Refresher send with it: token requests always, API
// requests when the client is Refresher.Client.
func countRequests(t *testing.T) (context.Context, *requestCounter) {
	c := &requestCounter{}
	return context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: c}), c
}

// send makes one request and returns the status, the WWW-Authenticate
// header and the body.
func send(t *testing.T, c *http.Client, method, url string, body io.Reader) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), raw
}

// 1. AdvanceClock expires the access token at the emulator only. x/oauth2
// still holds it valid by its own clock, sends it and gets 401
// invalid_token; a client that refreshes on that answer and sends the
// request again carries on. Production clients need this anyway: their
// clock and the server's can disagree, and an access token can be revoked
// on its own.
func TestExpiryAdvanceClockNeedsARefreshOn401(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	ctx, counter := countRequests(t)
	tokenRequests := &counter.token
	conf := emu.OAuth2Config("users:read", "vendors:read")
	tok := emu.AuthorizeAndExchange(t, ctx, conf) // token request 1
	introspect := emu.APIBaseURL() + "/v1/introspect"

	emu.AdvanceClock(t, 16*time.Minute)

	// x/oauth2 alone: by its clock the token has about 15 minutes left.
	status, challenge, _ := send(t, conf.Client(ctx, tok), http.MethodGet, introspect, nil)
	if status != http.StatusUnauthorized || challenge != `Bearer error="invalid_token"` || tokenRequests.Load() != 1 {
		t.Fatalf("x/oauth2 after AdvanceClock: %d %q, %d token requests; want 401 invalid_token and no refresh",
			status, challenge, tokenRequests.Load())
	}

	// Refresher: the 401 makes it refresh once and send the request again.
	r := emulatortest.NewRefresher(ctx, conf, tok)
	api := r.Client()
	if status, _, body := send(t, api, http.MethodGet, introspect, nil); status != http.StatusOK || tokenRequests.Load() != 2 {
		t.Fatalf("Refresher after AdvanceClock: %d %s, %d token requests; want 200 after one refresh", status, body, tokenRequests.Load())
	}
	fresh, err := r.Token()
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || tokenRequests.Load() != 2 {
		t.Fatalf("Token after the refresh: %v; want the new pair, with no further refresh", err)
	}

	// A request body that can be replayed (strings.Reader) is sent again.
	emu.AdvanceClock(t, 16*time.Minute)
	search := emu.APIBaseURL() + "/v1/vendors:search?company_id=" + emulatortest.DenmarkCompanyID
	if status, _, body := send(t, api, http.MethodPost, search, strings.NewReader(`{}`)); status != http.StatusOK || tokenRequests.Load() != 3 {
		t.Fatalf("POST with a replayable body: %d %s, %d token requests", status, body, tokenRequests.Load())
	}

	// One that cannot (a plain io.Reader has no GetBody) is not: the caller
	// gets the 401, and the next request refreshes before it is sent.
	emu.AdvanceClock(t, 16*time.Minute)
	oneShot := io.MultiReader(strings.NewReader(`{}`))
	if status, challenge, _ := send(t, api, http.MethodPost, search, oneShot); status != http.StatusUnauthorized ||
		challenge != `Bearer error="invalid_token"` || tokenRequests.Load() != 3 {
		t.Fatalf("POST with a one-shot body: %d %q, %d token requests; want the 401 and no refresh", status, challenge, tokenRequests.Load())
	}
	sent := counter.other.Load()
	if status, _, _ := send(t, api, http.MethodGet, introspect, nil); status != http.StatusOK || tokenRequests.Load() != 4 || counter.other.Load() != sent+1 {
		t.Fatalf("the request after: %d, %d token requests, %d API requests; want 200 from one API request after one refresh",
			status, tokenRequests.Load(), counter.other.Load()-sent)
	}
}

// Requests rejected with the same access token cause one refresh, however
// many run at once.
func TestRefresherRefreshesOnceForConcurrentRejections(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	ctx, counter := countRequests(t)
	tokenRequests := &counter.token
	conf := emu.OAuth2Config()
	api := emulatortest.NewRefresher(ctx, conf, emu.Token(t, "users:read")).Client()
	emu.AdvanceClock(t, 16*time.Minute)

	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, emu.APIBaseURL()+"/v1/introspect", nil)
			resp, err := api.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("request %d: %d", i, s)
		}
	}
	if n := tokenRequests.Load(); n != 1 {
		t.Errorf("%d refreshes for one rejected access token, want 1", n)
	}
}

// 2a. A short lifetime, with x/oauth2's defaults: it treats a token as
// expired 10 seconds before its Expiry, so a token with expires_in of 10 or
// less counts as expired on arrival and x/oauth2 refreshes before every
// request. The refresh path runs on every call, with no waiting. Five
// seconds, not one, so that on a loaded machine each fresh token still
// lives when its request arrives.
func TestExpiryShortLifetimeRefreshesBeforeEveryRequest(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t, emulatortest.WithAccessTokenTTL(5*time.Second))
	ctx, counter := countRequests(t)
	tokenRequests := &counter.token
	conf := emu.OAuth2Config("users:read")
	tok := emu.AuthorizeAndExchange(t, ctx, conf)
	if tok.ExpiresIn != 5 || tok.Valid() {
		t.Fatalf("expires_in %d, valid %v; want 5 and not valid to x/oauth2", tok.ExpiresIn, tok.Valid())
	}
	api := conf.Client(ctx, tok)
	for i := range 3 {
		if status, _, body := send(t, api, http.MethodGet, emu.APIBaseURL()+"/v1/introspect", nil); status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
		if n := tokenRequests.Load(); n != int64(i+2) {
			t.Fatalf("after request %d: %d token requests, want %d (the exchange and one refresh per request)", i+1, n, i+2)
		}
	}
}

// 2b. A short lifetime and a margin below it, so x/oauth2 uses the token,
// sees it expire by its own clock and refreshes, in real time. The
// emulator's clock follows the real time here, so it refuses the first
// token once its expiry has passed; no AdvanceClock is needed. This test
// sleeps about five seconds: the first request has four of them to arrive
// before the margin, which a loaded machine needs.
func TestExpiryShortLifetimeSeenByTheClientsClock(t *testing.T) {
	t.Parallel()
	const ttl, margin = 5 * time.Second, time.Second
	emu := emulatortest.New(t, emulatortest.WithAccessTokenTTL(ttl))
	ctx, counter := countRequests(t)
	tokenRequests := &counter.token
	conf := emu.OAuth2Config()
	tok := emu.Token(t, "users:read") // from the control API: the first request follows within the second
	introspect := emu.APIBaseURL() + "/v1/introspect"

	// Refresh `margin` before Expiry instead of x/oauth2's 10 seconds. The
	// margin must cover the JWT's exp being whole seconds (up to a second
	// earlier than issue time plus expires_in) and the response's travel.
	api := oauth2.NewClient(ctx, oauth2.ReuseTokenSourceWithExpiry(tok, conf.TokenSource(ctx, tok), margin))
	if status, _, _ := send(t, api, http.MethodGet, introspect, nil); status != http.StatusOK || tokenRequests.Load() != 0 {
		t.Fatalf("first request: %d, %d token requests; want 200 with the token as issued", status, tokenRequests.Load())
	}

	time.Sleep(time.Until(tok.Expiry.Add(-margin)) + 10*time.Millisecond)
	if status, _, _ := send(t, api, http.MethodGet, introspect, nil); status != http.StatusOK || tokenRequests.Load() != 1 {
		t.Fatalf("after the client's clock passed the expiry: %d, %d token requests; want 200 after a refresh", status, tokenRequests.Load())
	}

	time.Sleep(time.Until(tok.Expiry))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, introspect, nil)
	tok.SetAuthHeader(req)
	resp, err := emu.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the first access token after its expiry: %d, want 401", resp.StatusCode)
	}
}

// 3. The emulator's clock, for the expiries only the emulator checks. A
// refresh token past its lifetime is refused with invalid_grant (and its
// grant revoked); each refresh issues a refresh token with a full lifetime.
func TestExpiryRefreshTokenByTheEmulatorsClock(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t, emulatortest.WithRefreshTokenTTL(time.Hour))
	api := emulatortest.NewRefresher(t.Context(), emu.OAuth2Config(), emu.Token(t, "users:read")).Client()
	introspect := emu.APIBaseURL() + "/v1/introspect"

	emu.AdvanceClock(t, 59*time.Minute) // the access token has expired, the refresh token not yet
	if status, _, body := send(t, api, http.MethodGet, introspect, nil); status != http.StatusOK {
		t.Fatalf("within the refresh token's hour: %d %s", status, body)
	}

	emu.AdvanceClock(t, time.Hour+time.Second) // past the new refresh token's hour
	_, err := api.Get(introspect)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("after the refresh token's hour: %v, want invalid_grant from the token endpoint", err)
	}
}

// 3. An authorisation code lives 10 minutes by the emulator's clock.
func TestExpiryCodeByTheEmulatorsClock(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read")
	code := func(state, verifier string) string {
		back := emu.Authorize(t, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		return back.Query().Get("code")
	}

	verifier := oauth2.GenerateVerifier()
	fresh := code("s1", verifier)
	emu.AdvanceClock(t, 10*time.Minute-5*time.Second)
	if _, err := conf.Exchange(t.Context(), fresh, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("a code just under 10 minutes old: %v", err)
	}

	stale := code("s2", verifier)
	emu.AdvanceClock(t, 10*time.Minute)
	_, err := conf.Exchange(t.Context(), stale, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("a code 10 minutes old: %v, want invalid_grant", err)
	}
}

// 3. A login session lives 12 hours by the emulator's clock. The browser
// (here a cookie jar) keeps sending its cookie, whose Max-Age runs on the
// real clock; the emulator decides the session is over and asks for the
// login again.
func TestExpirySessionByTheEmulatorsClock(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	conf := emu.OAuth2Config("users:read")
	authURL := func(state string) string {
		return conf.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	emu.Authorize(t, authURL("s1"), emulatortest.WithCookieJar(jar)) // logs in as the demo admin

	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	loginAsked := func() bool {
		t.Helper()
		resp, err := browser.Get(authURL("s"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), "/login")
	}
	if loginAsked() {
		t.Fatal("the session was not kept in the jar")
	}
	emu.AdvanceClock(t, 12*time.Hour-time.Minute)
	if loginAsked() {
		t.Fatal("the session ended before 12 hours")
	}
	emu.AdvanceClock(t, 2*time.Minute)
	if !loginAsked() {
		t.Fatal("the session outlived 12 hours on the emulator's clock")
	}
	// Authorize with the same jar logs in again.
	if back := emu.Authorize(t, authURL("s2"), emulatortest.WithCookieJar(jar)); back.Query().Get("code") == "" {
		t.Fatalf("no code after logging in again: %s", back)
	}
}

// exportJob is the part of an export job the test reads.
type exportJob struct {
	ID                string     `json:"id"`
	Status            string     `json:"status"`
	ExpiresIn         int        `json:"expiresIn"`
	ExpiredAt         *time.Time `json:"expiredAt"`
	FailureReasonType string     `json:"failureReasonType"`
}

// 3. An unfinished export job expires an hour after its last action, by the
// emulator's clock; expiresIn counts down on that clock. The clock is set
// (frozen) first, so the numbers are exact. The access token expires along
// the way, so the API client is a Refresher.
func TestExpiryExportJobByTheEmulatorsClock(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	start := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
	emu.SetClock(t, start)
	api := emulatortest.NewRefresher(t.Context(), emu.OAuth2Config(), emu.Token(t, "export-jobs:read", "export-jobs:write")).Client()

	job := func(method, path string, body io.Reader, want int) exportJob {
		t.Helper()
		status, _, raw := send(t, api, method, emu.APIBaseURL()+path, body)
		if status != want {
			t.Fatalf("%s %s: %d %s", method, path, status, raw)
		}
		var out struct{ Data exportJob }
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		return out.Data
	}
	created := job(http.MethodPost, "/v3/export-jobs",
		strings.NewReader(`{"companyId": "`+emulatortest.DenmarkCompanyID+`", "accountingEntryIds": []}`), http.StatusCreated)
	if created.Status != "pending" || created.ExpiresIn != 3600 {
		t.Fatalf("new job: %+v, want pending with expiresIn 3600", created)
	}

	emu.AdvanceClock(t, 30*time.Minute)
	if got := job(http.MethodGet, "/v3/export-jobs/"+created.ID, nil, http.StatusOK); got.Status != "pending" || got.ExpiresIn != 1800 {
		t.Fatalf("after 30 minutes: %+v, want pending with expiresIn 1800", got)
	}

	emu.AdvanceClock(t, 30*time.Minute)
	got := job(http.MethodGet, "/v3/export-jobs/"+created.ID, nil, http.StatusOK)
	if got.Status != "failed" || got.FailureReasonType != "job_expired" || got.ExpiresIn != 0 ||
		got.ExpiredAt == nil || !got.ExpiredAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("after an hour: %+v, want failed, job_expired at %s, expiresIn 0", got, start.Add(time.Hour))
	}
}

// A fault's Retry-After is only a header: faults count requests, not time,
// so the emulator answers a retry that comes sooner, and its clock plays no
// part. A client that honours Retry-After waits in real time.
func TestFaultRetryAfterIsOnlyAHeader(t *testing.T) {
	t.Parallel()
	emu := emulatortest.New(t)
	api := emu.OAuth2Config().Client(t.Context(), emu.Token(t, "users:read"))
	emu.InjectFault(t, emulatortest.Fault{Target: "GET /v1/introspect", Status: http.StatusTooManyRequests, RetryAfter: 30})

	resp, err := api.Get(emu.APIBaseURL() + "/v1/introspect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("faulted request: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if status, _, body := send(t, api, http.MethodGet, emu.APIBaseURL()+"/v1/introspect", nil); status != http.StatusOK {
		t.Fatalf("immediate retry: %d %s, want 200", status, body)
	}
}
