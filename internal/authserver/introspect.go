package authserver

import (
	"context"
	"net/http"
	"strings"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// Introspection is the RFC 7662 §2.2 response with the fields Pleo lists.
type Introspection struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	Sub      string `json:"sub,omitempty"`
	Exp      int64  `json:"exp,omitempty"`
	Iat      int64  `json:"iat,omitempty"`
	Iss      string `json:"iss,omitempty"`
	Aud      string `json:"aud,omitempty"`
	JTI      string `json:"jti,omitempty"`
	// TokenType is the RFC 6749 §5.1 type of an access token ("Bearer"), as
	// RFC 7662 §2.2 defines the field; refresh tokens have no such type.
	TokenType string `json:"token_type,omitempty"`
	// TokenUse says which kind of token this is: "access_token" or
	// "refresh_token" (emulator addition, named as Ory Hydra names it).
	TokenUse   string `json:"token_use,omitempty"`
	SubjectURN string `json:"urn:pleo:params:oauth:subject_urn,omitempty"`
}

// Introspect serves POST /oauth/token/introspect (RFC 7662, the path Pleo
// documents). The client authenticates and may only introspect its own
// tokens; anything else is {"active": false}.
func (s *Server) Introspect(w http.ResponseWriter, r *http.Request) {
	s.serveClient(w, r, faults.Introspect, withToken(s.serveIntrospect))
}

func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request, req clientRequest, token string) error {
	res := s.introspect(r.Context(), token, req.form.Get("token_type_hint"))
	if res.Active && res.ClientID != req.client.ID {
		res = Introspection{}
	}
	writeNoStoreJSON(w, http.StatusOK, res)
	return nil
}

// introspect describes token; the hint only orders the lookups (RFC 7662 §2.1).
func (s *Server) introspect(ctx context.Context, token, hint string) Introspection {
	if hint == "refresh_token" || !looksLikeJWT(token) {
		if res := s.introspectRefresh(ctx, token); res.Active {
			return res
		}
	}
	if looksLikeJWT(token) {
		if p, err := s.VerifyAccessToken(ctx, token); err == nil {
			return Introspection{Active: true, Scope: oauth.JoinScope(p.Scopes), ClientID: p.ClientID, Sub: p.Subject.ID,
				Exp: p.ExpiresAt.Unix(), Iat: p.IssuedAt.Unix(), Iss: s.opt.TokenIssuer, Aud: s.opt.TokenAudience, JTI: p.TokenID,
				TokenType: "Bearer", TokenUse: "access_token", SubjectURN: p.Subject.URN()}
		}
	}
	return Introspection{}
}

func (s *Server) introspectRefresh(ctx context.Context, token string) Introspection {
	rt, g, err := s.st.RefreshToken(ctx, hashSecret(token))
	now := s.clock.Now()
	if err != nil || !rt.UsedAt.IsZero() || !g.Active() || !now.Before(rt.ExpiresAt) {
		return Introspection{}
	}
	return Introspection{Active: true, Scope: oauth.JoinScope(rt.Scopes), ClientID: g.ClientID, Sub: g.Subject.ID,
		Exp: rt.ExpiresAt.Unix(), Iat: rt.CreatedAt.Unix(), Iss: s.opt.TokenIssuer, Aud: s.opt.TokenAudience,
		TokenUse: "refresh_token", SubjectURN: g.Subject.URN()}
}

func looksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 }
