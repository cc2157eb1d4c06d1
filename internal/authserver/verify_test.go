package authserver_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
	"github.com/pleo-emulator/pleo-emulator/internal/view"
)

// newServer returns an authorisation server over a fresh seeded database.
func newServer(t testing.TB) (*authserver.Server, *store.Store, *clock.Clock) {
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
	s, err := authserver.New(ctx, authserver.Options{PublicURL: "http://emulator.test", APIBaseURL: "http://emulator.test",
		CodeTTL: 10 * time.Minute, AccessTokenTTL: 15 * time.Minute, RefreshTokenTTL: 24 * time.Hour, SessionTTL: time.Hour},
		st, clk, pages, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s, st, clk
}

func mint(t testing.TB, s *authserver.Server) (authserver.TokenResponse, string) {
	t.Helper()
	resp, grantID, err := s.Mint(context.Background(), authserver.MintRequest{ClientID: seed.DemoClientID,
		Subject: oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}, Scopes: []string{"users:read"}})
	if err != nil {
		t.Fatal(err)
	}
	return resp, grantID
}

// The verifier caches signatures and revocation state; these tests pin that
// every change reaches the next verification.

func TestVerifierSeesARevocationMadeDirectlyInTheStore(t *testing.T) {
	s, st, clk := newServer(t)
	ctx := context.Background()
	tok, grantID := mint(t, s)
	for range 3 { // fill the caches
		if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeGrant(ctx, grantID, "test", clk.Now()) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err == nil {
		t.Fatal("a revoked grant's token still verifies")
	}
}

func TestVerifierFollowsTheClock(t *testing.T) {
	s, _, clk := newServer(t)
	ctx := context.Background()
	tok, _ := mint(t, s)
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	clk.Advance(16 * time.Minute)
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err == nil {
		t.Fatal("an expired token still verifies from the cache")
	}
	clk.Set(time.Now().Add(-time.Hour)) // before the token was issued
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err == nil {
		t.Fatal("a token issued in the future verifies")
	}
}

func TestVerifierForgetsRemovedKeys(t *testing.T) {
	s, _, _ := newServer(t)
	ctx := context.Background()
	tok, _ := mint(t, s)
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	old := s.Keys().JWKS()[0].Kid
	if _, err := s.Keys().Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
		t.Fatalf("a token of the retired key must verify until the key is removed: %v", err)
	}
	if err := s.Keys().Remove(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err == nil {
		t.Fatal("a token of a removed key still verifies from the cache")
	}
}

func TestVerifierRefusesATamperedCopyOfACachedToken(t *testing.T) {
	s, _, _ := newServer(t)
	ctx := context.Background()
	tok, _ := mint(t, s)
	if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	b := []byte(tok.AccessToken)
	b[len(b)-5] ^= 1
	if _, err := s.VerifyAccessToken(ctx, string(b)); err == nil {
		t.Fatal("a tampered token verifies")
	}
}
