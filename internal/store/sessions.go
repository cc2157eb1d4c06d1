package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/pleo"
)

// This file holds login sessions and pending authorisation requests.

// CreateSession records a login session by the hash of its cookie value.
func (t *Tx) CreateSession(ctx context.Context, idHash []byte, userID string, now, expires time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		idHash, userID, formatTime(now), formatTime(expires))
	return err
}

// SessionUser returns the user of an unexpired session.
func (s *Store) SessionUser(ctx context.Context, idHash []byte, now time.Time) (pleo.User, error) {
	return scanUser(s.queryRow(ctx, `SELECT u.id, u.email, u.name, u.password_hash, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_at > ?`, idHash, formatTime(now)))
}

// DeleteSession ends a session.
func (t *Tx) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := t.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// AuthRequest is an authorisation request that passed validation and waits
// for the user's decision on the consent screen.
type AuthRequest struct {
	ID            string
	ClientID      string
	RedirectURI   string
	Scopes        []string
	State         string
	CodeChallenge string
	SubjectHint   string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// InsertAuthRequest records a pending authorisation request and removes expired ones.
func (t *Tx) InsertAuthRequest(ctx context.Context, r AuthRequest) error {
	if _, err := t.exec(ctx, `DELETE FROM authorization_requests WHERE expires_at <= ?`, formatTime(r.CreatedAt)); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO authorization_requests (id, client_id, redirect_uri, scope, state, code_challenge,
		subject_hint, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.ClientID, r.RedirectURI,
		oauth.JoinScope(r.Scopes), r.State, r.CodeChallenge, r.SubjectHint, formatTime(r.CreatedAt), formatTime(r.ExpiresAt))
	return err
}

// TakeAuthRequest removes and returns a pending request; ErrNotFound when it
// does not exist, was already decided, or has expired.
func (t *Tx) TakeAuthRequest(ctx context.Context, id string, now time.Time) (AuthRequest, error) {
	var r AuthRequest
	err := t.queryRow(ctx, `DELETE FROM authorization_requests WHERE id = ? RETURNING id, client_id, redirect_uri,
		scope, state, code_challenge, subject_hint, created_at, expires_at`, id).Scan(&r.ID, &r.ClientID, &r.RedirectURI,
		scopeScanner{&r.Scopes}, &r.State, &r.CodeChallenge, &r.SubjectHint, timeScanner{&r.CreatedAt}, timeScanner{&r.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !r.ExpiresAt.After(now)) {
		return r, ErrNotFound
	}
	return r, err
}
