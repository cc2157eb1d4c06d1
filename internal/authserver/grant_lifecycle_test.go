package authserver_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/seed"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// TestAccessTokenLosesAScopeItsClientLost checks the emulator's choice: a
// client that may no longer request a scope loses it on its live access
// tokens at once (the API then answers insufficient_scope), and keeps the
// others.
func TestAccessTokenLosesAScopeItsClientLost(t *testing.T) {
	s, st, _ := newServer(t)
	ctx := context.Background()
	resp, _, err := s.Mint(ctx, authserver.MintRequest{ClientID: seed.DemoClientID,
		Subject: oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}, Scopes: []string{"users:read", "export-jobs:read"}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := st.Client(ctx, seed.DemoClientID)
	if err != nil {
		t.Fatal(err)
	}
	client.Scopes = slices.DeleteFunc(client.Scopes, func(sc string) bool { return sc == "export-jobs:read" })
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.UpdateClient(ctx, client) }); err != nil {
		t.Fatal(err)
	}
	p, err := s.VerifyAccessToken(ctx, resp.AccessToken)
	if err != nil {
		t.Fatalf("token refused after its client lost another scope: %v", err)
	}
	if !slices.Equal(p.Scopes, []string{"users:read"}) {
		t.Errorf("scopes after the client lost export-jobs:read = %v, want [users:read]", p.Scopes)
	}
}

// TestAccessTokenOutlivesTheUserWhoApproved checks the emulator's choice:
// the grant belongs to the company (the token's sub), so deleting the user
// who approved it leaves its tokens working.
func TestAccessTokenOutlivesTheUserWhoApproved(t *testing.T) {
	s, st, _ := newServer(t)
	ctx := context.Background()
	resp, _, err := s.Mint(ctx, authserver.MintRequest{ClientID: seed.DemoClientID, UserID: seed.BookkeeperID,
		Subject: oauth.Subject{Kind: oauth.SubjectCompany, ID: seed.DenmarkID}, Scopes: []string{"users:read"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteUser(ctx, seed.BookkeeperID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyAccessToken(ctx, resp.AccessToken); err != nil {
		t.Errorf("token refused after the approving user was deleted: %v", err)
	}
}
