package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

// This file holds grants and the credentials descending from them:
// authorisation codes, refresh tokens and access tokens. Codes and refresh
// tokens are looked up by their SHA-256 hash; the raw values are never stored.

const grantColumns = `g.id, g.client_id, coalesce(g.user_id, ''), g.subject_kind, g.subject_id, g.scope, g.created_at,
	g.last_used_at, g.revoked_at, coalesce(g.revoked_reason, '')`

func scanGrant(dst *oauth.Grant) []any {
	return []any{&dst.ID, &dst.ClientID, &dst.UserID, (*string)(&dst.Subject.Kind), &dst.Subject.ID,
		scopeScanner{&dst.Scopes}, timeScanner{&dst.CreatedAt}, timeScanner{&dst.LastUsedAt},
		timeScanner{&dst.RevokedAt}, &dst.RevokedReason}
}

// InsertGrant records a new grant.
func (t *Tx) InsertGrant(ctx context.Context, g oauth.Grant) error {
	_, err := t.exec(ctx, qInsertGrant, g.ID, g.ClientID, nullString(g.UserID), string(g.Subject.Kind), g.Subject.ID,
		oauth.JoinScope(g.Scopes), formatTime(g.CreatedAt))
	return err
}

// RevokeGrant revokes a grant and so every token descending from it. It is
// idempotent: an already revoked grant keeps its first time and reason.
func (t *Tx) RevokeGrant(ctx context.Context, grantID, reason string, now time.Time) error {
	_, err := t.exec(ctx, qRevokeGrant,
		formatTime(now), reason, grantID)
	return err
}

// Grant returns one grant.
func (s *Store) Grant(ctx context.Context, id string) (oauth.Grant, error) {
	var g oauth.Grant
	err := s.queryRow(ctx, `SELECT `+grantColumns+` FROM grants g WHERE g.id = ?`, id).Scan(scanGrant(&g)...)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	return g, err
}

// TouchGrant records that a grant's access token was used, at most once a
// minute per grant so the hot path rarely writes.
func (s *Store) TouchGrant(ctx context.Context, grantID string, now time.Time) error {
	return s.Write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, qTouchGrant, formatTime(now), grantID, formatTime(now.Add(-time.Minute)))
		return err
	})
}

var qTouchGrant = writeQuery(`UPDATE grants SET last_used_at = ?1 WHERE id = ?2
	AND (last_used_at IS NULL OR last_used_at < ?3)`)

// Code is a stored authorisation code.
type Code struct {
	Hash          []byte
	GrantID       string
	RedirectURI   string
	CodeChallenge string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until redeemed
}

// InsertCode records an authorisation code.
func (t *Tx) InsertCode(ctx context.Context, c Code) error {
	_, err := t.exec(ctx, qInsertCode, c.Hash, c.GrantID, c.RedirectURI, c.CodeChallenge, formatTime(c.CreatedAt), formatTime(c.ExpiresAt))
	return err
}

// CodeByHash returns a code and its grant, inside the transaction so that
// checking and marking it used is atomic.
func (t *Tx) CodeByHash(ctx context.Context, hash []byte) (Code, oauth.Grant, error) {
	var c Code
	var g oauth.Grant
	dst := append([]any{&c.Hash, &c.GrantID, &c.RedirectURI, &c.CodeChallenge, timeScanner{&c.CreatedAt},
		timeScanner{&c.ExpiresAt}, timeScanner{&c.UsedAt}}, scanGrant(&g)...)
	err := t.queryRow(ctx, qCodeByHash, hash).Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return c, g, ErrNotFound
	}
	return c, g, err
}

var qCodeByHash = writeQuery(`SELECT c.hash, c.grant_id, c.redirect_uri, c.code_challenge, c.created_at, c.expires_at, c.used_at, ` +
	grantColumns + ` FROM authorization_codes c JOIN grants g ON g.id = c.grant_id WHERE c.hash = ?`)

// MarkCodeUsed marks a code redeemed; ErrNotFound if it was already used.
func (t *Tx) MarkCodeUsed(ctx context.Context, hash []byte, now time.Time) error {
	res, err := t.exec(ctx, qMarkCodeUsed, formatTime(now), hash)
	return mustAffect(res, err)
}

// RefreshToken is a stored refresh token.
type RefreshToken struct {
	Hash      []byte
	GrantID   string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // set when rotated
}

// InsertRefreshToken records a refresh token.
func (t *Tx) InsertRefreshToken(ctx context.Context, r RefreshToken) error {
	_, err := t.exec(ctx, qInsertRefreshToken,
		r.Hash, r.GrantID, oauth.JoinScope(r.Scopes), formatTime(r.CreatedAt), formatTime(r.ExpiresAt))
	return err
}

var refreshQuery = writeQuery(readQuery(`SELECT r.hash, r.grant_id, r.scope, r.created_at, r.expires_at, r.used_at, ` + grantColumns +
	` FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.hash = ?`))

