package authserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Revoke serves POST /oauth/revoke (RFC 7009; Pleo documents no revocation
// endpoint, so the path is an emulator choice). Revoking a refresh token
// revokes its whole grant; revoking an access token revokes that token.
// Unknown tokens, and tokens of other clients, answer 200 and change nothing
// (RFC 7009 §2.2), so a client cannot revoke, or probe, another's tokens.
func (s *Server) Revoke(w http.ResponseWriter, r *http.Request) {
	s.serveClient(w, r, faults.Revoke, withToken(s.serveRevoke))
}

func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request, req clientRequest, token string) error {
	if err := s.revoke(r.Context(), req.client.ID, token); err != nil {
		return err
	}
	writeNoStoreJSON(w, http.StatusOK, struct{}{})
	return nil
}

func (s *Server) revoke(ctx context.Context, clientID, token string) error {
	now := s.clock.Now()
	if looksLikeJWT(token) {
		claims, err := s.parseAccessToken(token, false) // an expired token may still be revoked
		if err != nil || claims.ClientID != clientID {
			return nil
		}
		return s.st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeAccessToken(ctx, claims.ID, now) })
	}
	return s.st.Write(ctx, func(tx *store.Tx) error {
		_, g, err := tx.RefreshTokenByHash(ctx, hashSecret(token))
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.ClientID != clientID) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.RevokeGrant(ctx, g.ID, oauth.RevokedByClient, now)
	})
}

// RevokeGrant revokes a grant and every token descending from it (the
// connected-apps page and the control API call this).
func (s *Server) RevokeGrant(ctx context.Context, grantID, reason string) error {
	return s.st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeGrant(ctx, grantID, reason, s.clock.Now()) })
}
