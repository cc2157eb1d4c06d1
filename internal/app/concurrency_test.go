package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// lockWords are what a response must never mention: SQLite's busy and
// locked errors leaking out of the single-writer store.
var lockWords = regexp.MustCompile(`(?i)sqlite_busy|database is locked|\blocked\b`)

// watch is an http.RoundTripper that reads every response and fails the
// test on a 5xx status or a body that mentions a locked database. It counts
// the responses it saw.
type watch struct {
	t         *testing.T
	next      http.RoundTripper
	responses atomic.Int64
}

func newWatch(t *testing.T) *watch {
	return &watch{t: t, next: &http.Transport{MaxIdleConnsPerHost: 64}}
}

func (w *watch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	w.check(req.Method+" "+req.URL.Path, resp.StatusCode, string(body))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// check is the watch's rule, also applied to responses read by other helpers.
func (w *watch) check(what string, status int, body string) {
	w.responses.Add(1)
	if status >= 500 || lockWords.MatchString(body) {
		w.t.Errorf("%s: status %d: %s", what, status, body)
	}
}

// client is an HTTP client whose responses the watch checks.
func (w *watch) client() *http.Client { return &http.Client{Transport: w} }

// isInvalidGrant reports whether err is the token endpoint's 400 invalid_grant.
func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant" && re.Response.StatusCode == http.StatusBadRequest
}

// refreshChain refreshes tok rounds times, each time with the refresh token
// the previous refresh returned, and checks that every refresh rotates both
// tokens and retires the refresh token it used. It returns the last pair.
func refreshChain(ctx context.Context, t *testing.T, e *apptest.Emulator, conf *oauth2.Config, tok *oauth2.Token, rounds int) *oauth2.Token {
	t.Helper()
	for range rounds {
		next, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if next.AccessToken == "" || next.RefreshToken == "" || next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
			t.Fatal("a refresh did not rotate both tokens")
		}
		if e.Introspect(t, tok.RefreshToken)["active"] != false {
			t.Fatal("a rotated refresh token is still active")
		}
		tok = next
	}
	return tok
}

// mintToken mints a pair for the demo client and the Denmark company
// through the control API, as an oauth2.Token.
func mintToken(t *testing.T, e *apptest.Emulator, scope string) *oauth2.Token {
	t.Helper()
	m := e.Mint(t, `{"client_id": "demo-client", "subject": "`+seed.DenmarkID+`", "scope": "`+scope+`"}`)
	return &oauth2.Token{AccessToken: m.AccessToken, RefreshToken: m.RefreshToken, TokenType: "Bearer",
		Expiry: time.Now().Add(time.Duration(m.ExpiresIn) * time.Second)}
}

