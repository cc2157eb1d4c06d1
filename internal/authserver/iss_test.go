package authserver_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// newServerWith is newServer with edit applied to its options.
func newServerWith(t testing.TB, edit func(*authserver.Options)) (*authserver.Server, *store.Store, *clock.Clock) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.New()
	if err := st.Write(ctx, func(tx *store.Tx) error {
		return seed.Demo(ctx, tx, seed.Options{PublicURL: "http://emulator.test", Anchor: clk.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	pages, err := view.New()
	if err != nil {
		t.Fatal(err)
	}
	opt := authserver.Options{PublicURL: "http://emulator.test", APIBaseURL: "http://emulator.test",
		CodeTTL: 10 * time.Minute, AccessTokenTTL: 15 * time.Minute, RefreshTokenTTL: 24 * time.Hour, SessionTTL: time.Hour}
	edit(&opt)
	s, err := authserver.New(ctx, opt, st, clk, pages, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s, st, clk
}

// TestAuthorizationResponsesCarryIss checks RFC 9207 §2: the success and
// the error response both name the issuer, and the metadata says so (§3).
func TestAuthorizationResponsesCarryIss(t *testing.T) {
	s, _, _ := newServerWith(t, func(o *authserver.Options) { o.AutoApprove = seed.AdminEmail })
	authorize := func(scope string) url.Values {
		t.Helper()
		q := url.Values{"response_type": {"code"}, "client_id": {"demo-client"}, "redirect_uri": {"http://localhost:3000/callback"},
			"state": {"st"}, "scope": {scope}, "code_challenge": {fuzzChallenge}, "code_challenge_method": {"S256"}}
		w := httptest.NewRecorder()
		s.Authorize(w, httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+q.Encode(), nil))
		loc, err := url.Parse(w.Header().Get("Location"))
		if w.Code != http.StatusFound || err != nil {
			t.Fatalf("scope %q: status %d Location %q", scope, w.Code, w.Header().Get("Location"))
		}
		return loc.Query()
	}
	for name, q := range map[string]url.Values{"success": authorize("users:read"), "error": authorize("no:such")} {
		if got := q["iss"]; len(got) != 1 || got[0] != "http://emulator.test" {
			t.Errorf("%s response: iss = %q, want [http://emulator.test] (%v)", name, got, q)
		}
	}
	if q := authorize("users:read"); q.Get("code") == "" {
		t.Errorf("success response has no code: %v", q)
	}
	if !s.Metadata().AuthorizationResponseIssParameterSupported {
		t.Error("metadata does not advertise authorization_response_iss_parameter_supported")
	}
}
