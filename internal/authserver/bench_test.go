package authserver_test

import (
	"context"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
)

// BenchmarkIssueTokenPair measures issuing an access and refresh token pair
// in process: one write transaction and one RS256 signature.
func BenchmarkIssueTokenPair(b *testing.B) {
	s, _, _ := newServer(b)
	ctx := context.Background()
	m := authserver.MintRequest{ClientID: seed.DemoClientID,
		Subject: oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}, Scopes: []string{"users:read"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.Mint(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyAccessToken measures what every API call pays to accept a
// bearer token it has seen before: claims and expiry checks against the
// cached signature, and the revocation state.
func BenchmarkVerifyAccessToken(b *testing.B) {
	s, _, _ := newServer(b)
	ctx := context.Background()
	tok, _ := mint(b, s)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyAccessTokenFirstUse measures the first verification of a
// token: the RS256 signature check as well. Minting is outside the timer.
func BenchmarkVerifyAccessTokenFirstUse(b *testing.B) {
	s, _, _ := newServer(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		tok, _ := mint(b, s)
		b.StartTimer()
		if _, err := s.VerifyAccessToken(ctx, tok.AccessToken); err != nil {
			b.Fatal(err)
		}
	}
}
