package control

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/pleo-emulator/pleo-emulator/internal/config"
	"github.com/pleo-emulator/pleo-emulator/internal/oauth"
	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

// ClientView is a client as the control API shows it (and the CLI reads
// it); the secret appears only in the answer to the request that set it.
type ClientView struct {
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	RedirectURIs []string  `json:"redirect_uris"`
	Scopes       []string  `json:"scopes"`
	PKCERequired bool      `json:"pkce_required"`
	LogoURL      string    `json:"logo_url,omitempty"`
	ClientURI    string    `json:"client_uri,omitempty"`
	TermsURL     string    `json:"terms_url,omitempty"`
	PrivacyURL   string    `json:"privacy_url,omitempty"`
	AutoApprove  string    `json:"auto_approve,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func viewClient(c oauth.Client, secret string) ClientView {
	return ClientView{ClientID: c.ID, ClientSecret: secret, Name: c.Name, Type: string(c.Type), RedirectURIs: c.RedirectURIs,
		Scopes: c.Scopes, PKCERequired: c.PKCERequired, LogoURL: c.LogoURL, ClientURI: c.ClientURI, TermsURL: c.TermsURL,
		PrivacyURL: c.PrivacyURL, AutoApprove: c.AutoApproveUser, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// newSecret returns 256 random bits, base64url encoded.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// specFromRequest decodes a ClientSpec; a confidential client without a
// secret gets a generated one (returned once).
func specFromRequest(w http.ResponseWriter, r *http.Request) (config.ClientSpec, bool) {
	var spec config.ClientSpec
	if !decode(w, r, &spec) {
		return spec, false
	}
	if spec.Type == "" {
		spec.Type = string(oauth.Confidential)
	}
	if spec.Type == string(oauth.Confidential) && spec.Secret == "" {
		spec.Secret = newSecret()
	}
	return spec, true
}

func (c *Control) createClient(w http.ResponseWriter, r *http.Request) {
	spec, ok := specFromRequest(w, r)
	if !ok {
		return
	}
	client, err := spec.Client(c.Clock.Now())
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	c.insert(w, r, "client "+client.ID, func(ctx context.Context, tx *store.Tx) error { return tx.InsertClient(ctx, client) },
		viewClient(client, spec.Secret))
}

func (c *Control) listClients(w http.ResponseWriter, r *http.Request) {
	clients, err := c.Store.Clients(r.Context())
	answerList(c, w, r, "clients", clients, err, func(cl oauth.Client) ClientView { return viewClient(cl, "") })
}

func (c *Control) getClient(w http.ResponseWriter, r *http.Request) {
	cl, err := c.Store.Client(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		c.storeFail(w, r, "client "+chi.URLParam(r, "id"), err)
		return
	}
	writeJSON(w, http.StatusOK, viewClient(cl, ""))
}

// updateClient replaces a client's registration; without client_secret a
// confidential client keeps its secret.
func (c *Control) updateClient(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	existing, err := c.Store.Client(r.Context(), id)
	if err != nil {
		c.storeFail(w, r, "client "+id, err)
		return
	}
	var spec config.ClientSpec
	if !decode(w, r, &spec) {
		return
	}
	if spec.ID != "" && spec.ID != id {
		fail(w, http.StatusBadRequest, "client_id in the body differs from the URL")
		return
	}
	spec.ID = id
	if spec.Type == "" {
		spec.Type = string(existing.Type)
	}
	client, err := spec.Client(existing.CreatedAt)
	if spec.Secret == "" && client.Type == oauth.Confidential {
		client.SecretHash = existing.SecretHash
		err = client.Validate()
	}
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	client.UpdatedAt = c.Clock.Now()
	if err := c.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.UpdateClient(r.Context(), client) }); err != nil {
		c.storeFail(w, r, "client "+id, err)
		return
	}
	writeJSON(w, http.StatusOK, viewClient(client, spec.Secret))
}

func (c *Control) deleteClient(w http.ResponseWriter, r *http.Request) {
	c.deleteByID(w, r, "client", func(ctx context.Context, tx *store.Tx, id string) error { return tx.DeleteClient(ctx, id) })
}
