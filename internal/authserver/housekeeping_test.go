package authserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// refreshWith posts the refresh grant as the demo client and returns the
// status and the decoded answer.
func refreshWith(t *testing.T, s *authserver.Server, token string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
	r := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
	w := httptest.NewRecorder()
	s.Token(w, r)
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("token endpoint: %v: %s", err, w.Body)
	}
	return w.Code, body
}

// introspectWith asks the introspection endpoint about token as the demo client.
func introspectWith(t *testing.T, s *authserver.Server, token string) map[string]any {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/oauth/token/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.SetBasicAuth(seed.DemoClientID, seed.DemoClientSecret)
	w := httptest.NewRecorder()
	s.Introspect(w, r)
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("introspection: %v: %s", err, w.Body)
	}
	return body
}

func rows(t *testing.T, st *store.Store, table string) int64 {
	t.Helper()
	n, err := st.CountRows(context.Background(), table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestHousekeepingKeepsLiveTokensAndReuseDetection rotates a refresh token
// a few times, lets housekeeping delete what is spent, and checks that the
// live pair still works while a deleted rotated token, presented again,
// still revokes the grant (RFC 9700 §4.14.2).
func TestHousekeepingKeepsLiveTokensAndReuseDetection(t *testing.T) {
	s, st, clk := newServer(t)
	ctx := context.Background()
	first, _ := mint(t, s)
	refresh := first.RefreshToken
	rotated := []string{}
	var access string
	for range 5 {
		status, body := refreshWith(t, s, refresh)
		if status != http.StatusOK {
			t.Fatalf("refresh: %d %v", status, body)
		}
		rotated = append(rotated, refresh)
		refresh, access = body["refresh_token"].(string), body["access_token"].(string)
	}
	if got := rows(t, st, "refresh_tokens"); got != 6 {
		t.Fatalf("refresh_tokens before housekeeping: %d, want 6", got)
	}
	clk.Advance(time.Second)
	swept, err := st.Housekeep(ctx, clk.Now(), store.Retention{Codes: time.Hour, RevokedGrants: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(t, st, "refresh_tokens"); got != 1 || swept["refresh_tokens"] != 5 {
		t.Errorf("refresh_tokens after housekeeping: %d left, %d swept; want 1 and 5", got, swept["refresh_tokens"])
	}
	if _, err := s.VerifyAccessToken(ctx, access); err != nil {
		t.Errorf("the live access token is refused after housekeeping: %v", err)
	}
	if in := introspectWith(t, s, refresh); in["active"] != true {
		t.Errorf("the live refresh token does not introspect as active: %v", in)
	}

	// Expired access-token records go; the live one stays.
	clk.Advance(16 * time.Minute)
	if _, err := st.Housekeep(ctx, clk.Now(), store.Retention{Codes: time.Hour, RevokedGrants: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, st, "access_tokens"); got != 0 {
		t.Errorf("access_tokens after they all expired: %d, want 0", got)
	}
	status, body := refreshWith(t, s, refresh)
	if status != http.StatusOK {
		t.Fatalf("the live refresh token after housekeeping: %d %v", status, body)
	}
	live := body["refresh_token"].(string)

	// A rotated token whose row is gone is still reuse: the grant ends.
	status, body = refreshWith(t, s, rotated[1])
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || !strings.Contains(body["error_description"].(string), "already been used") {
		t.Fatalf("replayed deleted token: %d %v, want invalid_grant naming reuse", status, body)
	}
	if status, _ := refreshWith(t, s, live); status != http.StatusBadRequest {
		t.Errorf("the grant's newest refresh token after reuse: %d, want 400 (grant revoked)", status)
	}
	// A made-up token with no known family is only unknown.
	if status, body := refreshWith(t, s, "nofamily.abc"); status != http.StatusBadRequest || !strings.Contains(body["error_description"].(string), "unknown") {
		t.Errorf("made-up token: %d %v", status, body)
	}
}