// TestEverythingAtOnceOnAFileDatabase runs, at the same time against one
// emulator on a file database, full authorisation flows (login, consent,
// code exchange, and a replay of some codes), refresh chains, API reads and
// writes, introspection and revocation. No response may be a 5xx or mention
// a locked database; every request must get the answer it would get alone;
// and at the end the last pair of every refresh chain must be active.
func TestEverythingAtOnceOnAFileDatabase(t *testing.T) {
	const (
		flowWorkers, flowsEach     = 4, 4 // even flows replay the code, odd ones start a refresh chain
		chainWorkers, chainsEach   = 8, 3
		chainRounds                = 5
		apiWorkers, apiRoundsEach  = 6, 6
		revokeWorkers, revokesEach = 4, 6
	)
	e := apptest.Start(t, "")
	w := newWatch(t)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.client())
	conf := e.OAuthConfig("users:read")

	var mu sync.Mutex
	var finals []*oauth2.Token // the last pair of every refresh chain
	keep := func(tok *oauth2.Token) {
		mu.Lock()
		finals = append(finals, tok)
		mu.Unlock()
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	began := time.Now()

	for range flowWorkers {
		wg.Go(func() {
			<-start
			for i := range flowsEach {
				code, verifier := e.AuthorizeCode(t, conf)
				tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
				if err != nil {
					t.Errorf("exchange: %v", err)
					return
				}
				if i%2 == 1 {
					keep(refreshChain(ctx, t, e, conf, tok, chainRounds))
					continue
				}
				// A code works once; its second use revokes what the first issued.
				if _, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier)); !isInvalidGrant(err) {
					t.Errorf("second exchange of a code: %v, want invalid_grant", err)
					return
				}
				if e.Introspect(t, tok.AccessToken)["active"] != false || e.Introspect(t, tok.RefreshToken)["active"] != false {
					t.Error("the code's replay did not revoke the tokens it issued")
				}
			}
		})
	}

	for range chainWorkers {
		wg.Go(func() {
			<-start
			for range chainsEach {
				keep(refreshChain(ctx, t, e, conf, mintToken(t, e, "users:read"), chainRounds))
			}
		})
	}

	for n := range apiWorkers {
		wg.Go(func() {
			<-start
			api := conf.Client(ctx, mintToken(t, e, "users:read tag-groups:read tag-groups:write"))
			for i := range apiRoundsEach {
				var employees struct{ Data []struct{ CompanyID string } }
				apiCall(t, api, http.MethodGet, e.URL+"/v2/employees?limit=5", "", http.StatusOK, &employees)
				if len(employees.Data) != 5 || employees.Data[0].CompanyID != seed.DenmarkID {
					t.Errorf("employees: %+v", employees)
				}
				var groups struct{ Data []struct{ ID string } }
				apiCall(t, api, http.MethodGet, e.URL+"/v0/tag-groups?company_id="+seed.DenmarkID, "", http.StatusOK, &groups)
				if len(groups.Data) < 2 {
					t.Errorf("tag groups: %+v", groups)
				}
				code := fmt.Sprintf("LOAD-%d-%d", n, i)
				var group struct{ Data struct{ ID, Code string } }
				apiCall(t, api, http.MethodPost, e.URL+"/v0/tag-groups",
					`{"name": "Load `+code+`", "code": "`+code+`", "archived": false}`, http.StatusOK, &group)
				var tag struct{ Data struct{ Code string } }
				apiCall(t, api, http.MethodPost, e.URL+"/v0/tag-groups/"+group.Data.ID+"/tags",
					`{"code": "`+code+`-T", "name": "Tag", "archived": false}`, http.StatusCreated, &tag)
				var tags struct{ Data []struct{ Code string } }
				apiCall(t, api, http.MethodGet, e.URL+"/v0/tag-groups/"+group.Data.ID+"/tags", "", http.StatusOK, &tags)
				if group.Data.Code != code || tag.Data.Code != code+"-T" || len(tags.Data) != 1 || tags.Data[0].Code != code+"-T" {
					t.Errorf("tag group %s: created %+v, tag %+v, listed %+v", code, group.Data, tag.Data, tags.Data)
				}
			}
		})
	}

	for range revokeWorkers {
		wg.Go(func() {
			<-start
			for range revokesEach {
				tok := mintToken(t, e, "users:read")
				if e.Introspect(t, tok.AccessToken)["active"] != true {
					t.Error("a fresh access token is not active")
				}
				resp, body := apiGet(t, e, "/v2/employees?limit=1", tok.AccessToken)
				w.check("GET /v2/employees", resp.StatusCode, body)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("API before revocation: %d %s", resp.StatusCode, body)
				}
				resp, body = apptest.PostForm(t, e.URL+"/oauth/revoke", url.Values{"token": {tok.RefreshToken}}, seed.DemoClientID, seed.DemoClientSecret)
				w.check("POST /oauth/revoke", resp.StatusCode, body)
				if resp.StatusCode != http.StatusOK {
					t.Errorf("revoke: %d %s", resp.StatusCode, body)
				}
				if e.Introspect(t, tok.AccessToken)["active"] != false || e.Introspect(t, tok.RefreshToken)["active"] != false {
					t.Error("a revoked grant's tokens are still active")
				}
				resp, body = apiGet(t, e, "/v2/employees?limit=1", tok.AccessToken)
				w.check("GET /v2/employees", resp.StatusCode, body)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("API after revocation: %d %s", resp.StatusCode, body)
				}
				if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); !isInvalidGrant(err) {
					t.Errorf("refresh after revocation: %v, want invalid_grant", err)
				}
			}
		})
	}

	close(start)
	wg.Wait()
	t.Logf("%d goroutines, %d watched responses in %v", flowWorkers+chainWorkers+apiWorkers+revokeWorkers,
		w.responses.Load(), time.Since(began).Round(time.Millisecond))
	if t.Failed() {
		return
	}
	if want := flowWorkers*flowsEach/2 + chainWorkers*chainsEach; len(finals) != want {
		t.Fatalf("%d finished refresh chains, want %d", len(finals), want)
	}
	for _, tok := range finals {
		if e.Introspect(t, tok.AccessToken)["active"] != true || e.Introspect(t, tok.RefreshToken)["active"] != true {
			t.Errorf("the last pair of a refresh chain is not active")
		}
	}
}

// apiCall sends a JSON request with an oauth2 client, requires status and
// decodes the answer into out.
func apiCall(t *testing.T, client *http.Client, method, u, body string, status int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	raw := apptest.ReadBody(t, resp)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, u, resp.StatusCode, raw, status)
	}
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, u, err, raw)
	}
}