func scanRefresh(row *sql.Row) (RefreshToken, oauth.Grant, error) {
	var r RefreshToken
	var g oauth.Grant
	dst := append([]any{&r.Hash, &r.GrantID, scopeScanner{&r.Scopes}, timeScanner{&r.CreatedAt}, timeScanner{&r.ExpiresAt},
		timeScanner{&r.UsedAt}}, scanGrant(&g)...)
	err := row.Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, g, ErrNotFound
	}
	return r, g, err
}

// RefreshTokenByHash returns a refresh token and its grant inside the transaction.
func (t *Tx) RefreshTokenByHash(ctx context.Context, hash []byte) (RefreshToken, oauth.Grant, error) {
	return scanRefresh(t.queryRow(ctx, refreshQuery, hash))
}

// RefreshToken returns a refresh token and its grant (read-only, for introspection).
func (s *Store) RefreshToken(ctx context.Context, hash []byte) (RefreshToken, oauth.Grant, error) {
	return scanRefresh(s.queryRow(ctx, refreshQuery, hash))
}

// MarkRefreshTokenUsed marks a refresh token rotated; ErrNotFound if it already was.
func (t *Tx) MarkRefreshTokenUsed(ctx context.Context, hash []byte, now time.Time) error {
	res, err := t.exec(ctx, qMarkRefreshTokenUsed, formatTime(now), hash)
	return mustAffect(res, err)
}

// AccessToken is the stored record of an issued access token (the JWT itself is not stored).
type AccessToken struct {
	JTI       string
	GrantID   string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

// InsertAccessToken records an issued access token.
func (t *Tx) InsertAccessToken(ctx context.Context, a AccessToken) error {
	_, err := t.exec(ctx, qInsertAccessToken,
		a.JTI, a.GrantID, oauth.JoinScope(a.Scopes), formatTime(a.CreatedAt), formatTime(a.ExpiresAt))
	return err
}

// RevokeAccessToken revokes one access token.
func (t *Tx) RevokeAccessToken(ctx context.Context, jti string, now time.Time) error {
	_, err := t.exec(ctx, qRevokeAccessToken, formatTime(now), jti)
	return err
}

// AccessTokenState is what the verifier needs beyond the JWT's signature:
// whether the token or its grant was revoked, and the client's name and
// the scopes it may request now.
type AccessTokenState struct {
	Token        AccessToken
	Grant        oauth.Grant
	ClientName   string
	ClientScopes []string
}

var qAccessTokenState = readQuery(`SELECT a.jti, a.grant_id, a.scope, a.created_at, a.expires_at, a.revoked_at, c.name, c.scopes, ` + grantColumns + `
		FROM access_tokens a JOIN grants g ON g.id = a.grant_id JOIN clients c ON c.id = g.client_id WHERE a.jti = ?`)

// AccessTokenState looks up an issued access token by its jti.
func (s *Store) AccessTokenState(ctx context.Context, jti string) (AccessTokenState, error) {
	var st AccessTokenState
	a := &st.Token
	dst := append([]any{&a.JTI, &a.GrantID, scopeScanner{&a.Scopes}, timeScanner{&a.CreatedAt}, timeScanner{&a.ExpiresAt},
		timeScanner{&a.RevokedAt}, &st.ClientName, scopeScanner{&st.ClientScopes}}, scanGrant(&st.Grant)...)
	err := s.queryRow(ctx, qAccessTokenState, jti).Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrNotFound
	}
	return st, err
}

// timeScanner scans a nullable timestamp column into a time.Time (zero for NULL).
type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case string:
		*s.t = parseTime(v)
	case []byte:
		*s.t = parseTime(string(v))
	default:
		return errors.New("timestamp column holds an unexpected type")
	}
	return nil
}

// scopeScanner scans a space-separated scope column into a slice.
type scopeScanner struct{ s *[]string }

func (s scopeScanner) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*s.s = oauth.ParseScope(v)
	case []byte:
		*s.s = oauth.ParseScope(string(v))
	case nil:
		*s.s = nil
	default:
		return errors.New("scope column holds an unexpected type")
	}
	return nil
}

// Declared hot statements (prepared once; see stmtcache.go).
var qInsertGrant = writeQuery(`INSERT INTO grants (id, client_id, user_id, subject_kind, subject_id, scope, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
var qRevokeGrant = writeQuery(`UPDATE grants SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL`)
var qInsertCode = writeQuery(`INSERT INTO authorization_codes (hash, grant_id, redirect_uri, code_challenge, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`)
var qMarkCodeUsed = writeQuery(`UPDATE authorization_codes SET used_at = ? WHERE hash = ? AND used_at IS NULL`)
var qInsertRefreshToken = writeQuery(`INSERT INTO refresh_tokens (hash, grant_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)
var qMarkRefreshTokenUsed = writeQuery(`UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL`)
var qInsertAccessToken = writeQuery(`INSERT INTO access_tokens (jti, grant_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`)
var qRevokeAccessToken = writeQuery(`UPDATE access_tokens SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL`)
