package authserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sync"

	"github.com/pleo-emulator/pleo-emulator/internal/clock"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// keyBits is the RSA modulus size of signing keys.
const keyBits = 2048

// KeySet holds the RSA keys that sign and verify access tokens. Keys live in
// the database so tokens stay valid across restarts; the first key is
// generated in the background at first start so start-up does not wait.
type KeySet struct {
	st    *store.Store
	clock *clock.Clock

	mu     sync.RWMutex
	active *signingKey
	byKID  map[string]*signingKey
	ready  chan struct{} // closed once a key is active
	err    error         // set if the first key could not be made
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// NewKeySet loads the stored keys; if there are none it starts generating
// one in the background.
func NewKeySet(ctx context.Context, st *store.Store, clk *clock.Clock) (*KeySet, error) {
	ks := &KeySet{st: st, clock: clk, byKID: map[string]*signingKey{}, ready: make(chan struct{})}
	if err := ks.reload(ctx); err != nil {
		return nil, err
	}
	if ks.active != nil {
		close(ks.ready)
		return ks, nil
	}
	go func() {
		_, err := ks.Rotate(context.WithoutCancel(ctx))
		ks.mu.Lock()
		ks.err = err
		ks.mu.Unlock()
		close(ks.ready)
	}()
	return ks, nil
}

func (ks *KeySet) reload(ctx context.Context) error {
	keys, err := ks.st.SigningKeys(ctx)
	if err != nil {
		return err
	}
	byKID := map[string]*signingKey{}
	var active *signingKey
	for _, k := range keys {
		parsed, err := x509.ParsePKCS8PrivateKey(k.PrivateKey)
		if err != nil {
			return fmt.Errorf("signing key %s: %w", k.KID, err)
		}
		rk, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("signing key %s is not RSA", k.KID)
		}
		sk := &signingKey{kid: k.KID, key: rk}
		byKID[k.KID] = sk
		if k.Active {
			active = sk
		}
	}
	ks.mu.Lock()
	ks.byKID, ks.active = byKID, active
	ks.mu.Unlock()
	return nil
}

// Active returns the key that signs new tokens, waiting for the first one
// to be generated if needed.
func (ks *KeySet) Active(ctx context.Context) (string, *rsa.PrivateKey, error) {
	select {
	case <-ks.ready:
	case <-ctx.Done():
		return "", nil, ctx.Err()
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if ks.active == nil {
		return "", nil, errors.Join(errors.New("no signing key"), ks.err)
	}
	return ks.active.kid, ks.active.key, nil
}

// Public returns the public key for kid, if the set holds it.
func (ks *KeySet) Public(kid string) (*rsa.PublicKey, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	k, ok := ks.byKID[kid]
	if !ok {
		return nil, false
	}
	return &k.key.PublicKey, true
}

// Rotate generates a new key and makes it the active one; the old keys stay
// in the JWKS (and keep verifying) until Remove.
func (ks *KeySet) Rotate(ctx context.Context) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	kid := thumbprint(&key.PublicKey)
	if err := ks.st.Write(ctx, func(tx *store.Tx) error {
		return tx.AddActiveSigningKey(ctx, store.SigningKey{KID: kid, PrivateKey: der, Active: true, CreatedAt: ks.clock.Now()})
	}); err != nil {
		return "", err
	}
	return kid, ks.reload(ctx)
}

// Remove deletes a retired key; tokens it signed stop verifying.
func (ks *KeySet) Remove(ctx context.Context, kid string) error {
	if err := ks.st.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSigningKey(ctx, kid) }); err != nil {
		return err
	}
	return ks.reload(ctx)
}

// JWK is one RFC 7517 public key.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS returns every public key, active one first.
func (ks *KeySet) JWKS() []JWK {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := []JWK{}
	add := func(k *signingKey) {
		out = append(out, JWK{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: k.kid,
			N: base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes())})
	}
	if ks.active != nil {
		add(ks.active)
	}
	for _, kid := range slices.Sorted(maps.Keys(ks.byKID)) {
		if ks.active == nil || kid != ks.active.kid {
			add(ks.byKID[kid])
		}
	}
	return out
}

// thumbprint is the RFC 7638 JWK thumbprint of an RSA public key, used as kid.
func thumbprint(pub *rsa.PublicKey) string {
	e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())
	n := base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
