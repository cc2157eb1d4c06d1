package authserver

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"

	"github.com/pleo-emulator/pleo-emulator/internal/faults"
	oauthdomain "github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// Token serves POST /oauth/token: the authorization_code and refresh_token
// grants, the only two Pleo offers.
func (s *Server) Token(w http.ResponseWriter, r *http.Request) {
	s.serveClient(w, r, faults.Token, s.serveToken)
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, req clientRequest) error {
	form := req.form
	var is issued
	var err error
	switch oauth2.GrantType(form.Get("grant_type")) {
	case oauth2.AuthorizationCode:
		is, err = s.exchangeCode(r.Context(), req.client, form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier"), form.Has("code_verifier"))
	case oauth2.Refreshing:
		is, err = s.refresh(r.Context(), req.client, form.Get("refresh_token"), form.Get("scope"), form.Has("scope"))
	case "":
		err = oauthError(oautherrors.ErrInvalidRequest, "grant_type is required")
	default:
		err = oauthError(oautherrors.ErrUnsupportedGrantType, "only authorization_code and refresh_token are supported")
	}
	if err != nil {
		return err
	}
	resp, err := s.sign(r.Context(), is)
	if err != nil {
		return err
	}
	writeNoStoreJSON(w, http.StatusOK, resp)
	return nil
}

// exchangeCode redeems an authorisation code (RFC 6749 §4.1.3, RFC 7636
// §4.6). Checking and marking the code used happen in one immediate
// transaction, so of any number of concurrent redemptions exactly one wins.
// A second use revokes every token issued from the code (RFC 6749 §4.1.2).
func (s *Server) exchangeCode(ctx context.Context, client oauthdomain.Client, code, redirectURI, verifier string, verifierGiven bool) (issued, error) {
	if code == "" {
		return issued{}, oauthError(oautherrors.ErrInvalidRequest, "code is required")
	}
	if verifierGiven && !oauthdomain.ValidVerifier(verifier) {
		return issued{}, oauthError(oautherrors.ErrInvalidRequest, "code_verifier must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~")
	}
	var out issued
	err := s.redeem(ctx, func(tx *store.Tx, now time.Time) error {
		c, g, err := tx.CodeByHash(ctx, hashSecret(code))
		switch {
		case errors.Is(err, store.ErrNotFound):
			return oauthError(oautherrors.ErrInvalidGrant, "unknown authorization code")
		case err != nil:
			return err
		case g.ClientID != client.ID:
			return oauthError(oautherrors.ErrInvalidGrant, "the authorization code was issued to another client")
		case !c.UsedAt.IsZero():
			s.log.WarnContext(ctx, "authorization code reused: revoking its grant", "client_id", client.ID, "grant_id", g.ID)
			return refuseRevoking(g.ID, oauthdomain.RevokedCodeReuse,
				oauthError(oautherrors.ErrInvalidGrant, "the authorization code has already been used; every token issued from it is now revoked"))
		case !now.Before(c.ExpiresAt):
			return oauthError(oautherrors.ErrInvalidGrant, "the authorization code has expired")
		case !g.Active():
			return oauthError(oautherrors.ErrInvalidGrant, "the authorization has been revoked")
		case !redirectMatches(redirectURI, c.RedirectURI, client.RedirectURIs):
			return oauthError(oautherrors.ErrInvalidGrant, "redirect_uri does not match the one used in the authorization request")
		case c.CodeChallenge == "" && verifierGiven:
			return oauthError(oautherrors.ErrInvalidGrant, "code_verifier given, but the authorization request had no code_challenge")
		case c.CodeChallenge != "" && !verifierGiven:
			return oauthError(oautherrors.ErrInvalidRequest, "code_verifier is required: the authorization request used PKCE")
		case c.CodeChallenge != "" && !oauthdomain.VerifyPKCE(c.CodeChallenge, verifier):
			return oauthError(oautherrors.ErrInvalidGrant, "code_verifier does not match the code_challenge")
		case c.CodeChallenge == "" && client.PKCERequired:
			return oauthError(oautherrors.ErrInvalidGrant, "this client must use PKCE")
		}
		if err := tx.MarkCodeUsed(ctx, c.Hash, now); err != nil {
			return err
		}
		out, err = s.record(ctx, tx, g, g.Scopes, g.Scopes, Lifetimes{})
		return err
	})
	if err != nil {
		return issued{}, err
	}
	return out, nil
}

// refresh rotates a refresh token (RFC 6749 §6): the client must own it;
// every use returns a new access and refresh token and retires the old one;
// presenting a retired token revokes the whole grant, as Pleo documents.
// A scope parameter may only narrow the grant.
func (s *Server) refresh(ctx context.Context, client oauthdomain.Client, token, scope string, scopeGiven bool) (issued, error) {
	if token == "" {
		return issued{}, oauthError(oautherrors.ErrInvalidRequest, "refresh_token is required")
	}
	requested := oauthdomain.ParseScope(scope)
	if scopeGiven && len(requested) == 0 {
		return issued{}, oauthError(oautherrors.ErrInvalidScope, "scope is empty")
	}
	ahead := s.signAhead(ctx, client, token, requested, scopeGiven)
	var out issued
	err := s.redeem(ctx, func(tx *store.Tx, now time.Time) error {
		rt, g, err := tx.RefreshTokenByHash(ctx, hashSecret(token))
		switch {
		case errors.Is(err, store.ErrNotFound):
			grantID, err := s.grantOfForgottenToken(ctx, tx, token, client.ID)
			if err != nil {
				return err
			}
			if grantID == "" {
				return oauthError(oautherrors.ErrInvalidGrant, "unknown refresh token")
			}
			s.log.WarnContext(ctx, "rotated refresh token reused: revoking its grant", "client_id", client.ID, "grant_id", grantID)
			return refuseRevoking(grantID, oauthdomain.RevokedRefreshReuse,
				oauthError(oautherrors.ErrInvalidGrant, "the refresh token has already been used; every token of this grant is now revoked"))
		case err != nil:
			return err
		}
		accessScopes, err := refreshable(rt, g, client, requested, scopeGiven, now)
		var refusal *revokingRefusal
		if errors.As(err, &refusal) && refusal.reason == oauthdomain.RevokedRefreshReuse {
			s.log.WarnContext(ctx, "refresh token reused: revoking its grant", "client_id", client.ID, "grant_id", g.ID)
		}
		if err != nil {
			return err
		}
		if err := tx.MarkRefreshTokenUsed(ctx, rt.Hash, now); err != nil {
			return err
		}
		if ahead.fits(g, accessScopes, now) {
			out, err = s.recordIssued(ctx, tx, g, ahead.is, rt.Scopes, Lifetimes{})
		} else {
			out, err = s.record(ctx, tx, g, accessScopes, rt.Scopes, Lifetimes{})
		}
		return err
	})
	if err != nil {
		return issued{}, err
	}
	return out, nil
}

// refreshable applies the rules of a refresh to its stored token rt and
// grant g at now, and returns the access token's scopes: the client must own
// the token; a used token is reuse and an expired one ends the grant (both
// refused with refuseRevoking); the grant must be active; the client must
// still be allowed every scope of the token; a requested scope may only
// narrow it.
func refreshable(rt store.RefreshToken, g oauthdomain.Grant, client oauthdomain.Client, requested []string, scopeGiven bool, now time.Time) ([]string, error) {
	switch {
	case g.ClientID != client.ID:
		return nil, oauthError(oautherrors.ErrInvalidGrant, "the refresh token was issued to another client")
	case !rt.UsedAt.IsZero():
		return nil, refuseRevoking(g.ID, oauthdomain.RevokedRefreshReuse,
			oauthError(oautherrors.ErrInvalidGrant, "the refresh token has already been used; every token of this grant is now revoked"))
	case !g.Active():
		return nil, oauthError(oautherrors.ErrInvalidGrant, "the grant has been revoked")
	case !now.Before(rt.ExpiresAt):
		// Pleo: using an expired refresh token invalidates the authorisation's refresh tokens.
		return nil, refuseRevoking(g.ID, oauthdomain.RevokedExpiredRefresh,
			oauthError(oautherrors.ErrInvalidGrant, "the refresh token has expired; every token of this grant is now revoked"))
	}
	if lost := oauthdomain.MissingScopes(rt.Scopes, client.Scopes); len(lost) > 0 {
		return nil, oauthError(oautherrors.ErrInvalidScope, "the client may no longer request "+strings.Join(lost, " ")+"; ask the user to authorize again")
	}
	if !scopeGiven {
		return rt.Scopes, nil
	}
	if !oauthdomain.Subset(requested, rt.Scopes) {
		return nil, oauthError(oautherrors.ErrInvalidScope, "scope may only narrow the grant, not widen it")
	}
	return slices.Clone(requested), nil
}

// signedAhead is an access token signed before the transaction that
// redeems its refresh token; see signAhead.
type signedAhead struct {
	is      issued
	grantID string
}

// fits reports whether the token signed ahead is the one the transaction
// would issue at now: the same grant and scopes, and issued within a second
// (the emulator's clock may have been moved meanwhile).
func (a *signedAhead) fits(g oauthdomain.Grant, accessScopes []string, now time.Time) bool {
	if a == nil || a.grantID != g.ID || !slices.Equal(a.is.scopes, accessScopes) {
		return false
	}
	d := now.Sub(a.is.at)
	return d >= 0 && d < time.Second
}

// signAhead signs, before the write transaction, the access token a refresh
// will return, when a read of the refresh token says it will succeed; nil
// otherwise (the transaction then decides, and the token is signed after
// it, as for every refusal). The transaction checks everything again and
// records this token only if it fits (signedAhead.fits); a signature whose
// refresh lost a race is dropped, never returned. Signing first keeps
// requests that were held up together (behind another write, or by the CPU)
// from arriving at the signing queue together: they wait at the writer,
// whose turns take a fraction of a signature's millisecond.
func (s *Server) signAhead(ctx context.Context, client oauthdomain.Client, token string, requested []string, scopeGiven bool) *signedAhead {
	rt, g, err := s.st.RefreshToken(ctx, hashSecret(token))
	if err != nil {
		return nil
	}
	now := s.clock.Now()
	accessScopes, err := refreshable(rt, g, client, requested, scopeGiven, now)
	if err != nil {
		return nil
	}
	is := s.newAccess(g, accessScopes, now, Lifetimes{})
	if is.signed, err = s.signClaims(ctx, is.claims); err != nil {
		return nil
	}
	return &signedAhead{is: is, grantID: g.ID}
}

// redeem runs check, the checks and writes of one code exchange or
// refresh, in one immediate write transaction (store.Write may run it more
// than once, each time with the time of that attempt). check refuses with
// an error, which rolls the transaction back, or with refuseRevoking,
// which commits the revocation of a grant and then refuses: a reused or
// expired credential ends its grant even though the request fails.
func (s *Server) redeem(ctx context.Context, check func(tx *store.Tx, now time.Time) error) error {
	var refusal *revokingRefusal
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		refusal = nil
		now := s.clock.Now()
		if err := check(tx, now); !errors.As(err, &refusal) {
			return err
		}
		return tx.RevokeGrant(ctx, refusal.grantID, refusal.reason, now)
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return refusal.err
	}
	return nil
}

