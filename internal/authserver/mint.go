package authserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// MintRequest asks for a token pair without the browser flow (control API).
type MintRequest struct {
	ClientID  string
	Subject   oauth.Subject
	Scopes    []string
	UserID    string // optional: the user the grant is recorded for
	Lifetimes Lifetimes
}

// ErrMintInvalid wraps every reason a mint request is refused.
var ErrMintInvalid = errors.New("invalid token request")

// Mint issues a token pair exactly as the code flow would: a new grant, the
// installation set to AUTHORIZED, a JWT access token and a refresh token
// that refreshes like any other.
func (s *Server) Mint(ctx context.Context, m MintRequest) (TokenResponse, string, error) {
	client, err := s.st.Client(ctx, m.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return TokenResponse{}, "", fmt.Errorf("%w: unknown client_id %q", ErrMintInvalid, m.ClientID)
	}
	if err != nil {
		return TokenResponse{}, "", err
	}
	if len(m.Scopes) == 0 {
		m.Scopes = client.Scopes
	}
	if bad := oauth.UnknownScopes(m.Scopes); len(bad) > 0 {
		return TokenResponse{}, "", fmt.Errorf("%w: unknown scope %s", ErrMintInvalid, strings.Join(bad, " "))
	}
	if !oauth.Subset(m.Scopes, client.Scopes) {
		return TokenResponse{}, "", fmt.Errorf("%w: scope not allowed for client %s", ErrMintInvalid, client.ID)
	}
	if err := s.subjectExists(ctx, m.Subject); err != nil {
		return TokenResponse{}, "", err
	}
	g := oauth.Grant{ID: store.NewUUID(), ClientID: client.ID, UserID: m.UserID, Subject: m.Subject, Scopes: m.Scopes, CreatedAt: s.clock.Now()}
	var is issued
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertGrant(ctx, g); err != nil {
			return err
		}
		if err := tx.AuthorizeInstallation(ctx, client.ID, m.Subject, g.CreatedAt); err != nil {
			return err
		}
		var err error
		is, err = s.record(ctx, tx, g, m.Scopes, m.Scopes, m.Lifetimes)
		return err
	})
	if err != nil {
		return TokenResponse{}, "", err
	}
	resp, err := s.sign(ctx, is)
	return resp, g.ID, err
}

func (s *Server) subjectExists(ctx context.Context, sub oauth.Subject) error {
	var err error
	if sub.Kind == oauth.SubjectCompany {
		_, err = s.st.Company(ctx, sub.ID)
	} else {
		_, err = s.st.Organization(ctx, sub.ID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: no %s with id %s", ErrMintInvalid, sub.Kind, sub.ID)
	}
	return err
}
