package store

import (
	"context"
	"time"
)

// SigningKey is an RSA key that signs access tokens, stored as PKCS #8 DER.
type SigningKey struct {
	KID        string
	PrivateKey []byte
	Active     bool
	CreatedAt  time.Time
}

// SigningKeys returns every stored key, oldest first.
func (s *Store) SigningKeys(ctx context.Context) ([]SigningKey, error) {
	return queryList(ctx, s.r, func(row interface{ Scan(...any) error }) (SigningKey, error) {
		var k SigningKey
		var active int
		err := row.Scan(&k.KID, &k.PrivateKey, &active, timeScanner{&k.CreatedAt})
		k.Active = active == 1
		return k, err
	}, `SELECT kid, private_key, active, created_at FROM signing_keys ORDER BY created_at, kid`)
}

// AddActiveSigningKey stores k as the one key that signs new tokens; the
// others stay for verification until deleted.
func (t *Tx) AddActiveSigningKey(ctx context.Context, k SigningKey) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE signing_keys SET active = 0`); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO signing_keys (kid, private_key, active, created_at) VALUES (?, ?, 1, ?)`,
		k.KID, k.PrivateKey, formatTime(k.CreatedAt))
	return err
}

// DeleteSigningKey removes a retired key; the active key cannot be deleted.
func (t *Tx) DeleteSigningKey(ctx context.Context, kid string) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM signing_keys WHERE kid = ? AND active = 0`, kid)
	return mustAffect(res, err)
}
