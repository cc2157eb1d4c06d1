package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// A client that goes away mid-request is not a server fault: no 500, no error log.
func TestClientGoneIsNotAnInternalError(t *testing.T) {
	e := newEnv(t)
	e.verify.tokens["no-grant"] = oauth.Principal{TokenID: "jti-no-grant", ClientID: seed.DemoClientID,
		Subject: denmark, Scopes: oauth.ScopeNames(), IssuedAt: e.clock.Now(), ExpiresAt: e.clock.Now()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v2/employees", nil)
	req.Header.Set("Authorization", "Bearer no-grant")
	rec := httptest.NewRecorder()
	e.api.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("status %d for a request whose client left", rec.Code)
	}
}
