package authserver_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/app/apptest"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// TestConcurrentRefreshesOfOneTokenIssueOnePair: of many simultaneous
// refreshes of one refresh token, exactly one gets a pair, whatever was
// signed ahead of the write (the others' signatures are dropped), and the
// others are reuse: invalid_grant, which revokes the grant, so the one pair
// issued is inactive too (RFC 6819 §5.2.2.3).
func TestConcurrentRefreshesOfOneTokenIssueOnePair(t *testing.T) {
	e := apptest.Start(t, "")
	_, pair := e.TokenPair(t, "users:read")
	const n = 8
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}}.Encode()
	type answer struct {
		status int
		body   string
		err    error
	}
	answers := make([]answer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/oauth/token", strings.NewReader(form))
			req.Header.Set("Content-Type", apptest.FormType)
			req.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answers[i].err = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			answers[i] = answer{resp.StatusCode, string(b), err}
		})
	}
	close(start)
	wg.Wait()

	var issued []map[string]any
	for _, a := range answers {
		switch {
		case a.err != nil:
			t.Fatal(a.err)
		case a.status == http.StatusOK:
			issued = append(issued, decodeToken(t, a.body))
		case a.status != http.StatusBadRequest || !strings.Contains(a.body, `"invalid_grant"`):
			t.Errorf("status %d: %s", a.status, a.body)
		}
	}
	if len(issued) != 1 {
		t.Fatalf("%d of %d simultaneous refreshes got a pair, want exactly 1", len(issued), n)
	}
	for _, tok := range []string{issued[0]["access_token"].(string), issued[0]["refresh_token"].(string)} {
		assertInactive(t, e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, tok))
	}
}

// TestARefreshedAccessTokenIsRecorded: the access token a refresh returns
// (signed before the write that redeems the refresh token) is the one the
// write recorded: introspection finds it active with the grant's scope.
func TestARefreshedAccessTokenIsRecorded(t *testing.T) {
	e := apptest.Start(t, "")
	_, pair := e.TokenPair(t, "users:read")
	resp, body := refreshAs(t, e, seed.DemoClientID, seed.DemoClientSecret, pair.RefreshToken, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: %d %s", resp.StatusCode, body)
	}
	info := e.IntrospectAs(t, seed.DemoClientID, seed.DemoClientSecret, decodeToken(t, body)["access_token"].(string))
	if info["active"] != true || info["scope"] != "users:read" {
		t.Errorf("introspection of the refreshed access token = %v", info)
	}
}
