package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
)

const clientColumns = `id, name, type, secret_hash, redirect_uris, scopes, pkce_required,
	logo_url, client_uri, terms_url, privacy_url, auto_approve_user, created_at, updated_at`

func scanClient(row interface{ Scan(...any) error }) (oauth.Client, error) {
	var c oauth.Client
	var typ, uris, scopes, created, updated string
	var pkce int
	err := row.Scan(&c.ID, &c.Name, &typ, &c.SecretHash, &uris, &scopes, &pkce,
		&c.LogoURL, &c.ClientURI, &c.TermsURL, &c.PrivacyURL, &c.AutoApproveUser, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	c.Type = oauth.ClientType(typ)
	c.PKCERequired = pkce == 1
	c.Scopes = oauth.ParseScope(scopes)
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	return c, json.Unmarshal([]byte(uris), &c.RedirectURIs)
}

var qClient = readQuery(`SELECT ` + clientColumns + ` FROM clients WHERE id = ?`)

// Client returns a registered client.
func (s *Store) Client(ctx context.Context, id string) (oauth.Client, error) {
	return scanClient(s.queryRow(ctx, qClient, id))
}

// Clients returns every client, ordered by ID.
func (s *Store) Clients(ctx context.Context) ([]oauth.Client, error) {
	return queryList(ctx, s.r, scanClient, `SELECT `+clientColumns+` FROM clients ORDER BY id`)
}

// InsertClient registers a client; ErrConflict if the ID exists.
func (t *Tx) InsertClient(ctx context.Context, c oauth.Client) error {
	uris, err := json.Marshal(c.RedirectURIs)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO clients (`+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Name, string(c.Type), c.SecretHash, string(uris), oauth.JoinScope(c.Scopes), boolInt(c.PKCERequired),
		c.LogoURL, c.ClientURI, c.TermsURL, c.PrivacyURL, c.AutoApproveUser, formatTime(c.CreatedAt), formatTime(c.UpdatedAt))
	return conflict(err)
}

// UpdateClient replaces a client's registration; ErrNotFound if it does not exist.
func (t *Tx) UpdateClient(ctx context.Context, c oauth.Client) error {
	uris, err := json.Marshal(c.RedirectURIs)
	if err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE clients SET name = ?, type = ?, secret_hash = ?, redirect_uris = ?, scopes = ?,
		pkce_required = ?, logo_url = ?, client_uri = ?, terms_url = ?, privacy_url = ?, auto_approve_user = ?, updated_at = ? WHERE id = ?`,
		c.Name, string(c.Type), c.SecretHash, string(uris), oauth.JoinScope(c.Scopes), boolInt(c.PKCERequired),
		c.LogoURL, c.ClientURI, c.TermsURL, c.PrivacyURL, c.AutoApproveUser, formatTime(c.UpdatedAt), c.ID)
	return mustAffect(res, err)
}

// DeleteClient removes a client and, by cascade, its grants and tokens.
func (t *Tx) DeleteClient(ctx context.Context, id string) error {
	res, err := t.exec(ctx, `DELETE FROM clients WHERE id = ?`, id)
	return mustAffect(res, err)
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
