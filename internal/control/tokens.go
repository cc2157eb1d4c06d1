package control

import (
	"errors"
	"net/http"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/authserver"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// mintRequest is the body of POST /_emulator/tokens.
type mintRequest struct {
	ClientID        string `json:"client_id"`
	Subject         string `json:"subject"` // company or organisation URN, or a company UUID
	Scope           string `json:"scope"`   // space-separated; empty means every scope the client may request
	UserID          string `json:"user_id,omitempty"`
	AccessTokenTTL  string `json:"access_token_ttl,omitempty"`  // e.g. "30s"
	RefreshTokenTTL string `json:"refresh_token_ttl,omitempty"` // e.g. "1h"
}

// maxMintTTL bounds minted lifetimes, so expiry times stay representable.
const maxMintTTL = 10 * 365 * 24 * time.Hour

// MintResponse is the answer of POST /_emulator/tokens (and what the CLI
// reads of it): a token response with the grant and subject.
type MintResponse struct {
	authserver.TokenResponse
	GrantID    string `json:"grant_id"`
	SubjectURN string `json:"subject_urn"`
}

// mintTokens serves POST /_emulator/tokens: a real token pair without the browser.
func (c *Control) mintTokens(w http.ResponseWriter, r *http.Request) {
	var req mintRequest
	if !decode(w, r, &req) {
		return
	}
	if req.ClientID == "" || req.Subject == "" {
		fail(w, http.StatusBadRequest, "client_id and subject are required")
		return
	}
	subject, err := oauth.ParseSubject(req.Subject, oauth.SubjectCompany)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	var lt authserver.Lifetimes
	for _, d := range []struct {
		name, raw string
		dst       *time.Duration
	}{{"access_token_ttl", req.AccessTokenTTL, &lt.Access}, {"refresh_token_ttl", req.RefreshTokenTTL, &lt.Refresh}} {
		if d.raw == "" {
			continue
		}
		v, err := time.ParseDuration(d.raw)
		if err != nil || v <= 0 || v > maxMintTTL {
			fail(w, http.StatusBadRequest, d.name+" must be a positive duration up to 10 years (87600h), such as 30s or 2h")
			return
		}
		*d.dst = v
	}
	resp, grantID, err := c.Auth.Mint(r.Context(), authserver.MintRequest{ClientID: req.ClientID, Subject: subject,
		Scopes: oauth.ParseScope(req.Scope), UserID: req.UserID, Lifetimes: lt})
	if errors.Is(err, authserver.ErrMintInvalid) {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		c.storeFail(w, r, "token", err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, MintResponse{TokenResponse: resp, GrantID: grantID, SubjectURN: subject.URN()})
}