// revokingRefusal is a refusal that revokes a grant (see redeem).
type revokingRefusal struct {
	grantID, reason string
	err             error // what the client is told
}

func (r *revokingRefusal) Error() string { return r.err.Error() }

// refuseRevoking refuses a token request with err and has redeem revoke
// grantID for reason (an oauth.Revoked* reason) in the same transaction.
func refuseRevoking(grantID, reason string, err error) error {
	return &revokingRefusal{grantID: grantID, reason: reason, err: err}
}

// grantOfForgottenToken returns the grant whose refresh family starts token
// when token is not stored: a token of that grant that housekeeping deleted
// after its rotation (or after its grant ended), whose use now is reuse.
// Only the grant's own tokens carry its family (128 random bits), so a
// guess cannot revoke someone else's grant. It returns "" for any other
// unknown token, and for a grant of another client than clientID (as a
// stored token of another client, that is refused without revoking).
func (s *Server) grantOfForgottenToken(ctx context.Context, tx *store.Tx, token, clientID string) (string, error) {
	family, _, ok := strings.Cut(token, ".")
	if !ok || family == "" {
		return "", nil
	}
	grantID, owner, err := tx.GrantByRefreshFamily(ctx, family)
	if errors.Is(err, store.ErrNotFound) || owner != clientID {
		return "", nil
	}
	return grantID, err
}

// redirectMatches applies RFC 6749 §4.1.3: the token request's redirect_uri
// must equal the authorisation request's. When the authorisation request
// left it out (the client has exactly one URI), the client may send that
// registered URI or nothing.
func redirectMatches(given, bound string, registered []string) bool {
	if given == bound {
		return true
	}
	return bound == "" && len(registered) == 1 && given == registered[0]
}
